"""Follow-up actions decided on a proposal, usually at a meeting."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Organisation
from app.extensions import UTCDateTime, db, utcnow
from app.proposals.models import Proposal


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class FollowUpAction(db.Model):
    __tablename__ = "follow_up_actions"
    __table_args__ = (Index("ix_follow_up_actions_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"),
                                                       index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the row last changed, for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_note: Mapped[str] = mapped_column(Text, default="")
    # A photo re-encoded on the server like proposal photos, under a random name.
    done_photo: Mapped[str | None] = mapped_column(String(64))

    proposal: Mapped[Proposal] = relationship()
    organisation: Mapped[Organisation] = relationship()
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    def is_overdue(self, today: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today
