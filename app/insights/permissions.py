"""Who sees the dashboard, and how much of it.

The community's administrator and the staff (or chairs) of the owners' committee, the
neighbourhood committee, the community party branch and the street office see the whole
community. A grid party branch's staff see their own grid. A street office's staff also see
the summary of every community where they hold such a membership. Residents see none.
"""

from sqlalchemy import select

from app.community.models import Community, Organisation, OrganisationKind, Role
from app.extensions import db
from app.permissions import RULES, STAFF_ROLES, Standing

WHOLE_COMMUNITY_KINDS = {
    OrganisationKind.OWNERS_COMMITTEE,
    OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
    OrganisationKind.PARTY_BRANCH,
    OrganisationKind.STREET_OFFICE,
}


def sees_whole_community(standing: Standing, community_id: int) -> bool:
    return (standing.is_platform_admin or standing.has_role(community_id, Role.COMMUNITY_ADMIN)
            or standing.is_staff_of_kind(community_id, WHOLE_COMMUNITY_KINDS))


def grid_branches(standing: Standing, community_id: int) -> list[int]:
    """Ids of the grid party branches of the community whose staff the user is."""
    return [r.organisation_id for r in standing.org_roles
            if r.community_id == community_id and r.kind == OrganisationKind.GRID_PARTY_BRANCH
            and r.role in STAFF_ROLES]


def visible_grids(standing: Standing, community_id: int) -> list[int] | None:
    """None: the whole community; otherwise the grids of the user's grid branches (one
    query, only for grid staff)."""
    if sees_whole_community(standing, community_id):
        return None
    branches = grid_branches(standing, community_id)
    if not branches:
        return []
    return sorted(gid for gid in db.session.execute(
        select(Organisation.grid_id).where(Organisation.id.in_(branches),
                                           Organisation.grid_id.is_not(None))).scalars())


def street_office_communities(standing: Standing) -> list[Community]:
    """The communities of the summary: every one for the platform administrator, else those
    where the user is staff of the street office."""
    query = select(Community).order_by(Community.name)
    if not standing.is_platform_admin:
        ids = {r.community_id for r in standing.org_roles
               if r.kind == OrganisationKind.STREET_OFFICE and r.role in STAFF_ROLES}
        query = query.where(Community.id.in_(ids))
    return list(db.session.execute(query).scalars())


def _view(standing: Standing, community) -> bool:
    return sees_whole_community(standing, community.id) or bool(
        grid_branches(standing, community.id))


def _overview(standing: Standing, _target) -> bool:
    return standing.is_platform_admin or any(
        r.kind == OrganisationKind.STREET_OFFICE and r.role in STAFF_ROLES
        for r in standing.org_roles)


RULES["insights.view"] = _view
RULES["insights.overview"] = _overview
