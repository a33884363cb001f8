"""The outbox: each notification sent on beyond the site, one row per channel, and what
each person chose to receive that way."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import UTCDateTime, db, utcnow
from app.messaging.rules import Status


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The staff page: counts and dead letters of one community, slips to print.
        Index("ix_outbox_messages_community_status", "community_id", "status", "channel"),
        # send-due: the queued messages whose time has come.
        Index("ix_outbox_messages_status_not_before", "status", "not_before"),
        # The SMS count against a poll's cap.
        Index("ix_outbox_messages_poll_channel", "poll_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    # The outbox keeps its record when retention or an erasure deletes the notification.
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(30))  # the notification's kind
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(String(20), default="")  # SMS only
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    status: Mapped[str] = mapped_column(String(10), default=Status.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    provider_id: Mapped[str | None] = mapped_column(String(100))
    # Not before this instant (UTC): quiet hours in Beijing, or the wait before a retry.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class MessagePreference(db.Model):
    """The categories a person gets by SMS and by printed slip; no row: the defaults
    (rules.DEFAULT_CHOICES)."""

    __tablename__ = "message_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sms: Mapped[list] = mapped_column(JSON, default=list)
    slip: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
