"""Who records follow-up actions, who marks them done, who sees them; registered in the one
table of app/permissions.py."""

from app.meetings import permissions as meeting_rules  # noqa: F401  (registers meeting.record)
from app.permissions import RULES, Standing, _administers


def _record(standing: Standing, meeting) -> bool:
    """Whoever records the meeting (its recorder, its chair, the community administrator)
    writes down what it asked for; nobody does for a cancelled meeting, which decided
    nothing."""
    return meeting.cancelled_at is None and RULES["meeting.record"](standing, meeting)


def _complete(standing: Standing, action) -> bool:
    """The responsible organisation's staff or chair report the work done."""
    return (standing.is_staff_of(action.organisation_id)
            or _administers(standing, action.community_id))


def _view(standing: Standing, action) -> bool:
    """Whoever may see the proposal sees its actions, photos included."""
    return RULES["proposal.view"](standing, action.proposal)


RULES["followup.record"] = _record
RULES["followup.complete"] = _complete
RULES["followup.view"] = _view
