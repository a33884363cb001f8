"""A secret poll is secret from whoever holds the database (but not the ballot key), from
the chairs after close, and while it is open (issue 11, H3)."""

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.voting.models import Ballot, BallotEvent, Poll, RollEntry
from app.voting.sealing import derive_key, opener, seal, unseal
from app.voting.services import (
    VotingRefused,
    _new_ballot,
    audit_package,
    bulletin,
    cast,
    current_ballot,
    entry_for,
    official_result,
)
from tests.voting.conftest import cast_all, closed_poll, make_poll


def _table(name: str) -> list[dict]:
    """A table as a database administrator reads it: every column of every row."""
    return [dict(row._mapping) for row in db.session.execute(text(f"SELECT * FROM {name}"))]


def _mentions(rows: list[dict], values) -> set:
    """Which of ``values`` appear in any cell, as text: JSON cells are read too."""
    cells = {str(cell) for row in rows for cell in row.values()}
    blob = json.dumps([{k: str(v) for k, v in row.items()} for row in rows], ensure_ascii=False)
    return {value for value in values if str(value) in cells or f'"{value}"' in blob}


def test_a_secret_ballot_row_and_its_chain_name_no_voter(estate):
    poll = make_poll(estate)
    cast_all(poll, estate.owners, ["approve", "oppose", "abstain"])
    entries = db.session.execute(select(RollEntry)).scalars().all()
    ballots = _table("ballots")
    assert {column for column in ballots[0]} == {"id", "poll_id", "choices", "receipt"}
    voters = {u.id for u in estate.owners}
    events = [e for e in _table("ballot_events") if e["action"] not in ("open", "close")]
    assert {e["actor_id"] for e in events} == {None}
    assert [json.loads(e["details"]) if isinstance(e["details"], str) else e["details"]
            for e in events] == [{"choices": ["approve"]}, {"choices": ["oppose"]},
                                 {"choices": ["abstain"]}]
    assert not _mentions(events, [entry.key for entry in entries] + ["100.00", "80.00"])
    # The voted mark is on the roll entry; its seal is neither a ballot's id nor a receipt.
    assert all(entry.voted_at is not None and entry.voted_channel == "online"
               for entry in entries)
    seals = {entry.ballot_seal for entry in entries}
    assert not seals & ({str(b["id"]) for b in ballots} | {b["receipt"] for b in ballots})
    assert not seals & {f"{b['id']:016x}" for b in ballots}
    assert voters == {entry.voted_by_id for entry in entries}


def test_without_the_ballot_key_the_seal_leads_nowhere(estate, app):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    entry = entry_for(poll, estate.owners[0])
    assert current_ballot(poll, entry).choices == ["approve"]
    app.config["BALLOT_KEY"] = "another key"
    assert current_ballot(poll, entry) is None
    app.config["BALLOT_KEY"] = ""


def test_a_secret_ballot_can_still_be_changed_and_stays_one(estate):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[0])
    first = cast(poll, entry, ["approve"], user=estate.owners[0])
    second = cast(poll, entry, ["oppose"], user=estate.owners[0])
    db.session.commit()
    assert first.id == second.id and second.choices == ["oppose"]
    assert db.session.execute(select(func.count(Ballot.id))).scalar_one() == 1
    assert db.session.execute(select(BallotEvent.action).order_by(BallotEvent.seq)) \
        .scalars().all() == ["open", "cast", "change"]


def test_the_voted_mark_admits_one_ballot_per_voter(estate):
    """Two requests that both found no ballot: the second finds the mark already set."""
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[0])
    cast(poll, entry, ["approve"], user=estate.owners[0])
    db.session.commit()
    with pytest.raises(VotingRefused) as refused:
        _new_ballot(poll, entry, ["oppose"], channel="online", voted_by_id=estate.owners[0].id)
    assert refused.value.code == "poll.already_voted"


def test_the_weights_count_through_the_seals(estate):
    """101 (100 m²) and 201 (80 m²) approve, 301 (120 m²) opposes: 180 of 300 m²."""
    poll = closed_poll(estate)
    result = official_result(poll)
    assert result.option("approve").people == 2
    assert result.option("approve").area == 180


def test_the_secret_audit_package_carries_receipts_and_choices_only(estate):
    poll = closed_poll(estate)
    package = audit_package(poll)
    roster = list(csv.reader(io.StringIO(package["roster.csv"])))
    assert roster[0] == ["unit", "building", "area_m2"]
    assert not any("R0000" in cell for row in roster for cell in row)
    ballots = list(csv.reader(io.StringIO(package["ballots.csv"])))
    receipts = set(db.session.execute(select(Ballot.receipt)).scalars())
    assert ballots[0] == ["receipt", "choice"]
    assert {row[0] for row in ballots[1:]} == receipts
    assert sorted(row[1] for row in ballots[1:]) == ["approve", "approve", "oppose"]
    chain = [event for event in json.loads(package["chain.json"])
             if event["action"] not in ("open", "close")]
    assert {event["actor_id"] for event in chain} == {None}
    assert {event["target"] for event in chain} == receipts
    assert all(set(event["details"]) == {"choices"} for event in chain)


def test_an_open_roll_package_still_recounts_by_owner(estate):
    poll = closed_poll(estate, secrecy="open_roll")
    ballots = list(csv.reader(io.StringIO(audit_package(poll)["ballots.csv"])))
    assert ballots[0] == ["owner", "choice"] and len(ballots) == 4
    assert {row[0] for row in ballots[1:]} == {"R00001", "R00002", "R00003"}


def test_the_secret_bulletin_shows_neither_rooms_nor_areas(estate, en, login, client):
    poll = closed_poll(estate)
    assert {(rooms, area) for _receipt, rooms, area, _choices in bulletin(poll)} == {
        (None, None)}
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}/bulletin").text
    table = page[page.index('<table class="bulletin"'):]
    assert "m²" not in table and "100.00" not in table and "1栋-101" not in table
    mine = current_ballot(poll, entry_for(poll, estate.owners[0])).receipt
    assert f'id="receipt-{mine}" class="mine"' in table
    login(estate.chair)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/polls/{poll.id}/package.zip").data))
    assert archive.read("ballots.csv").decode().startswith("receipt,choice")


def test_the_open_roll_bulletin_shows_rooms_and_areas(estate, en, login):
    poll = closed_poll(estate, secrecy="open_roll")
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}/bulletin").text
    assert "1栋-101" in page and "100.00 m²" in page


def test_live_results_are_refused_for_a_secret_poll(estate, en, login):
    with pytest.raises(VotingRefused) as refused:
        make_poll(estate, visibility="live")
    assert refused.value.code == "poll.live_results_secret"
    db.session.rollback()
    login(estate.chair)
    page = en.post(f"/p/{estate.proposal.id}/polls/new", data={
        "question": "是否同意？", "kind": "yes_no", "rule": "civil_code_ordinary",
        "electorate": "owners", "matter": "1", "opens_at": "2099-01-01T10:00",
        "closes_at": "2099-01-08T10:00",
        "visibility": "live", "secrecy": "secret", "objection_days": "3"})
    assert "A secret poll cannot show results while voting is open" in page.text
    assert 'value="是否同意？"' in page.text
    assert db.session.execute(select(func.count(Poll.id))).scalar_one() == 0
    en.post(f"/p/{estate.proposal.id}/polls/new", data={
        "question": "是否同意？", "kind": "yes_no", "rule": "civil_code_ordinary",
        "electorate": "owners", "matter": "1", "opens_at": "2099-01-01T10:00",
        "closes_at": "2099-01-08T10:00",
        "visibility": "live", "secrecy": "open_roll", "objection_days": "3"})
    assert db.session.execute(select(Poll.visibility)).scalar_one() == "live"


def test_a_secret_poll_saved_with_live_results_shows_none_while_open(estate, en, login):
    """A poll stored before the rule (or by hand) still keeps its choices hidden."""
    poll = make_poll(estate, secrecy="open_roll", visibility="live")
    poll.secrecy = "secret"
    db.session.commit()
    cast_all(poll, estate.owners[:1], ["approve"])
    login(estate.owners[1])
    page = en.get(f"/polls/{poll.id}").text
    assert "Results so far" not in page and 'id="results"' not in page


def test_a_count_opens_each_seal_as_the_single_ballot_would():
    """The opener a count uses for a poll's many seals gives every entry the ballot that
    sealed to it, and only under the same key and poll."""
    key, other_key = derive_key("one setting"), derive_key("another setting")
    sealed = {(poll_id, entry_id): seal(key, poll_id, entry_id, 1000 + entry_id * 7)
              for poll_id in (3, 31) for entry_id in (1, 13, 131, 9999)}
    for poll_id in (3, 31):
        open_seal = opener(key, poll_id)
        for (sealed_poll, entry_id), text_ in sealed.items():
            opened = open_seal(entry_id, text_)
            assert opened == unseal(key, poll_id, entry_id, text_)
            assert (opened == 1000 + entry_id * 7) == (sealed_poll == poll_id)
        assert opener(other_key, poll_id)(13, sealed[(poll_id, 13)]) != 1000 + 13 * 7
