"""Sessions: listed on /me, ended one by one or all but this one, and refused once ended,
stale or expired, however the cookie was kept."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User, UserSession
from app.auth.sessions import describe_device
from app.extensions import db, utcnow
from tests.factories import PASSWORD

PHONE = "13911112222"
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36")
IPHONE_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40")


@pytest.fixture
def owner(make_user):
    return make_user(phone=PHONE, name="业主甲")


def _log_in(app, remember=False, user_agent=ANDROID_CHROME, password=PASSWORD):
    browser = app.test_client()
    data = {"phone": PHONE, "password": password}
    if remember:
        data["remember"] = "y"
    response = browser.post("/auth/login", data=data, headers={"User-Agent": user_agent})
    assert response.status_code == 302
    return browser


def _signed_in(browser) -> bool:
    return browser.get("/me").status_code == 200


def _copy(browser, app, *names):
    """Another browser holding copies of ``names`` cookies of ``browser``."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, browser.get_cookie(name).value)
    return thief


def _sessions(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.execute(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.id)).scalars().all()


def test_a_copied_session_cookie_stops_working_after_logout(app, owner):
    browser = _log_in(app)
    thief = _copy(browser, app, "session")
    assert _signed_in(thief)
    browser.post("/auth/logout")
    assert not _signed_in(browser) and not _signed_in(thief)
    assert _sessions(owner) == []


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, owner):
    browser = _log_in(app, remember=True)
    thief = _copy(browser, app, "remember_token")
    assert _signed_in(thief)
    browser.post("/auth/logout")
    assert browser.get_cookie("remember_token") is None
    assert not _signed_in(thief)


def test_remember_me_lasts_30_days_and_outlives_the_browser_session(app, owner):
    browser = _log_in(app, remember=True)
    cookie = browser.get_cookie("remember_token")
    assert 29 * 86400 < (cookie.expires - utcnow()).total_seconds() <= 30 * 86400 + 60
    reopened = _copy(browser, app, "remember_token")  # the browser was closed and opened
    assert _signed_in(reopened)
    [session] = _sessions(owner)
    session.created_at = utcnow() - timedelta(days=29)
    db.session.commit()
    assert _signed_in(_copy(browser, app, "remember_token"))
    session.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert not _signed_in(_copy(browser, app, "remember_token"))


@pytest.mark.parametrize(("created", "seen", "alive"), [
    (timedelta(hours=11), timedelta(hours=11, minutes=59), True),
    (timedelta(hours=13), timedelta(hours=12, minutes=1), False),  # 12 hours idle
    (timedelta(days=6, hours=23), timedelta(minutes=5), True),
    (timedelta(days=7, minutes=1), timedelta(minutes=5), False),  # 7 days since login
])
def test_a_session_ends_after_12_hours_idle_or_7_days(app, owner, created, seen, alive):
    browser = _log_in(app)
    [session] = _sessions(owner)
    session.created_at, session.last_seen_at = utcnow() - created, utcnow() - seen
    db.session.commit()
    assert _signed_in(browser) is alive


def test_the_limits_are_settings(app, owner, monkeypatch):
    browser = _log_in(app)
    [session] = _sessions(owner)
    session.last_seen_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    monkeypatch.setitem(app.config, "SESSION_IDLE_SECONDS", 3600)
    assert not _signed_in(browser)


def test_last_seen_moves_at_most_once_a_minute(app, owner, count_queries):
    browser = _log_in(app)
    [session] = _sessions(owner)
    recently = utcnow() - timedelta(seconds=30)
    session.last_seen_at = recently
    db.session.commit()
    with count_queries() as quiet:
        browser.get("/notifications/count")
    assert _sessions(owner)[0].last_seen_at == recently
    session = _sessions(owner)[0]
    session.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    with count_queries() as touched:
        browser.get("/notifications/count")
    assert utcnow() - _sessions(owner)[0].last_seen_at < timedelta(seconds=30)
    assert len(touched) == len(quiet) + 2  # the update, then the user read again


def test_me_lists_where_one_is_logged_in_and_logs_out_one(app, owner, make_user):
    phone = _log_in(app)
    other_phone = _log_in(app, user_agent=IPHONE_WECHAT)
    page = phone.get("/me").get_data(as_text=True)
    assert "Chrome · Android" in page and "WeChat · iPhone" in page
    assert page.count("本机") == 1 and "127.0.0.1" in page
    first, second = _sessions(owner)
    response = phone.post(f"/auth/sessions/{second.id}/logout")
    assert response.headers["Location"] == "/me"
    assert "该设备已退出登录" in phone.get("/me").get_data(as_text=True)
    assert not _signed_in(other_phone) and _signed_in(phone)
    assert [s.id for s in _sessions(owner)] == [first.id]


def test_logging_out_this_one_from_the_list_logs_out(app, owner):
    browser = _log_in(app)
    [session] = _sessions(owner)
    response = browser.post(f"/auth/sessions/{session.id}/logout")
    assert response.headers["Location"] == "/"
    assert not _signed_in(browser) and _sessions(owner) == []


def test_nobody_ends_another_persons_session(app, owner, make_user, login, client):
    _log_in(app)
    [session] = _sessions(owner)
    login(make_user(name="别人"))
    assert client.post(f"/auth/sessions/{session.id}/logout").status_code == 404
    assert client.post("/auth/sessions/999999/logout").status_code == 404
    assert [s.id for s in _sessions(owner)] == [session.id]
    stranger = app.test_client()
    response = stranger.post(f"/auth/sessions/{session.id}/logout")
    assert response.headers["Location"].startswith("/auth/login")
    assert [s.id for s in _sessions(owner)] == [session.id]


def test_logging_out_everywhere_else_ends_other_sessions_and_remember_me(app, owner):
    here = _log_in(app, remember=True)
    elsewhere = _log_in(app, remember=True)
    kept_cookie = _copy(elsewhere, app, "remember_token")
    response = here.post("/auth/sessions/logout-others")
    assert response.headers["Location"] == "/me"
    assert _signed_in(here) and _signed_in(_copy(here, app, "remember_token"))
    assert not _signed_in(elsewhere) and not _signed_in(kept_cookie)
    assert len(_sessions(owner)) == 1
    assert db.session.get(User, owner.id).session_version == 2


def test_a_password_change_ends_every_other_session(app, owner):
    here = _log_in(app)
    elsewhere = _log_in(app, remember=True)
    kept_cookie = _copy(elsewhere, app, "remember_token")
    response = here.post("/auth/password", data={
        "current": PASSWORD, "password": "a new long one", "confirm": "a new long one"})
    assert response.status_code == 302
    assert "其他所有设备都已退出登录" in here.get("/me").get_data(as_text=True)
    assert not _signed_in(elsewhere) and not _signed_in(kept_cookie)
    assert len(_sessions(owner)) == 1


def test_a_cookie_from_an_older_session_version_is_refused(app, owner):
    browser = _log_in(app)
    db.session.execute(User.__table__.update().values(session_version=User.session_version + 1))
    db.session.commit()
    assert not _signed_in(browser)


@pytest.mark.parametrize("token", ["1", "1.1", "x.1.secret", "1.1.wrong-secret", ""])
def test_a_forged_or_old_style_session_is_refused(app, owner, client, token):
    token = token.replace("1", str(owner.id), 1) if token.startswith("1") else token
    with client.session_transaction() as session:
        session["_user_id"] = token
    assert not _signed_in(client)


def test_expired_sessions_are_cleared_at_the_next_login(app, owner):
    _log_in(app)
    [old] = _sessions(owner)
    old.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    _log_in(app)
    [new] = _sessions(owner)
    assert utcnow() - new.created_at < timedelta(minutes=1)


@pytest.mark.parametrize(("agent", "device"), [
    (ANDROID_CHROME, "Chrome · Android"),
    (IPHONE_WECHAT, "WeChat · iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0 Safari/537.36 Edg/120.0", "Edge · Windows"),
    ("curl/8.0", ""),
])
def test_devices_are_named_as_people_know_them(agent, device):
    assert describe_device(agent) == device
