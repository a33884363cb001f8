"""The error pages themselves must never fail, whatever broke the request."""

import pytest

from app import create_app
from app.auth.models import User
from app.extensions import db, utcnow


@pytest.fixture
def failing_app(app):
    """A second app on the test database with a route whose write breaks a unique constraint.

    Routes cannot be added to the shared app once it has served a request, hence its own app.
    """
    failing = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PROPAGATE_EXCEPTIONS": False,
    })

    @failing.route("/register-twice/<phone>")
    def register_twice(phone):
        db.session.add(User(name="重复", phone=phone, password_hash="x",
                            privacy_accepted_at=utcnow()))
        db.session.commit()
        return "unreachable"

    yield failing
    with failing.app_context():
        db.engine.dispose()


def test_a_failed_write_still_shows_the_translated_error_page(failing_app, make_user, login):
    user = make_user()
    client = login(user, failing_app.test_client())

    response = client.get(f"/register-twice/{user.phone}")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "系统出了点问题" in page and "退出登录" in page  # for the person still logged in
    assert "IntegrityError" not in page
