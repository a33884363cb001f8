"""Which class of data an API caller reads in a community: residents' fields for those who
see the community on the site, staff fields for those who verify its residents."""

from app.insights.permissions import sees_whole_community
from app.permissions import RULES, Standing


def _read_resident_fields(standing: Standing, community) -> bool:
    return RULES["community.view"](standing, community)


def _read_staff_fields(standing: Standing, community) -> bool:
    return RULES["community.verify"](standing, community)


RULES["api.read_resident_fields"] = _read_resident_fields
RULES["api.read_staff_fields"] = _read_staff_fields


def _manage_tokens(standing: Standing, organisation) -> bool:
    """The organisation's chair issues and revokes its tokens (and the community's admin)."""
    return RULES["organisation.manage_members"](standing, organisation)


RULES["api.manage_tokens"] = _manage_tokens


def _read_insights(standing: Standing, community) -> bool:
    """The whole community's aggregates, for those who see them on the dashboard; a grid
    party branch's narrower view stays on the site."""
    return sees_whole_community(standing, community.id)


RULES["api.read_insights"] = _read_insights
