"""Polls, their frozen rolls, ballots and the ballot chain."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import UTCDateTime, db, utcnow
from app.proposals.models import Proposal


class ElectorateKind(enum.StrEnum):
    OWNERS = "owners"              # owners of units in the proposal's scope, weighted by area
    RESIDENTS = "residents"        # verified residents in scope, one per person
    ORGANISATION = "organisation"  # members of one organisation (party branch, committee)


class QuestionKind(enum.StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"  # choose up to ``max_choices`` of the options, ``seats`` of them win


class ResultsVisibility(enum.StrEnum):
    LIVE = "live"
    AFTER_VOTE = "after_vote"
    AFTER_CLOSE = "after_close"  # the default for owners' votes: nobody sees choices before


class Secrecy(enum.StrEnum):
    SECRET = "secret"
    OPEN_ROLL = "open_roll"  # lists room number, area and choice; never names or phones


class PollStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"  # preliminary result published, objection period running
    FINAL = "final"


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    PROXY = "proxy"


class ServedVia(enum.StrEnum):
    """How an owner was served the notice of a vote (送达)."""

    ONLINE = "online"    # signed in, or read the poll's notification, after it opened
    SMS = "sms"          # an SMS the carrier reported delivered
    PAPER = "paper"      # handed over by staff, who record who and when
    POSTING = "posting"  # public posting, only where the community's rules allow it


class Poll(db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    rule: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10), default=QuestionKind.YES_NO)
    max_choices: Mapped[int] = mapped_column(default=1)
    seats: Mapped[int] = mapped_column(default=1)
    electorate: Mapped[str] = mapped_column(String(20))
    # An owners' decision names its Civil Code Art. 278 item (app/voting/matters.py): 1–9,
    # 0 for another ordinary matter; None for any other poll.
    matter: Mapped[int | None] = mapped_column()
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    allow_change: Mapped[bool] = mapped_column(default=True)
    allow_early_close: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[str] = mapped_column(String(20), default=ResultsVisibility.AFTER_CLOSE)
    secrecy: Mapped[str] = mapped_column(String(20), default=Secrecy.SECRET)
    # Deemed consent, copied from the community's rules of procedure when the poll is
    # created, so that a later change of the rules does not change this poll's count:
    # the clause's article, its text and the side it names (DeemedSide; empty: none).
    deemed_consent_clause: Mapped[str] = mapped_column(String(300), default="")
    deemed_consent_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    deemed_consent_side: Mapped[str] = mapped_column(String(10), default="", server_default="")
    turnout_quorum_percent: Mapped[int | None] = mapped_column()
    objection_days: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(String(20), default=PollStatus.SCHEDULED)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The frozen roll's totals, published when voting opens.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_people: Mapped[int | None] = mapped_column()
    total_area: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # The hash of the frozen roll (app/voting/proof.py), also the first event of the chain.
    roll_hash: Mapped[str | None] = mapped_column(String(64))
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objection_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # At close: the result and the chain heads the notice prints, to compare with a recount.
    published_result: Mapped[dict | None] = mapped_column(JSON)
    # Reminders to non-voters: the last one an organiser sent by hand (at most one a day)
    # and to how many, and the smallest "days left" (3, then 1) whose automatic reminder
    # went out, so that ``flask voting remind-due`` sends each once however often it runs.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_count: Mapped[int | None] = mapped_column()
    closing_reminder_days: Mapped[int | None] = mapped_column()
    # Turnout while open: counters that each first ballot raises in its own transaction,
    # under the poll's lock, so that the turnout is one row, not a count over the roll.
    voted_people: Mapped[int] = mapped_column(default=0, server_default="0")
    voted_area: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"),
                                                server_default="0")
    # When the row last changed, turnout counters included, for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship()
    options: Mapped[list["PollOption"]] = relationship(
        back_populates="poll", order_by="PollOption.position", cascade="all, delete-orphan")
    # The count stored at close; the poll holds it, so a page loads it once.
    stored: Mapped["PollResult | None"] = relationship(viewonly=True)

    @property
    def deemed_consent(self) -> bool:
        return bool(self.deemed_consent_side)


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(200))

    poll: Mapped[Poll] = relationship(back_populates="options")


class RollEntry(db.Model):
    """One voter on a poll's frozen roll: an owner (co-owners and multi-unit owners as one),
    a resident or a member, with the area their ballot weighs."""

    __tablename__ = "roll_entries"
    __table_args__ = (UniqueConstraint("poll_id", "key"),
                      UniqueConstraint("poll_id", "paper_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)  # room numbers, for lists that name no one
    area: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    # The accounts that may cast this entry's ballot online.
    user_ids: Mapped[list] = mapped_column(JSON, default=list)
    units: Mapped[list] = mapped_column(JSON, default=list)  # [[building, unit, area], ...]
    # Who voted, kept apart from what they chose: the voted mark (to the hour, so that it
    # does not line up with the ballot chain's times to the second) and how they voted.
    voted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voted_channel: Mapped[str] = mapped_column(String(10), default="")
    voted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paper_number: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(200), default="")
    proxy_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    proxy_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    # The ballot's id, encrypted under the ballot key (app/voting/sealing.py): the only link
    # from voter to ballot, unreadable to whoever holds the database but not the key.
    ballot_seal: Mapped[str | None] = mapped_column(String(16))

    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    proxy_user: Mapped[User | None] = relationship(foreign_keys=[proxy_user_id])
    # Service of the notice (送达): how (ServedVia; empty: not yet), when, and for paper and
    # posting the staff member who recorded it.
    served_via: Mapped[str] = mapped_column(String(10), default="", server_default="")
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    served_by: Mapped[User | None] = relationship(foreign_keys=[served_by_id])


class RollEntryAccount(db.Model):
    """One account that may cast a roll entry's ballot online, written with the frozen roll:
    the index from a person to their entry that ``user_ids`` (a JSON list) cannot be. A
    co-owned entry has a row per co-owner; a spouse who also owns a unit alone is on two
    entries of the same poll."""

    __tablename__ = "roll_entry_accounts"
    __table_args__ = (Index("ix_roll_entry_accounts_user_id_poll_id", "user_id", "poll_id"),)

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    roll_entry_id: Mapped[int] = mapped_column(ForeignKey("roll_entries.id"), primary_key=True)


class Ballot(db.Model):
    """A ballot as the count sees it: its receipt and its choices, never its voter. The
    roll entry's ``ballot_seal`` is the only way back to whose it is."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    choices: Mapped[list] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(20), unique=True)


class BallotEvent(db.Model):
    """The poll's own hash chain, hashed with the audit log's (app/audit/chain.py): the roll
    hash at opening, every cast, change and offline entry in order, the result at close.
    A ballot event's ``target`` is the receipt and its details name the roll entry key,
    choices and weight: enough to recount without the ``ballots`` table (app/voting/proof.py)."""

    __tablename__ = "ballot_events"
    __table_args__ = (UniqueConstraint("poll_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    seq: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column()
    target: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Objection(db.Model):
    """An objection to the preliminary result, answered by the organiser."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PollResult(db.Model):
    """A closed poll's count, turnout and bulletin digest, written in the transaction that
    closes it (again at finalise): the result pages read this row and never recount. The
    chain's close event carries ``digest`` (app/voting/stored.py), and ``flask audit verify``
    recounts and compares, so an edit here is found."""

    __tablename__ = "poll_results"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voted_people: Mapped[int] = mapped_column()
    voted_area: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    outcome: Mapped[str] = mapped_column(String(20))  # the official one
    count: Mapped[dict] = mapped_column(JSON)  # raw and deemed counts, app/voting/stored.py
    digest: Mapped[str] = mapped_column(String(64))


class BulletinRow(db.Model):
    """One ballot on a closed poll's bulletin, by receipt: its choices, and in an open-roll
    poll its rooms and weight. A secret poll's rows carry neither, like its ballots."""

    __tablename__ = "bulletin_rows"
    __table_args__ = (UniqueConstraint("poll_id", "receipt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    receipt: Mapped[str] = mapped_column(String(20))
    rooms: Mapped[str | None] = mapped_column(Text)
    area: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    choices: Mapped[list] = mapped_column(JSON)
