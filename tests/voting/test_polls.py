"""Polls from creation to the final result, through the services."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.community.models import MemberRole, OrganisationKind, Owner, Ownership
from app.extensions import db, utcnow
from app.followups.services import add_action
from app.proposals.states import Status
from app.voting.models import Ballot, BallotEvent, Channel, ElectorateKind, Poll, RollEntry
from app.voting.recount import recount
from app.voting.services import (
    VotingRefused,
    audit_package,
    bulletin,
    cast,
    close_poll,
    create_poll,
    due_polls,
    enter_offline,
    entry_for,
    extend,
    finalise,
    official_result,
    open_poll,
    refresh,
    roll_accounts,
    verify_poll_chain,
)


class Estate:
    """Five units: 101 and 102 of one owner, 201 co-owned, 301 alone, 601 the developer's."""


@pytest.fixture
def estate(make_community, make_unit, make_user, make_org, add_member, make_proposal):
    e = Estate()
    e.community = make_community(name="翠湖花园")
    e.chair = make_user(name="主任")
    add_member(make_org(e.community, OrganisationKind.OWNERS_COMMITTEE), e.chair,
               MemberRole.CHAIR)
    e.wang, e.li, e.zhao, e.sun = (make_user(name=n) for n in ("王", "李", "赵", "孙"))
    make_unit(e.community, "101", "100.00", owners=[("王伟", "13900000001")])
    make_unit(e.community, "201", "80.00", owners=[("李娜", "13900000002"),
                                                  ("赵敏", "13900000003")])
    make_unit(e.community, "301", "120.00", owners=[("孙强", "13900000004")])
    make_unit(e.community, "601", "90.00", owners=[("置业公司", None)])
    owners = {o.name: o for o in db.session.execute(select(Owner)).scalars()}
    unit_102 = make_unit(e.community, "102", "50.50")
    db.session.add(Ownership(unit=unit_102, owner=owners["王伟"]))
    owners["置业公司"].is_developer = True
    for name, user in (("王伟", e.wang), ("李娜", e.li), ("赵敏", e.zhao), ("孙强", e.sun)):
        owners[name].user_id = user.id
    db.session.commit()
    e.proposal = make_proposal(e.community, e.wang, status=Status.DELIBERATION)
    return e


def _poll(e, **settings) -> Poll:
    now = utcnow()
    options = dict(question="是否同意加装电梯？", rule="civil_code_ordinary",
                   electorate=ElectorateKind.OWNERS, opens_at=now,
                   closes_at=now + timedelta(days=7), matter=0,
                   created_at=now - timedelta(days=20))
    poll = create_poll(e.proposal, actor=e.chair, **{**options, **settings})
    db.session.commit()
    return poll


def test_opening_freezes_the_roll_as_the_law_counts_owners(estate):
    poll = _poll(estate)
    open_poll(poll, actor=estate.chair)
    db.session.commit()
    entries = db.session.execute(select(RollEntry).order_by(RollEntry.key)).scalars().all()
    assert [(e.label, e.area) for e in entries] == [
        ("1栋-101、1栋-102", Decimal("150.50")), ("1栋-201", Decimal("80.00")),
        ("1栋-301", Decimal("120.00")), ("1栋-601", Decimal("90.00"))]
    assert (poll.total_people, poll.total_area) == (4, Decimal("440.50"))
    assert estate.proposal.status == Status.VOTING
    # Co-owners share one entry; the roll does not change with the roster afterwards.
    assert entry_for(poll, estate.li).id == entry_for(poll, estate.zhao).id
    db.session.execute(update(Ownership).values(unit_id=Ownership.unit_id))
    assert db.session.execute(select(func.count(RollEntry.id))).scalar_one() == 4


def test_a_poll_needs_a_proposal_in_deliberation_and_the_party_branch(estate):
    estate.proposal.status = Status.COLLECTING
    with pytest.raises(VotingRefused) as refused:
        _poll(estate)
    assert refused.value.code == "poll.not_in_deliberation"
    estate.proposal.status = Status.DELIBERATION
    estate.community.party_review_categories = ["facilities"]
    with pytest.raises(VotingRefused) as refused:
        _poll(estate)
    assert refused.value.code == "poll.party_review_needed"


def test_one_ballot_per_owner_changeable_and_chained(estate):
    poll = _poll(estate)
    open_poll(poll, actor=estate.chair)
    entry = entry_for(poll, estate.li)
    first = cast(poll, entry, ["oppose"], user=estate.li)
    changed = cast(poll, entry, ["approve"], user=estate.zhao)  # the co-owner changes it
    db.session.commit()
    assert first.id == changed.id and changed.choices == ["approve"]
    assert len(first.receipt) == 11 and first.receipt[5] == "-"
    assert db.session.execute(select(func.count(Ballot.id))).scalar_one() == 1
    actions = db.session.execute(select(BallotEvent.action).order_by(BallotEvent.seq)).all()
    assert [a for (a,) in actions] == ["open", "cast", "change"]
    assert verify_poll_chain(poll) is None
    with pytest.raises(VotingRefused) as refused:
        cast(poll, entry_for(poll, estate.wang), ["maybe"], user=estate.wang)
    assert refused.value.code == "poll.unknown_choice"
    with pytest.raises(VotingRefused) as refused:
        cast(poll, entry, ["approve"], user=estate.wang)  # not his entry
    assert refused.value.code == "poll.not_on_roll"


def test_no_changes_when_the_poll_says_so(estate):
    poll = _poll(estate, allow_change=False)
    open_poll(poll)
    entry = entry_for(poll, estate.sun)
    cast(poll, entry, ["approve"], user=estate.sun)
    with pytest.raises(VotingRefused) as refused:
        cast(poll, entry, ["oppose"], user=estate.sun)
    assert refused.value.code == "poll.already_voted"


def test_paper_and_proxy_entries_and_the_online_ballot_wins(estate, make_user):
    poll = _poll(estate)
    open_poll(poll)
    staff = estate.chair
    wang_entry, sun_entry = entry_for(poll, estate.wang), entry_for(poll, estate.sun)
    cast(poll, wang_entry, ["approve"], user=estate.wang)
    with pytest.raises(VotingRefused) as refused:
        enter_offline(poll, wang_entry, ["oppose"], staff=staff, channel=Channel.PAPER,
                      reference="纸质票 12", paper_number="12")
    assert refused.value.code == "poll.voted_online"
    paper = enter_offline(poll, sun_entry, ["oppose"], staff=staff, channel=Channel.PAPER,
                          reference="纸质票 13", paper_number="13")
    assert (sun_entry.entered_by_id, sun_entry.voted_channel) == (staff.id, Channel.PAPER)
    online = cast(poll, sun_entry, ["approve"], user=estate.sun)
    assert online.id == paper.id and online.choices == ["approve"]
    assert (sun_entry.voted_channel, sun_entry.voted_by_id) == (Channel.ONLINE, estate.sun.id)


def test_a_proxy_holder_carries_at_most_the_communitys_limit(estate):
    estate.community.proxy_limit = 1
    poll = _poll(estate)
    open_poll(poll)
    entries = db.session.execute(select(RollEntry).order_by(RollEntry.key)).scalars().all()
    enter_offline(poll, entries[0], ["approve"], staff=estate.chair, channel=Channel.PROXY,
                  reference="委托书 1", proxy_holder=estate.zhao)
    with pytest.raises(VotingRefused) as refused:
        enter_offline(poll, entries[1], ["approve"], staff=estate.chair,
                      channel=Channel.PROXY, reference="委托书 2", proxy_holder=estate.zhao)
    assert refused.value.code == "poll.too_many_proxies"


def test_time_moves_the_poll_from_open_to_final_and_closes_the_proposal(estate):
    now = utcnow()
    poll = _poll(estate, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1))
    assert due_polls(now) == []
    assert refresh(poll, now + timedelta(hours=2)) and poll.status == "open"
    for user in (estate.wang, estate.li, estate.sun):
        cast(poll, entry_for(poll, user), ["approve"], user=user)
    extend(poll, now + timedelta(days=2), actor=estate.chair, reason="投票率不足")
    assert poll.extension_reason == "投票率不足"
    assert refresh(poll, now + timedelta(days=2, minutes=1)) and poll.status == "closed"
    assert poll.proposal.status == Status.VOTING  # the objection period runs first
    refresh(poll, poll.objection_until + timedelta(seconds=1))
    db.session.commit()
    assert poll.status == "final"
    # 3 of 4 owners, 350.50 of 440.50 m²: quorum and approval both hold.
    assert official_result(poll).outcome == "passed"
    assert estate.proposal.status == Status.PASSED


def test_a_proposal_that_passes_with_actions_decided_is_carried_out_at_once(estate, make_org):
    """A meeting decided what to do before the vote ended: passing starts the work."""
    poll = _poll(estate)
    open_poll(poll)
    for user in (estate.wang, estate.li, estate.sun):
        cast(poll, entry_for(poll, user), ["approve"], user=user)
    property_company = make_org(estate.community, OrganisationKind.PROPERTY_COMPANY)
    add_action(estate.proposal, organisation=property_company, description="联系电梯厂家",
               due_on=utcnow().date() + timedelta(days=30), actor=estate.chair)
    assert estate.proposal.status == Status.VOTING
    close_poll(poll)
    finalise(poll)
    assert official_result(poll).outcome == "passed"
    assert estate.proposal.status == Status.IN_PROGRESS


def test_the_audit_package_recounts_to_the_official_result(estate):
    poll = _poll(estate, secrecy="open_roll")
    open_poll(poll)
    cast(poll, entry_for(poll, estate.wang), ["approve"], user=estate.wang)
    cast(poll, entry_for(poll, estate.li), ["oppose"], user=estate.li)
    cast(poll, entry_for(poll, estate.sun), ["abstain"], user=estate.sun)
    close_poll(poll)
    package = audit_package(poll)
    recounted = recount(package["roster.csv"], package["ballots.csv"], "civil-code-ordinary")
    official = official_result(poll)
    assert recounted["passed"] == (official.outcome == "passed")
    assert recounted["participating_area"] == f"{official.participating_area:.2f}"
    assert recounted["approve_owners"] == official.option("approve").people
    chain = json.loads(package["chain.json"])
    assert [event["action"] for event in chain] == ["open", "cast", "cast", "cast", "close"]
    assert chain[0]["details"]["roll_hash"] == poll.roll_hash
    assert sorted(weight for _, _, weight, _ in bulletin(poll)) == [
        Decimal("80.00"), Decimal("120.00"), Decimal("150.50")]
    finalise(poll)
    assert estate.proposal.status == Status.REJECTED


def test_tampering_with_a_ballot_event_is_caught_by_audit_verify(estate, runner):
    poll = _poll(estate)
    open_poll(poll)
    cast(poll, entry_for(poll, estate.wang), ["approve"], user=estate.wang)
    cast(poll, entry_for(poll, estate.sun), ["oppose"], user=estate.sun)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(update(BallotEvent).where(BallotEvent.seq == 2)
                       .values(details={"choices": ["oppose"]}))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"Poll {poll.id}: ballot chain broken at entry 2" in \
        result.output


def test_many_simultaneous_casts_for_one_voter_make_one_ballot(app, backend, estate):
    """The database, not only the code, keeps one ballot per roll entry."""
    poll = _poll(estate)
    open_poll(poll)
    db.session.commit()
    poll_id, entry_id, user_id = poll.id, entry_for(poll, estate.sun).id, estate.sun.id
    attempts = 100 if backend == "postgresql" else 10
    start = threading.Barrier(attempts)

    def attempt(choice):
        from app.auth.models import User

        with app.app_context():
            start.wait()
            try:
                cast(db.session.get(Poll, poll_id), db.session.get(RollEntry, entry_id),
                     [choice], user=db.session.get(User, user_id))
                db.session.commit()
            except Exception:  # a refusal or a lost race: either way no second ballot
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(["approve", "oppose"][n % 2],))
               for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.session.execute(select(func.count(Ballot.id))).scalar_one() == 1
    assert verify_poll_chain(db.session.get(Poll, poll_id)) is None


def test_residents_and_members_polls_open_one_per_person(estate, make_org, add_member,
                                                         give_role):
    from app.community.models import Role

    for user in (estate.wang, estate.sun):
        give_role(user, Role.VERIFIED_OWNER, estate.community)
    residents = _poll(estate, electorate=ElectorateKind.RESIDENTS, rule="simple_majority")
    open_poll(residents)
    assert (residents.total_people, residents.total_area) == (2, Decimal("0"))
    branch = make_org(estate.community, OrganisationKind.PARTY_BRANCH)
    for user in (estate.li, estate.zhao, estate.sun):
        add_member(branch, user, MemberRole.MEMBER)
    estate.proposal.status = Status.DELIBERATION
    members = _poll(estate, electorate=ElectorateKind.ORGANISATION, rule="party_branch",
                    organisation=branch)
    open_poll(members)
    assert members.total_people == 3


def test_an_advisory_poll_does_not_decide_the_proposal(estate):
    poll = _poll(estate, rule="advisory")
    open_poll(poll)
    cast(poll, entry_for(poll, estate.wang), ["oppose"], user=estate.wang)
    close_poll(poll)
    assert finalise(poll).outcome == "advisory"
    assert estate.proposal.status == Status.VOTING


def test_the_close_due_command_moves_polls_whose_time_has_come(estate, runner):
    now = utcnow()
    poll = _poll(estate, opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    result = runner.invoke(args=["polls", "close-due"])
    assert result.exit_code == 0 and "1 poll(s) moved on." in result.output
    db.session.expire_all()
    poll = db.session.get(Poll, poll.id)
    assert poll.status == "closed" and poll.total_people == 4
    assert runner.invoke(args=["polls", "close-due"]).output.startswith("0 poll(s)")


def test_each_account_finds_its_own_entry_on_each_roll(estate, make_unit, make_user):
    """李 co-owns 201 with 赵 and alone owns 401: two owners as the law counts them, and 李
    votes for the couple's entry first. Accounts are told apart by their whole id, not by
    digits they share, and one poll's roll never answers for another's."""
    owners = {o.name: o for o in db.session.execute(select(Owner)).scalars()}
    unit_401 = make_unit(estate.community, "401", "70.00")
    db.session.add(Ownership(unit=unit_401, owner=owners["李娜"]))
    db.session.commit()
    first, second = _poll(estate), _poll(estate, question="是否同意更换物业？")
    for poll in (first, second):
        open_poll(poll, actor=estate.chair)
    db.session.commit()
    labels = {user.name: entry_for(first, user).label
              for user in (estate.wang, estate.li, estate.zhao, estate.sun)}
    assert labels == {"王": "1栋-101、1栋-102", "李": "1栋-201", "赵": "1栋-201",
                      "孙": "1栋-301"}
    assert entry_for(second, estate.li).poll_id == second.id
    assert entry_for(first, estate.chair) is None
    # An account whose id contains another's digits is not taken for it.
    lookalike = make_user(name="路人", id=estate.sun.id * 1000 + estate.sun.id)
    assert entry_for(first, lookalike) is None
    assert roll_accounts(first) == {estate.wang.id, estate.li.id, estate.zhao.id,
                                    estate.sun.id}
    cast(first, entry_for(first, estate.zhao), ["approve"], user=estate.zhao)
    db.session.commit()
    assert roll_accounts(first, not_voted=True) == {estate.wang.id, estate.li.id,
                                                    estate.sun.id}
