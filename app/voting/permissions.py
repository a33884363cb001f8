"""Who may open a poll, enter paper and proxy ballots, and see the choices so far;
registered in the one table of app/permissions.py."""

from app.permissions import RULES, Standing
from app.proposals.services import may_open_voting
from app.proposals.states import Status
from app.voting.models import PollStatus, ResultsVisibility, Secrecy

CLOSED = frozenset({PollStatus.CLOSED, PollStatus.FINAL})


def _create(standing: Standing, proposal) -> bool:
    """A chair, on a proposal in deliberation that the party branch let proceed where the
    community asks for its opinion."""
    return (RULES["proposal.chair"](standing, proposal.community)
            and proposal.status == Status.DELIBERATION and may_open_voting(proposal))


def _enter_offline(standing: Standing, poll) -> bool:
    """The staff who verify residents, or a chair."""
    community = poll.proposal.community
    return RULES["community.verify"](standing, community) or RULES["proposal.chair"](
        standing, community)


def _see_results(standing: Standing, target) -> bool:
    """``target`` is (poll, whether the user has voted). Choices show after close; before,
    only on live polls that are not secret, or on after-vote polls to those who voted."""
    poll, voted = target
    if poll.status in CLOSED:
        return True
    if poll.status != PollStatus.OPEN:
        return False
    live = poll.visibility == ResultsVisibility.LIVE and poll.secrecy != Secrecy.SECRET
    return live or (
        poll.visibility == ResultsVisibility.AFTER_VOTE and voted)


RULES["poll.create"] = _create
RULES["poll.enter_offline"] = _enter_offline
RULES["poll.see_results"] = _see_results
