from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select

from app.community.models import (
    Building,
    Community,
    Unit,
    VerificationRequest,
    VerificationStatus,
)
from app.extensions import db
from app.permissions import Standing, can, load_standing


@dataclass
class CommunityCard:
    community: Community
    pending_verifications: int | None  # None when the user may not verify there


@dataclass
class HomeSummary:
    cards: list[CommunityCard]
    pending_requests: int
    has_standing: bool


def own_community_ids(standing: Standing) -> set[int]:
    """The communities where the user holds a role or belongs to an organisation."""
    return ({cid for cid, _ in standing.roles if cid is not None}
            | {r.community_id for r in standing.org_roles})


def community_entry(user, endpoint: str) -> str:
    """Where a header link such as "Proposals" leads: straight to that page of the user's
    only community, else to the communities to choose from. It reuses the standing that
    the page's permission checks loaded, so it usually costs no query."""
    community_ids = own_community_ids(load_standing(user))
    if len(community_ids) == 1:
        return url_for(endpoint, community_id=community_ids.pop())
    return url_for("community.communities")


def home_summary(user) -> HomeSummary:
    """What the home page tells a logged-in user, in a fixed number of queries."""
    standing = load_standing(user)
    community_ids = own_community_ids(standing)
    query = select(Community).order_by(Community.name)
    if not standing.is_platform_admin:
        query = query.where(Community.id.in_(community_ids))
    communities = db.session.execute(query).scalars().all()
    verifiable = [c.id for c in communities if can(user, "community.verify", c)]
    # Counted only where the user may verify: most people may nowhere, and pay no query.
    pending = (
        select(Building.community_id, func.count(VerificationRequest.id))
        .join(Unit, VerificationRequest.unit_id == Unit.id)
        .join(Building, Unit.building_id == Building.id)
        .where(VerificationRequest.status == VerificationStatus.PENDING)
        .group_by(Building.community_id))
    if not standing.is_platform_admin:
        pending = pending.where(Building.community_id.in_(verifiable))
    pending_by_community = dict(db.session.execute(pending).all()) if verifiable else {}
    cards = [
        CommunityCard(c, pending_by_community.get(c.id, 0) if c.id in verifiable else None)
        for c in communities
    ]
    own_pending = db.session.execute(
        select(func.count(VerificationRequest.id)).where(
            VerificationRequest.user_id == user.id,
            VerificationRequest.status == VerificationStatus.PENDING)
    ).scalar_one()
    return HomeSummary(cards=cards, pending_requests=own_pending,
                       has_standing=bool(standing.roles or standing.org_roles))
