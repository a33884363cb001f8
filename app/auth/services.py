"""Checking a password and opening an account, without saying which numbers are taken."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import PASSWORD_HASH_METHOD, User
from app.extensions import db, utcnow

# Compared against when the number is unknown, so that a wrong number takes as long as a
# wrong password and timing does not tell which numbers are registered.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_HASH_METHOD)


def authenticate(phone: str, password: str) -> User | None:
    user = db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password):
        return None
    if user.password_hash_outdated:
        user.set_password(password)
    return user


def register_user(
    *, name: str, phone: str, password: str, locale: str | None = None, elder_mode: bool = False
) -> User:
    user = User(
        name=name,
        phone=phone,
        locale=locale,
        elder_mode=elder_mode,
        privacy_accepted_at=utcnow(),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def register_if_free(*, phone: str, password: str, **details) -> User | None:
    """The new account, or None when the number already has one. A taken number costs the
    same password hash, so that timing does not tell it from a free one."""
    if db.session.execute(select(User.id).where(User.phone == phone)).first():
        generate_password_hash(password, method=PASSWORD_HASH_METHOD)
        return None
    try:
        with db.session.begin_nested():
            return register_user(phone=phone, password=password, **details)
    except IntegrityError:  # the same number registered by another request at this moment
        return None
