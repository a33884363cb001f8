"""The dashboard's figures, each one SQL aggregate (joins, COUNT DISTINCT, GROUP BY).

Households are the units of the roster. A household took part in a period when an owner
(with an account) or a resident of the unit commented (unless hidden), co-sponsored or voted:
online ballots through the account that cast them, paper and proxy ballots through the units
and accounts on their roll entry. Python only shapes the few grouped rows that come back.

Privacy: below the community level, a participation figure whose base is fewer than
``MIN_HOUSEHOLDS`` households is withheld (``None``); no aggregate carries a name, a phone or
a room number. Every result is plain data (numbers, strings), so that it can be cached as
JSON and written as CSV.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, or_, select, text, true

from app.community.models import (
    Building,
    Community,
    Grid,
    Organisation,
    Owner,
    Ownership,
    Residency,
    Unit,
)
from app.community.scope import ScopeKind
from app.discussion.models import Comment, Report, ReportStatus, Stance
from app.extensions import UTCDateTime, beijing_today, db, local_zone, utcnow
from app.followups.models import ActionStatus, FollowUpAction
from app.proposals.models import (
    Cosponsorship,
    ModerationState,
    Proposal,
    ProposalBuilding,
    ProposalGrid,
)
from app.proposals.states import DISCUSSABLE, Status
from app.voting.models import Channel, ElectorateKind, Poll, PollStatus, RollEntry
from app.voting.rules import Rule

MIN_HOUSEHOLDS = 5
# Early-warning thresholds.
OPPOSITION_MIN = 5            # at least this many opposing positions ...
OPPOSITION_SHARE = 0.6        # ... and this share of the stated support/opposition
FALLING_POINTS = 10.0         # a building's participation fell by this many points or more
RECENT = timedelta(days=30)   # ... in the last 30 days against the 30 days before
OUTSIDE = "outside"           # the bucket of an act outside the chosen period
WEEKLY_UP_TO_DAYS = 120       # longer periods are charted by month
QUORUM = {Rule.CIVIL_CODE_ORDINARY: 2 / 3, Rule.CIVIL_CODE_MAJOR: 2 / 3,
          Rule.PARTY_BRANCH: 0.5, Rule.COMMITTEE: 0.5}


@dataclass(frozen=True)
class Period:
    """Beijing calendar days, both included."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(), local_zone()).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), local_zone()).astimezone(UTC)

    @property
    def bucket(self) -> str:
        return "week" if (self.end - self.start).days <= WEEKLY_UP_TO_DAYS else "month"

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> "Period":
        today = today or beijing_today()
        return cls(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class Scope:
    """The communities looked at, and the one grid a grid party branch is restricted to."""

    community_ids: tuple[int, ...]
    grid_id: int | None = None


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def bucket_labels(period: Period) -> list[str]:
    """Every bucket of the period in order, as the SQL bucket expression labels them."""
    labels = []
    if period.bucket == "week":
        day = period.start - timedelta(days=period.start.weekday())
        while day <= period.end:
            labels.append(day.isoformat())
            day += timedelta(days=7)
    else:
        day = period.start.replace(day=1)
        while day <= period.end:
            labels.append(day.isoformat())
            day = (day + timedelta(days=32)).replace(day=1)
    return labels


def _bucket(column, kind: str):
    """The Beijing week (its Monday) or month (its first day) of a UTC timestamp, as
    'YYYY-MM-DD'."""
    zone = local_zone()
    if _postgres():
        local = func.timezone(zone.key, column)
        return func.to_char(func.date_trunc(kind, local), "YYYY-MM-DD")
    # SQLite knows no zones, only offsets: the zone's offset now (Beijing has no summer time).
    offset = f"{int(zone.utcoffset(utcnow()).total_seconds()):+d} seconds"
    if kind == "week":
        return func.date(column, offset, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column, offset)


def _days_between(later, earlier):
    if _postgres():
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _json_elements(column):
    """The elements of a JSON array column, as a table to join (column ``value``)."""
    fn = func.json_array_elements if _postgres() else func.json_each
    return fn(column).table_valued("value").alias()


def _json_item(value, index: int):
    if _postgres():
        return value.op("->>")(index)
    return func.json_extract(value, f"$[{index}]")


# --- Who took part ---------------------------------------------------------------------------


def _households(scope: Scope):
    query = (select(Building.community_id, Building.grid_id, Unit.building_id,
                    Unit.id.label("unit_id"))
             .join(Building, Building.id == Unit.building_id)
             .where(Building.community_id.in_(scope.community_ids)))
    if scope.grid_id is not None:
        query = query.where(Building.grid_id == scope.grid_id)
    return query


def household_accounts(scope: Scope):
    """(community, account, unit): owners with an account and residents. A UNION, not
    UNION ALL: SQLite then materialises it (and indexes it) instead of flattening it into
    each join, which made it scan every owner for every ballot."""
    owned = (select(Owner.community_id, Owner.user_id, Ownership.unit_id)
             .join(Ownership, Ownership.owner_id == Owner.id)
             .where(Owner.community_id.in_(scope.community_ids), Owner.user_id.is_not(None)))
    lived = (select(Building.community_id, Residency.user_id, Residency.unit_id)
             .join(Unit, Unit.id == Residency.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Building.community_id.in_(scope.community_ids)))
    return owned.union(lived)


Windows = list[tuple[datetime, datetime]]


def _within(column, windows: Windows):
    """The column falls in one of the [start, end) windows."""
    return or_(*(and_(column >= start, column < end) for start, end in windows))


def _acts(scope: Scope, windows: Windows):
    """(community, account, when) for every comment, co-sponsorship and online ballot."""
    ids = scope.community_ids
    comments = (select(Proposal.community_id, Comment.author_id.label("user_id"),
                       Comment.created_at.label("at"))
                .join(Proposal, Proposal.id == Comment.proposal_id)
                .where(Proposal.community_id.in_(ids),
                       Comment.moderation_state != ModerationState.HIDDEN,
                       _within(Comment.created_at, windows)))
    cosponsors = (select(Proposal.community_id, Cosponsorship.user_id,
                         Cosponsorship.created_at.label("at"))
                  .join(Proposal, Proposal.id == Cosponsorship.proposal_id)
                  .where(Proposal.community_id.in_(ids),
                         _within(Cosponsorship.created_at, windows)))
    ballots = (select(Poll.community_id, RollEntry.voted_by_id.label("user_id"),
                      RollEntry.voted_at.label("at"))
               .join(Poll, Poll.id == RollEntry.poll_id)
               .where(Poll.community_id.in_(ids), RollEntry.voted_channel == Channel.ONLINE,
                      RollEntry.voted_by_id.is_not(None),
                      _within(RollEntry.voted_at, windows)))
    return comments.union_all(cosponsors, ballots)


def _offline_ballots(scope: Scope, windows: Windows, *, owners: bool):
    """Paper and proxy ballots, of owners' polls or of the others."""
    electorate = (Poll.electorate == ElectorateKind.OWNERS if owners
                  else Poll.electorate != ElectorateKind.OWNERS)
    return (select(Poll.community_id, RollEntry.voted_at.label("at"), RollEntry.units,
                   RollEntry.user_ids)
            .join(Poll, Poll.id == RollEntry.poll_id)
            .where(Poll.community_id.in_(scope.community_ids), electorate,
                   RollEntry.voted_channel.in_([Channel.PAPER, Channel.PROXY]),
                   _within(RollEntry.voted_at, windows))
            .subquery())


def _taking_part(scope: Scope, windows: Windows):
    """(unit, when) for every act of a household in the windows, as one subquery.
    A paper or proxy ballot counts for the units on its roll entry in an owners' poll, and
    for the homes of its one account in a residents' or members' poll."""
    acts = _acts(scope, windows).subquery()
    people = household_accounts(scope).subquery()
    by_account = (select(people.c.unit_id, acts.c.at)
                  .join(people, and_(people.c.user_id == acts.c.user_id,
                                     people.c.community_id == acts.c.community_id)))
    on_paper = _offline_ballots(scope, windows, owners=True)
    rooms = _json_elements(on_paper.c.units)
    # DISTINCT keeps SQLite from flattening this into the joins below, where it would read
    # every unit of the community for each room; materialised, the rooms find their unit
    # through the unique indexes on (community, building name) and (building, number).
    listed = (select(on_paper.c.community_id, on_paper.c.at,
                     _json_item(rooms.c.value, 0).label("building"),
                     _json_item(rooms.c.value, 1).label("number"))
              .select_from(on_paper).join(rooms, true()).distinct().subquery())
    by_room = (select(Unit.id.label("unit_id"), listed.c.at)
               .select_from(listed)
               .join(Building, and_(Building.community_id == listed.c.community_id,
                                    Building.name == listed.c.building))
               .join(Unit, and_(Unit.building_id == Building.id,
                                Unit.number == listed.c.number)))
    others = _offline_ballots(scope, windows, owners=False)
    voters = household_accounts(scope).subquery()
    by_voter = (select(voters.c.unit_id, others.c.at)
                .join(voters, and_(
                    voters.c.user_id == cast(_json_item(others.c.user_ids, 0), Integer),
                    voters.c.community_id == others.c.community_id)))
    return by_account.union_all(by_room, by_voter).subquery()


def _fast_analytics() -> None:
    """PostgreSQL's JIT compiler spends seconds on these aggregates (the planner expects a
    hundred elements from each JSON array); for this transaction, plain execution is faster."""
    if _postgres():
        db.session.execute(text("SET LOCAL jit = off"))


def _participation_rows(scope: Scope, period: Period, now: datetime):
    """One statement: per building, its households, those that took part in the period,
    in the last 30 days and in the 30 days before; per week or month of the period, the
    households that took part."""
    taking_part = _taking_part(scope, [(period.start_utc, period.end_utc),
                                       (now - 2 * RECENT, now)])
    at = taking_part.c.at
    in_period = and_(at >= period.start_utc, at < period.end_utc)
    bucket = case((in_period, _bucket(at, period.bucket)), else_=literal(OUTSIDE))
    window = case((at >= now - RECENT, 1), (at >= now - 2 * RECENT, 2), else_=0)
    marks = (select(taking_part.c.unit_id, bucket.label("bucket"), window.label("window"))
             .distinct().cte("marks"))

    def flag(condition):
        return func.max(case((condition, 1), else_=0))

    per_unit = (select(marks.c.unit_id,
                       flag(marks.c.bucket != OUTSIDE).label("took"),
                       flag(marks.c.window == 1).label("recent"),
                       flag(marks.c.window == 2).label("before"))
                .group_by(marks.c.unit_id).subquery())
    households = _households(scope).subquery()

    def households_with(column):
        return func.coalesce(func.sum(column), 0)

    by_building = (
        select(literal("building").label("kind"), households.c.building_id,
               households.c.grid_id, literal("").label("bucket"),
               func.count(households.c.unit_id).label("base"),
               households_with(per_unit.c.took), households_with(per_unit.c.recent),
               households_with(per_unit.c.before))
        .select_from(households)
        .outerjoin(per_unit, per_unit.c.unit_id == households.c.unit_id)
        .group_by(households.c.building_id, households.c.grid_id))
    by_bucket = (
        select(literal("bucket").label("kind"), literal(0).label("building_id"),
               literal(0).label("grid_id"), marks.c.bucket, literal(0).label("base"),
               func.count(marks.c.unit_id.distinct()), literal(0).label("recent"),
               literal(0).label("before"))
        .where(marks.c.bucket != OUTSIDE).group_by(marks.c.bucket))
    if scope.grid_id is not None:
        by_bucket = by_bucket.where(marks.c.unit_id.in_(select(households.c.unit_id)))
    return db.session.execute(by_building.union_all(by_bucket)).all()


def _share(took: int | None, base: int) -> float | None:
    if took is None or not base:
        return None
    return round(100.0 * took / base, 1)


def _figure(name: str, households: int, took_part: int, *, private: bool = True) -> dict:
    """A participation row; below the community level withheld under MIN_HOUSEHOLDS."""
    withheld = private and households < MIN_HOUSEHOLDS
    return {"name": name, "households": households,
            "took_part": None if withheld else took_part,
            "share": None if withheld else _share(took_part, households)}


def participation(scope: Scope, period: Period, now: datetime | None = None) -> dict:
    """Totals, by grid and by building, each bucket of the trend, and the buildings (of at
    least MIN_HOUSEHOLDS) whose share of the last 30 days fell by FALLING_POINTS or more
    against the 30 days before."""
    community_id = scope.community_ids[0]
    rows = _participation_rows(scope, period, now or utcnow())
    names = dict(db.session.execute(
        select(Building.id, Building.name).where(Building.community_id == community_id)).all())
    grid_names = dict(db.session.execute(
        select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all())
    buildings, grids, falling, per_bucket = [], {}, [], {}
    for kind, building_id, grid_id, bucket, base, took, recent, before in rows:
        if kind == "bucket":
            per_bucket[bucket] = took
            continue
        row = {**_figure(names[building_id], base, took),
               "grid": grid_names.get(grid_id, ""), "grid_id": grid_id or 0}
        buildings.append(row)
        total = grids.setdefault(grid_id, [0, 0])
        total[0] += base
        total[1] += took
        was, lately = _share(before, base), _share(recent, base)
        if base >= MIN_HOUSEHOLDS and was - lately >= FALLING_POINTS:
            falling.append({"name": row["name"], "before": was, "now": lately})
    households = sum(base for base, _took in grids.values())
    private = scope.grid_id is not None
    withheld = private and households < MIN_HOUSEHOLDS
    return {
        "total": _figure("", households, sum(took for _b, took in grids.values()),
                         private=private),
        "grids": [_figure(grid_names.get(grid_id, ""), base, took)
                  for grid_id, (base, took) in sorted(grids.items(), key=lambda i: i[0] or 0)],
        "buildings": sorted(buildings, key=lambda b: (b["grid_id"], b["name"])),
        "trend": [{"label": b, "households": households,
                   "took_part": None if withheld else per_bucket.get(b, 0),
                   "share": None if withheld else _share(per_bucket.get(b, 0), households)}
                  for b in bucket_labels(period)],
        "falling": sorted(falling, key=lambda r: (r["now"] - r["before"], r["name"])),
    }


def community_participation(scope: Scope, period: Period) -> dict[int, tuple[int, int]]:
    """Households and those that took part, per community: for the street office."""
    taking_part = _taking_part(scope, [(period.start_utc, period.end_utc)])
    took = select(taking_part.c.unit_id).distinct().subquery()
    households = _households(scope).subquery()
    rows = db.session.execute(
        select(households.c.community_id, func.count(households.c.unit_id),
               func.count(took.c.unit_id))
        .outerjoin(took, took.c.unit_id == households.c.unit_id)
        .group_by(households.c.community_id)).all()
    return {community_id: (base, took) for community_id, base, took in rows}


# --- Proposals ----------------------------------------------------------------------------------


def proposals_in_scope(scope: Scope):
    """Proposals of the communities; for a grid, those whose scope reaches it."""
    condition = Proposal.community_id.in_(scope.community_ids)
    if scope.grid_id is None:
        return condition
    return and_(condition, or_(
        Proposal.scope_kind == ScopeKind.COMMUNITY,
        Proposal.id.in_(select(ProposalGrid.proposal_id)
                        .where(ProposalGrid.grid_id == scope.grid_id)),
        Proposal.id.in_(select(ProposalBuilding.proposal_id)
                        .join(Building, Building.id == ProposalBuilding.building_id)
                        .where(Building.grid_id == scope.grid_id)),
    ))


def _published_in(period: Period):
    return and_(Proposal.published_at >= period.start_utc, Proposal.published_at < period.end_utc)


def proposals_by_category(scope: Scope, period: Period) -> list[dict]:
    """Proposals published in the period, by category and current status."""
    rows = db.session.execute(
        select(Proposal.category, Proposal.status, func.count(Proposal.id))
        .where(proposals_in_scope(scope), _published_in(period))
        .group_by(Proposal.category, Proposal.status)
        .order_by(Proposal.category, Proposal.status)).all()
    return [{"category": c, "status": s, "count": n} for c, s, n in rows]


def proposals_trend(scope: Scope, period: Period) -> list[dict]:
    label = _bucket(Proposal.published_at, period.bucket).label("label")
    counted = dict(db.session.execute(
        select(label, func.count(Proposal.id))
        .where(proposals_in_scope(scope), _published_in(period))
        .group_by(label)).all())
    return [{"label": b, "count": counted.get(b, 0)} for b in bucket_labels(period)]


def _answers(scope: Scope, period: Period):
    """(organisation, proposal, days from deliberation to that organisation's first official
    answer) for proposals that entered deliberation in the period."""
    first = (select(Comment.organisation_id, Comment.proposal_id,
                    func.min(Comment.created_at).label("answered_at"))
             .where(Comment.organisation_id.is_not(None))
             .group_by(Comment.organisation_id, Comment.proposal_id).subquery())
    return (select(first.c.organisation_id,
                   _days_between(first.c.answered_at, Proposal.deliberation_at).label("days"))
            .join(Proposal, Proposal.id == first.c.proposal_id)
            .where(proposals_in_scope(scope), Proposal.deliberation_at >= period.start_utc,
                   Proposal.deliberation_at < period.end_utc,
                   first.c.answered_at >= Proposal.deliberation_at)
            .subquery())


def median_answer_days(scope: Scope, period: Period) -> list[dict]:
    """Per organisation: proposals answered and the median days to the first answer. On
    PostgreSQL ``percentile_cont``; elsewhere the middle row(s) picked by window functions."""
    answers = _answers(scope, period)
    if _postgres():
        query = (select(answers.c.organisation_id, func.count(),
                        func.percentile_cont(0.5).within_group(answers.c.days))
                 .group_by(answers.c.organisation_id))
    else:
        ranked = select(
            answers.c.organisation_id, answers.c.days,
            func.row_number().over(partition_by=answers.c.organisation_id,
                                   order_by=answers.c.days).label("n"),
            func.count().over(partition_by=answers.c.organisation_id).label("total"),
        ).subquery()
        query = (select(ranked.c.organisation_id, func.max(ranked.c.total),
                        func.avg(ranked.c.days))
                 .where(ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2]))
                 .group_by(ranked.c.organisation_id))
    measured = query.subquery()
    named = db.session.execute(
        select(Organisation.name, measured.c[1], cast(measured.c[2], Float))
        .join(measured, measured.c[0] == Organisation.id)
        .order_by(Organisation.name)).all()
    return [{"organisation": name, "answered": count, "median_days": round(days, 1)}
            for name, count, days in named]


def follow_ups(scope: Scope, today: date) -> list[dict]:
    """Open and overdue follow-up actions per organisation, as they stand today."""
    open_ = FollowUpAction.status == ActionStatus.OPEN
    rows = db.session.execute(
        select(Organisation.name,
               func.count(FollowUpAction.id).filter(open_),
               func.count(FollowUpAction.id).filter(open_, FollowUpAction.due_on < today))
        .join(Organisation, Organisation.id == FollowUpAction.organisation_id)
        .join(Proposal, Proposal.id == FollowUpAction.proposal_id)
        .where(proposals_in_scope(scope))
        .group_by(Organisation.name).order_by(Organisation.name)).all()
    return [{"organisation": n, "open": o, "overdue": d} for n, o, d in rows if o]


# --- Polls ------------------------------------------------------------------------------------


def poll_turnout(scope: Scope, period: Period) -> list[dict]:
    """Each poll whose window meets the period: people (and area) on the roll and voted."""
    rows = db.session.execute(
        select(Poll.id, Proposal.title, Poll.question, Poll.status, Poll.rule,
               Poll.total_people, Poll.total_area, Poll.closes_at, Poll.opened_at,
               Poll.turnout_quorum_percent,
               func.count(RollEntry.id), func.coalesce(func.sum(RollEntry.area), 0))
        .join(Proposal, Proposal.id == Poll.proposal_id)
        .outerjoin(RollEntry, (RollEntry.poll_id == Poll.id) & RollEntry.voted_at.is_not(None))
        .where(proposals_in_scope(scope), Poll.status != PollStatus.SCHEDULED,
               Poll.opens_at < period.end_utc, Poll.closes_at >= period.start_utc)
        .group_by(Poll.id, Proposal.title, Poll.question, Poll.status, Poll.rule,
                  Poll.total_people, Poll.total_area, Poll.closes_at, Poll.opened_at,
                  Poll.turnout_quorum_percent)
        .order_by(Poll.closes_at.desc(), Poll.id)).all()
    polls = []
    for (poll_id, title, question, status, rule, people, area, closes_at, opened_at,
         quorum_percent, voted, voted_area) in rows:
        polls.append({
            "id": poll_id, "title": title, "question": question, "status": status,
            "rule": rule, "people": people or 0, "voted": voted,
            "share": _share(voted, people or 0),
            "area_share": _share(float(voted_area), float(area)) if area else None,
            "closes_at": closes_at.isoformat(),
            "opened_at": opened_at.isoformat() if opened_at else None,
            "quorum": (quorum_percent / 100 if quorum_percent is not None
                       else QUORUM.get(rule)),
        })
    return polls


def missing_quorum(polls: list[dict], now: datetime) -> list[dict]:
    """Open polls whose turnout, projected at its pace so far to the deadline, stays below
    the quorum (people, and area for owners' votes)."""
    warnings = []
    for poll in polls:
        if poll["status"] != PollStatus.OPEN or poll["quorum"] is None or not poll["opened_at"]:
            continue
        opened = datetime.fromisoformat(poll["opened_at"])
        closes = datetime.fromisoformat(poll["closes_at"])
        elapsed = (now - opened) / (closes - opened) if closes > opened else 1.0
        if elapsed <= 0:
            continue
        shares = [s for s in (poll["share"], poll["area_share"]) if s is not None]
        projected = min(shares or [0.0]) / min(elapsed, 1.0)
        if projected < poll["quorum"] * 100:
            warnings.append({"title": poll["title"], "question": poll["question"],
                             "share": poll["share"], "projected": round(min(projected, 100), 1),
                             "quorum": round(poll["quorum"] * 100, 1),
                             "closes_at": poll["closes_at"]})
    return warnings


# --- Early warnings -----------------------------------------------------------------------------


def reported_proposals(scope: Scope, threshold: int) -> list[dict]:
    """Proposals still discussed with at least ``threshold`` open reports on them or their
    comments."""
    target = func.coalesce(Report.proposal_id, Comment.proposal_id).label("proposal_id")
    reports = (select(target, func.count(Report.id).label("reports"))
               .outerjoin(Comment, Comment.id == Report.comment_id)
               .where(Report.status == ReportStatus.OPEN,
                      Report.community_id.in_(scope.community_ids))
               .group_by(target).subquery())
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, reports.c.reports)
        .join(reports, reports.c.proposal_id == Proposal.id)
        .where(proposals_in_scope(scope), Proposal.status.in_(DISCUSSABLE),
               reports.c.reports >= threshold)
        .order_by(reports.c.reports.desc(), Proposal.id)).all()
    return [{"id": i, "title": t, "reports": n} for i, t, n in rows]


def opposed_proposals(scope: Scope) -> list[dict]:
    """Proposals still discussed where opposition is sharp: OPPOSITION_MIN opposing
    positions and OPPOSITION_SHARE of the positions for or against."""
    oppose = func.count(Comment.id).filter(Comment.stance == Stance.OPPOSE)
    support = func.count(Comment.id).filter(Comment.stance == Stance.SUPPORT)
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, oppose, support)
        .join(Comment, Comment.proposal_id == Proposal.id)
        .where(proposals_in_scope(scope), Proposal.status.in_(DISCUSSABLE),
               Comment.parent_id.is_(None),
               Comment.moderation_state != ModerationState.HIDDEN,
               Comment.deleted_at.is_(None))
        .group_by(Proposal.id, Proposal.title)
        .having(oppose >= OPPOSITION_MIN,
                cast(oppose, Float) >= OPPOSITION_SHARE * (oppose + support))
        .order_by(oppose.desc(), Proposal.id)).all()
    return [{"id": i, "title": t, "oppose": o, "support": s} for i, t, o, s in rows]


def waiting_for_answer(scope: Scope, wait_days: int, now: datetime) -> list[dict]:
    """Proposals in deliberation longer than ``wait_days`` without an official answer."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.deliberation_at)
        .where(proposals_in_scope(scope), Proposal.status == Status.DELIBERATION,
               Proposal.first_official_answer_at.is_(None),
               Proposal.deliberation_at <= now - timedelta(days=wait_days))
        .order_by(Proposal.deliberation_at, Proposal.id)).all()
    return [{"id": i, "title": t, "days": (now - at).days} for i, t, at in rows]


def waiting_counts(scope: Scope, now: datetime) -> dict[int, int]:
    """Per community, proposals waiting beyond its own ``answer_wait_days``."""
    waited = _days_between(literal(now, UTCDateTime()), Proposal.deliberation_at)
    return dict(db.session.execute(
        select(Proposal.community_id, func.count(Proposal.id))
        .join(Community, Community.id == Proposal.community_id)
        .where(proposals_in_scope(scope), Proposal.status == Status.DELIBERATION,
               Proposal.first_official_answer_at.is_(None),
               waited >= Community.answer_wait_days)
        .group_by(Proposal.community_id)).all())


# --- The whole dashboard ------------------------------------------------------------------------


def dashboard(community: Community, scope: Scope, period: Period,
              now: datetime | None = None) -> dict:
    """Every figure of the dashboard, as plain data."""
    now = now or utcnow()
    today = now.astimezone(local_zone()).date()
    _fast_analytics()
    taking_part = participation(scope, period, now)
    polls = poll_turnout(scope, period)
    return {
        "participation": taking_part,
        "polls": polls,
        "proposals": proposals_by_category(scope, period),
        "proposals_trend": proposals_trend(scope, period),
        "answer_times": median_answer_days(scope, period),
        "follow_ups": follow_ups(scope, today),
        "warnings": {
            "reported": reported_proposals(scope, community.report_threshold),
            "opposed": opposed_proposals(scope),
            "waiting": waiting_for_answer(scope, community.answer_wait_days, now),
            "falling": taking_part.pop("falling"),
            "quorum": missing_quorum(polls, now),
        },
    }


def overview(communities: list[Community], period: Period,
             now: datetime | None = None) -> list[dict]:
    """Community-level figures side by side, for a street office: a fixed number of
    grouped queries, however many communities."""
    now = now or utcnow()
    today = now.astimezone(local_zone()).date()
    scope = Scope(tuple(c.id for c in communities))
    _fast_analytics()
    taking_part = community_participation(scope, period)
    published = dict(db.session.execute(
        select(Proposal.community_id, func.count(Proposal.id))
        .where(proposals_in_scope(scope), _published_in(period))
        .group_by(Proposal.community_id)).all())
    overdue = dict(db.session.execute(
        select(FollowUpAction.community_id, func.count(FollowUpAction.id))
        .where(FollowUpAction.community_id.in_(scope.community_ids),
               FollowUpAction.status == ActionStatus.OPEN, FollowUpAction.due_on < today)
        .group_by(FollowUpAction.community_id)).all())
    waiting = waiting_counts(scope, now)
    rows = []
    for community in communities:
        households, took = taking_part.get(community.id, (0, 0))
        rows.append({"id": community.id, "name": community.name, "households": households,
                     "took_part": took, "share": _share(took, households),
                     "proposals": published.get(community.id, 0),
                     "waiting": waiting.get(community.id, 0),
                     "overdue": overdue.get(community.id, 0)})
    return rows

