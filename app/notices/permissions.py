"""Notice rules that app/permissions.py does not hold; registered in its one table."""

from app.permissions import RULES, STAFF_ROLES, Standing


def _post(standing: Standing, community) -> bool:
    """Staff or chair of one of the community's organisations posts in its name."""
    return any(r.community_id == community.id and r.role in STAFF_ROLES
               for r in standing.org_roles)


def _view(standing: Standing, notice) -> bool:
    """Notices are public within their community, whatever their scope."""
    return RULES["community.view"](standing, notice.organisation.community)


def _manage(standing: Standing, notice) -> bool:
    """The issuing organisation's staff: pin, withdraw, see the read rate, remind."""
    return standing.is_staff_of(notice.organisation_id)


RULES["notice.post"] = _post
RULES["notice.view"] = _view
RULES["notice.manage"] = _manage
