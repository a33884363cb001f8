"""Who may post, change or report a comment, and who is muted; registered in the one table
of app/permissions.py.

The rules on one comment add what depends on it: its author, whether it still exists and
whether moderators left it visible.
"""

from sqlalchemy import select

from app.discussion.models import Mute
from app.extensions import db, utcnow
from app.permissions import MUTE_LOADERS, RULES, STAFF_ROLES, Standing, _participant
from app.proposals.models import ModerationState
from app.proposals.states import DISCUSSABLE, Status


def communities_muting(user_id: int) -> set[int]:
    """The communities where a moderator's mute on the user still runs."""
    return set(db.session.execute(
        select(Mute.community_id).where(Mute.user_id == user_id, Mute.until > utcnow())
    ).scalars())


def post_comment(standing: Standing, proposal) -> bool:
    return (
        proposal.status in DISCUSSABLE
        and not proposal.discussion_locked
        and _participant(standing, proposal.community_id)
        and not standing.is_muted(proposal.community_id)
    )


def answer_officially(standing: Standing, proposal) -> bool:
    """Staff of one of the community's organisations answer in its name, even when a
    moderator muted them personally: the mute is theirs, not the organisation's."""
    return (
        proposal.status in DISCUSSABLE
        and not proposal.discussion_locked
        and _participant(standing, proposal.community_id)
    ) and any(
        r.community_id == proposal.community_id and r.role in STAFF_ROLES
        for r in standing.org_roles
    )


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


MUTE_LOADERS.append(communities_muting)
RULES["comment.post"] = post_comment
RULES["comment.answer_officially"] = answer_officially
RULES["discussion.take_part"] = take_part
RULES["comment.edit"] = edit_comment
RULES["comment.delete"] = delete_comment
RULES["comment.report"] = report_comment
RULES["proposal.report"] = report_proposal
