"""The proposal page's part about voting: its polls, and for each open one whether this
person may still vote, so that the page can lead with "Go and vote"."""

from sqlalchemy import select

from app.core.signals import proposal_page
from app.extensions import db
from app.proposals.models import Proposal
from app.proposals.states import Status
from app.voting.models import Poll, PollStatus
from app.voting.services import entry_for

# Where a proposal can have polls: from deliberation (one may be scheduled) onwards.
MAY_HAVE_POLLS = {Status.DELIBERATION, Status.VOTING, Status.PASSED, Status.REJECTED,
                  Status.NO_QUORUM, Status.IN_PROGRESS, Status.DONE}


def polls_of(proposal: Proposal) -> list[Poll]:
    """The proposal's polls, scheduled ones included; proposals that cannot have one yet
    cost no query."""
    if proposal.status not in MAY_HAVE_POLLS:
        return []
    return db.session.execute(select(Poll).where(Poll.proposal_id == proposal.id)
                              .order_by(Poll.id)).scalars().all()


@proposal_page.connect
def voting_context(proposal: Proposal, *, user, **_page) -> dict:
    """The polls, and each open poll with this person's roll entry (None: not on its roll).
    One query for the polls, one more per open poll."""
    polls = polls_of(proposal)
    return {"proposal_polls": polls,
            "open_polls": [(poll, entry_for(poll, user)) for poll in polls
                           if poll.status == PollStatus.OPEN]}
