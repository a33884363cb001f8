"""Comments, reports and mutes."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Organisation
from app.extensions import UTCDateTime, db, utcnow
from app.proposals.models import ModerationState, Proposal


class Stance(enum.StrEnum):
    """State your position, then your reasons (rules of order of community councils)."""

    SUPPORT = "support"
    OPPOSE = "oppose"
    NEUTRAL = "neutral"
    QUESTION = "question"


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_proposal_parent", "proposal_id", "parent_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    stance: Mapped[str | None] = mapped_column(String(10))  # top-level comments only
    body: Mapped[str] = mapped_column(Text)
    # An official answer speaks for an organisation; it is pinned above the discussion.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reply_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.VISIBLE)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])

    @property
    def is_official(self) -> bool:
        return self.organisation_id is not None


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    PERSONAL_DATA = "personal_data"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"        # the moderator hid the content
    DISMISSED = "dismissed"  # the moderator kept it


class Report(db.Model):
    """One person's report of a comment or a proposal (exactly one of the two)."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "comment_id"),
        UniqueConstraint("reporter_id", "proposal_id"),
        Index("ix_reports_community_status", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    proposal: Mapped[Proposal | None] = relationship()
    comment: Mapped[Comment | None] = relationship()


class Mute(db.Model):
    """A member who may read but not post in a community until ``until``."""

    __tablename__ = "mutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
