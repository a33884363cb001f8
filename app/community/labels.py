"""The words for the community's values, for pages, documents and exports alike."""

from flask_babel import lazy_gettext as _l

from app.community.models import LinkKind, MemberRole, OrganisationKind, Role
from app.community.scope import ScopeKind

SCOPE_LABELS = {
    ScopeKind.COMMUNITY: _l("The whole community"),
    ScopeKind.GRIDS: _l("Chosen grids"),
    ScopeKind.BUILDINGS: _l("Chosen buildings"),
}


ORGANISATION_KIND_LABELS = {
    OrganisationKind.PROPERTY_COMPANY: _l("Property company (物业公司)"),
    OrganisationKind.OWNERS_COMMITTEE: _l("Owners' committee (业委会)"),
    OrganisationKind.NEIGHBOURHOOD_COMMITTEE: _l("Neighbourhood committee (居委会)"),
    OrganisationKind.PARTY_BRANCH: _l("Community party branch (社区党支部)"),
    OrganisationKind.GRID_PARTY_BRANCH: _l("Grid party branch (网格党支部)"),
    OrganisationKind.SOCIAL_ORGANISATION: _l("Social organisation (社会组织)"),
    OrganisationKind.STREET_OFFICE: _l("Street office (街道办)"),
}


MEMBER_ROLE_LABELS = {
    MemberRole.MEMBER: _l("Member"),
    MemberRole.STAFF: _l("Staff"),
    MemberRole.CHAIR: _l("Chair"),
}


ROLE_LABELS = {
    Role.PLATFORM_ADMIN: _l("Platform administrator"),
    Role.COMMUNITY_ADMIN: _l("Community administrator"),
    Role.MODERATOR: _l("Moderator"),
    Role.VERIFIED_OWNER: _l("Verified owner"),
    Role.RESIDENT: _l("Resident"),
}


LINK_KIND_LABELS = {
    LinkKind.OWNER: _l("I own it (业主)"),
    LinkKind.RESIDENT: _l("I live there but do not own it (tenant or family)"),
}
