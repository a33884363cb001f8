"""In-app notifications."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import UTCDateTime, db, utcnow


class NotificationKind(enum.StrEnum):
    REPLY = "reply"                        # someone replied to my comment
    OFFICIAL_ANSWER = "official_answer"    # on a proposal I follow
    STATUS_CHANGE = "status_change"        # of a proposal I follow
    THRESHOLD_REACHED = "threshold_reached"  # my proposal has enough co-sponsors
    PARTY_REVIEW = "party_review"          # the party branch gave its opinion
    MODERATION = "moderation"              # a moderator decided about my content or me


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    # What the message needs besides the links: a status, a reason, a title at the time.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
