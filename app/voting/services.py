"""Polls: create, open (freezing the roll), cast and enter ballots, close, count.

Each function changes the session and flushes; the caller commits. Time moves a poll on by
itself (``refresh``), checked when a poll is looked at and by ``flask polls close-due``.
"""

import csv
import io
import json
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import String, func, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import selectinload

from app.audit.chain import (
    ChainBreak,
    ChainEntry,
    find_break,
    hashed_fields,
    next_link,
)
from app.audit.services import record
from app.community.models import (
    Building,
    Membership,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    Unit,
)
from app.community.scope import ScopeKind
from app.core.refusals import Refused
from app.core.signals import poll_closed, poll_finalised
from app.extensions import db, utcnow
from app.notices.services import notify
from app.proposals.models import Proposal
from app.proposals.services import may_open_voting, transition
from app.proposals.states import Action, Status
from app.voting.matters import Matter, rule_for
from app.voting.models import (
    Ballot,
    BallotEvent,
    Channel,
    ElectorateKind,
    Objection,
    Poll,
    PollOption,
    PollStatus,
    QuestionKind,
    RollEntry,
    ServedVia,
)
from app.voting.roll import RosterUnit, owner_roll
from app.voting.rules import (
    OWNER_RULES,
    YES_NO,
    DeemedCount,
    DeemedSide,
    Electorate,
    Result,
    Rule,
    Voter,
    tally,
    tally_with_deemed_consent,
)
from app.voting.rules import Ballot as CountedBallot

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on a phone


class VotingRefused(Refused):
    """Something a person tried that the poll does not allow; its code starts ``poll.``."""


# --- Creating and opening -----------------------------------------------------------------


def is_owners_decision(poll: Poll) -> bool:
    """An owners' poll that decides (not an advisory one): Art. 278 and the notice period
    apply."""
    return poll.electorate == ElectorateKind.OWNERS and poll.rule != Rule.ADVISORY


def earliest_opening(poll: Poll) -> datetime:
    """The meeting notice of an owners' poll is its announcement: its creation, when the
    question, matter and dates are published. It opens the notice period (指导规则 Art. 22)."""
    return poll.created_at + timedelta(days=poll.proposal.community.notice_days)


COMMITTEE_AGENDA_DAYS, COMMITTEE_DECISION_DAYS = 7, 3


def committee_dates(poll: Poll) -> tuple[datetime, datetime] | None:
    """For a vote of the owners' committee (指导规则 Art. 39): the date by which its agenda is
    to be posted (7 days before), and by which its decision is to be published (3 days after
    the vote closes). None for other polls."""
    if poll.rule != Rule.COMMITTEE:
        return None
    return (poll.opens_at - timedelta(days=COMMITTEE_AGENDA_DAYS),
            (poll.closed_at or poll.closes_at) + timedelta(days=COMMITTEE_DECISION_DAYS))


def _check_rule(rule: str, electorate: str, matter: int | None) -> None:
    """Owners decide by the rule their matter fixes; others never by Art. 278."""
    if electorate != ElectorateKind.OWNERS or rule == Rule.ADVISORY:
        if rule in OWNER_RULES:
            raise VotingRefused("poll.civil_code_for_owners_only")
        return
    if matter is None or matter not in set(Matter):
        raise VotingRefused("poll.matter_needed")
    if rule != rule_for(matter):
        raise VotingRefused("poll.rule_fixed_by_matter")


def create_poll(proposal: Proposal, *, actor, question: str, rule: str, electorate: str,
                opens_at: datetime, closes_at: datetime, options: list[str] | None = None,
                kind: str = QuestionKind.YES_NO, max_choices: int = 1, seats: int = 1,
                organisation=None, matter: int | None = None, **settings) -> Poll:
    """A poll on a proposal in deliberation, once the party branch let it proceed where the
    community asks for its opinion. An owners' decision names its Art. 278 item, which fixes
    the rule, opens no sooner than the notice period after it is announced, and takes the
    deemed-consent clause of the community's rules of procedure, if any (yes/no only).
    ``settings`` are Poll's other columns."""
    if proposal.status != Status.DELIBERATION:
        raise VotingRefused("poll.not_in_deliberation")
    if not may_open_voting(proposal):
        raise VotingRefused("poll.party_review_needed")
    if closes_at <= opens_at:
        raise VotingRefused("poll.closes_before_opening")
    if electorate == ElectorateKind.ORGANISATION and organisation is None:
        raise VotingRefused("poll.organisation_needed")
    _check_rule(rule, electorate, matter)
    poll = Poll(proposal=proposal, community_id=proposal.community_id, question=question,
                rule=rule, kind=kind, max_choices=max_choices, seats=seats,
                electorate=electorate, organisation_id=organisation.id if organisation else None,
                opens_at=opens_at, closes_at=closes_at, created_by_id=actor.id,
                **{"created_at": utcnow(), **settings})
    if is_owners_decision(poll):
        poll.matter = int(matter)
        if opens_at < earliest_opening(poll):
            raise VotingRefused("poll.notice_period", days=proposal.community.notice_days)
        community = proposal.community
        if community.deemed_consent_side and kind == QuestionKind.YES_NO:
            poll.deemed_consent_clause = community.deemed_consent_article
            poll.deemed_consent_text = community.deemed_consent_text
            poll.deemed_consent_side = community.deemed_consent_side
    if kind == QuestionKind.CHOICE:
        poll.options = [PollOption(position=n, label=label) for n, label in enumerate(options)]
    db.session.add(poll)
    db.session.flush()
    record("poll.create", actor=actor, community_id=poll.community_id, target=f"poll:{poll.id}",
           details={"proposal": proposal.id, "rule": rule, "electorate": electorate,
                    "matter": poll.matter})
    return poll


def _scope_buildings(proposal: Proposal):
    query = select(Building.id).where(Building.community_id == proposal.community_id)
    if proposal.scope_kind == ScopeKind.GRIDS:
        query = query.where(Building.grid_id.in_([g.id for g in proposal.scope_grids]))
    elif proposal.scope_kind == ScopeKind.BUILDINGS:
        query = query.where(Building.id.in_([b.id for b in proposal.scope_buildings]))
    return query


def _owner_entries(poll: Poll) -> list[dict]:
    """One entry per owner as the law counts them, from plain rows: a roll can be large."""
    rows = db.session.execute(
        select(Unit.id, Unit.number, Unit.area, Building.name, Ownership.owner_id,
               Owner.user_id, Owner.is_developer)
        .join(Building, Building.id == Unit.building_id)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .join(Owner, Owner.id == Ownership.owner_id)
        .where(Unit.building_id.in_(_scope_buildings(poll.proposal)))
        .order_by(Unit.id)
    ).all()
    units: dict[int, dict] = {}
    account_of: dict[int, int | None] = {}
    for unit_id, number, area, building, owner_id, user_id, developer in rows:
        unit = units.setdefault(unit_id, {"building": building, "number": number,
                                          "area": area, "owners": set(), "developer": False})
        unit["owners"].add(owner_id)
        unit["developer"] = unit["developer"] or developer
        account_of[owner_id] = user_id
    roll = owner_roll(RosterUnit(unit_id, u["area"], frozenset(u["owners"]), u["developer"])
                      for unit_id, u in units.items())
    entries = []
    for number, entry in enumerate(roll, start=1):
        members = [units[i] for i in sorted(entry.unit_ids)]
        entries.append(dict(
            key=f"R{number:05d}", area=entry.area,
            label="、".join(f"{u['building']}-{u['number']}" for u in members),
            units=[[u["building"], u["number"], str(u["area"])] for u in members],
            user_ids=sorted({account_of[o] for o in entry.owner_ids
                             if account_of[o] is not None}),
        ))
    return entries


def _resident_entries(poll: Poll) -> list[dict]:
    buildings = _scope_buildings(poll.proposal)
    owned = (select(Owner.user_id, Unit.id).join(Ownership, Ownership.owner_id == Owner.id)
             .join(Unit, Unit.id == Ownership.unit_id)
             .where(Owner.user_id.is_not(None), Unit.building_id.in_(buildings)))
    lived = (select(Residency.user_id, Unit.id).join(Unit, Unit.id == Residency.unit_id)
             .where(Unit.building_id.in_(buildings)))
    verified = set(db.session.execute(select(RoleGrant.user_id).where(
        RoleGrant.community_id == poll.community_id,
        RoleGrant.role.in_([Role.RESIDENT, Role.VERIFIED_OWNER]))).scalars())
    homes: dict[int, set[int]] = {}
    for user_id, unit_id in db.session.execute(owned.union(lived)).all():
        if user_id in verified:
            homes.setdefault(user_id, set()).add(unit_id)
    labels = {u.id: u.label for u in db.session.execute(
        select(Unit).where(Unit.id.in_({i for ids in homes.values() for i in ids}))
        .options(selectinload(Unit.building))).scalars()}
    return [
        dict(key=f"P{number:05d}", label="、".join(sorted(labels[i] for i in homes[uid])),
             area=Decimal("0"), units=[], user_ids=[uid])
        for number, uid in enumerate(sorted(homes), start=1)
    ]


def _member_entries(poll: Poll) -> list[dict]:
    members = db.session.execute(select(Membership.user_id).where(
        Membership.organisation_id == poll.organisation_id).order_by(Membership.user_id)
    ).scalars().all()
    return [dict(key=f"M{number:05d}", label="", area=Decimal("0"), units=[], user_ids=[uid])
            for number, uid in enumerate(members, start=1)]


def open_poll(poll: Poll, *, actor=None) -> None:
    """Freeze the roll and publish its totals; later roster changes do not touch it."""
    if poll.status != PollStatus.SCHEDULED:
        raise VotingRefused("poll.not_scheduled")
    if is_owners_decision(poll) and utcnow() < earliest_opening(poll):
        raise VotingRefused("poll.notice_period", days=poll.proposal.community.notice_days)
    builders = {ElectorateKind.OWNERS: _owner_entries, ElectorateKind.RESIDENTS:
                _resident_entries, ElectorateKind.ORGANISATION: _member_entries}
    entries = [{**entry, "poll_id": poll.id}
               for entry in builders[ElectorateKind(poll.electorate)](poll)]
    if entries:
        db.session.execute(insert(RollEntry), entries)
    poll.total_people = len(entries)
    poll.total_area = sum((e["area"] for e in entries), Decimal("0"))
    poll.status = PollStatus.OPEN
    poll.opened_at = utcnow()
    proposal = poll.proposal
    if proposal.status == Status.DELIBERATION:
        transition(proposal, Action.OPEN_VOTING, actor=actor)
    proposal.closes_at = poll.closes_at
    db.session.flush()


# --- Ballots --------------------------------------------------------------------------------


def _lock(poll: Poll) -> None:
    """Serialise everything that writes one poll's ballots and chain (PostgreSQL; SQLite
    serialises writers by itself)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Poll.id).where(Poll.id == poll.id).with_for_update())


def _append(poll: Poll, action: str, *, actor, receipt: str, details: dict) -> BallotEvent:
    head = db.session.execute(
        select(BallotEvent.seq, BallotEvent.hash).where(BallotEvent.poll_id == poll.id)
        .order_by(BallotEvent.seq.desc()).limit(1)
    ).first()
    event = BallotEvent(poll_id=poll.id, **next_link(
        head, created_at=utcnow(), actor_id=actor.id if actor else None, action=action,
        community_id=poll.community_id, target=receipt, details=details))
    db.session.add(event)
    return event


def _receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{code[:5]}-{code[5:]}"


def valid_choices(poll: Poll, choices: list[str]) -> list[str]:
    """The ballot's choices in a fixed order, or VotingRefused."""
    allowed = list(YES_NO) if poll.kind == QuestionKind.YES_NO else \
        [str(option.id) for option in poll.options]
    picked = [c for c in allowed if c in set(choices)]
    if len(picked) != len(set(choices)):
        raise VotingRefused("poll.unknown_choice")
    if poll.kind == QuestionKind.YES_NO and len(picked) != 1:
        raise VotingRefused("poll.choose_one")
    if poll.kind == QuestionKind.CHOICE and len(picked) > poll.max_choices:
        raise VotingRefused("poll.too_many_choices", max=poll.max_choices)
    return picked


def entry_for(poll: Poll, user) -> RollEntry | None:
    """The roll entry this person may vote for online (a co-owner shares it).

    A roll can hold ten thousand entries: the database narrows them to those whose list of
    accounts contains the id's digits (the same text on SQLite and PostgreSQL), and the exact
    check runs on those few."""
    candidates = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == poll.id,
        sql_cast(RollEntry.user_ids, String).like(f"%{user.id}%"))).scalars()
    return next((entry for entry in candidates if user.id in entry.user_ids), None)


def current_ballot(poll: Poll, entry: RollEntry) -> Ballot | None:
    return db.session.execute(select(Ballot).where(
        Ballot.poll_id == poll.id, Ballot.roll_entry_id == entry.id)).scalar_one_or_none()


def cast(poll: Poll, entry: RollEntry, choices: list[str], *, user) -> Ballot:
    """An online ballot, or a change to it while the poll allows changes. An online ballot
    replaces a paper or proxy entry for the same voter: the owner keeps the online one."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    if user.id not in entry.user_ids:
        raise VotingRefused("poll.not_on_roll")
    picked = valid_choices(poll, choices)
    _lock(poll)
    ballot = current_ballot(poll, entry)
    now = utcnow()
    if ballot is None:
        ballot = Ballot(poll_id=poll.id, roll_entry_id=entry.id, choices=picked,
                        channel=Channel.ONLINE, receipt=_receipt(), cast_by_id=user.id,
                        cast_at=now)
        db.session.add(ballot)
        action = "cast"
    elif ballot.channel != Channel.ONLINE:
        action = "replace_offline"
    elif poll.allow_change:
        action = "change"
    else:
        raise VotingRefused("poll.already_voted")
    if action != "cast":
        ballot.choices, ballot.channel, ballot.cast_by_id = picked, Channel.ONLINE, user.id
        ballot.changed_at = now
    _append(poll, action, actor=user, receipt=ballot.receipt,
            details={"choices": picked, "channel": Channel.ONLINE, "weight": str(entry.area)})
    db.session.flush()
    return ballot


def enter_offline(poll: Poll, entry: RollEntry, choices: list[str], *, staff, channel: str,
                  reference: str, paper_number: str = "", proxy_holder: str = "") -> Ballot:
    """A paper ballot or a proxy, entered by staff with the reference to the signed paper or
    the written authorisation. An owner who already voted online keeps that ballot."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    picked = valid_choices(poll, choices)
    _lock(poll)
    existing = current_ballot(poll, entry)
    if existing is not None:
        raise VotingRefused("poll.voted_online" if existing.channel == Channel.ONLINE
                            else "poll.already_entered")
    if channel == Channel.PROXY:
        carried = db.session.execute(select(func.count(Ballot.id)).where(
            Ballot.poll_id == poll.id, Ballot.channel == Channel.PROXY,
            Ballot.proxy_holder == proxy_holder)).scalar_one()
        if carried >= poll.proposal.community.proxy_limit:
            raise VotingRefused("poll.too_many_proxies",
                                limit=poll.proposal.community.proxy_limit)
    ballot = Ballot(poll_id=poll.id, roll_entry_id=entry.id, choices=picked, channel=channel,
                    receipt=_receipt(), entered_by_id=staff.id, paper_number=paper_number,
                    reference=reference, proxy_holder=proxy_holder)
    db.session.add(ballot)
    _append(poll, channel, actor=staff, receipt=ballot.receipt,
            details={"choices": picked, "channel": channel, "weight": str(entry.area),
                     "reference": reference})
    db.session.flush()
    return ballot


# --- Closing and counting -------------------------------------------------------------------


def close_poll(poll: Poll, *, actor=None) -> None:
    """Close and publish the preliminary result; objections run for ``objection_days``."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    poll.status = PollStatus.CLOSED
    poll.closed_at = utcnow()
    poll.objection_until = poll.closed_at + timedelta(days=poll.objection_days)
    record("poll.close", actor=actor, community_id=poll.community_id, target=f"poll:{poll.id}",
           details={"early": actor is not None})
    db.session.flush()
    poll_closed.send(poll)


def extend(poll: Poll, closes_at: datetime, *, actor, reason: str) -> None:
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    if closes_at <= poll.closes_at:
        raise VotingRefused("poll.extension_not_later")
    record("poll.extend", actor=actor, community_id=poll.community_id, target=f"poll:{poll.id}",
           details={"from": poll.closes_at.isoformat(), "to": closes_at.isoformat(),
                    "reason": reason})
    poll.closes_at = closes_at
    poll.proposal.closes_at = closes_at
    poll.extension_reason = reason


def finalise(poll: Poll) -> Result:
    """After the objection period: the final result, and the proposal closes with it."""
    if poll.status != PollStatus.CLOSED:
        raise VotingRefused("poll.not_closed")
    official = official_result(poll)
    poll.status = PollStatus.FINAL
    poll.finalised_at = utcnow()
    action = {"passed": Action.CLOSE_PASSED, "no_quorum": Action.CLOSE_NO_QUORUM,
              "rejected": Action.CLOSE_REJECTED, "tie": Action.CLOSE_REJECTED}.get(
        official.outcome)
    # An advisory poll informs; it does not decide the proposal.
    if action is not None and poll.proposal.status == Status.VOTING:
        transition(poll.proposal, action, actor=None)
    db.session.flush()
    poll_finalised.send(poll)
    return official


def refresh(poll: Poll, now: datetime | None = None) -> bool:
    """Let time move the poll on: open at opens_at, close at closes_at, final after the
    objection period. Returns whether anything changed."""
    now = now or utcnow()
    changed = False
    if poll.status == PollStatus.SCHEDULED and now >= poll.opens_at:
        open_poll(poll)
        changed = True
    if poll.status == PollStatus.OPEN and now >= poll.closes_at:
        close_poll(poll)
        changed = True
    if poll.status == PollStatus.CLOSED and now >= poll.objection_until:
        finalise(poll)
        changed = True
    return changed


def due_polls(now: datetime | None = None) -> list[Poll]:
    now = now or utcnow()
    return db.session.execute(select(Poll).where(
        ((Poll.status == PollStatus.SCHEDULED) & (Poll.opens_at <= now))
        | ((Poll.status == PollStatus.OPEN) & (Poll.closes_at <= now))
        | ((Poll.status == PollStatus.CLOSED) & (Poll.objection_until <= now))
    ).order_by(Poll.id)).scalars().all()


def _counted(poll: Poll):
    rows = db.session.execute(
        select(Ballot.choices, RollEntry.key, RollEntry.area)
        .join(RollEntry, RollEntry.id == Ballot.roll_entry_id).where(Ballot.poll_id == poll.id)
    ).all()
    return [CountedBallot(key, frozenset(choices), area) for choices, key, area in rows]


def _served(poll: Poll) -> list[Voter]:
    return [Voter(key, area) for key, area in db.session.execute(
        select(RollEntry.key, RollEntry.area).where(RollEntry.poll_id == poll.id,
                                                    RollEntry.served_via != ""))]


def deemed_count(poll: Poll) -> DeemedCount | None:
    """The raw count and the count with the served non-voters added as the poll's clause
    says; None for a poll without a clause."""
    if not poll.deemed_consent:
        return None
    return tally_with_deemed_consent(
        Rule(poll.rule), Electorate(poll.total_people or 0, poll.total_area or Decimal("0")),
        _counted(poll), served=_served(poll), side=DeemedSide(poll.deemed_consent_side),
        turnout_quorum=_turnout_quorum(poll))


def _turnout_quorum(poll: Poll) -> Fraction | None:
    return (Fraction(poll.turnout_quorum_percent, 100)
            if poll.turnout_quorum_percent is not None else None)


def results(poll: Poll) -> tuple[Result, Result | None]:
    """The count under the poll's rule, and beside it the count with deemed consent where
    the community's rules of procedure have the clause."""
    count = deemed_count(poll)
    if count is not None:
        return count.raw, count.deemed
    electorate = Electorate(poll.total_people or 0, poll.total_area or Decimal("0"))
    options = YES_NO if poll.kind == QuestionKind.YES_NO else \
        [str(option.id) for option in poll.options]
    return tally(Rule(poll.rule), electorate, _counted(poll), options=options, seats=poll.seats,
                 turnout_quorum=_turnout_quorum(poll)), None


def official_result(poll: Poll) -> Result:
    """Deemed consent, where the rules of procedure have the clause, decides; otherwise the
    raw count."""
    raw, deemed = results(poll)
    return deemed or raw


# --- Service of notice (送达) ---------------------------------------------------------------


def _serve(entry: RollEntry, via: ServedVia, at: datetime, by=None) -> bool:
    """The first service of an entry counts; a later one changes nothing."""
    if entry.served_via:
        return False
    entry.served_via, entry.served_at = via, at
    entry.served_by_id = by.id if by is not None else None
    return True


def _check_service_time(poll: Poll, at: datetime) -> None:
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.service_not_open")
    if at > utcnow() or at < poll.created_at:
        raise VotingRefused("poll.service_time")


def serve_online(poll: Poll, entry: RollEntry, at: datetime | None = None) -> bool:
    """A person on this roll entry opened the poll, or read its notification, while it was
    open: served online, at that moment."""
    if poll.status != PollStatus.OPEN or entry.served_via:
        return False
    served = _serve(entry, ServedVia.ONLINE, at or utcnow())
    db.session.flush()
    return served


def serve_online_everywhere(user, at: datetime | None = None) -> int:
    """On sign-in: every open poll whose roll lists this person and has not served them."""
    rows = db.session.execute(
        select(RollEntry).join(Poll, Poll.id == RollEntry.poll_id).where(
            Poll.status == PollStatus.OPEN, RollEntry.served_via == "",
            sql_cast(RollEntry.user_ids, String).like(f"%{user.id}%"))).scalars().all()
    served = sum(_serve(entry, ServedVia.ONLINE, at or utcnow())
                 for entry in rows if user.id in entry.user_ids)
    db.session.flush()
    return served


def record_sms_delivered(poll: Poll, entry: RollEntry, delivered_at: datetime) -> bool:
    """For the SMS sender: the carrier reported the notice delivered to this owner."""
    _check_service_time(poll, delivered_at)
    served = _serve(entry, ServedVia.SMS, delivered_at)
    db.session.flush()
    return served


def record_paper_service(poll: Poll, entry: RollEntry, *, staff, handed_at: datetime) -> None:
    """Staff handed the paper notice and ballot to the owner, at ``handed_at``."""
    _check_service_time(poll, handed_at)
    if entry.poll_id != poll.id:
        raise VotingRefused("poll.not_on_roll")
    if not _serve(entry, ServedVia.PAPER, handed_at, staff):
        raise VotingRefused("poll.already_served")
    record("poll.serve_paper", actor=staff, community_id=poll.community_id,
           target=f"poll:{poll.id}", details={"entry": entry.key,
                                              "at": handed_at.isoformat()})
    db.session.flush()


def record_public_posting(poll: Poll, *, staff, posted_at: datetime) -> int:
    """A public posting serves every owner not yet served, only where the community's rules
    of procedure allow it (指导规则 Art. 22). Returns how many it served."""
    if not poll.proposal.community.public_posting_serves:
        raise VotingRefused("poll.posting_not_allowed")
    _check_service_time(poll, posted_at)
    entries = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == poll.id, RollEntry.served_via == "")).scalars().all()
    for entry in entries:
        _serve(entry, ServedVia.POSTING, posted_at, staff)
    record("poll.serve_posting", actor=staff, community_id=poll.community_id,
           target=f"poll:{poll.id}", details={"served": len(entries),
                                              "at": posted_at.isoformat()})
    db.session.flush()
    return len(entries)


def not_served_by_building(poll: Poll) -> list[tuple[str, list[RollEntry]]]:
    """The roll entries not yet served, grouped by the building of their first unit."""
    entries = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == poll.id, RollEntry.served_via == "").order_by(RollEntry.key)
    ).scalars().all()
    buildings: dict[str, list[RollEntry]] = {}
    for entry in entries:
        buildings.setdefault(entry.units[0][0] if entry.units else "", []).append(entry)
    return sorted(buildings.items())


def service_counts(poll: Poll) -> dict[str, int]:
    """How many roll entries were served each way; "" counts those not yet served."""
    return dict(db.session.execute(
        select(RollEntry.served_via, func.count(RollEntry.id))
        .where(RollEntry.poll_id == poll.id).group_by(RollEntry.served_via)).all())


# --- Verifiability ----------------------------------------------------------------------------


def bulletin(poll: Poll) -> list[tuple[str, Decimal, list[str]]]:
    """After close: every ballot's receipt, weight and choice, without names."""
    return [tuple(row) for row in db.session.execute(
        select(Ballot.receipt, RollEntry.area, Ballot.choices)
        .join(RollEntry, RollEntry.id == Ballot.roll_entry_id)
        .where(Ballot.poll_id == poll.id).order_by(Ballot.receipt)
    ).all()]


def verify_poll_chain(poll: Poll) -> ChainBreak | None:
    events = db.session.execute(select(BallotEvent).where(BallotEvent.poll_id == poll.id)
                                .order_by(BallotEvent.seq)).scalars()
    return find_break(ChainEntry(**hashed_fields(e), hash=e.hash) for e in events)


def audit_package(poll: Poll) -> dict[str, str]:
    """``roster.csv`` and ``ballots.csv`` in the formats of ``flask tally``, and the chain:
    enough for anyone to recount on their own machine; with deemed consent, ``roster.csv``
    says who was served, for ``--deemed``."""
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                                 .order_by(RollEntry.key)).scalars().all()
    roster = io.StringIO()
    writer = csv.writer(roster, lineterminator="\n")
    served = poll.deemed_consent  # the recount's --deemed needs to know who was served
    writer.writerow(["unit", "building", "area_m2", "owner"] + (["served"] if served else []))
    for entry in entries:
        for building, unit, area in entry.units:
            writer.writerow([unit, building, area, entry.key]
                            + ([int(bool(entry.served_via))] if served else []))
    ballots = io.StringIO()
    writer = csv.writer(ballots, lineterminator="\n")
    writer.writerow(["owner", "choice"])
    keys = {entry.id: entry.key for entry in entries}
    for roll_entry_id, choices in db.session.execute(
            select(Ballot.roll_entry_id, Ballot.choices).where(Ballot.poll_id == poll.id)
            .order_by(Ballot.roll_entry_id)).all():
        writer.writerow([keys[roll_entry_id], ";".join(choices)])
    chain = [
        {**{k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in hashed_fields(event).items()}, "hash": event.hash}
        for event in db.session.execute(select(BallotEvent).where(
            BallotEvent.poll_id == poll.id).order_by(BallotEvent.seq)).scalars()
    ]
    return {"roster.csv": roster.getvalue(), "ballots.csv": ballots.getvalue(),
            "chain.json": json.dumps(chain, ensure_ascii=False, indent=1)}


# --- Turnout, reminders and objections ------------------------------------------------------


def turnout(poll: Poll) -> tuple[int, Decimal]:
    """People and area that have voted so far, without saying how: one query."""
    people, area = db.session.execute(
        select(func.count(Ballot.id), func.coalesce(func.sum(RollEntry.area), 0))
        .join(RollEntry, RollEntry.id == Ballot.roll_entry_id).where(Ballot.poll_id == poll.id)
    ).one()
    return people, Decimal(area).quantize(Decimal("0.01"))


def remind_non_voters(poll: Poll, *, actor) -> int:
    """Notify every account on the roll whose entry has no ballot yet; returns how many."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    voted = select(Ballot.roll_entry_id).where(Ballot.poll_id == poll.id)
    user_ids = {uid for user_ids in db.session.execute(
        select(RollEntry.user_ids).where(RollEntry.poll_id == poll.id,
                                         RollEntry.id.not_in(voted))).scalars()
        for uid in user_ids}
    user_ids.discard(actor.id)
    notify(user_ids, "poll_reminder", actor=actor, proposal_id=poll.proposal_id,
           details={"title": poll.proposal.title, "poll": poll.id, "question": poll.question,
                    "closes_at": poll.closes_at.isoformat()})
    return len(user_ids)


def file_objection(poll: Poll, *, user, text: str) -> Objection:
    if poll.status != PollStatus.CLOSED:
        raise VotingRefused("poll.not_in_objection_period")
    objection = Objection(poll_id=poll.id, user_id=user.id, text=text)
    db.session.add(objection)
    db.session.flush()
    return objection


def answer_objection(objection: Objection, *, actor, answer: str) -> None:
    objection.answer = answer
    objection.answered_by_id = actor.id
    objection.answered_at = utcnow()
    db.session.flush()
