"""Checking every poll against its chain: the roll, each stored ballot and the published
result, as ``flask audit verify`` reports them. Also the chain heads that anchors sign."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app.audit.chain import ChainEntry, find_break, hashed_fields
from app.extensions import db
from app.voting.models import (
    Ballot,
    BallotEvent,
    BulletinRow,
    Poll,
    PollResult,
    PollStatus,
    RollEntry,
    Secrecy,
)
from app.voting.proof import CLOSE_ACTION, Replay, replay, result_summary, roll_hash
from app.voting.rules import Electorate
from app.voting.services import (
    count_ballots,
    fresh_result,
    recount_results,
    recount_turnout,
    voters_with_ballots,
    weights_by_receipt,
)
from app.voting.stored import bulletin_row, digest

BREAKS = {
    "altered": "its contents were altered (the hash does not match)",
    "missing_before": "an entry before it is missing (sequence gap)",
    "inserted_or_reordered": "it does not follow the entry before it "
                             "(inserted, removed or reordered)",
}


@dataclass(frozen=True)
class Finding:
    poll_id: int
    receipt: str | None
    problem: str

    def __str__(self) -> str:
        where = f"Poll {self.poll_id}" + (f", receipt {self.receipt}" if self.receipt else "")
        return f"{where}: {self.problem}"


def _events(poll_id: int) -> list[BallotEvent]:
    return db.session.execute(select(BallotEvent).where(BallotEvent.poll_id == poll_id)
                              .order_by(BallotEvent.seq)).scalars().all()


def recount_from_chain(poll: Poll, proved: Replay) -> dict:
    """The official result counted from the chain alone: its roll totals and ballots."""
    raw, deemed = count_ballots(poll, Electorate(proved.people, proved.area), proved.counted())
    return result_summary(deemed or raw)


def _differences(label: str, expected: dict, actual: dict | None) -> list[str]:
    if actual is None:
        return [f"{label} is missing"]
    return [f"{label} says {key} {actual.get(key)!r}, the chain {expected[key]!r}"
            for key in expected if actual.get(key) != expected[key]]


def _check_roll(poll: Poll, proved: Replay, entries: list[RollEntry]) -> list[Finding]:
    findings = []
    stored = roll_hash((e.key, e.area, e.units) for e in entries)
    if proved.roll_hash != stored:
        findings.append(Finding(poll.id, None, "the rows of roll_entries differ from the "
                                               "roll hash the chain opened with"))
    if poll.roll_hash != proved.roll_hash:
        findings.append(Finding(poll.id, None, "the roll hash stored on the poll differs "
                                               "from the chain's"))
    if (poll.total_people, Decimal(poll.total_area or 0)) != (proved.people, proved.area):
        findings.append(Finding(poll.id, None, "the roll totals stored on the poll differ "
                                               "from the chain's"))
    for entry in entries:
        counted = proved.ballots.get(entry.key)  # a secret poll's chain carries no weight
        if counted is not None and Decimal(entry.area) != counted.weight:
            findings.append(Finding(poll.id, counted.receipt,
                                    f"roll entry {entry.key} weighs {entry.area:.2f} m², "
                                    f"the chain {counted.weight:.2f} m²"))
    return findings


def _check_ballots(poll: Poll, proved: Replay) -> list[Finding]:
    findings = []
    entry_of = {ballot.receipt: entry.key for entry, ballot in voters_with_ballots(poll)}
    by_receipt = {b.receipt: b for b in proved.ballots.values()}
    stored = db.session.execute(select(Ballot).where(Ballot.poll_id == poll.id)
                                .order_by(Ballot.receipt)).scalars().all()
    for ballot in stored:
        counted = by_receipt.pop(ballot.receipt, None)
        if counted is None:
            findings.append(Finding(poll.id, ballot.receipt,
                                    "stored ballot has no event in the chain"))
            continue
        if counted.entry is not None and entry_of.get(ballot.receipt) != counted.entry:
            findings.append(Finding(poll.id, ballot.receipt,
                                    f"stored for roll entry {entry_of.get(ballot.receipt)}, "
                                    f"the chain says {counted.entry}"))
        if tuple(ballot.choices) != counted.choices:
            findings.append(Finding(poll.id, ballot.receipt,
                                    f"stored choices {list(ballot.choices)}, the chain "
                                    f"{list(counted.choices)}"))
    findings += [Finding(poll.id, receipt, "ballot in the chain is missing from ballots")
                 for receipt in sorted(by_receipt)]
    return findings


def _check_result(poll: Poll, proved: Replay) -> list[Finding]:
    recounted = recount_from_chain(poll, proved)
    raw, deemed = recount_results(poll)
    published = (poll.published_result or {}).get("result")
    sources = [("the count of the stored ballots", result_summary(deemed or raw)),
               ("the published result", published),
               ("the result in the chain's close event", proved.closed_result)]
    return [Finding(poll.id, None, problem) for label, actual in sources
            for problem in _differences(label, recounted, actual)]


def _check_counters(poll: Poll) -> list[Finding]:
    people, area = recount_turnout(poll)
    if (poll.voted_people, Decimal(poll.voted_area or 0)) != (people, area):
        return [Finding(poll.id, None, f"the turnout counters on the poll say "
                                       f"{poll.voted_people} people, {poll.voted_area:.2f} m²; "
                                       f"the voted marks {people} people, {area:.2f} m²")]
    return []


def _check_stored(poll: Poll, events: list[BallotEvent]) -> list[Finding]:
    """The result stored at close against the digest the close event carries and against
    a count of the ballots now. A poll closed before results were stored has neither."""
    close = next((e for e in events if e.action == CLOSE_ACTION), None)
    committed = (close.details or {}).get("stored") if close is not None else None
    stored = db.session.get(PollResult, poll.id)
    if stored is None:
        return [Finding(poll.id, None, "the stored result (poll_results) is missing")] \
            if committed else []
    rows = [(r.receipt, r.rooms, r.area, r.choices) for r in db.session.execute(
        select(BulletinRow).where(BulletinRow.poll_id == poll.id)).scalars()]
    findings = []
    if committed and digest(stored.count, stored.voted_people, stored.voted_area,
                            rows) != committed:
        findings.append(Finding(poll.id, None, "the stored result (poll_results, "
                                               "bulletin_rows) does not match the digest in "
                                               "the chain's close event"))
    count, (people, area), fresh_rows = fresh_result(poll)
    if stored.count != count:
        findings.append(Finding(poll.id, None, "the stored result (poll_results) differs "
                                               "from the count of the stored ballots"))
    if (stored.voted_people, Decimal(stored.voted_area)) != (people, area):
        findings.append(Finding(poll.id, None, "the stored turnout (poll_results) differs "
                                               "from the voted marks"))
    stored_rows = {r[0]: bulletin_row(*r) for r in rows}
    for row in fresh_rows:
        if stored_rows.pop(row[0], None) != bulletin_row(*row):
            findings.append(Finding(poll.id, row[0], "the stored bulletin row differs from "
                                                     "the ballot"))
    findings += [Finding(poll.id, receipt, "the stored bulletin has a row for no ballot")
                 for receipt in sorted(stored_rows)]
    return findings


def verify_poll(poll: Poll) -> list[Finding]:
    """Every way the poll's tables and published result disagree with its chain."""
    events = _events(poll.id)
    if not events:
        if poll.status == PollStatus.SCHEDULED:
            return []
        return [Finding(poll.id, None, "the ballot chain is missing: the poll was opened "
                                       "but no chain entry remains")]
    broken = find_break(ChainEntry(**hashed_fields(e), hash=e.hash) for e in events)
    findings = []
    if broken is not None:
        findings.append(Finding(poll.id, None, f"ballot chain broken at entry {broken.seq}: "
                                               f"{BREAKS[broken.problem]}"))
    proved = replay(events, weights_by_receipt(poll) if poll.secrecy == Secrecy.SECRET
                    else None)
    findings += [Finding(poll.id, receipt, problem) for receipt, problem in proved.problems]
    if proved.roll_hash is None:
        return findings + [Finding(poll.id, None, "the chain does not open with the roll hash")]
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                                 .order_by(RollEntry.key)).scalars().all()
    findings += _check_roll(poll, proved, entries)
    findings += _check_ballots(poll, proved)
    findings += _check_counters(poll)
    if poll.status in (PollStatus.CLOSED, PollStatus.FINAL):
        findings += _check_result(poll, proved)
        findings += _check_stored(poll, events)
    return findings


def verify_polls() -> list[Finding]:
    polls = db.session.execute(select(Poll).order_by(Poll.id)).scalars()
    return [finding for poll in polls for finding in verify_poll(poll)]


def poll_heads() -> dict[int, tuple[int, str]]:
    """Each poll chain's last (seq, hash): what an anchor signs."""
    last = (select(BallotEvent.poll_id, func.max(BallotEvent.seq).label("seq"))
            .group_by(BallotEvent.poll_id).subquery())
    rows = db.session.execute(
        select(BallotEvent.poll_id, BallotEvent.seq, BallotEvent.hash)
        .join(last, (last.c.poll_id == BallotEvent.poll_id) & (last.c.seq == BallotEvent.seq))
        .order_by(BallotEvent.poll_id)).all()
    return {poll_id: (seq, hash_) for poll_id, seq, hash_ in rows}


def poll_chain_hash_at(poll_id: int, seq: int) -> str | None:
    return db.session.execute(select(BallotEvent.hash).where(
        BallotEvent.poll_id == poll_id, BallotEvent.seq == seq)).scalar_one_or_none()
