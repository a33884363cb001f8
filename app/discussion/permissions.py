"""Who may change or report a comment; the rules live in ``app.permissions.RULES``.

Posting itself is ``comment.post`` (in ``app.permissions``); these rules add what depends on
one comment: its author, whether it still exists and whether moderators left it visible.
"""

from app.permissions import RULES, Standing
from app.proposals.models import ModerationState
from app.proposals.states import Status


def take_part(standing: Standing, proposal) -> bool:
    """A verified resident or a member of an organisation of the proposal's community: such
    a person is told why they cannot post now (locked, muted, limit) rather than refused."""
    return standing.is_verified_in(proposal.community_id) or standing.is_member_in(
        proposal.community_id)


def edit_comment(standing: Standing, comment) -> bool:
    """The author, while the comment is neither deleted nor hidden by a moderator.
    The ten-minute window is checked by the view, which explains the refusal."""
    return (
        comment.author_id == standing.user_id
        and comment.deleted_at is None
        and comment.moderation_state == ModerationState.VISIBLE
    )


def delete_comment(standing: Standing, comment) -> bool:
    return comment.author_id == standing.user_id and comment.deleted_at is None


def report_comment(standing: Standing, comment) -> bool:
    """Anyone who may see the proposal reports someone else's comment."""
    return (
        comment.author_id != standing.user_id
        and comment.deleted_at is None
        and RULES["proposal.view"](standing, comment.proposal)
    )


def report_proposal(standing: Standing, proposal) -> bool:
    return (
        proposal.author_id != standing.user_id
        and proposal.status != Status.DRAFT
        and RULES["proposal.view"](standing, proposal)
    )


RULES["discussion.take_part"] = take_part
RULES["comment.edit"] = edit_comment
RULES["comment.delete"] = delete_comment
RULES["comment.report"] = report_comment
RULES["proposal.report"] = report_proposal
