"""``flask seed-demo`` loads a community that looks alive, once."""

from datetime import timedelta
from fractions import Fraction

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.community.models import Community, Organisation, OrganisationKind, Unit
from app.community.scope import ScopeKind
from app.discussion.models import Comment, Report, ReportStatus, Stance
from app.extensions import db, utcnow
from app.followups.models import ActionStatus, FollowUpAction
from app.meetings.kinds import MeetingKind
from app.meetings.minutes import content_hash
from app.meetings.models import Meeting, Minutes
from app.meetings.services import attendance
from app.notices.models import Notice, Notification, NotificationKind
from app.proposals.models import (
    DEFAULT_REVIEW_CATEGORIES,
    Cosponsorship,
    Follow,
    ModerationState,
    PartyReview,
    Proposal,
    ProposalEvent,
)
from app.proposals.states import Status
from app.voting.models import (
    Ballot,
    BallotEvent,
    Channel,
    ElectorateKind,
    Poll,
    PollStatus,
    RollEntry,
)
from app.voting.rules import Measure
from app.voting.services import deemed_count, official_result, verify_poll_chain

DEMO_OWNER = "13900009999"


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.execute(select(func.count()).select_from(model))
            .scalar_one()
            for model in (Community, Unit, User, Proposal, Comment, Report, Notification,
                          ProposalEvent, Follow, Cosponsorship, PartyReview, Poll, RollEntry,
                          Ballot, BallotEvent)}


def test_seed_demo_loads_a_living_community_once(runner, tmp_path):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "13800000001" in first.output and "Demo data loaded." in first.output
    counts = _counts()
    assert 280 <= counts["Unit"] <= 320 and counts["Community"] == 1

    community = db.session.execute(select(Community)).scalar_one()
    assert community.party_review_categories == [str(c) for c in DEFAULT_REVIEW_CATEGORIES]
    proposals = db.session.execute(select(Proposal)).scalars().all()
    assert 12 <= len(proposals) <= 16
    assert {p.status for p in proposals} == set(Status)
    assert len({p.category for p in proposals}) >= 7
    assert {p.scope_kind for p in proposals} == set(ScopeKind)
    assert any(p.organisation_id for p in proposals) and any(
        not p.organisation_id for p in proposals)

    owner = db.session.execute(select(User).where(User.phone == DEMO_OWNER)).scalar_one()
    (draft,) = [p for p in proposals if p.status == Status.DRAFT]
    assert draft.author_id == owner.id and draft.published_at is None
    (merged,) = [p for p in proposals if p.status == Status.MERGED]
    assert merged.merged_into.status == Status.DELIBERATION
    collecting = [p for p in proposals if p.status == Status.COLLECTING]
    assert all(0 < p.cosponsor_count < community.cosponsor_threshold for p in collecting)

    # Lists look alive: published over the last two months, each with its timeline.
    now = utcnow()
    published = sorted(p.published_at for p in proposals if p.published_at)
    assert now - timedelta(days=61) <= published[0] < now - timedelta(days=45)
    assert now - timedelta(days=7) < published[-1] <= now
    for proposal in proposals:
        events = db.session.execute(select(ProposalEvent).where(
            ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)).scalars().all()
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        if proposal.status != Status.DRAFT:
            assert events[-1].to_status in (proposal.status, None), proposal.title

    # Discussions: stances, replies, official answers, counts that match the rows.
    comments = db.session.execute(select(Comment)).scalars().all()
    assert {c.stance for c in comments if c.parent_id is None and not c.organisation_id} == \
        set(Stance)
    assert len({c.organisation_id for c in comments if c.organisation_id}) >= 3
    for proposal in proposals:
        rows = [c for c in comments if c.proposal_id == proposal.id]
        assert proposal.comment_count == len(rows), proposal.title
        if any(c.organisation_id for c in rows):
            assert proposal.first_official_answer_at is not None
    for comment in comments:
        assert comment.reply_count == sum(1 for c in comments if c.parent_id == comment.id)
        assert comment.report_count == db.session.execute(select(func.count(Report.id)).where(
            Report.comment_id == comment.id, Report.status == ReportStatus.OPEN)).scalar_one()
    states = [c.moderation_state for c in comments]
    assert states.count(ModerationState.PENDING) == 1
    assert states.count(ModerationState.HIDDEN) == 1

    reviewed = db.session.execute(select(Proposal.category).join(
        PartyReview, PartyReview.proposal_id == Proposal.id)).scalars().all()
    assert "maintenance_fund" in reviewed

    # The demo owner has notices of several kinds, the recent ones still unread.
    notices = db.session.execute(select(Notification).where(
        Notification.user_id == owner.id)).scalars().all()
    assert {NotificationKind.REPLY, NotificationKind.OFFICIAL_ANSWER,
            NotificationKind.STATUS_CHANGE, NotificationKind.THRESHOLD_REACHED,
            NotificationKind.PARTY_REVIEW} <= {n.kind for n in notices}
    assert 1 <= sum(1 for n in notices if n.read_at is None) < len(notices)

    _check_polls(owner)
    _check_meetings(runner, tmp_path / "minutes.md")

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already present" in second.output
    assert _counts() == counts


def _check_polls(demo_owner: User) -> None:
    """One open and two final owners' polls (one under the deemed-consent clause), a
    party-branch and an advisory poll, each consistent with its proposal, with time-stamped
    ballots and whole chains."""
    now = utcnow()
    polls = db.session.execute(select(Poll).order_by(Poll.id)).scalars().all()
    assert len(polls) == 5
    for poll in polls:
        assert verify_poll_chain(poll) is None
        ballots = db.session.execute(select(Ballot).where(Ballot.poll_id == poll.id)) \
            .scalars().all()
        voted = db.session.execute(select(RollEntry.voted_at).where(
            RollEntry.poll_id == poll.id, RollEntry.voted_at.is_not(None))).scalars().all()
        assert 0 < len(ballots) == len(voted) < poll.total_people
        opened_hour = poll.opened_at.replace(minute=0, second=0, microsecond=0)
        assert poll.opened_at < now and all(
            opened_hour <= at <= (poll.closed_at or now) for at in voted)

    (open_owners,) = [p for p in polls if p.status == PollStatus.OPEN
                      and p.electorate == ElectorateKind.OWNERS]
    assert open_owners.proposal.status == Status.VOTING
    assert now + timedelta(days=2) < open_owners.closes_at < now + timedelta(days=7)
    assert open_owners.proposal.closes_at == open_owners.closes_at
    channels = db.session.execute(select(RollEntry.voted_channel).where(
        RollEntry.poll_id == open_owners.id)).scalars().all()
    assert {Channel.ONLINE, Channel.PAPER} <= set(channels)
    assert 200 <= open_owners.total_people <= 300  # the whole community, owners as counted
    # Most of the roll has no account: their ballots come on paper, entered by staff.
    entries = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == open_owners.id)).scalars().all()
    online = [e for e in entries if e.user_ids]
    assert 30 <= len(online) < len(entries) / 2
    # The demo owner has not voted yet, so that a visitor can.
    (mine,) = [e for e in entries if demo_owner.id in e.user_ids]
    assert mine.voted_at is None and mine.ballot_seal is None
    changes = db.session.execute(select(BallotEvent.action).where(
        BallotEvent.poll_id == open_owners.id)).scalars().all()
    assert "change" in changes

    (major,) = [p for p in polls if p.rule == "civil_code_major"]
    assert major.status == PollStatus.FINAL and major.proposal.status == Status.REJECTED
    assert major.opened_at < major.closed_at < major.objection_until < major.finalised_at < now
    result = official_result(major)
    assert result.outcome == "rejected" and result.quorum_met
    area, people = result.option("approve").conditions
    assert (area.measure, people.measure) == (Measure.AREA, Measure.PEOPLE)
    assert people.holds and not area.holds
    assert Fraction(74, 100) <= area.ratio < Fraction(3, 4)  # narrowly
    paper = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == major.id, RollEntry.voted_channel == Channel.PAPER)).scalars().all()
    staff = db.session.execute(select(User).where(User.phone == "13800000004")).scalar_one()
    assert paper and all(b.entered_by_id == staff.id and b.reference for b in paper)

    # Every owners' decision was announced at least the notice period before it opened.
    for poll in polls:
        if poll.electorate == ElectorateKind.OWNERS:
            assert poll.matter is not None
            assert poll.opens_at - poll.created_at >= timedelta(days=15)

    # The covenant vote, under the rules' 从多数 clause: 40 served owners who did not vote
    # follow the voters' majority; raw and deemed differ, and neither reaches the quorum.
    (covenant,) = [p for p in polls if p.deemed_consent and p.status == PollStatus.FINAL]
    assert open_owners.deemed_consent  # created after the rules were adopted
    count = deemed_count(covenant)
    assert covenant.status == PollStatus.FINAL
    assert covenant.proposal.status == Status.NO_QUORUM
    assert (count.side, count.people) == ("approve", 40)
    assert count.deemed.participants == count.raw.participants + 40
    assert count.raw.outcome == count.deemed.outcome == "no_quorum"

    (branch,) = [p for p in polls if p.rule == "party_branch"]
    assert branch.electorate == ElectorateKind.ORGANISATION
    assert db.session.get(Organisation, branch.organisation_id).kind == \
        OrganisationKind.PARTY_BRANCH
    assert branch.status == PollStatus.FINAL and official_result(branch).outcome == "passed"
    assert branch.proposal.status in (Status.PASSED, Status.IN_PROGRESS, Status.DONE)

    (advisory,) = [p for p in polls if p.rule == "advisory"]
    assert official_result(advisory).outcome == "advisory"
    assert advisory.proposal.status == Status.VOTING


def _check_meetings(runner, output) -> None:
    """A committee meeting held weeks ago, its minutes published and exportable at once, its
    follow-up actions under way (one overdue); and a residents' council still to come."""
    now = utcnow()
    held, upcoming = db.session.execute(select(Meeting).order_by(Meeting.starts_at)).scalars()
    assert held.ends_at < now - timedelta(days=30) and upcoming.starts_at > now
    assert upcoming.kind == MeetingKind.RESIDENTS_COUNCIL and len(upcoming.items) == 2

    counted = attendance(held)
    assert (counted.voting_invited, counted.voting_present) == (5, 4)
    assert all(item.resolution for item in held.items)
    assert any(item.poll_id for item in held.items) and any(
        item.hands_for is not None for item in held.items)
    (minutes,) = db.session.execute(select(Minutes)).scalars()
    assert minutes.version == 1 and minutes.content_hash == content_hash(minutes.content)
    audit = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "minutes.publish")).scalar_one()
    assert audit.details["hash"] == minutes.content_hash
    assert db.session.execute(select(Notice).where(
        Notice.minutes_id == minutes.id)).scalar_one()

    actions = db.session.execute(select(FollowUpAction)).scalars().all()
    assert len(actions) == 3 and sum(a.status == ActionStatus.DONE for a in actions) == 1
    (overdue,) = [a for a in actions if a.is_overdue(now.date())]
    assert overdue.proposal.status == Status.IN_PROGRESS

    exported = runner.invoke(args=["minutes", "export", str(held.id), "--format", "md",
                                   "--output", str(output)])
    assert exported.exit_code == 0, exported.output
    assert held.items[0].resolution in output.read_text()
