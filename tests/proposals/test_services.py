import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, OrganisationKind
from app.extensions import db
from app.notices.models import Notification
from app.proposals.models import Cosponsorship, Follow, ProposalEvent
from app.proposals.services import cosponsor, merge, save_draft, submit, transition
from app.proposals.states import Action, Status, TransitionRefused


@pytest.fixture
def place(make_community, make_unit):
    community = make_community(name="翠湖花园")
    community.cosponsor_threshold = 2
    db.session.commit()
    return community, make_unit(community, "101")


def test_a_draft_follows_its_author_and_sanitises_the_body(place, make_user):
    community, _ = place
    author = make_user()
    proposal = save_draft(None, community=community, author=author, organisation=None,
                          title="加装电梯", body="**急** <script>x</script>",
                          category="renovation", scope_kind="community", grids=[],
                          buildings=[])
    db.session.commit()
    assert proposal.body_html == "<p><strong>急</strong> </p>"
    assert db.session.execute(select(Follow.user_id)).scalars().all() == [author.id]


def test_co_sponsors_carry_a_resident_proposal_into_deliberation(place, make_user,
                                                                   make_proposal, resident_of):
    community, unit = place
    author = make_user()
    proposal = make_proposal(community, author, status=Status.DRAFT)
    submit(proposal, actor=author)
    assert proposal.status == Status.COLLECTING
    first, second = resident_of(unit), resident_of(unit)
    assert cosponsor(proposal, first) is False
    assert cosponsor(proposal, second) is True
    db.session.commit()
    assert proposal.status == Status.DELIBERATION and proposal.cosponsor_count == 2
    kinds = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    assert (author.id, "threshold_reached") in kinds
    assert (first.id, "status_change") in kinds
    timeline = db.session.execute(select(ProposalEvent.kind).order_by(ProposalEvent.id)).all()
    assert [k for (k,) in timeline] == ["submit", "reach_threshold"]


def test_an_organisation_proposal_skips_collecting(place, make_user, make_org, add_member,
                                                   make_proposal):
    community, _ = place
    staff = make_user()
    company = make_org(community, OrganisationKind.PROPERTY_COMPANY)
    add_member(company, staff, MemberRole.STAFF)
    proposal = make_proposal(community, staff, status=Status.DRAFT, organisation=company)
    submit(proposal, actor=staff)
    assert proposal.status == Status.DELIBERATION


def test_only_chairs_move_back_and_it_is_audited(place, make_user, make_org, add_member,
                                                 make_proposal):
    community, _ = place
    author, chair = make_user(), make_user()
    add_member(make_org(community, OrganisationKind.OWNERS_COMMITTEE), chair, MemberRole.CHAIR)
    proposal = make_proposal(community, author, status=Status.DELIBERATION)
    with pytest.raises(TransitionRefused) as refused:
        transition(proposal, Action.MOVE_BACK, actor=author)
    assert refused.value.code == "proposal.not_yours"
    transition(proposal, Action.MOVE_BACK, actor=chair, note="范围写错了")
    db.session.commit()
    assert proposal.status == Status.COLLECTING
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert event.action == "proposal.move_back" and event.details["note"] == "范围写错了"


def test_merging_carries_co_sponsors_and_followers_over(place, make_user, make_org,
                                                        add_member, make_proposal,
                                                        resident_of):
    community, unit = place
    community.cosponsor_threshold = 10
    chair = make_user()
    add_member(make_org(community, OrganisationKind.OWNERS_COMMITTEE), chair, MemberRole.CHAIR)
    survivor_author, duplicate_author = make_user(), make_user()
    survivor = make_proposal(community, survivor_author, status=Status.COLLECTING)
    duplicate = make_proposal(community, duplicate_author, status=Status.COLLECTING)
    both, only_duplicate = resident_of(unit), resident_of(unit)
    cosponsor(survivor, both)
    cosponsor(duplicate, both)
    cosponsor(duplicate, only_duplicate)
    merge(duplicate, survivor, actor=chair, note="重复")
    db.session.commit()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == survivor.id
    assert survivor.cosponsor_count == 2
    sponsors = set(db.session.execute(select(Cosponsorship.user_id).where(
        Cosponsorship.proposal_id == survivor.id)).scalars())
    assert sponsors == {both.id, only_duplicate.id}
    follower_ids = set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == survivor.id)).scalars())
    assert {duplicate_author.id, both.id, only_duplicate.id, survivor_author.id} <= follower_ids
    assert db.session.execute(select(func.count(Follow.id)).where(
        Follow.proposal_id == survivor.id)).scalar_one() == len(follower_ids)


def test_a_double_tap_on_co_sponsor_counts_once(place, make_user, make_proposal, resident_of):
    community, unit = place
    community.cosponsor_threshold = 5
    proposal = make_proposal(community, make_user(), status=Status.COLLECTING)
    neighbour = resident_of(unit)
    assert cosponsor(proposal, neighbour) is False
    assert cosponsor(proposal, neighbour) is False  # the second insert loses quietly
    db.session.commit()
    assert proposal.cosponsor_count == 1


def test_a_draft_withdrawn_before_publication_stays_private(place, make_user, make_proposal,
                                                           resident_of):
    from app.permissions import can

    community, unit = place
    author = make_user()
    proposal = make_proposal(community, author, status=Status.DRAFT)
    transition(proposal, Action.WITHDRAW, actor=author)
    db.session.commit()
    assert proposal.status == Status.WITHDRAWN and proposal.published_at is None
    assert can(author, "proposal.view", proposal)
    assert not can(resident_of(unit), "proposal.view", proposal)
