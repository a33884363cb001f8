"""Who marks follow-up actions done and who sees them; registered in the one table of
app/permissions.py. Recording them at a meeting is a meeting's rule (meetings/permissions.py)."""

from app.permissions import RULES, Standing, _administers


def _complete(standing: Standing, action) -> bool:
    """The responsible organisation's staff or chair report the work done."""
    return (standing.is_staff_of(action.organisation_id)
            or _administers(standing, action.community_id))


def _view(standing: Standing, action) -> bool:
    """Whoever may see the proposal sees its actions, photos included."""
    return RULES["proposal.view"](standing, action.proposal)


RULES["followup.complete"] = _complete
RULES["followup.view"] = _view
