"""A person's request that their account be erased, carried out by a community admin."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Community
from app.extensions import UTCDateTime, db, utcnow


class DeletionStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"


class DeletionRequest(db.Model):
    """Handled by the admins of ``community`` (the person's community when they asked);
    with none, by platform administrators."""

    __tablename__ = "deletion_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DeletionStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    carried_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    carried_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Community | None] = relationship()
