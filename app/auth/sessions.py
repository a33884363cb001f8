"""Sessions: each sign-in is a row whose secret travels in the cookies next to the user's
session version. Deleting the row, or raising the version, refuses the cookies for good,
copies included. Nothing here reads the request: the views pass what it says."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update

from app.auth.models import User, UserSession
from app.extensions import db

# Last seen is written at most this often, so that a busy reader costs no write per page.
SEEN_PRECISION = timedelta(minutes=1)

# Markers in a User-Agent header, most specific first, and the names people know them by.
_PLATFORMS = [("iPhone", "iPhone"), ("iPad", "iPad"), ("HarmonyOS", "HarmonyOS"),
              ("Android", "Android"), ("Windows", "Windows"), ("Macintosh", "Mac"),
              ("CrOS", "ChromeOS"), ("Linux", "Linux")]
_BROWSERS = [("MicroMessenger", "WeChat"), ("Edg/", "Edge"), ("OPR/", "Opera"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    lifetime: timedelta
    remembered: timedelta

    @classmethod
    def from_config(cls, config) -> "Lifetimes":
        return cls(idle=timedelta(seconds=config["SESSION_IDLE_SECONDS"]),
                   lifetime=timedelta(seconds=config["SESSION_MAX_SECONDS"]),
                   remembered=timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def describe_device(user_agent: str) -> str:
    """"Chrome · Android" from a User-Agent header; empty when nothing is recognised."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    platform = next((name for marker, name in _PLATFORMS if marker in user_agent), "")
    return " · ".join(part for part in (browser, platform) if part)


def _dead(user: User, now: datetime, lifetimes: Lifetimes):
    return and_(UserSession.user_id == user.id, or_(
        and_(UserSession.remember.is_(True),
             UserSession.created_at < now - lifetimes.remembered),
        and_(UserSession.remember.is_(False),
             or_(UserSession.last_seen_at < now - lifetimes.idle,
                 UserSession.created_at < now - lifetimes.lifetime))))


def open_session(user: User, *, remember: bool, user_agent: str, address: str,
                 now: datetime, lifetimes: Lifetimes) -> UserSession:
    """A new session for ``user`` (whose cookie token ``user.get_id()`` then gives); the
    user's sessions that have expired are cleared on the way."""
    db.session.execute(delete(UserSession).where(_dead(user, now, lifetimes)))
    secret = secrets.token_urlsafe(32)
    session = UserSession(user=user, secret_hash=_digest(secret), remember=remember,
                          created_at=now, last_seen_at=now, device=describe_device(user_agent),
                          address=address[:45])
    db.session.add(session)
    db.session.flush()
    user.current_session, user.session_secret = session, secret
    return session


def user_for_token(token: str, now: datetime, lifetimes: Lifetimes) -> User | None:
    """The user a cookie token stands for, in one query; None when the session was logged
    out, has expired or belongs to an older session version (password changed, everywhere
    else logged out)."""
    try:
        user_id, version, secret = token.split(".", 2)
        user_id, version = int(user_id), int(version)
    except ValueError:
        return None
    row = db.session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.secret_hash == _digest(secret))).first()
    if row is None:
        return None
    user, session = row
    if user.session_version != version or not session.is_alive(
            now, idle=lifetimes.idle, lifetime=lifetimes.lifetime,
            remembered_lifetime=lifetimes.remembered):
        return None
    user.current_session, user.session_secret = session, secret
    return user


def note_activity(session: UserSession, now: datetime) -> bool:
    """Move the session's last seen to ``now`` unless it moved less than a minute ago; says
    whether there is something to commit. A plain UPDATE, so that a session logged out
    from another device in the meantime is simply not found."""
    if now - session.last_seen_at < SEEN_PRECISION:
        return False
    db.session.execute(update(UserSession).where(UserSession.id == session.id)
                       .values(last_seen_at=now))
    return True


def active_sessions(user: User, now: datetime, lifetimes: Lifetimes) -> list[UserSession]:
    """The user's sessions that still let someone in, the most recently used first."""
    sessions = db.session.execute(
        select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).scalars()
    return [session for session in sessions if session.is_alive(
        now, idle=lifetimes.idle, lifetime=lifetimes.lifetime,
        remembered_lifetime=lifetimes.remembered)]


def end_session(user: User, session_id: int) -> bool:
    """Log out one of ``user``'s sessions; False when it is not theirs or already over."""
    ended = db.session.execute(delete(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user.id))
    return ended.rowcount == 1


def end_other_sessions(user: User) -> None:
    """Log out every session of ``user`` but the current one, remember-me cookies included:
    the version goes up, so the current session must then write its cookies again."""
    user.session_version += 1
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.id != user.current_session.id))
