"""A community's webhooks and each delivery of an event to one of them."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import UTCDateTime, db, utcnow


class EventType(enum.StrEnum):
    PROPOSAL_PUBLISHED = "proposal.published"
    POLL_OPENED = "poll.opened"
    POLL_CLOSED = "poll.closed"  # with the preliminary result
    POLL_RESULT_FINAL = "poll.result_final"
    NOTICE_POSTED = "notice.posted"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    RETRYING = "retrying"  # failed in a way that may pass; waits for next_attempt_at
    FAILED = "failed"


class Webhook(db.Model):
    """A URL that receives the chosen events of one community, signed with a secret that
    the server keeps encrypted (it needs the secret itself to sign, so a hash will not do)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deliveries: Mapped[list["WebhookDelivery"]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", passive_deletes=True)


class WebhookDelivery(db.Model):
    """One event for one webhook: its body as sent (a redelivery sends the same bytes) and
    how its attempts went."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
        # send-due: the deliveries whose retry is due.
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))  # the same for every hook of one event
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(200), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")
