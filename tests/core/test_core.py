import re

import pytest

from app import create_app
from app.auth.models import User
from app.extensions import db
from app.phones import mask_phone, normalise_phone


def test_home_is_in_chinese_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in page
    assert "共治" in page and "登录" in page


def test_language_switch_persists_in_a_cookie(client):
    response = client.post("/preferences/language", data={"language": "en", "next": "/privacy"})
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page and "Log in" in page


def test_language_switch_is_kept_on_the_account(client, make_user, login):
    user = make_user()
    login(user)
    client.post("/preferences/language", data={"language": "en"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    fresh = login(user, client.application.test_client())
    assert "My account" in fresh.get("/").get_data(as_text=True)


def test_translations_kept_for_a_request_follow_its_language(app):
    """The request keeps its translations (app/core/preferences.py), yet a document written
    in another language inside it (``force_locale``) is in that language, and the page
    goes on in the reader's."""
    from flask_babel import force_locale, gettext, lazy_gettext

    label = lazy_gettext("Proposals")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert (gettext("Proposals"), str(label)) == ("Proposals", "Proposals")
        with force_locale("zh_Hans"):
            assert (gettext("Proposals"), str(label)) == ("议题", "议题")
        assert app.jinja_env.from_string("{{ _('Proposals') }}").render() == "Proposals"
    with app.app_context(), app.test_request_context("/"):
        assert gettext("Proposals") == "议题"


def test_unknown_language_is_refused_with_a_message(client):
    client.post("/preferences/language", data={"language": "fr"})
    page = client.get("/").get_data(as_text=True)
    assert "暂不支持该语言" in page or "not available" in page
    assert '<html lang="zh-Hans"' in page


def test_elder_mode_persists_for_visitors_and_accounts(client, make_user, login):
    client.post("/preferences/elder-mode", data={"enabled": "1"})
    assert 'class="elder"' in client.get("/").get_data(as_text=True)
    client.post("/preferences/elder-mode", data={"enabled": "0"})
    assert 'class="elder"' not in client.get("/").get_data(as_text=True)

    user = make_user()
    login(user)
    client.post("/preferences/elder-mode", data={"enabled": "1"})
    other_device = login(user, client.application.test_client())
    assert 'class="elder"' in other_device.get("/").get_data(as_text=True)


def test_preference_redirects_stay_on_this_site(client):
    response = client.post(
        "/preferences/elder-mode", data={"enabled": "1", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_pages_carry_security_headers_and_no_inline_script(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_missing_page_is_translated(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused_politely(client):
    response = client.post("/preferences/elder-mode", data={"enabled": "1"}, csrf=False)
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_server_errors_show_a_page_not_a_trace(app):
    app_500 = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://",
                                     "PROPAGATE_EXCEPTIONS": False})

    @app_500.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app_500.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret detail" not in body and "系统出了点问题" in body


def test_production_refuses_to_serve_with_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("GONGZHI_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/production.db"}
    response = create_app("production", settings).test_client().get("/privacy")
    assert response.status_code == 503 and "set SECRET_KEY" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    secured = create_app("production", {**settings, "SECRET_KEY": "a-real-secret"})
    assert secured.config["SESSION_COOKIE_SECURE"]
    assert secured.test_client().get("/privacy").status_code == 200


def test_static_pages_cost_no_queries(client, count_queries):
    with count_queries() as queries:
        client.get("/")
        client.get("/privacy")
    assert queries == []


def test_phone_numbers_are_normalised_and_masked():
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("") is None
    with pytest.raises(ValueError):
        normalise_phone("12345")
    assert mask_phone("13812345678") == "138****5678"


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(app, client, monkeypatch):
    """Sessions, the audited "show" of numbers, export, erasure and the retention setting."""
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 90)
    client.post("/preferences/language", data={"language": "en"})
    page = client.get("/privacy").get_data(as_text=True)
    assert "network address" in page and "recorded in the audit log" in page
    assert "download everything we keep about you" in page and "erased" in page
    assert "deleted after 90 days" in page
