import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD

GOOD = {
    "name": "李秀英",
    "phone": "13911112222",
    "password": "long enough",
    "confirm": "long enough",
    "accept_privacy": "y",
}
NEUTRAL = "如果该手机号可以注册，账号已经开通"


def _without_token(page: str) -> str:
    """The page without its CSRF token (in forms and htmx headers), which is signed anew
    each second."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return page.replace(token, "")


def _users() -> int:
    return db.session.execute(select(func.count(User.id))).scalar_one()


def test_register_creates_a_hashed_account_then_login_asks_for_the_home(client):
    response = client.post("/auth/register", data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/me/link"
    user = db.session.execute(select(User).where(User.phone == "13911112222")).scalar_one()
    assert user.password_hash != "long enough" and user.check_password("long enough")
    assert user.privacy_accepted_at is not None
    assert NEUTRAL in client.get("/auth/login?next=/me/link").get_data(as_text=True)
    logged_in = client.post("/auth/login?next=/me/link",
                            data={"phone": "13911112222", "password": "long enough"})
    assert logged_in.headers["Location"] == "/me/link"
    assert "李秀英" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "1391111"}, "11 位"),
        ({"confirm": "different!"}, "两次输入的密码不一致"),
        ({"password": "too short", "confirm": "too short"}, "至少输入 10"),
        ({"password": "1234567890", "confirm": "1234567890"}, "这个密码太常见"),
        ({"password": "PASSWORD123", "confirm": "PASSWORD123"}, "这个密码太常见"),
        ({"password": "woaini1314", "confirm": "woaini1314"}, "这个密码太常见"),
        ({"password": "me13911112222", "confirm": "me13911112222"}, "这个密码太常见"),
        ({"accept_privacy": None}, "隐私政策"),
        ({"name": ""}, "必填"),
    ],
)
def test_register_rejects_bad_input_and_keeps_what_was_typed(client, change, message):
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = client.post("/auth/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page, page[page.find('class="error"') - 200:][:600]
    assert _users() == 0
    if data.get("name"):
        assert 'value="李秀英"' in page
    assert data["password"] not in page  # passwords are never echoed back


def test_register_answers_a_taken_number_as_it_answers_a_free_one(client, make_user):
    make_user(phone="13911112222", name="原主人")
    taken = client.post("/auth/register", data=GOOD)
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)
    free = client.post("/auth/register", data={**GOOD, "phone": "13911113333"})
    free_page = client.get(free.headers["Location"]).get_data(as_text=True)
    assert (taken.status_code, taken.headers["Location"]) == (
        free.status_code, free.headers["Location"])
    assert NEUTRAL in taken_page
    assert _without_token(taken_page) == _without_token(free_page)
    assert "已注册" not in taken_page
    assert _users() == 2
    owner = db.session.execute(select(User).where(User.phone == "13911112222")).scalar_one()
    assert owner.name == "原主人" and not owner.check_password("long enough")


def test_registration_is_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_LIMIT_PER_ADDRESS", "3 per hour")
    for index in range(3):
        response = client.post("/auth/register", data={**GOOD, "phone": f"1391111000{index}"})
        assert response.status_code == 302
    blocked = client.post("/auth/register", data={**GOOD, "phone": "13911110009"})
    page = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and "注册次数过多" in page
    assert 'value="李秀英"' in page and "long enough" not in page
    assert _users() == 3
    other = client.post("/auth/register", data={**GOOD, "phone": "13911110008"},
                        environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert other.status_code == 302


def test_login_accepts_the_number_as_people_type_it(client, make_user):
    make_user(phone="13911112222")
    response = client.post("/auth/login", data={"phone": "+86 139-1111-2222",
                                                 "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_refuses_a_wrong_password_without_saying_which_part_was_wrong(client, make_user):
    make_user(phone="13911112222")
    for phone in ("13911112222", "13999999999"):
        page = client.post("/auth/login", data={"phone": phone, "password": "nope"})
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "手机号或密码错误" in text
        assert f'value="{phone}"' in text


def test_login_only_follows_local_next_links(client, make_user):
    make_user(phone="13911112222")
    response = client.post("/auth/login?next=https://evil.example/",
                           data={"phone": "13911112222", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_repeated_failures_for_one_number_are_stopped_with_a_clear_message(client, make_user):
    make_user(phone="13911112222")
    bad = {"phone": "13911112222", "password": "wrong password"}
    for _ in range(5):
        assert client.post("/auth/login", data=bad).status_code == 200
    blocked = client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD})
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 429
    assert "失败次数过多，请在 15 分钟后再试" in text and 'value="13911112222"' in text
    other = client.post("/auth/login", data={"phone": "13933334444", "password": "x" * 8})
    assert other.status_code == 200  # another number is not blocked by this one's failures


def test_successful_logins_do_not_count_towards_the_limit(client, make_user):
    make_user(phone="13911112222")
    for _ in range(8):
        response = client.post("/auth/login",
                               data={"phone": "13911112222", "password": PASSWORD})
        assert response.status_code == 302
        client.post("/auth/logout")


def test_one_address_trying_many_numbers_is_stopped(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    try:
        for index in range(3):
            response = client.post("/auth/login",
                                   data={"phone": f"1390000000{index}", "password": "x" * 8})
            assert response.status_code == 200
        response = client.post("/auth/login", data={"phone": "13900000009", "password": "x" * 8})
        assert response.status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "30 per 15 minutes"


def test_logout_needs_a_post(client, make_user, login):
    login(make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/me").status_code == 302


def test_change_password(client, make_user, login):
    user = make_user()
    login(user)
    wrong = client.post("/auth/password", data={
        "current": "not it", "password": "new password", "confirm": "new password"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)

    right = client.post("/auth/password", data={
        "current": PASSWORD, "password": "new password", "confirm": "new password"})
    assert right.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("new password")


def test_logged_in_people_skip_the_login_and_register_pages(client, make_user, login):
    login(make_user())
    assert client.get("/auth/login").status_code == 302
    assert client.get("/auth/register").status_code == 302


@pytest.mark.parametrize("url", ["/auth/login", "/auth/register"])
def test_account_pages_cost_no_queries_for_visitors(client, count_queries, url):
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert queries == []


def test_login_and_change_password_cost_fixed_queries(client, make_user, count_queries, login):
    make_user(phone="13911112222")
    with count_queries() as queries:
        client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD})
    # find the user; clear their expired sessions; open this one; serve them the notice of
    # open polls (送达)
    assert len(queries) == 4
    with count_queries() as queries:
        client.get("/auth/password")
    assert len(queries) == 3  # the user with this session; the header's unread count and
    # standing (1)


def test_the_limit_is_shared_through_redis_between_workers(app, make_user):
    """Two app instances (two gunicorn workers) count failures in the same Redis."""
    import os
    import uuid

    from app import create_app
    from tests.conftest import CSRFClient, skip_or_fail

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        skip_or_fail("REDIS_URL is not set; the shared rate-limit test needs Redis")
    phone = "139" + str(uuid.uuid4().int)[:8]
    make_user(phone=phone)
    workers = [create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_STORAGE_URI": redis_url,
        "LOGIN_LIMIT_PER_ADDRESS": "1000 per 15 minutes",  # other runs share this address
    }) for _ in range(2)]
    for worker in workers:
        worker.test_client_class = CSRFClient
    clients = [worker.test_client() for worker in workers]
    bad = {"phone": phone, "password": "wrong password"}
    try:
        codes = [clients[n % 2].post("/auth/login", data=bad).status_code for n in range(6)]
    finally:
        for worker in workers:
            with worker.app_context():
                db.engine.dispose()
    assert codes == [200] * 5 + [429]


def test_a_password_hashed_with_older_parameters_is_rehashed_at_login(client, make_user):
    from werkzeug.security import generate_password_hash

    from app.auth.models import PASSWORD_HASH_METHOD

    user = make_user(phone="13911112222",
                     password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    wrong = client.post("/auth/login", data={"phone": "13911112222", "password": "nope"})
    db.session.refresh(user)
    assert wrong.status_code == 200 and user.password_hash.startswith("pbkdf2:")

    response = client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD})
    db.session.refresh(user)
    assert response.status_code == 302
    assert user.password_hash.startswith(PASSWORD_HASH_METHOD + "$")
    assert user.check_password(PASSWORD)
