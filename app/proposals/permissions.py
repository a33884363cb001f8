"""Proposal rules that app/permissions.py does not hold; registered in its one table."""

from app.permissions import RULES, Standing
from app.proposals.models import ModerationState


def _is_author(standing: Standing, proposal) -> bool:
    """The author, even after a chair withdrew their rights: the state machine then says
    why they may no longer act, instead of a bare refusal."""
    return proposal.author_id == standing.user_id


def _see_content(standing: Standing, proposal) -> bool:
    """A hidden proposal's title, body and photos stay visible to its author (who sees why
    it was hidden) and to moderators (who decide about it)."""
    return (
        proposal.moderation_state == ModerationState.VISIBLE
        or proposal.author_id == standing.user_id
        or RULES["community.moderate"](standing, proposal.community)
    )


RULES["proposal.author"] = _is_author
RULES["proposal.see_content"] = _see_content
