"""Each figure on the small town of conftest.py, counted by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.discussion.models import Report, ReportReason, Stance
from app.extensions import db, utcnow
from app.followups.models import ActionStatus, FollowUpAction
from app.insights import services
from app.insights.services import Period, Scope, bucket_labels
from app.proposals.states import Status
from tests.insights.conftest import add_comment


def scope_of(town, grid=None):
    return Scope((town.community.id,), grid.id if grid else None)


def test_participation_by_building_grid_and_community(town):
    figures = services.participation(scope_of(town), Period.last_days(90))
    by_name = {b["name"]: b for b in figures["buildings"]}
    assert (by_name["A栋"]["households"], by_name["A栋"]["took_part"]) == (6, 3)
    assert by_name["A栋"]["share"] == 50.0
    assert (by_name["B栋"]["took_part"], by_name["B栋"]["share"]) == (2, 33.3)
    # Three households: withheld, though one took part.
    assert by_name["C栋"] == {"name": "C栋", "grid": "二网格",
                             "grid_id": town.community.grids[1].id,
                             "households": 3, "took_part": None, "share": None}
    assert figures["grids"] == [
        {"name": "一网格", "households": 12, "took_part": 5, "share": 41.7},
        {"name": "二网格", "households": 3, "took_part": None, "share": None}]
    assert figures["total"] == {"name": "", "households": 15, "took_part": 6, "share": 40.0}


def test_a_longer_period_reaches_older_comments(town):
    figures = services.participation(scope_of(town), Period.last_days(365))
    assert figures["total"]["took_part"] == 7


def test_a_grid_sees_its_buildings_and_a_small_grid_total_is_withheld(town):
    first, second = town.community.grids
    mine = services.participation(scope_of(town, first), Period.last_days(90))
    assert [b["name"] for b in mine["buildings"]] == ["A栋", "B栋"]
    assert mine["total"]["took_part"] == 5
    small = services.participation(scope_of(town, second), Period.last_days(90))
    assert small["total"]["took_part"] is None
    assert all(point["took_part"] is None for point in small["trend"])


def test_activity_in_another_community_does_not_count(town, make_community, make_proposal):
    elsewhere = make_community(name="别处")
    other = make_proposal(elsewhere, town.people["B栋101"])
    add_comment(other, town.people["C栋101"], 1)
    add_comment(other, town.people["A栋105"], 1)
    figures = services.participation(scope_of(town), Period.last_days(90))
    assert figures["total"]["took_part"] == 6


def test_trend_counts_households_per_week(town):
    today = services.beijing_today()
    period = Period(today - timedelta(days=27), today)
    trend = services.participation(scope_of(town), period)["trend"]
    assert [p["label"] for p in trend] == bucket_labels(period)
    assert len(trend) in (4, 5)
    assert sum(p["took_part"] for p in trend) == 6  # each household acted in one week only
    assert all(p["households"] == 15 for p in trend)


def test_bucket_labels_by_week_and_by_month():
    assert bucket_labels(Period(date(2026, 11, 4), date(2026, 11, 17))) == [
        "2026-11-02", "2026-11-09", "2026-11-16"]
    assert bucket_labels(Period(date(2025, 12, 15), date(2026, 11, 30))) == [
        f"{y}-{m:02d}-01" for y, m in [(2025, 12)] + [(2026, n) for n in range(1, 12)]]


def test_poll_turnout(town):
    (poll,) = services.poll_turnout(scope_of(town), Period.last_days(30))
    assert (poll["people"], poll["voted"], poll["share"]) == (15, 2, 13.3)
    assert poll["area_share"] == 13.3
    assert poll["quorum"] == 2 / 3


def test_a_poll_short_of_quorum_at_its_pace_warns():
    now = utcnow()
    base = dict(title="T", question="Q", status="open", area_share=None,
                opened_at=(now - timedelta(days=5)).isoformat(),
                closes_at=(now + timedelta(days=5)).isoformat(), quorum=2 / 3)
    slow = {**base, "share": 30.0}    # 60 % by the deadline
    brisk = {**base, "share": 40.0}   # 80 % by the deadline
    warned = services.missing_quorum([slow, brisk, {**base, "share": 1.0, "quorum": None}],
                                     now)
    assert [(w["share"], w["projected"], w["quorum"]) for w in warned] == [(30.0, 60.0, 66.7)]


def test_proposals_by_category_status_and_trend(town, make_proposal):
    make_proposal(town.community, town.chair, status=Status.DONE, category="parking")
    rows = services.proposals_by_category(scope_of(town), Period.last_days(30))
    assert rows == [
        {"category": "parking", "status": "collecting", "count": 1},
        {"category": "parking", "status": "done", "count": 1},
        {"category": "renovation", "status": "voting", "count": 1}]
    trend = services.proposals_trend(scope_of(town), Period.last_days(30))
    assert sum(p["count"] for p in trend) == 3


@pytest.mark.parametrize(("zone", "month"), [("Asia/Shanghai", "2020-11-01"),
                                              ("Europe/London", "2020-10-01")])
def test_the_trend_buckets_by_the_configured_zone(town, make_proposal, app, monkeypatch,
                                                  zone, month):
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", zone)
    proposal = make_proposal(town.community, town.chair)
    proposal.published_at = datetime(2020, 10, 31, 20, 0, tzinfo=UTC)  # 04:00 on 1 Nov there
    db.session.commit()
    trend = services.proposals_trend(scope_of(town), Period(date(2020, 6, 1),
                                                            date(2020, 11, 30)))
    assert [p["label"] for p in trend if p["count"]] == [month]


def _answered(town, make_proposal, organisation, days: float):
    proposal = make_proposal(town.community, town.chair, status=Status.DELIBERATION)
    proposal.deliberation_at = utcnow() - timedelta(days=20)
    db.session.commit()
    add_comment(proposal, town.chair, 20 - days, organisation=organisation, body="答复")
    add_comment(proposal, town.chair, 1, organisation=organisation, body="再次答复")
    return proposal


def test_median_days_to_the_first_official_answer(town, make_proposal):
    for days in (1, 3, 8):
        _answered(town, make_proposal, town.committee, days)
    for days in (2, 5):
        _answered(town, make_proposal, town.property, days)
    rows = services.median_answer_days(scope_of(town), Period.last_days(30))
    assert rows == [{"organisation": "业委会", "answered": 3, "median_days": 3.0},
                    {"organisation": "物业", "answered": 2, "median_days": 3.5}]


def test_follow_up_actions_open_and_overdue(town):
    today = services.beijing_today()
    for due, status in ((today - timedelta(days=1), ActionStatus.OPEN),
                        (today, ActionStatus.OPEN),
                        (today - timedelta(days=9), ActionStatus.DONE)):
        db.session.add(FollowUpAction(community_id=town.community.id,
                                      proposal_id=town.proposal.id,
                                      organisation_id=town.property.id, description="修",
                                      due_on=due, status=status, created_by_id=town.chair.id))
    db.session.commit()
    assert services.follow_ups(scope_of(town), today) == [
        {"organisation": "物业", "open": 2, "overdue": 1}]


def test_reported_and_opposed_proposals(town, make_user):
    comment = add_comment(town.proposal, town.people["A栋101"], 1)
    reporters = [make_user(name=f"举报人{n}") for n in range(3)]
    for n, reporter in enumerate(reporters):
        db.session.add(Report(community_id=town.community.id, reporter_id=reporter.id,
                              comment_id=comment.id if n else None,
                              proposal_id=None if n else town.proposal.id,
                              reason=ReportReason.ABUSE))
    db.session.commit()
    scope = scope_of(town)
    assert services.reported_proposals(scope, 3) == [
        {"id": town.proposal.id, "title": "加装电梯", "reports": 3}]
    assert services.reported_proposals(scope, 4) == []

    voices = [make_user(name=f"居民{n}") for n in range(8)]
    for n, voice in enumerate(voices):
        add_comment(town.collecting, voice, 1,
                    stance=Stance.OPPOSE if n < 5 else Stance.SUPPORT)
    # Five against, three for: 62.5 % against.
    assert services.opposed_proposals(scope) == [
        {"id": town.collecting.id, "title": "增设充电桩", "oppose": 5, "support": 3}]
    add_comment(town.collecting, voices[0], 1, stance=Stance.SUPPORT)
    assert services.opposed_proposals(scope) == []  # 5 of 9: under 60 %


def test_waiting_for_an_official_answer(town, make_proposal):
    late = make_proposal(town.community, town.chair, title="久未答复")
    late.deliberation_at = utcnow() - timedelta(days=8)
    recent = make_proposal(town.community, town.chair)
    recent.deliberation_at = utcnow() - timedelta(days=6)
    db.session.commit()
    waiting = services.waiting_for_answer(scope_of(town), 7, utcnow())
    assert waiting == [{"id": late.id, "title": "久未答复", "days": 8}]
    assert services.waiting_counts(scope_of(town), utcnow()) == {town.community.id: 1}


def test_buildings_with_falling_participation(town):
    # A栋 in the 30 days before the last 30: 5 of 6 households acted.
    for key in ("A栋101", "A栋102", "A栋103", "A栋105"):
        add_comment(town.proposal, town.people[key], 40)
    add_comment(town.proposal, town.tenant, 45)
    falling = services.participation(scope_of(town), Period.last_days(30))["falling"]
    # Now: 101 (10 days), 103 (co-sponsor, 3 days), 104's tenant (20 days) = 50 %.
    assert falling == [{"name": "A栋", "before": 83.3, "now": 50.0}]


def test_overview_sums_each_community(town, make_community):
    empty = make_community(name="空小区")
    rows = services.overview([town.community, empty], Period.last_days(90))
    assert [(r["name"], r["households"], r["took_part"], r["proposals"]) for r in rows] == [
        ("测试花园", 15, 6, 2), ("空小区", 0, 0, 0)]


def test_a_paper_ballot_in_a_residents_poll_counts_for_the_voters_home(
        town, make_proposal, resident_of):
    from sqlalchemy import select

    from app.voting.models import Channel, ElectorateKind, RollEntry
    from app.voting.services import create_poll, enter_offline, open_poll

    tenant = resident_of(town.units["B栋301"], name="三楼租户")
    proposal = make_proposal(town.community, town.chair, status=Status.DELIBERATION)
    now = utcnow()
    poll = create_poll(proposal, actor=town.chair, question="意见？", rule="simple_majority",
                       electorate=ElectorateKind.RESIDENTS, opens_at=now - timedelta(hours=1),
                       closes_at=now + timedelta(days=3))
    open_poll(poll, actor=town.chair)
    entry = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == poll.id, RollEntry.label == "B栋-301")).scalar_one()
    assert entry.user_ids == [tenant.id] and entry.units == []
    enter_offline(poll, entry, ["approve"], staff=town.chair, channel=Channel.PAPER,
                  reference="纸质第 2 号", paper_number="2")
    db.session.commit()
    by_name = {b["name"]: b for b in services.participation(
        scope_of(town), Period.last_days(30))["buildings"]}
    assert by_name["B栋"]["took_part"] == 3
