"""``flask seed-demo`` loads a community that looks alive, once, and quickly."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.community.models import Community, Unit
from app.discussion.models import Comment, Report, ReportStatus, Stance
from app.extensions import db, utcnow
from app.notices.models import Notification, NotificationKind
from app.proposals.models import (
    DEFAULT_REVIEW_CATEGORIES,
    Cosponsorship,
    Follow,
    ModerationState,
    PartyReview,
    Proposal,
    ProposalEvent,
    ScopeKind,
)
from app.proposals.states import Status

DEMO_OWNER = "13900009999"


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.execute(select(func.count()).select_from(model))
            .scalar_one()
            for model in (Community, Unit, User, Proposal, Comment, Report, Notification,
                          ProposalEvent, Follow, Cosponsorship, PartyReview)}


def test_seed_demo_loads_a_living_community_once_and_quickly(runner):
    started = time.monotonic()
    first = runner.invoke(args=["seed-demo"])
    assert time.monotonic() - started < 10
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
    assert 1 <= sum(1 for n in notices if n.read_at is None) <= 5

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already present" in second.output
    assert _counts() == counts
