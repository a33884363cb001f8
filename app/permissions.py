"""Who may do what: the one helper that views enforce and templates consult.

``can(user, action, target)`` answers every question; each action is a named predicate
below. A user's roles and memberships are loaded once per request (two queries), so a
page that asks many times costs no more than one that asks once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from app.community.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    RoleGrant,
)
from app.extensions import db

VERIFYING_KINDS = {OrganisationKind.OWNERS_COMMITTEE, OrganisationKind.NEIGHBOURHOOD_COMMITTEE}
STAFF_ROLES = {MemberRole.STAFF, MemberRole.CHAIR}


@dataclass(frozen=True)
class OrgRole:
    organisation_id: int
    community_id: int
    kind: str
    role: str


@dataclass
class Standing:
    """What one user holds: community roles and organisation memberships."""

    roles: set[tuple[int | None, str]] = field(default_factory=set)
    org_roles: list[OrgRole] = field(default_factory=list)

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
    if user is None or not user.is_authenticated:
        return Standing()
    if has_request_context():
        cached = g.get("_standing")
        if cached is not None and cached[0] == user.id:
            return cached[1]
    roles = db.session.execute(
        select(RoleGrant.community_id, RoleGrant.role).where(RoleGrant.user_id == user.id)
    ).all()
    org_rows = db.session.execute(
        select(
            Membership.organisation_id,
            Organisation.community_id,
            Organisation.kind,
            Membership.role,
        )
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
    ).all()
    standing = Standing(
        roles={(row.community_id, row.role) for row in roles},
        org_roles=[OrgRole(*row) for row in org_rows],
    )
    if has_request_context():
        g._standing = (user.id, standing)
    return standing


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
    return (
        _manage_community(standing, community)
        or any(cid == community.id for cid, _ in standing.roles)
        or any(r.community_id == community.id for r in standing.org_roles)
    )


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


RULES: dict[str, Callable[[Standing, object], bool]] = {
    "platform.admin": _platform_admin,
    "community.view": _view_community,
    "community.manage": _manage_community,
    "community.verify": _verify_residents,
    "community.view_phones": _verify_residents,
    "organisation.manage_members": _manage_members,
    "role.grant": _grant_role,
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
