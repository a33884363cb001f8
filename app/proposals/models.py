"""Proposals, their scope and photos, co-sponsors, followers and timeline."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.community.models import Building, Community, Grid, Organisation
from app.community.scope import ScopeKind
from app.extensions import UTCDateTime, db, utcnow
from app.proposals.states import Status


class Category(enum.StrEnum):
    MAINTENANCE_FUND = "maintenance_fund"      # 维修资金
    PROPERTY_COMPANY = "property_company"      # 聘用/解聘物业
    RULES_OF_PROCEDURE = "rules_of_procedure"  # 议事规则、管理规约
    FACILITIES = "facilities"                  # 公共设施
    RENOVATION = "renovation"                  # 改造、加装电梯
    PARKING = "parking"                        # 停车
    ENVIRONMENT = "environment"                # 环境卫生、绿化
    SAFETY = "safety"                          # 安全
    COMMUNITY_LIFE = "community_life"          # 社区活动
    OTHER = "other"


# The categories whose proposals need the party branch's opinion before a poll, by default
# (党组织前置研究), where a community switches the review on.
DEFAULT_REVIEW_CATEGORIES = [
    Category.MAINTENANCE_FUND, Category.PROPERTY_COMPANY, Category.RULES_OF_PROCEDURE]


class ModerationState(enum.StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"  # hidden automatically at the report threshold, waiting for review
    HIDDEN = "hidden"    # hidden by a moderator, with a reason the author sees


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_community_status", "community_id", "status"),
        # The list's default order (newest first) reads its page from this index.
        Index("ix_proposals_community_published", "community_id", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(30))
    scope_kind: Mapped[str] = mapped_column(String(20), default=ScopeKind.COMMUNITY)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT)
    author_rights_withdrawn: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    # Rules of order (议事规则) for its discussion, set by a chair.
    max_comment_length: Mapped[int] = mapped_column(default=500)
    max_comments_per_person: Mapped[int | None] = mapped_column()
    discussion_locked: Mapped[bool] = mapped_column(default=False)
    # Kept up to date by the services, so that lists sort and show counts without joins.
    cosponsor_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.VISIBLE)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Also moves with the counters (comments, co-sponsors), for the API's updated_since.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deliberation_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_official_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the poll closes, for "closing soon"; set by the voting feature.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id])
    scope_grids: Mapped[list[Grid]] = relationship(secondary="proposal_grids")
    scope_buildings: Mapped[list[Building]] = relationship(secondary="proposal_buildings")
    photos: Mapped[list["ProposalPhoto"]] = relationship(
        back_populates="proposal", order_by="ProposalPhoto.position",
        cascade="all, delete-orphan")

    @property
    def is_organisation_proposal(self) -> bool:
        return self.organisation_id is not None


class ProposalGrid(db.Model):
    __tablename__ = "proposal_grids"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True)


class ProposalBuilding(db.Model):
    __tablename__ = "proposal_buildings"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)


class ProposalPhoto(db.Model):
    """A photo re-encoded on the server (no EXIF, no GPS), stored under a random name."""

    __tablename__ = "proposal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="photos")


class Cosponsorship(db.Model):
    __tablename__ = "cosponsorships"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewOpinion(enum.StrEnum):
    PROCEED = "proceed"
    PROCEED_WITH_SUGGESTIONS = "proceed_with_suggestions"
    RETURN_FOR_REVISION = "return_for_revision"


class PartyReview(db.Model):
    """The community party branch's opinion (党组织前置研究) before a poll may open."""

    __tablename__ = "party_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    opinion: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ProposalEvent(db.Model):
    """One line of a proposal's timeline: a transition, a review, a chair's decision."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
