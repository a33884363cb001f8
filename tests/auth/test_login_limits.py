"""Failed logins are limited per number and per address; a correct password is never
refused because of others' failures from the same address, behind a proxy or not."""

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import CSRFClient
from tests.factories import PASSWORD

WRONG = "wrong password"


@pytest.fixture
def three_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per 15 minutes")


def _fail(client, phone="13900000000", **kwargs):
    return client.post("/auth/login", data={"phone": phone, "password": WRONG}, **kwargs)


def test_a_correct_password_logs_in_from_an_address_blocked_by_failures(
        client, make_user, three_per_address):
    make_user(phone="13911112222")
    assert [_fail(client, f"1390000000{n}").status_code for n in range(4)] == [200] * 3 + [429]
    response = client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_failures_from_a_blocked_address_still_lock_the_number(
        client, make_user, three_per_address):
    make_user(phone="13911112222")
    codes = [_fail(client, "13911112222").status_code for _ in range(5)]
    assert codes == [200] * 3 + [429] * 2
    locked = client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD})
    assert locked.status_code == 429
    assert "失败次数过多" in locked.get_data(as_text=True)


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client, three_per_address):
    codes = [_fail(client, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n in range(4)]
    assert codes == [200] * 3 + [429]


@pytest.fixture
def behind_a_proxy(app):
    """The app as deployed behind one reverse proxy (``TRUSTED_PROXIES=1``), on the same
    database; every request reaches it from the proxy's address."""
    proxied = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRUSTED_PROXIES": 1,
        "LOGIN_LIMIT_PER_ADDRESS": "3 per 15 minutes",
    })
    proxied.test_client_class = CSRFClient
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_forwarded_address_decides(behind_a_proxy, make_user):
    make_user(phone="13911112222")
    client = behind_a_proxy.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def fail_from(address):
        return _fail(client, headers={"X-Forwarded-For": address}, environ_base=proxy)

    assert [fail_from("198.51.100.7").status_code for _ in range(4)] == [200] * 3 + [429]
    assert fail_from("198.51.100.8").status_code == 200  # another client of the same proxy
    # Only the entry the proxy added counts: a client cannot choose its address.
    assert fail_from("192.0.2.1, 198.51.100.7").status_code == 429
    signed_in = client.post("/auth/login", data={"phone": "13911112222", "password": PASSWORD},
                            headers={"X-Forwarded-For": "198.51.100.9"}, environ_base=proxy)
    assert signed_in.status_code == 302
    assert "198.51.100.9" in client.get("/me", environ_base=proxy).get_data(as_text=True)
