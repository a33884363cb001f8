"""People who log in, and the sessions each of them has open."""

from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import UTCDateTime, db, utcnow

# scrypt with N=2**14, r=8, p=1: 16 MiB and about 50 ms a hash on one core of the 2-core
# server (werkzeug's default, N=2**15, takes twice as long). A login checks one hash, so this
# is what sets how many logins a worker can take on voting morning; it is still far beyond
# what guessing a leaked hash can afford (see BENCHMARKS.md, "Password hashing").
PASSWORD_HASH_METHOD = "scrypt:16384:8:1"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    elder_mode: Mapped[bool] = mapped_column(default=False)
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the account was erased on the person's request (app/privacy): the row stays
    # so that ballots and audit entries keep pointing somewhere, with nothing personal left.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Carried in every session and remember-me cookie; raising it ends every session at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    # The session this request came with (set by app.auth.sessions), not stored on the user.
    current_session = None
    session_secret = None

    @property
    def is_active(self) -> bool:
        """Flask-Login counts only active users as logged in (``is_authenticated``) and
        logs in only active ones: an erased account's sessions end, and no new one starts."""
        return self.erased_at is None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)

    @property
    def password_hash_outdated(self) -> bool:
        """Hashed with other parameters than today's: rehashed at the next login."""
        return not self.password_hash.startswith(PASSWORD_HASH_METHOD + "$")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: who, the session version and the
        secret of this session, so that a stale or ended session is refused."""
        return f"{self.id}.{self.session_version}.{self.session_secret}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(db.Model):
    """One signed-in browser: listed on /me, logged out one by one or all but this one."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the secret in the cookie: a copy of the database opens no session.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    device: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship()

    def is_alive(self, now: datetime, *, idle: timedelta, lifetime: timedelta,
                 remembered_lifetime: timedelta) -> bool:
        """A remembered session lasts its own lifetime from sign-in; any other ends after
        ``idle`` without a request or ``lifetime`` after sign-in, whichever comes first."""
        if self.remember:
            return now - self.created_at <= remembered_lifetime
        return now - self.last_seen_at <= idle and now - self.created_at <= lifetime
