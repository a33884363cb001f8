"""Meetings: their agenda of proposals, who was invited and who came, what each item
resolved, and the published versions of their minutes."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Community, Organisation
from app.extensions import UTCDateTime, db, utcnow
from app.proposals.models import Proposal


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    online_link: Mapped[str] = mapped_column(String(300), default="")
    # The organisation that convenes the meeting (召集单位).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Shown in the room; accepted only while the meeting runs.
    check_in_code: Mapped[str] = mapped_column(String(8))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # When the meeting, its agenda or its published minutes last changed (the services that
    # change the agenda and the minutes bump it), for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship()
    organisation: Mapped[Organisation] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    recorder: Mapped[User] = relationship(foreign_keys=[recorder_id])
    invited_organisations: Mapped[list[Organisation]] = relationship(
        secondary="meeting_organisations", order_by="Organisation.id")
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", order_by="Attendee.id", cascade="all, delete-orphan")
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan")


class MeetingOrganisation(db.Model):
    """An organisation invited as a party (for joint meetings: each party at the table)."""

    __tablename__ = "meeting_organisations"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"),
                                                 primary_key=True)


class CheckIn(enum.StrEnum):
    CODE = "code"          # the attendee typed the code shown in the room
    RECORDER = "recorder"  # the recorder marked them present


class Attendee(db.Model):
    """One invited person (or a guest the recorder adds by name) and whether they came.

    ``voting`` is False for non-voting attendees (列席), who are listed but never count
    towards the quorum or a show of hands.
    """

    __tablename__ = "meeting_attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    guest_name: Mapped[str] = mapped_column(String(100), default="")
    # The organisation they sit for, so that the minutes list attendees by organisation.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    voting: Mapped[bool] = mapped_column(default=True)
    invited: Mapped[bool] = mapped_column(default=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_in: Mapped[str | None] = mapped_column(String(10))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None

    @property
    def name(self) -> str:
        return self.user.name if self.user is not None else self.guest_name


class AgendaItem(db.Model):
    """议题: one proposal on the agenda, and what the meeting made of it."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")       # main points of the discussion
    resolution: Mapped[str] = mapped_column(Text, default="")  # what was decided
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    # An in-room show of hands, judged by the meeting kind's rule; None: no show of hands.
    hands_for: Mapped[int | None] = mapped_column()
    hands_against: Mapped[int | None] = mapped_column()
    hands_abstain: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    proposal: Mapped[Proposal] = relationship()


class Minutes(db.Model):
    """One published version of a meeting's minutes, frozen: ``content`` is the document
    as it was published and ``content_hash`` its SHA-256, also written to the audit log.
    A correction is a new version that names the one it replaces."""

    __tablename__ = "minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    version: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()
    supersedes: Mapped["Minutes | None"] = relationship(remote_side=[id])
    published_by: Mapped[User] = relationship()
