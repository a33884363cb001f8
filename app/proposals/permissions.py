"""Who may see, change and steer one proposal; registered in the one table of
app/permissions.py. Each button of the proposal page reads one of these rules, and its
handler refuses with the same rule, so what the page hides cannot be posted either."""

from app.community.models import OrganisationKind
from app.permissions import RULES, STAFF_ROLES, Standing, _view_community_id, in_scope
from app.proposals.models import ModerationState
from app.proposals.states import DISCUSSABLE, FINAL, Action, Actor, Status, available_actions

REVIEWABLE = frozenset({Status.COLLECTING, Status.DELIBERATION})


def party_review_required(proposal) -> bool:
    """The community asks the party branch's opinion on proposals of this category."""
    return proposal.category in (proposal.community.party_review_categories or [])


def _view(standing: Standing, proposal) -> bool:
    if proposal.status == Status.DRAFT or proposal.published_at is None:
        # Drafts, and drafts withdrawn before anyone saw them, stay the author's own.
        return proposal.author_id == standing.user_id
    return _view_community_id(standing, proposal.community_id)


def _edit(standing: Standing, proposal) -> bool:
    return (proposal.status == Status.DRAFT and proposal.author_id == standing.user_id
            and not proposal.author_rights_withdrawn)


def _is_author(standing: Standing, proposal) -> bool:
    """The author, even after a chair withdrew their rights: the state machine then says
    why they may no longer act, instead of a bare refusal."""
    return proposal.author_id == standing.user_id


def _withdraw(standing: Standing, proposal) -> bool:
    """The author who kept their rights, while the state machine lets authors withdraw."""
    return (proposal.author_id == standing.user_id and not proposal.author_rights_withdrawn
            and Action.WITHDRAW in available_actions(
                Status(proposal.status), {Actor.AUTHOR},
                organisation=proposal.is_organisation_proposal))


def _see_content(standing: Standing, proposal) -> bool:
    """A hidden proposal's title, body and photos stay visible to its author (who sees why
    it was hidden) and to moderators (who decide about it)."""
    return (
        proposal.moderation_state == ModerationState.VISIBLE
        or proposal.author_id == standing.user_id
        or RULES["community.moderate"](standing, proposal.community)
    )


def _cosponsor(standing: Standing, proposal) -> bool:
    return (
        proposal.status == Status.COLLECTING
        and proposal.author_id != standing.user_id
        and standing.is_verified_in(proposal.community_id)
        and not standing.is_muted(proposal.community_id)
        and in_scope(standing, proposal)
    )


def _chair_may(action: Action):
    """A chair of the community, while the state machine lets chairs take ``action``."""
    def rule(standing: Standing, proposal) -> bool:
        return RULES["proposal.chair"](standing, proposal.community) and action in (
            available_actions(Status(proposal.status), {Actor.CHAIR},
                              organisation=proposal.is_organisation_proposal))
    return rule


def _set_rules(standing: Standing, proposal) -> bool:
    """Rules of order only matter while the proposal is still discussed."""
    return (RULES["proposal.chair"](standing, proposal.community)
            and proposal.status in DISCUSSABLE)


def _withdraw_rights(standing: Standing, proposal) -> bool:
    """Taking the author's rights away once, and only while the proposal can still move."""
    return (RULES["proposal.chair"](standing, proposal.community)
            and not proposal.author_rights_withdrawn and proposal.status not in FINAL)


def _party_staff(standing: Standing, proposal) -> bool:
    return any(
        r.community_id == proposal.community_id and r.kind == OrganisationKind.PARTY_BRANCH
        and r.role in STAFF_ROLES
        for r in standing.org_roles
    )


def _give_party_opinion(standing: Standing, proposal) -> bool:
    """The party branch's staff, on a proposal of a category that waits for their opinion,
    before it goes to the vote."""
    return (_party_staff(standing, proposal) and proposal.status in REVIEWABLE
            and party_review_required(proposal))


RULES["proposal.view"] = _view
RULES["proposal.edit"] = _edit
RULES["proposal.author"] = _is_author
RULES["proposal.withdraw"] = _withdraw
RULES["proposal.see_content"] = _see_content
RULES["proposal.cosponsor"] = _cosponsor
RULES["proposal.merge"] = _chair_may(Action.MERGE)
RULES["proposal.move_back"] = _chair_may(Action.MOVE_BACK)
RULES["proposal.set_rules"] = _set_rules
RULES["proposal.withdraw_rights"] = _withdraw_rights
RULES["proposal.party_review"] = _party_staff
RULES["proposal.give_party_opinion"] = _give_party_opinion
