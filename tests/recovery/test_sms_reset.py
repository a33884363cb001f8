"""A forgotten password, by a code sent by text message: same answer for every number,
codes hashed, replaced, limited, expiring and locked after wrong tries; a reset ends every
session and signs the person in."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db, utcnow
from app.recovery import views as recovery_views
from app.recovery.models import RecoveryCode
from tests.factories import PASSWORD

PHONE = "13911112222"
UNKNOWN = "13999998888"
NEW_PASSWORD = "lake-view-garden-7"


@pytest.fixture
def owner(make_user):
    return make_user(phone=PHONE, name="业主甲")


def _ask(client, phone=PHONE):
    return client.post("/auth/forgot", data={"phone": phone})


def _code_sent(sent, phone=PHONE) -> str:
    return [sms for sms in sent if sms.phone == phone][-1].params["code"]


def _reset(client, code, phone=PHONE, password=NEW_PASSWORD, confirm=None):
    return client.post("/auth/reset", data={"phone": phone, "code": code, "password": password,
                                            "confirm": confirm or password})


def _actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def _password_is(user, password) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).check_password(password)


def _page(response) -> str:
    return response.get_data(as_text=True)


def _untokened(response) -> str:
    """The page without its CSRF tokens, which differ from browser to browser."""
    return re.sub(r'(csrf_token"[^>]*value="|X-CSRFToken": ")[^"]+', r"\1", _page(response))


def test_a_registered_number_gets_a_hashed_code_by_text_message(client, owner, sent):
    response = _ask(client)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/reset"
    [sms] = sent
    assert (sms.phone, sms.template, sms.params["minutes"]) == (PHONE, "recovery_code", "10")
    assert re.fullmatch(r"\d{6}", sms.params["code"])
    row = db.session.execute(select(RecoveryCode)).scalar_one()
    assert row.user_id == owner.id and sms.params["code"] not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert _actions() == ["recovery.sms_code_sent"]
    # The reset form starts with the number filled in.
    assert f'value="{PHONE}"' in _page(client.get("/auth/reset"))


def test_an_unknown_number_gets_the_same_answer_and_nothing_is_sent(app, owner, sent):
    known, unknown = app.test_client(), app.test_client()
    answers = [_ask(known), _ask(unknown, UNKNOWN)]
    assert [(r.status_code, r.headers["Location"]) for r in answers] == [(302, "/auth/reset")] * 2
    pages = [_untokened(c.get("/auth/reset")).replace(UNKNOWN, PHONE) for c in (known, unknown)]
    assert pages[0] == pages[1]
    assert "如果这个号码已注册" in pages[0]
    assert [sms.phone for sms in sent] == [PHONE]
    assert db.session.execute(select(func.count(RecoveryCode.id))).scalar() == 1


def test_the_sms_code_sets_the_password_ends_every_session_and_signs_in(app, owner, sent):
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"phone": PHONE, "password": PASSWORD})
    assert elsewhere.get("/me").status_code == 200
    here = app.test_client()
    _ask(here)
    response = _reset(here, _code_sent(sent))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302  # logged out
    assert _password_is(owner, NEW_PASSWORD)
    assert _actions() == ["recovery.sms_code_sent", "recovery.password_reset"]
    assert db.session.execute(select(RecoveryCode)).first() is None
    # The code worked once.
    again = _reset(app.test_client(), _code_sent(sent), password="another-long-one-9")
    assert again.status_code == 200 and "验证码错误或已失效" in _page(again)
    assert _password_is(owner, NEW_PASSWORD)


def test_a_new_code_replaces_the_old_one(client, owner, sent):
    _ask(client)
    old = _code_sent(sent)
    _ask(client)
    new = _code_sent(sent)
    assert db.session.execute(select(func.count(RecoveryCode.id))).scalar() == 1
    if old != new:
        assert "验证码错误或已失效" in _page(_reset(client, old))
    assert _reset(client, new).status_code == 302


def test_the_code_expires_after_ten_minutes(client, owner, sent, monkeypatch):
    _ask(client)
    later = utcnow() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(recovery_views, "utcnow", lambda: later)
    response = _reset(client, _code_sent(sent))
    assert response.status_code == 200 and "验证码错误或已失效" in _page(response)
    assert _password_is(owner, PASSWORD)


def test_five_wrong_tries_end_the_code_and_are_audited(client, owner, sent):
    _ask(client)
    code = _code_sent(sent)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(1, 5):
        assert "验证码错误或已失效" in _page(_reset(client, wrong))
        assert db.session.execute(select(RecoveryCode.attempts)).scalar() == attempt
    assert "recovery.code_locked" not in _actions()
    _reset(client, wrong)
    assert db.session.execute(select(RecoveryCode)).first() is None
    assert _actions()[-1] == "recovery.code_locked"
    assert "验证码错误或已失效" in _page(_reset(client, code))
    assert _password_is(owner, PASSWORD)


def test_an_unknown_number_and_a_wrong_code_get_the_same_refusal(app, client, owner, sent):
    _ask(app.test_client())
    wrong = f"{(int(_code_sent(sent)) + 1) % 10**6:06d}"
    pages = [_untokened(_reset(client, wrong)),
             _untokened(_reset(client, wrong, phone=UNKNOWN))]
    assert pages[0].replace(PHONE, UNKNOWN) == pages[1]


def test_codes_are_limited_per_number_whether_or_not_it_has_an_account(client, owner, sent):
    for phone in (PHONE, UNKNOWN):
        assert [_ask(client, phone).status_code for _ in range(4)] == [302] * 3 + [429]
    blocked = _ask(client)
    assert "此号码请求验证码的次数过多" in _page(blocked)
    assert len(sent) == 3


def test_codes_are_limited_per_address(client, owner, sent, monkeypatch):
    monkeypatch.setitem(client.application.config, "RECOVERY_LIMIT_PER_ADDRESS", "2 per hour")
    assert [_ask(client, f"1390000000{n}").status_code for n in range(2)] == [302, 302]
    blocked = _ask(client)
    assert blocked.status_code == 429 and "此网络请求验证码的次数过多" in _page(blocked)
    assert sent == []


def test_a_bad_number_is_refused_with_a_message_and_kept(client, owner, sent):
    response = _ask(client, "1391111")
    assert response.status_code == 200
    assert "请输入 11 位" in _page(response) and 'value="1391111"' in _page(response)
    assert sent == [] and _actions() == []


@pytest.mark.parametrize(("code", "password", "confirm", "message"), [
    ("12345", NEW_PASSWORD, NEW_PASSWORD, "请输入短信中的 6 位验证码"),
    ("CODE", NEW_PASSWORD, NEW_PASSWORD, "请输入短信中的 6 位验证码"),
    (None, "short", "short", "至少"),
    (None, NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的密码不一致"),
    (None, f"x{PHONE}x", f"x{PHONE}x", "换一个"),
])
def test_bad_input_at_reset_is_refused_kept_and_costs_no_try(client, owner, sent, code,
                                                              password, confirm, message):
    _ask(client)
    typed = code or _code_sent(sent)
    response = _reset(client, typed, password=password, confirm=confirm)
    page = _page(response)
    assert response.status_code == 200 and message in page, page
    assert f'value="{PHONE}"' in page and f'value="{typed}"' in page
    assert db.session.execute(select(RecoveryCode.attempts)).scalar() == 0
    assert _password_is(owner, PASSWORD)


def test_the_login_page_links_to_recovery_and_the_lockout_says_whom_to_ask(
        client, owner, make_community):
    community = make_community(name="翠湖花园")
    community.objection_place, community.objection_phone = "3栋一楼业委会办公室", "021-12345678"
    make_community(name="别的小区")
    db.session.commit()
    assert 'href="/auth/forgot"' in _page(client.get("/auth/login"))
    for _ in range(5):
        client.post("/auth/login", data={"phone": PHONE, "password": "wrong password"})
    locked = client.post("/auth/login", data={"phone": PHONE, "password": "wrong password"})
    page = _page(locked)
    assert locked.status_code == 429
    assert "忘记密码？点此找回" in page and "无法收到短信？请到业委会或居委会办公室" in page
    assert "3栋一楼业委会办公室" in page and "021-12345678" in page
    assert "别的小区" not in page  # it has not said where its office is


def test_recovery_pages_cost_fixed_queries(client, make_user, count_queries, sent, monkeypatch):
    monkeypatch.setitem(client.application.config, "RECOVERY_LIMIT_PER_ADDRESS", "99 per hour")
    for n in range(30):
        user = make_user(phone=f"138000000{n:02d}")
        _ask(client, user.phone)
    owner = make_user(phone=PHONE)
    with count_queries() as queries:
        assert client.get("/auth/forgot").status_code == 200
        assert client.get("/auth/reset").status_code == 200
    assert len(queries) == 1  # the offices where people can ask in person, on /auth/forgot
    with count_queries() as queries:
        assert _ask(client).status_code == 302
    # the account; its old code out, the new one in; the audit chain's head and entry
    assert len(queries) == 5
    with count_queries() as queries:
        assert _reset(client, _code_sent(sent)).status_code == 302
    # the account; its code; the codes out; the password; audit head and entry; the
    # expired sessions out, the new session in; the version up and other sessions out; the
    # notice of open polls served at sign-in (送达)
    assert len(queries) == 11, "\n".join(q[:90] for q in queries)
    assert owner.id
