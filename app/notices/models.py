"""Notices (公告) with their scope, attachments and read receipts; in-app notifications."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Building, Grid, Organisation
from app.extensions import UTCDateTime, db, utcnow


class NotificationKind(enum.StrEnum):
    REPLY = "reply"                        # someone replied to my comment
    OFFICIAL_ANSWER = "official_answer"    # on a proposal I follow
    STATUS_CHANGE = "status_change"        # of a proposal I follow
    THRESHOLD_REACHED = "threshold_reached"  # my proposal has enough co-sponsors
    PARTY_REVIEW = "party_review"          # the party branch gave its opinion
    MODERATION = "moderation"              # a moderator decided about my content or me
    MEETING_INVITATION = "meeting_invitation"  # I am invited to a meeting
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_MOVED = "meeting_moved"        # its time or place changed
    FOLLOW_UP = "follow_up"                # my organisation was given a follow-up action
    NOTICE_REMINDER = "notice_reminder"    # please read a notice for my home
    LINK_REPLACED = "link_replaced"        # staff gave my verified link to a home to another


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    # What the message needs besides the links: a status, a reason, a title at the time.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class NoticeKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"    # written by an organisation's staff
    RESULT_NOTICE = "result_notice"  # posted by the site when a poll closes or is final
    MINUTES = "minutes"              # posted by the site when minutes are published


class Notice(db.Model):
    """公告: an organisation's authoritative announcement to a scope of the community."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_community_published", "community_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default=NoticeKind.ANNOUNCEMENT)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # The same scope kinds as proposals: community, grids or buildings.
    scope_kind: Mapped[str] = mapped_column(String(20), default="community")
    pinned: Mapped[bool] = mapped_column(default=False)
    # The issuer lets strangers read it on the community's public page (if the community
    # allows public notices).
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the row last changed, for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    scope_grids: Mapped[list[Grid]] = relationship(secondary="notice_grids")
    scope_buildings: Mapped[list[Building]] = relationship(secondary="notice_buildings")
    attachments: Mapped[list["NoticeAttachment"]] = relationship(
        back_populates="notice", order_by="NoticeAttachment.position",
        cascade="all, delete-orphan")


class NoticeGrid(db.Model):
    __tablename__ = "notice_grids"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True)


class NoticeBuilding(db.Model):
    __tablename__ = "notice_buildings"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)


class NoticeAttachment(db.Model):
    """An image (re-encoded, no EXIF) or a PDF, stored under a random name."""

    __tablename__ = "notice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    notice: Mapped[Notice] = relationship(back_populates="attachments")


class NoticeRead(db.Model):
    """A read receipt: the first time this user opened the notice."""

    __tablename__ = "notice_reads"
    __table_args__ = (UniqueConstraint("notice_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
