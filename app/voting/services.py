"""Polls: create, open (freezing the roll), cast and enter ballots, close, count.

Each function changes the session and flushes; the caller commits. Time moves a poll on by
itself (``refresh``), checked when a poll is looked at and by ``flask polls close-due``.
"""

import gc
import json
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Text, delete, func, insert, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import joinedload, selectinload

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
from app.core.signals import poll_closed, poll_finalised, poll_opened
from app.core.spreadsheets import csv_text
from app.extensions import db, local_zone, utcnow
from app.notices.services import notify
from app.proposals.models import Proposal
from app.proposals.services import may_open_voting, transition
from app.proposals.states import Action, Status
from app.voting.matters import Matter, rule_for
from app.voting.models import (
    Ballot,
    BallotEvent,
    BulletinRow,
    Channel,
    ElectorateKind,
    Objection,
    Poll,
    PollOption,
    PollResult,
    PollStatus,
    QuestionKind,
    ResultsVisibility,
    RollEntry,
    RollEntryAccount,
    Secrecy,
    ServedVia,
)
from app.voting.proof import CLOSE_ACTION, OPEN_ACTION, result_summary, roll_hash
from app.voting.proxies import normalise_id_number, valid_id_number
from app.voting.roll import RosterUnit, owner_roll
from app.voting.rules import (
    INVALID,
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
from app.voting.sealing import derive_key, opener, seal, unseal
from app.voting.stored import count_from_json, count_to_json, digest

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
    if (settings.get("visibility") == ResultsVisibility.LIVE
            and settings.get("secrecy", Secrecy.SECRET) == Secrecy.SECRET):
        raise VotingRefused("poll.live_results_secret")
    _check_rule(rule, electorate, matter)
    poll = Poll(proposal=proposal, community_id=proposal.community_id, question=question,
                rule=rule, kind=kind, max_choices=max_choices, seats=seats,
                electorate=electorate, organisation_id=organisation.id if organisation else None,
                opens_at=opens_at, closes_at=closes_at, created_by_id=actor.id,
                **{"created_at": utcnow(), **settings})
    if is_owners_decision(poll):
        poll.matter = int(matter)
        # A time already past opens the poll at once: at its announcement.
        if max(opens_at, poll.created_at) < earliest_opening(poll):
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
    day = poll.opens_at.astimezone(local_zone()).date()
    members = [m.user_id for m in db.session.execute(select(Membership).where(
        Membership.organisation_id == poll.organisation_id).order_by(Membership.user_id)
    ).scalars() if m.has_vote(day)]  # a party branch's roll: full members not on leave
    return [dict(key=f"M{number:05d}", label="", area=Decimal("0"), units=[], user_ids=[uid])
            for number, uid in enumerate(members, start=1)]


def open_poll(poll: Poll, *, actor=None) -> None:
    """Freeze the roll and publish its totals and hash, which open the poll's chain; later
    roster changes do not touch it. Under the poll's lock, so only one request opens it."""
    _lock(poll)
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
        _index_accounts(poll, entries)
    poll.total_people = len(entries)
    poll.total_area = sum((e["area"] for e in entries), Decimal("0"))
    poll.roll_hash = roll_hash((e["key"], e["area"], e["units"]) for e in entries)
    poll.status = PollStatus.OPEN
    poll.opened_at = utcnow()
    _append(poll, OPEN_ACTION, actor=actor, receipt="roll",
            details={"roll_hash": poll.roll_hash, "people": poll.total_people,
                     "area": f"{poll.total_area:.2f}"})
    proposal = poll.proposal
    if proposal.status == Status.DELIBERATION:
        transition(proposal, Action.OPEN_VOTING, actor=actor)
    proposal.closes_at = poll.closes_at
    notify({uid for entry in entries for uid in entry["user_ids"]}, "poll_opened",
           actor=actor, proposal_id=poll.proposal_id, details=poll_details(poll))
    db.session.flush()
    poll_opened.send(poll)


# --- Ballots --------------------------------------------------------------------------------


def _lock(poll: Poll) -> None:
    """Serialise everything that writes one poll's ballots, chain or status, and reload the
    poll: a status checked after this is the committed one, not what the request read
    before another closed or opened the poll. PostgreSQL locks the row (SELECT ... FOR
    UPDATE); SQLite takes its one write lock with a no-op update."""
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Poll.id).where(Poll.id == poll.id).with_for_update())
    else:
        db.session.execute(update(Poll).where(Poll.id == poll.id).values(id=Poll.id))
    db.session.refresh(poll)


def _lock_for_ballot(poll: Poll, entry: RollEntry) -> None:
    """``_lock``, and the roll entry about to get its ballot read as it is now, in one
    statement on PostgreSQL: SELECT ... FOR UPDATE of both rows, which waits for whoever
    holds them and then returns them as that transaction left them. Locking the entry too
    is what makes its read fresh; every ballot write takes the poll's lock first anyway."""
    db.session.flush()
    query = (select(Poll, RollEntry).join(RollEntry, RollEntry.poll_id == Poll.id)
             .where(Poll.id == poll.id, RollEntry.id == entry.id)
             .execution_options(populate_existing=True))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:
        db.session.execute(update(Poll).where(Poll.id == poll.id).values(id=Poll.id))
    if db.session.execute(query).first() is None:
        raise VotingRefused("poll.not_on_roll")


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


def _index_accounts(poll: Poll, entries: list[dict]) -> None:
    """The frozen roll's accounts, one row per account and entry, for ``entry_for``."""
    entry_ids = dict(db.session.execute(select(RollEntry.key, RollEntry.id).where(
        RollEntry.poll_id == poll.id)).all())
    accounts = [dict(poll_id=poll.id, user_id=user_id, roll_entry_id=entry_ids[entry["key"]])
                for entry in entries for user_id in sorted(set(entry["user_ids"]))]
    if accounts:
        db.session.execute(insert(RollEntryAccount), accounts)


def entry_for(poll: Poll, user) -> RollEntry | None:
    """The roll entry this person may vote for online (a co-owner shares it; of a person's
    two entries, the first): one lookup by primary key however long the roll."""
    return db.session.execute(
        select(RollEntry).join(RollEntryAccount, RollEntryAccount.roll_entry_id == RollEntry.id)
        .where(RollEntryAccount.poll_id == poll.id, RollEntryAccount.user_id == user.id)
        .order_by(RollEntryAccount.roll_entry_id).limit(1)).scalar_one_or_none()


def ballot_key() -> bytes:
    """BALLOT_KEY, or else a key derived from SECRET_KEY: either way a setting, never a
    value in the database. Changing it makes the open polls' seals unreadable."""
    return derive_key(current_app.config.get("BALLOT_KEY") or current_app.config["SECRET_KEY"])


def _to_the_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def current_ballot(poll: Poll, entry: RollEntry) -> Ballot | None:
    """The entry's ballot, found through its seal: one row by its id."""
    if entry.ballot_seal is None:
        return None
    ballot_id = unseal(ballot_key(), poll.id, entry.id, entry.ballot_seal)
    if not 0 < ballot_id < 2**31:  # opened with another key: noise, no row's id
        return None
    ballot = db.session.get(Ballot, ballot_id)
    return ballot if ballot is not None and ballot.poll_id == poll.id else None


def _new_ballot(poll: Poll, entry: RollEntry, picked: list[str], *, channel: str,
                **how) -> Ballot:
    """Store the ballot with its receipt and choices only, and mark the entry as voted with
    the sealed link to it. The mark is set only where none is yet: one ballot per voter even
    if two requests got past the checks."""
    ballot = Ballot(poll_id=poll.id, choices=picked, receipt=_receipt())
    db.session.add(ballot)
    db.session.flush()
    marked = db.session.execute(
        update(RollEntry).where(RollEntry.id == entry.id, RollEntry.ballot_seal.is_(None))
        .values(voted_at=_to_the_hour(utcnow()), voted_channel=channel,
                ballot_seal=seal(ballot_key(), poll.id, entry.id, ballot.id), **how)
    ).rowcount
    if marked != 1:
        raise VotingRefused("poll.already_voted")
    # The turnout counters, in the same transaction and under the poll's lock as the mark.
    db.session.execute(update(Poll).where(Poll.id == poll.id).values(
        voted_people=Poll.voted_people + 1, voted_area=Poll.voted_area + entry.area))
    return ballot


def _chain_entry(poll: Poll, action: str, *, actor, ballot: Ballot, entry: RollEntry,
                 picked: list[str], channel: str, **extra) -> None:
    """A secret poll's chain says which receipt chose what, and nothing else: no voter, no
    channel, no weight, no actor, and one word for every first ballot and every change."""
    if poll.secrecy == Secrecy.SECRET:
        _append(poll, "change" if action in {"change", "replace_offline"} else "cast",
                actor=None, receipt=ballot.receipt, details={"choices": picked})
    else:
        _append(poll, action, actor=actor, receipt=ballot.receipt,
                details={"entry": entry.key, "choices": picked, "channel": channel,
                         "weight": str(entry.area), **extra})


def cast(poll: Poll, entry: RollEntry, choices: list[str], *, user) -> Ballot:
    """An online ballot, or a change to it while the poll allows changes. An online ballot
    replaces a paper or proxy entry for the same voter: the owner keeps the online one."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    if user.id not in entry.user_ids:
        raise VotingRefused("poll.not_on_roll")
    picked = valid_choices(poll, choices)
    _lock_for_ballot(poll, entry)
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    ballot = current_ballot(poll, entry)
    if ballot is None:
        ballot = _new_ballot(poll, entry, picked, channel=Channel.ONLINE, voted_by_id=user.id)
        action = "cast"
    elif entry.voted_channel != Channel.ONLINE:
        action = "replace_offline"
    elif poll.allow_change:
        action = "change"
    else:
        raise VotingRefused("poll.already_voted")
    if action != "cast":
        ballot.choices = picked
        entry.voted_channel, entry.voted_by_id = Channel.ONLINE, user.id
    _chain_entry(poll, action, actor=user, ballot=ballot, entry=entry, picked=picked,
                 channel=Channel.ONLINE)
    db.session.flush()
    return ballot


def carried_proxies(poll: Poll, *, holder=None, id_number: str = "") -> int:
    """How many ballots of this poll one proxy holder carries, by account or ID number."""
    same_holder = (RollEntry.proxy_user_id == holder.id) if holder is not None \
        else (RollEntry.proxy_id_number == id_number)
    return db.session.execute(select(func.count(RollEntry.id)).where(
        RollEntry.poll_id == poll.id, RollEntry.voted_channel == Channel.PROXY,
        same_holder)).scalar_one()


def enter_offline(poll: Poll, entry: RollEntry, choices: list[str], *, staff, channel: str,
                  reference: str, paper_number: str = "", proxy_holder=None,
                  proxy_id_number: str = "") -> Ballot:
    """A paper ballot or a proxy, entered by staff with the reference to the signed paper or
    the written authorisation. An owner who already voted online keeps that ballot. A proxy
    names its holder by account or by ID number, never by a name typed in; the owners of
    the entry are told, so that one who gave no such ballot can say so."""
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    picked = [] if list(choices) == [INVALID] else valid_choices(poll, choices)
    paper_number = paper_number.strip() if channel == Channel.PAPER else ""
    if channel == Channel.PAPER and not paper_number:
        raise VotingRefused("poll.paper_number_needed")
    if channel == Channel.PROXY:
        proxy_id_number = normalise_id_number(proxy_id_number)
        if (proxy_holder is None) == (not proxy_id_number):
            raise VotingRefused("poll.proxy_holder_needed")
        if proxy_id_number and not valid_id_number(proxy_id_number):
            raise VotingRefused("poll.bad_id_number")
    else:
        proxy_holder, proxy_id_number = None, ""
    _lock_for_ballot(poll, entry)
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    if entry.ballot_seal is not None:
        raise VotingRefused("poll.voted_online" if entry.voted_channel == Channel.ONLINE
                            else "poll.already_entered")
    if paper_number and db.session.execute(select(RollEntry.id).where(
            RollEntry.poll_id == poll.id, RollEntry.paper_number == paper_number)).first():
        raise VotingRefused("poll.paper_number_taken", number=paper_number)
    if channel == Channel.PROXY:
        limit = poll.proposal.community.proxy_limit
        if carried_proxies(poll, holder=proxy_holder, id_number=proxy_id_number) >= limit:
            raise VotingRefused("poll.too_many_proxies", limit=limit)
    ballot = _new_ballot(
        poll, entry, picked, channel=channel, entered_by_id=staff.id,
        paper_number=paper_number or None, reference=reference,
        proxy_user_id=proxy_holder.id if proxy_holder is not None else None,
        proxy_id_number=proxy_id_number or None)
    _chain_entry(poll, channel, actor=staff, ballot=ballot, entry=entry, picked=picked,
                 channel=channel, reference=reference)
    notify(entry.user_ids, "ballot_entered", actor=staff, proposal_id=poll.proposal_id,
           details={"title": poll.proposal.title, "poll": poll.id, "question": poll.question,
                    "channel": channel})
    db.session.flush()
    return ballot


def dispute_offline_entry(poll: Poll, entry: RollEntry, *, user, text: str) -> Objection:
    """An owner says a paper or proxy ballot in their name was not theirs: an objection the
    organiser answers, filed while the poll is open or in its objection period."""
    if entry.voted_channel not in {Channel.PAPER, Channel.PROXY}:
        raise VotingRefused("poll.nothing_entered_for_you")
    if poll.status not in {PollStatus.OPEN, PollStatus.CLOSED}:
        raise VotingRefused("poll.not_in_objection_period")
    objection = Objection(poll_id=poll.id, user_id=user.id, text=text)
    db.session.add(objection)
    record("poll.entry_disputed", actor=user, community_id=poll.community_id,
           target=f"poll:{poll.id}", details={"channel": entry.voted_channel})
    db.session.flush()
    return objection


# --- Closing and counting -------------------------------------------------------------------


def close_poll(poll: Poll, *, actor=None) -> None:
    """Close and publish the preliminary result; objections run for ``objection_days``.

    Under the poll's lock, so no ballot is written after it and only one request closes.
    The result ends the poll's chain; the result and both chain heads are kept for the
    notice, which prints them, and for ``flask audit verify``, which recounts."""
    _lock(poll)
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    poll.status = PollStatus.CLOSED
    poll.closed_at = utcnow()
    poll.objection_until = poll.closed_at + timedelta(days=poll.objection_days)
    stored = store_result(poll)
    raw, count = count_from_json(stored.count)
    official = count.deemed if count is not None else raw
    summary = result_summary(official)
    chain_head = _append(poll, CLOSE_ACTION, actor=actor, receipt="result",
                         details={"result": summary, "stored": stored.digest})
    audit_head = record("poll.close", actor=actor, community_id=poll.community_id,
                        target=f"poll:{poll.id}", details={"early": actor is not None})
    poll.published_result = {
        "result": summary, "roll_hash": poll.roll_hash,
        "chain_head": {"seq": chain_head.seq, "hash": chain_head.hash},
        "audit_head": {"seq": audit_head.seq, "hash": audit_head.hash},
    }
    _notify_result(poll, "preliminary", official.outcome)
    db.session.flush()
    poll_closed.send(poll)


def _bulletin_rows(poll: Poll, ballots: list, pairs: list[tuple]) -> list[tuple]:
    """A secret poll's bulletin lists every ballot without its voter; an open-roll poll's
    the paired ones, with their rooms and weight. By receipt."""
    if poll.secrecy == Secrecy.SECRET:
        return sorted((ballot.receipt, None, None, ballot.choices) for ballot in ballots)
    return sorted((ballot.receipt, entry.label, entry.area, ballot.choices)
                  for entry, ballot in pairs)


def fresh_result(poll: Poll) -> tuple[dict, tuple[int, Decimal], list[tuple]]:
    """What ``store_result`` writes, computed from the ballots and voted marks now: the
    count as JSON, the turnout and the bulletin rows. The ballots are paired with their
    roll entries once, for the count and the bulletin alike."""
    ballots, pairs = _paired(poll)
    raw, count = _count(poll, _electorate(poll), [
        CountedBallot(entry.key, frozenset(ballot.choices), entry.area)
        for entry, ballot in pairs])
    return (count_to_json(raw, count), recount_turnout(poll),
            _bulletin_rows(poll, ballots, pairs))



def _insert_bulletin(poll: Poll, rows: list[tuple]) -> None:
    """An open-roll poll's rows, paired in memory: PostgreSQL takes them by COPY in this
    transaction (8,000 bound rows are 8,000 round trips otherwise); SQLite, in process, by
    executemany."""
    if db.session.get_bind().dialect.name == "postgresql":
        cursor = db.session.connection().connection.cursor()
        with cursor.copy("COPY bulletin_rows (poll_id, receipt, rooms, area, choices) "
                         "FROM STDIN") as copy:
            for receipt, rooms, weight, choices in rows:
                copy.write_row((poll.id, receipt, rooms, weight, json.dumps(choices)))
        return
    db.session.execute(insert(BulletinRow.__table__), [
        dict(poll_id=poll.id, receipt=receipt, rooms=rooms, area=weight, choices=choices)
        for receipt, rooms, weight, choices in rows])


@contextmanager
def _no_cycle_collection():
    """A count makes tens of thousands of short-lived rows, tuples and ballots, none of them
    in a reference cycle, and the cycle collector's passes over them took a third of the
    close's time: it waits until the count is done (reference counting frees as ever).
    The switch is the process's: another thread's cycles wait those few hundred milliseconds
    too; a count turns it back on only if it found it on, so it is never left off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def store_result(poll: Poll) -> PollResult:
    """Count once and store the count, turnout and bulletin (replacing what was stored):
    in the transaction that closes the poll, and again at finalise."""
    with _no_cycle_collection():
        count, (people, area), rows = fresh_result(poll)
        db.session.execute(delete(BulletinRow).where(BulletinRow.poll_id == poll.id))
        if poll.secrecy == Secrecy.SECRET:
            # The ballots as they are (receipt and choices): copied inside the database.
            db.session.execute(insert(BulletinRow).from_select(
                ["poll_id", "receipt", "choices"],
                select(Ballot.poll_id, Ballot.receipt, Ballot.choices)
                .where(Ballot.poll_id == poll.id)))
        elif rows:
            _insert_bulletin(poll, rows)
        raw, deemed = count_from_json(count)
        stored = db.session.get(PollResult, poll.id) or PollResult(poll_id=poll.id)
        stored.counted_at = utcnow()
        stored.voted_people, stored.voted_area = people, area
        stored.outcome = (deemed.deemed if deemed is not None else raw).outcome
        stored.count = count
        stored.digest = digest(count, people, area, rows)
    db.session.add(stored)
    db.session.flush()
    return stored


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
    poll.closing_reminder_days = None  # the new date gets its own "3 days, 1 day" reminders


def finalise(poll: Poll) -> Result:
    """After the objection period: the final result, and the proposal closes with it."""
    _lock(poll)
    if poll.status != PollStatus.CLOSED:
        raise VotingRefused("poll.not_closed")
    raw, count = count_from_json(store_result(poll).count)
    official = count.deemed if count is not None else raw
    poll.status = PollStatus.FINAL
    poll.finalised_at = utcnow()
    action = {"passed": Action.CLOSE_PASSED, "no_quorum": Action.CLOSE_NO_QUORUM,
              "rejected": Action.CLOSE_REJECTED, "tie": Action.CLOSE_REJECTED}.get(
        official.outcome)
    # An advisory poll informs; it does not decide the proposal.
    if action is not None and poll.proposal.status == Status.VOTING:
        transition(poll.proposal, action, actor=None)
    _notify_result(poll, "final", official.outcome)
    db.session.flush()
    poll_finalised.send(poll)
    return official


def _due(poll: Poll, now: datetime) -> bool:
    return (poll.status == PollStatus.SCHEDULED and now >= poll.opens_at
            or poll.status == PollStatus.OPEN and now >= poll.closes_at
            or poll.status == PollStatus.CLOSED and now >= poll.objection_until)


def refresh(poll: Poll, now: datetime | None = None) -> bool:
    """Let time move the poll on: open at opens_at, close at closes_at, final after the
    objection period. Returns whether anything changed.

    Many page views may find the same poll due at once: after taking the poll's lock each
    looks again, so one of them opens or closes it and the others change nothing."""
    now = now or utcnow()
    if not _due(poll, now):
        return False
    _lock(poll)
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


def voters_with_ballots(poll: Poll) -> list[tuple]:
    """Each voted roll entry (id, key, area, label) with its ballot (receipt, choices),
    paired in memory through the seals: two queries, and the database never holds the
    pairs. A ballot no entry seals to is nobody's and is not counted."""
    return _paired(poll)[1]


class _BallotRow(NamedTuple):
    id: int
    receipt: str
    choices: list[str]


def _paired(poll: Poll) -> tuple[list[_BallotRow], list[tuple]]:
    """Every ballot of the poll (id, receipt, choices), and the pairs of voters_with_ballots.

    The choices arrive as JSON text and are parsed once per distinct text: a poll has a
    handful of different ballots however many thousands were cast."""
    open_seal = opener(ballot_key(), poll.id)
    parsed: dict[str, list[str]] = {}
    ballots = {}
    # Plain Core rows on the session's connection: the ORM's row loading costs more than
    # the rest of the pairing for thousands of rows.
    db.session.flush()
    connection = db.session.connection()
    for ballot_id, receipt, choices in connection.execute(
            select(Ballot.id, Ballot.receipt, sql_cast(Ballot.choices, Text))
            .where(Ballot.poll_id == poll.id)):
        if choices not in parsed:
            parsed[choices] = json.loads(choices)
        ballots[ballot_id] = _BallotRow(ballot_id, receipt, parsed[choices])
    pairs = []
    for entry in connection.execute(
            select(RollEntry.id, RollEntry.key, RollEntry.area, RollEntry.label,
                   RollEntry.ballot_seal)
            .where(RollEntry.poll_id == poll.id, RollEntry.ballot_seal.is_not(None))
            .order_by(RollEntry.key)):
        ballot = ballots.get(open_seal(entry.id, entry.ballot_seal))
        if ballot is not None:
            pairs.append((entry, ballot))
    return list(ballots.values()), pairs


def _counted(poll: Poll):
    return [CountedBallot(entry.key, frozenset(ballot.choices), entry.area)
            for entry, ballot in voters_with_ballots(poll)]


def weights_by_receipt(poll: Poll) -> dict[str, Decimal]:
    """What each receipt weighs, for a recount from the chain, which (in a secret poll)
    carries no weight: needs the ballot key, so only the server can say it."""
    return {ballot.receipt: entry.area for entry, ballot in voters_with_ballots(poll)}


def _served(poll: Poll) -> list[Voter]:
    """The owners served the notice who did not vote: by the voted marks, so that a recount
    keyed by receipt (a secret poll's chain) adds the same owners as the tables' count."""
    return [Voter(key, area) for key, area in db.session.execute(
        select(RollEntry.key, RollEntry.area).where(
            RollEntry.poll_id == poll.id, RollEntry.served_via != "",
            RollEntry.voted_at.is_(None)))]


def _electorate(poll: Poll) -> Electorate:
    return Electorate(poll.total_people or 0, poll.total_area or Decimal("0"))


def _turnout_quorum(poll: Poll) -> Fraction | None:
    return (Fraction(poll.turnout_quorum_percent, 100)
            if poll.turnout_quorum_percent is not None else None)


def _deemed(poll: Poll, electorate: Electorate,
            ballots: list[CountedBallot]) -> DeemedCount | None:
    if not poll.deemed_consent:
        return None
    return tally_with_deemed_consent(
        Rule(poll.rule), electorate, ballots, served=_served(poll),
        side=DeemedSide(poll.deemed_consent_side), turnout_quorum=_turnout_quorum(poll))


def _count(poll: Poll, electorate: Electorate,
           ballots: list[CountedBallot]) -> tuple[Result, DeemedCount | None]:
    count = _deemed(poll, electorate, ballots)
    if count is not None:
        return count.raw, count
    options = YES_NO if poll.kind == QuestionKind.YES_NO else \
        [str(option.id) for option in poll.options]
    return tally(Rule(poll.rule), electorate, ballots, options=options, seats=poll.seats,
                 turnout_quorum=_turnout_quorum(poll)), None


def count_ballots(poll: Poll, electorate: Electorate,
                  ballots: list[CountedBallot]) -> tuple[Result, Result | None]:
    """The count under the poll's rule, and beside it the count with deemed consent where
    the community's rules of procedure have the clause: for the tables' ballots or for
    those the chain proves."""
    raw, count = _count(poll, electorate, ballots)
    return raw, count.deemed if count is not None else None


def stored_result(poll: Poll) -> PollResult | None:
    """A closed poll's count as stored at close; None while open, or for a poll closed
    before results were stored. One query at most per request: the poll keeps it."""
    if poll.status not in (PollStatus.CLOSED, PollStatus.FINAL):
        return None
    return poll.stored


def _current_count(poll: Poll) -> tuple[Result, DeemedCount | None]:
    """From the stored row once closed, else counted from the ballots now."""
    stored = stored_result(poll)
    if stored is not None:
        return count_from_json(stored.count)
    return _count(poll, _electorate(poll), _counted(poll))


def deemed_count(poll: Poll) -> DeemedCount | None:
    """The raw count and the count with the served non-voters added as the poll's clause
    says; None for a poll without a clause."""
    if not poll.deemed_consent:
        return None
    return _current_count(poll)[1]


def results(poll: Poll) -> tuple[Result, Result | None]:
    """The raw count and the deemed one (None without a clause): a closed poll's as stored
    at close, an open one's counted now."""
    raw, count = _current_count(poll)
    return raw, count.deemed if count is not None else None


def recount_results(poll: Poll) -> tuple[Result, Result | None]:
    """Counted from the ballots now, whatever is stored: for ``flask audit verify``."""
    raw, count = _count(poll, _electorate(poll), _counted(poll))
    return raw, count.deemed if count is not None else None


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
        select(RollEntry).join(Poll, Poll.id == RollEntry.poll_id)
        .join(RollEntryAccount, RollEntryAccount.roll_entry_id == RollEntry.id).where(
            Poll.status == PollStatus.OPEN, RollEntry.served_via == "",
            RollEntryAccount.user_id == user.id)).scalars().all()
    served = sum(_serve(entry, ServedVia.ONLINE, at or utcnow()) for entry in rows)
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


def bulletin(poll: Poll) -> list[tuple[str, str | None, Decimal | None, list[str]]]:
    """Every ballot's receipt and choice, by receipt, from the ballots themselves. An
    open-roll poll adds the rooms and the weight; a secret poll neither, since an area to
    the hundredth names the room."""
    return _bulletin_rows(poll, *_paired(poll))


BULLETIN_PAGE = 100
RECEIPT_SEARCH_MIN = 6  # characters of the code, the hyphen not counted


def normalised_receipt(text: str) -> str:
    """A receipt as typed (any case, with or without the hyphen or spaces) in the form it
    is printed: "abcde fg" -> "ABCDE-FG"."""
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{code[:5]}-{code[5:]}" if len(code) > 5 else code


def stored_bulletin(poll: Poll, *, page: int = 1, receipt: str = ""):
    """One page (a Flask-SQLAlchemy pagination) of a closed poll's stored bulletin, by
    receipt; with ``receipt`` (a whole code, or its first RECEIPT_SEARCH_MIN characters or
    more), only the rows it starts. Two queries, however long the bulletin."""
    query = select(BulletinRow).where(BulletinRow.poll_id == poll.id)
    if receipt:
        query = query.where(BulletinRow.receipt.like(f"{receipt}%"))
    return db.paginate(query.order_by(BulletinRow.receipt), page=page,
                       per_page=BULLETIN_PAGE, error_out=False)


def bulletin_csv(poll: Poll) -> str:
    """The whole stored bulletin as CSV, in the columns of the page."""
    secret = poll.secrecy == Secrecy.SECRET
    rows = db.session.execute(select(
        BulletinRow.receipt, BulletinRow.rooms, BulletinRow.area, BulletinRow.choices)
        .where(BulletinRow.poll_id == poll.id).order_by(BulletinRow.receipt)).all()
    header = ["receipt", "choice"] if secret else ["receipt", "rooms", "area_m2", "choice"]
    return csv_text([header] + [
        [receipt, ";".join(choices) or INVALID] if secret
        else [receipt, rooms, f"{area:.2f}", ";".join(choices) or INVALID]
        for receipt, rooms, area, choices in rows])


def verify_poll_chain(poll: Poll) -> ChainBreak | None:
    events = db.session.execute(select(BallotEvent).where(BallotEvent.poll_id == poll.id)
                                .order_by(BallotEvent.seq)).scalars()
    return find_break(ChainEntry(**hashed_fields(e), hash=e.hash) for e in events)


def audit_package(poll: Poll) -> dict[str, str]:
    """``roster.csv``, ``ballots.csv`` and the chain. For an open-roll poll, the formats of
    ``flask tally``: enough for anyone to recount on their own machine; with deemed consent,
    ``roster.csv`` says who was served, for ``--deemed``. For a secret poll, the units
    without their voters' keys and the ballots by receipt only, so the package links no
    ballot to a room; what each receipt weighs stays behind the ballot key."""
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                                 .order_by(RollEntry.key)).scalars().all()
    secret = poll.secrecy == Secrecy.SECRET
    served = poll.deemed_consent  # the recount's --deemed needs to know who was served
    roster = [["unit", "building", "area_m2"] + ([] if secret else ["owner"])
              + (["served"] if served else [])]
    roster += [[unit, building, area] + ([] if secret else [entry.key])
               + ([int(bool(entry.served_via))] if served else [])
               for entry in entries for building, unit, area in entry.units]
    if secret:
        ballots = [["receipt", "choice"]]
        ballots += [[receipt, ";".join(choices) or INVALID]
                    for receipt, _rooms, _area, choices in bulletin(poll)]
    else:
        ballots = [["owner", "choice"]]
        ballots += [[entry.key, ";".join(ballot.choices) or INVALID]
                    for entry, ballot in voters_with_ballots(poll)]
    chain = [
        {**{k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in hashed_fields(event).items()}, "hash": event.hash}
        for event in db.session.execute(select(BallotEvent).where(
            BallotEvent.poll_id == poll.id).order_by(BallotEvent.seq)).scalars()
    ]
    return {"roster.csv": csv_text(roster, lineterminator="\n"),
            "ballots.csv": csv_text(ballots, lineterminator="\n"),
            "chain.json": json.dumps(chain, ensure_ascii=False, indent=1)}


# --- Turnout, reminders and objections ------------------------------------------------------


def turnout(poll: Poll) -> tuple[int, Decimal]:
    """People and area that have voted: a closed poll's as stored at close, an open one's
    from the counters on its row (no query beyond the stored row)."""
    stored = stored_result(poll)
    if stored is not None:
        return stored.voted_people, Decimal(stored.voted_area).quantize(Decimal("0.01"))
    return poll.voted_people or 0, Decimal(poll.voted_area or 0).quantize(Decimal("0.01"))


def recount_turnout(poll: Poll) -> tuple[int, Decimal]:
    """People and area that have voted, counted over the voted marks: one query."""
    people, area = db.session.execute(
        select(func.count(RollEntry.id), func.coalesce(func.sum(RollEntry.area), 0))
        .where(RollEntry.poll_id == poll.id, RollEntry.voted_at.is_not(None))
    ).one()
    return people, Decimal(area).quantize(Decimal("0.01"))


REMIND_EVERY = timedelta(hours=24)
# Automatic reminders to non-voters, in days before the poll closes.
CLOSING_REMINDERS = (3, 1)


def poll_details(poll: Poll, **extra) -> dict:
    """What every poll notification carries (the contract with the SMS and slip senders)."""
    return {"title": poll.proposal.title, "poll": poll.id, "question": poll.question,
            "closes_at": poll.closes_at.isoformat(), **extra}


def roll_accounts(poll: Poll, *, not_voted: bool = False) -> set[int]:
    """The accounts on the poll's roll (of the entries without a ballot): one query over
    the index of accounts, not the JSON lists of ten thousand entries."""
    query = select(RollEntryAccount.user_id).where(RollEntryAccount.poll_id == poll.id)
    if not_voted:
        query = query.join(RollEntry, RollEntry.id == RollEntryAccount.roll_entry_id).where(
            RollEntry.voted_at.is_(None))
    return set(db.session.execute(query).scalars())


def _notify_result(poll: Poll, stage: str, outcome: str) -> None:
    """The preliminary (at close) or final result, to everyone on the roll. ``outcome`` is
    the count's own word: passed, rejected, no_quorum, advisory or tie."""
    notify(roll_accounts(poll), "poll_result", proposal_id=poll.proposal_id,
           details=poll_details(poll, stage=stage, outcome=outcome))


def remind_non_voters(poll: Poll, *, actor, now: datetime | None = None) -> int:
    """Notify every account on the roll whose entry has no ballot yet, at most once every
    REMIND_EVERY per poll whoever presses; returns how many. The claim on the day is one
    conditional UPDATE, so of two presses at once (two organisers, a double tap) only one
    sends: the other waits on the row and then finds the reminder already sent."""
    now = now or utcnow()
    if poll.status != PollStatus.OPEN:
        raise VotingRefused("poll.not_open")
    user_ids = roll_accounts(poll, not_voted=True) - {actor.id}
    claimed = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.status == PollStatus.OPEN,
                           or_(Poll.reminded_at.is_(None),
                               Poll.reminded_at <= now - REMIND_EVERY))
        .values(reminded_at=now, reminded_count=len(user_ids))
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(poll)
    if claimed != 1:
        if poll.reminded_at is None:
            raise VotingRefused("poll.not_open")
        raise VotingRefused("poll.reminded_recently", at=poll.reminded_at,
                            num=poll.reminded_count or 0,
                            next_at=poll.reminded_at + REMIND_EVERY)
    notify(user_ids, "poll_reminder", actor=actor, proposal_id=poll.proposal_id,
           details=poll_details(poll))
    record("poll.remind", actor=actor, community_id=poll.community_id,
           target=f"poll:{poll.id}", details={"reminded": len(user_ids)})
    return len(user_ids)


def remind_closing(now: datetime | None = None) -> int:
    """3 days and 1 day before an open poll closes, remind those on its roll who have not
    voted ("poll_closing"). Each threshold goes out once per poll however often this runs
    (from cron): a conditional UPDATE of the poll's ``closing_reminder_days`` claims it.
    A poll found late (opened with 20 hours left) gets only the nearest threshold.
    Returns how many polls sent a reminder."""
    now = now or utcnow()
    soonest = min(CLOSING_REMINDERS)
    polls = db.session.execute(
        select(Poll).where(Poll.status == PollStatus.OPEN, Poll.closes_at > now,
                           Poll.closes_at <= now + timedelta(days=max(CLOSING_REMINDERS)),
                           or_(Poll.closing_reminder_days.is_(None),
                               Poll.closing_reminder_days > soonest))
        .options(joinedload(Poll.proposal)).order_by(Poll.id)).scalars().all()
    sent = 0
    for poll in polls:
        days = min(d for d in CLOSING_REMINDERS if poll.closes_at - now <= timedelta(days=d))
        claimed = db.session.execute(
            update(Poll).where(Poll.id == poll.id, Poll.status == PollStatus.OPEN,
                               or_(Poll.closing_reminder_days.is_(None),
                                   Poll.closing_reminder_days > days))
            .values(closing_reminder_days=days)).rowcount
        if claimed == 1:
            notify(roll_accounts(poll, not_voted=True), "poll_closing",
                   proposal_id=poll.proposal_id, details=poll_details(poll, days_left=days))
            sent += 1
    db.session.flush()
    return sent


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


# --- The community's rules for owners' votes ---------------------------------------------------

VOTING_SETTINGS = ("notice_days", "public_posting_serves", "deemed_consent_side",
                   "deemed_consent_article", "deemed_consent_text", "objection_place",
                   "objection_phone", "sms_cap_per_poll")


def update_voting_settings(community, *, actor, **values) -> None:
    """Change the rules owners' votes follow (audited). A poll already announced keeps the
    clause it copied, so a change never alters a count under way."""
    if not values["deemed_consent_side"]:
        values.update(deemed_consent_article="", deemed_consent_text="")
    before = {name: getattr(community, name) for name in VOTING_SETTINGS}
    for name in VOTING_SETTINGS:
        setattr(community, name, values[name])
    record("community.voting_settings", actor=actor, community_id=community.id,
           target=f"community:{community.id}",
           details={"before": before, "after": {n: values[n] for n in VOTING_SETTINGS}})


# --- What waits for a voter ---------------------------------------------------------------


@dataclass(frozen=True)
class WaitingVote:
    poll: Poll
    receipt: str | None  # once voted, the receipt the voter can check on the bulletin


def open_votes_for(user) -> list[WaitingVote]:
    """The open polls on whose roll this person stands, the soonest to close first, each
    with its receipt once voted: two queries however many polls there are."""
    now = utcnow()
    rows = db.session.execute(
        select(Poll, RollEntry).join(RollEntry, RollEntry.poll_id == Poll.id)
        .join(RollEntryAccount, RollEntryAccount.roll_entry_id == RollEntry.id)
        .where(Poll.status == PollStatus.OPEN, Poll.closes_at > now,
               RollEntryAccount.user_id == user.id)
        .options(joinedload(Poll.proposal))
        .order_by(Poll.closes_at, Poll.id, RollEntry.id)).all()
    key = ballot_key()
    sealed = {entry.id: unseal(key, poll.id, entry.id, entry.ballot_seal)
              for poll, entry in rows if entry.ballot_seal is not None}
    receipts = dict(db.session.execute(
        select(Ballot.id, Ballot.receipt).where(Ballot.id.in_(list(sealed.values()))))
        .all()) if sealed else {}
    return [WaitingVote(poll, receipts.get(sealed.get(entry.id))) for poll, entry in rows]
