"""Communities, their physical roster, the organisations that govern them and roles."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import UTCDateTime, db, utcnow


class Community(db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the row last changed, for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Community settings (the rules of procedure of this community, in numbers).
    cosponsor_threshold: Mapped[int] = mapped_column(default=5)
    report_threshold: Mapped[int] = mapped_column(default=3)
    # Categories whose proposals need the party branch's opinion before a poll; empty: off.
    party_review_categories: Mapped[list] = mapped_column(JSON, default=list)
    # How many written proxies one holder may carry in one poll.
    proxy_limit: Mapped[int] = mapped_column(default=3)
    # Insights warn about proposals waiting longer than this for an official answer.
    answer_wait_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # Owners' polls open no sooner than this many days after they are announced (指导规则
    # Art. 22: notice 15 days before the owners' assembly meets).
    notice_days: Mapped[int] = mapped_column(default=15, server_default="15")
    # Whether the rules of procedure let a public posting serve the notice of a vote.
    public_posting_serves: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The deemed-consent clause of the rules of procedure, if they have one: its article,
    # its text, and the side it names ("approve" 视为同意 or "majority" 从多数; empty: none).
    deemed_consent_article: Mapped[str] = mapped_column(String(100), default="",
                                                        server_default="")
    deemed_consent_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    deemed_consent_side: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # Where and how owners hand in an objection to a preliminary result offline: printed on
    # the result notice beside the online objection form.
    objection_place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    objection_phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # At most this many SMS about one poll (opening, reminders, results); 0: none. An SMS
    # costs about ¥0.045: 5,000 cover five messages each to 1,000 households, about ¥225.
    sms_cap_per_poll: Mapped[int] = mapped_column(default=5000, server_default="5000")
    # What strangers may read without signing in (issue 16): owners' result notices with
    # the bulletin of their poll, published minutes, and notices their issuer marked public.
    public_result_notices: Mapped[bool] = mapped_column(default=True, server_default=true())
    public_minutes: Mapped[bool] = mapped_column(default=True, server_default=true())
    public_notices: Mapped[bool] = mapped_column(default=True, server_default=true())

    grids: Mapped[list["Grid"]] = relationship(
        back_populates="community", order_by="Grid.id"
    )
    buildings: Mapped[list["Building"]] = relationship(
        back_populates="community", order_by="Building.name"
    )


class Grid(db.Model):
    """网格: the unit of community work that a grid party branch and grid worker look after."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))

    community: Mapped[Community] = relationship(back_populates="grids")


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))

    community: Mapped[Community] = relationship(back_populates="buildings")
    grid: Mapped[Grid | None] = relationship()
    units: Mapped[list["Unit"]] = relationship(back_populates="building", order_by="Unit.number")


class Unit(db.Model):
    """房屋 (专有部分): the exclusive part whose registered area weighs in owners' votes."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    area: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    building: Mapped[Building] = relationship(back_populates="units")
    ownerships: Mapped[list["Ownership"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.number}"


class Owner(db.Model):
    """业主 as the roster names them; ``user`` is set once staff verify the person.

    Owners exist without accounts: an owners' vote counts every owner on the roster,
    whether or not they ever log in.
    """

    __tablename__ = "owners"
    __table_args__ = (UniqueConstraint("community_id", "name", "phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    is_developer: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    user: Mapped[User | None] = relationship()
    ownerships: Mapped[list["Ownership"]] = relationship(back_populates="owner")


class Ownership(db.Model):
    __tablename__ = "ownerships"
    __table_args__ = (UniqueConstraint("unit_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)

    unit: Mapped[Unit] = relationship(back_populates="ownerships")
    owner: Mapped[Owner] = relationship(back_populates="ownerships")


class Residency(db.Model):
    """A user who lives in a unit without owning it (tenant, family member)."""

    __tablename__ = "residencies"
    __table_args__ = (UniqueConstraint("unit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()
    user: Mapped[User] = relationship()


class OrganisationKind(enum.StrEnum):
    PROPERTY_COMPANY = "property_company"
    OWNERS_COMMITTEE = "owners_committee"
    NEIGHBOURHOOD_COMMITTEE = "neighbourhood_committee"
    PARTY_BRANCH = "party_branch"
    GRID_PARTY_BRANCH = "grid_party_branch"
    SOCIAL_ORGANISATION = "social_organisation"
    STREET_OFFICE = "street_office"


class MemberRole(enum.StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    CHAIR = "chair"


class Organisation(db.Model):
    """主体: a party that acts in the community and whose staff speak in its name."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()


class PartyStatus(enum.StrEnum):
    """A party branch member's standing: a probationary member (预备党员) has no vote."""

    FULL = "full"
    PROBATIONARY = "probationary"


class Membership(db.Model):
    """A person in an organisation. For a party branch it also records who has a vote
    (支部工作条例 Art. 11 counts "有表决权的党员") and who is on approved leave (请假), so that
    neither is counted in the base of a vote or a meeting's quorum."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    party_status: Mapped[str] = mapped_column(String(20), default=PartyStatus.FULL,
                                              server_default=PartyStatus.FULL)
    # Approved leave up to and including this day (Beijing), with its reason.
    on_leave_until: Mapped[date | None] = mapped_column()
    leave_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def on_leave(self, day: date) -> bool:
        return self.on_leave_until is not None and day <= self.on_leave_until

    def has_vote(self, day: date) -> bool:
        """Whether this member counts among those with a vote on ``day``: in a party branch
        neither a probationary member nor one on approved leave does."""
        if self.organisation.kind not in (OrganisationKind.PARTY_BRANCH,
                                          OrganisationKind.GRID_PARTY_BRANCH):
            return True
        return self.party_status == PartyStatus.FULL and not self.on_leave(day)


class Role(enum.StrEnum):
    """Roles outside organisations. ``PLATFORM_ADMIN`` has no community."""

    PLATFORM_ADMIN = "platform_admin"
    COMMUNITY_ADMIN = "community_admin"
    MODERATOR = "moderator"
    VERIFIED_OWNER = "verified_owner"
    RESIDENT = "resident"


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "community_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Community | None] = relationship()

    @staticmethod
    def in_community(community_id: int | None):
        """The grants of one community, or the platform's (no community)."""
        if community_id is None:
            return RoleGrant.community_id.is_(None)
        return RoleGrant.community_id == community_id


class VerificationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class LinkKind(enum.StrEnum):
    OWNER = "owner"
    RESIDENT = "resident"


class VerificationRequest(db.Model):
    """A user's request to be linked to a unit, decided by committee staff."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=VerificationStatus.PENDING, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    unit: Mapped[Unit] = relationship()
    owner: Mapped[Owner | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
