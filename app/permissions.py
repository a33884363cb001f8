"""Who may do what: the one helper that views enforce and templates consult.

``can(user, action, target)`` answers every question; each action is a named predicate in
``RULES``: the community-wide ones below, the rest in app/<feature>/permissions.py, which
add theirs to ``RULES`` when create_app imports them. This module imports no feature
package but app.community, so every feature may import it. A user's roles and memberships
are loaded once per request (one statement), so a page that asks many times costs no more
than one that asks once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer, String, cast, literal_column, null, select, union_all

from app.community.models import (
    Building,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    Unit,
)
from app.community.scope import ScopeKind
from app.extensions import db

VERIFYING_KINDS = {OrganisationKind.OWNERS_COMMITTEE, OrganisationKind.NEIGHBOURHOOD_COMMITTEE}
STAFF_ROLES = {MemberRole.STAFF, MemberRole.CHAIR}


MUTE_LOADERS: list[Callable[[int], set[int]]] = []
"""Each gives the ids of the communities where a user is muted now. The feature that owns
mutes registers its loader, so that this module needs no feature package."""


@dataclass(frozen=True)
class OrgRole:
    organisation_id: int
    community_id: int
    kind: str
    role: str


@dataclass(frozen=True)
class Home:
    community_id: int
    building_id: int
    grid_id: int | None


@dataclass
class Standing:
    """What one user holds: community roles and organisation memberships, and, loaded only
    when a question needs them, their homes and their mutes."""

    user_id: int | None = None
    roles: set[tuple[int | None, str]] = field(default_factory=set)
    org_roles: list[OrgRole] = field(default_factory=list)
    _homes: list[Home] | None = None
    _muted_in: set[int] | None = None

    @property
    def homes(self) -> list[Home]:
        if self._homes is None:
            self._homes = _load_homes(self.user_id) if self.user_id else []
        return self._homes

    def is_muted(self, community_id: int) -> bool:
        if self._muted_in is None:
            self._muted_in = set().union(*(
                load(self.user_id) for load in MUTE_LOADERS)) if self.user_id else set()
        return community_id in self._muted_in

    def is_verified_in(self, community_id: int) -> bool:
        return self.has_role(community_id, Role.RESIDENT) or self.has_role(
            community_id, Role.VERIFIED_OWNER)

    def is_member_in(self, community_id: int) -> bool:
        return any(r.community_id == community_id for r in self.org_roles)

    def is_staff_of(self, organisation_id: int) -> bool:
        return self.org_role(organisation_id) in STAFF_ROLES

    def is_chair_of_kind(self, community_id: int, kinds: set[str]) -> bool:
        return any(
            r.community_id == community_id and r.kind in kinds and r.role == MemberRole.CHAIR
            for r in self.org_roles
        )

    @property
    def is_platform_admin(self) -> bool:
        return (None, Role.PLATFORM_ADMIN) in self.roles

    def has_role(self, community_id: int, role: str) -> bool:
        return (community_id, role) in self.roles

    def org_role(self, organisation_id: int) -> str | None:
        for org_role in self.org_roles:
            if org_role.organisation_id == organisation_id:
                return org_role.role
        return None

    def is_staff_of_kind(self, community_id: int, kinds: set[str]) -> bool:
        return any(
            r.community_id == community_id and r.kind in kinds and r.role in STAFF_ROLES
            for r in self.org_roles
        )


def load_standing(user) -> Standing:
    """The user's roles and memberships, loaded once per request and kept in
    ``g._standing``. They are read in one statement, not two: every signed-in page loads
    them, so that is one round trip fewer on each."""
    if user is None or not user.is_authenticated:
        return Standing()
    if has_request_context():
        cached = g.get("_standing")
        if cached is not None and cached[0] == user.id:
            return cached[1]
    rows = db.session.execute(_standing_statement(user.id)).all()
    standing = Standing(
        user_id=user.id,
        roles={(row.community_id, row.role) for row in rows if row.source == _GRANT},
        org_roles=[OrgRole(row.organisation_id, row.community_id, row.kind, row.role)
                   for row in rows if row.source == _MEMBERSHIP],
    )
    if has_request_context():
        g._standing = (user.id, standing)
    return standing


_GRANT, _MEMBERSHIP = 0, 1


def _standing_statement(user_id: int):
    """A user's role grants and organisation memberships as one UNION ALL, told apart by
    ``source``. A grant has no organisation nor kind: the NULLs that stand for them are
    typed, so that PostgreSQL accepts the union. Memberships come in organisation order,
    so that ``org_roles`` is the same list on every load."""
    grants = select(
        literal_column(str(_GRANT), Integer).label("source"),
        RoleGrant.community_id,
        RoleGrant.role,
        cast(null(), Integer).label("organisation_id"),
        cast(null(), String).label("kind"),
    ).where(RoleGrant.user_id == user_id)
    memberships = (
        select(
            literal_column(str(_MEMBERSHIP), Integer).label("source"),
            Organisation.community_id,
            Membership.role,
            Membership.organisation_id,
            Organisation.kind,
        )
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id)
    )
    union = union_all(grants, memberships)
    return union.order_by(union.selected_columns.source,
                          union.selected_columns.organisation_id)


def _load_homes(user_id: int) -> list[Home]:
    owned = (
        select(Building.community_id, Building.id, Building.grid_id)
        .join(Unit, Unit.building_id == Building.id)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .join(Owner, Owner.id == Ownership.owner_id)
        .where(Owner.user_id == user_id)
    )
    lived = (
        select(Building.community_id, Building.id, Building.grid_id)
        .join(Unit, Unit.building_id == Building.id)
        .join(Residency, Residency.unit_id == Unit.id)
        .where(Residency.user_id == user_id)
    )
    return [Home(*row) for row in db.session.execute(owned.union(lived)).all()]


def in_scope(standing: Standing, scoped) -> bool:
    """Does one of the user's homes lie in the scope of a proposal or a notice (anything with
    ``community_id``, ``scope_kind``, ``scope_grids`` and ``scope_buildings``)?"""
    homes = [h for h in standing.homes if h.community_id == scoped.community_id]
    if scoped.scope_kind == ScopeKind.GRIDS:
        grid_ids = {g.id for g in scoped.scope_grids}
        return any(h.grid_id in grid_ids for h in homes)
    if scoped.scope_kind == ScopeKind.BUILDINGS:
        building_ids = {b.id for b in scoped.scope_buildings}
        return any(h.building_id in building_ids for h in homes)
    return bool(homes)


def forget_standing() -> None:
    """Drop the cached standing after the current user's roles change mid-request."""
    g.pop("_standing", None)


def _platform_admin(standing: Standing, _target) -> bool:
    return standing.is_platform_admin


def _administers(standing: Standing, community_id: int) -> bool:
    return standing.is_platform_admin or standing.has_role(community_id, Role.COMMUNITY_ADMIN)


def _manage_community(standing: Standing, community) -> bool:
    return _administers(standing, community.id)


def _verify_residents(standing: Standing, community) -> bool:
    """Staff of the owners' committee or the neighbourhood committee check who lives where."""
    return _manage_community(standing, community) or standing.is_staff_of_kind(
        community.id, VERIFYING_KINDS
    )


def _view_community(standing: Standing, community) -> bool:
    return _view_community_id(standing, community.id)


def _manage_members(standing: Standing, organisation) -> bool:
    return _administers(standing, organisation.community_id) or (
        standing.org_role(organisation.id) == MemberRole.CHAIR
    )


def _grant_role(standing: Standing, target) -> bool:
    """``target`` is (community, role). Admin roles come from the platform administrator."""
    community, role = target
    if role in (Role.PLATFORM_ADMIN, Role.COMMUNITY_ADMIN):
        return standing.is_platform_admin
    return _manage_community(standing, community)


# --- Community-wide roles for proposals and discussion ---------------------------------

PROPOSAL_CHAIR_KINDS = {
    OrganisationKind.OWNERS_COMMITTEE,
    OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
    OrganisationKind.PARTY_BRANCH,
}
MODERATOR_CHAIR_KINDS = VERIFYING_KINDS


def _chair_proposals(standing: Standing, community) -> bool:
    """Merge, move back, withdraw author rights, set rules of order, open votes."""
    return _administers(standing, community.id) or standing.is_chair_of_kind(
        community.id, PROPOSAL_CHAIR_KINDS)


def _moderate(standing: Standing, community) -> bool:
    return (
        _administers(standing, community.id)
        or standing.has_role(community.id, Role.MODERATOR)
        or standing.is_chair_of_kind(community.id, MODERATOR_CHAIR_KINDS)
    )


def _participant(standing: Standing, community_id: int) -> bool:
    """A verified resident, or someone who acts for an organisation of the community."""
    return standing.is_verified_in(community_id) or standing.is_member_in(community_id)


def _create_proposal(standing: Standing, community) -> bool:
    return _participant(standing, community.id) and not standing.is_muted(community.id)


def _post_for(standing: Standing, organisation) -> bool:
    return standing.is_staff_of(organisation.id)


def _view_community_id(standing: Standing, community_id: int) -> bool:
    return (
        _administers(standing, community_id)
        or any(cid == community_id for cid, _ in standing.roles)
        or standing.is_member_in(community_id)
    )


RULES: dict[str, Callable[[Standing, object], bool]] = {
    "platform.admin": _platform_admin,
    "community.view": _view_community,
    "community.manage": _manage_community,
    "community.verify": _verify_residents,
    "community.view_phones": _verify_residents,
    "organisation.manage_members": _manage_members,
    "role.grant": _grant_role,
    "community.moderate": _moderate,
    "proposal.create": _create_proposal,
    "proposal.post_for": _post_for,
    "proposal.chair": _chair_proposals,
}


def can(user, action: str, target=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return RULES[action](load_standing(user), target)


def require(action: str, target=None) -> None:
    """Stop the request unless the current user may: 401 for strangers, 403 for others."""
    if not current_user.is_authenticated:
        abort(401)
    if not can(current_user, action, target):
        abort(403)
