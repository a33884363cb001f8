"""A party branch's poll freezes a roll of its members with a vote on the opening day."""

from datetime import timedelta

from sqlalchemy import select

from app.community.models import MemberRole, OrganisationKind, PartyStatus
from app.extensions import db, local_zone, utcnow
from app.proposals.states import Status
from app.voting.models import ElectorateKind, RollEntry
from app.voting.services import create_poll, open_poll


def test_the_branch_roll_leaves_out_probationary_members_and_those_on_leave(
        estate, make_org, add_member):
    branch = make_org(estate.community, OrganisationKind.PARTY_BRANCH)
    now = utcnow()
    day = now.astimezone(local_zone()).date()
    full, probationary, on_leave = (add_member(branch, user, MemberRole.MEMBER)
                                    for user in estate.owners)
    probationary.party_status = PartyStatus.PROBATIONARY
    on_leave.on_leave_until = day
    estate.proposal.status = Status.DELIBERATION
    poll = create_poll(estate.proposal, actor=estate.chair, question="是否同意？",
                       rule="party_branch", electorate=ElectorateKind.ORGANISATION,
                       organisation=branch, opens_at=now, closes_at=now + timedelta(days=7))
    open_poll(poll)
    db.session.commit()
    assert poll.total_people == 1
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id))
    assert [e.user_ids for e in entries.scalars()] == [[full.user_id]]
