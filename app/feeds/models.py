"""A person's feed secret: the key in the address a calendar or feed reader subscribes to."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import UTCDateTime, db, utcnow


class FeedSecret(db.Model):
    """One secret a person made for their feeds. A calendar app cannot sign in, so the
    address itself proves whose feed it is; only a keyed hash of the secret is stored, and
    a rotated or revoked one keeps its row (with ``revoked_at``) for the record."""

    __tablename__ = "feed_secrets"
    # One live secret a person: two taps on "make my addresses" at once cannot both make one.
    __table_args__ = (Index("uq_feed_secrets_live_user", "user_id", unique=True,
                            sqlite_where=text("revoked_at IS NULL"),
                            postgresql_where=text("revoked_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC-SHA256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
