"""Results computed once (issue 14): a closed poll's count, turnout and bulletin are stored in
the transaction that closes it and the pages read them from there; an open poll's turnout is
a pair of counters; the bulletin pages, searches by receipt and downloads as CSV; and an
edit of anything stored is reported by ``flask audit verify``."""

import csv
import importlib.util
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update

from app.extensions import db
from app.voting.models import BulletinRow, Channel, Poll, PollResult, PollStatus
from app.voting.services import (
    VotingRefused,
    cast,
    close_poll,
    deemed_count,
    dispute_offline_entry,
    enter_offline,
    entry_for,
    file_objection,
    finalise,
    fresh_result,
    normalised_receipt,
    record_sms_delivered,
    recount_results,
    recount_turnout,
    results,
    turnout,
)
from app.voting.stored import count_from_json, count_to_json
from tests.voting.conftest import cast_all, closed_poll, make_poll


def _verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _stored(poll) -> PollResult:
    return db.session.execute(select(PollResult).where(PollResult.poll_id == poll.id)
                              ).scalar_one()


# --- Stored at close ------------------------------------------------------------------------


@pytest.mark.parametrize("secrecy", ["secret", "open_roll"])
def test_closing_stores_the_count_turnout_and_bulletin_once(estate, runner, secrecy):
    poll = closed_poll(estate, choices=("approve", "oppose", "approve"), secrecy=secrecy)
    stored = _stored(poll)
    assert (stored.voted_people, stored.voted_area, stored.outcome) == (3, 300, "passed")
    assert stored.count == fresh_result(poll)[0]
    rows = db.session.execute(select(BulletinRow).where(BulletinRow.poll_id == poll.id)
                              .order_by(BulletinRow.receipt)).scalars().all()
    assert sorted(tuple(r.choices) for r in rows) == [("approve",), ("approve",), ("oppose",)]
    # A secret poll's stored bulletin links no room or area to a choice.
    assert {(r.rooms is None, r.area is None) for r in rows} == {(secrecy == "secret",) * 2}
    close_event = poll.published_result["chain_head"]
    assert close_event["seq"] == 5 and _verify(runner)[0] == 0


def test_the_pages_of_a_closed_poll_read_the_stored_result(estate, en, login):
    """Proved by changing a stored figure behind the application's back: the page shows it."""
    poll = closed_poll(estate)
    count = dict(_stored(poll).count)
    count["raw"]["options"][0]["people"] = 77
    db.session.execute(update(PollResult).where(PollResult.poll_id == poll.id)
                       .values(count=count, voted_people=2))
    db.session.commit()
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}").text
    assert "<td>77</td>" in page and "2 of 3 people" in page


def test_the_stored_count_reads_back_as_the_count_it_was(estate):
    """Art. 278 double majority of a major matter: approvals carry half the people but not
    three quarters of the area; every condition survives the round trip exactly."""
    poll = make_poll(estate, matter=6, rule="civil_code_major", secrecy="open_roll")
    cast_all(poll, estate.owners, ["approve", "approve", "oppose"])
    close_poll(poll)
    db.session.commit()
    raw, deemed = results(poll)
    assert (raw, deemed) == recount_results(poll)
    approve = raw.option("approve")
    assert [c.measure for c in approve.conditions] == ["area", "people"]
    assert [c.holds for c in approve.conditions] == [False, False]  # 180/300 m², 2/3 < 3/4
    assert raw.outcome == "rejected" and _stored(poll).outcome == "rejected"


def test_deemed_consent_is_stored_beside_the_raw_count(estate, en, login):
    estate.community.deemed_consent_article = "议事规则第十二条"
    estate.community.deemed_consent_text = "业主收到表决通知后未参与表决的，视为同意。"
    estate.community.deemed_consent_side = "approve"
    db.session.commit()
    poll = make_poll(estate)
    record_sms_delivered(poll, entry_for(poll, estate.owners[2]), poll.created_at)
    cast_all(poll, estate.owners[:2], ["approve", "oppose"])
    close_poll(poll)
    db.session.commit()
    count = deemed_count(poll)
    assert count is not None and (count.side, count.people) == ("approve", 1)
    assert count.deemed.outcome == "passed" and _stored(poll).outcome == "passed"
    raw, fresh = count_from_json(count_to_json(count.raw, count))
    assert fresh == count
    login(estate.owners[0])
    assert "Official result, resting on the clause" in en.get(f"/polls/{poll.id}").text


def test_finalising_after_objections_stores_the_same_result_again(estate, runner):
    poll = closed_poll(estate)
    first = (_stored(poll).count, _stored(poll).digest)
    file_objection(poll, user=estate.owners[1], text="计票有误")
    db.session.commit()
    finalise(poll)
    db.session.commit()
    assert poll.status == PollStatus.FINAL
    assert (_stored(poll).count, _stored(poll).digest) == first
    assert _verify(runner)[0] == 0


def test_a_poll_closed_before_results_were_stored_is_counted_on_first_view(estate, en, login,
                                                                             runner):
    poll = closed_poll(estate)
    db.session.execute(text("DELETE FROM bulletin_rows"))
    db.session.execute(text("DELETE FROM poll_results"))
    db.session.commit()
    login(estate.owners[0])
    assert "Passed" in en.get(f"/polls/{poll.id}").text
    assert _stored(poll).outcome == "passed"


# --- Tampering ------------------------------------------------------------------------------


def test_an_edited_stored_result_is_reported_naming_the_poll(estate, runner):
    poll = closed_poll(estate, choices=("oppose", "oppose", "approve"))
    assert _verify(runner)[0] == 0
    db.session.execute(text(
        "UPDATE poll_results SET outcome = 'passed', voted_people = 3 WHERE poll_id = :id"),
        {"id": poll.id})
    db.session.execute(update(PollResult).where(PollResult.poll_id == poll.id).values(
        count={**_stored(poll).count, "raw": {**_stored(poll).count["raw"],
                                              "outcome": "passed"}}))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert (f"Poll {poll.id}: the stored result (poll_results, bulletin_rows) does not match "
            "the digest in the chain's close event") in output
    assert (f"Poll {poll.id}: the stored result (poll_results) differs from the count of the "
            "stored ballots") in output


def test_an_edited_bulletin_row_is_reported_by_poll_and_receipt(estate, runner):
    poll = closed_poll(estate, choices=("oppose", "oppose", "approve"))
    row = db.session.execute(select(BulletinRow).where(BulletinRow.poll_id == poll.id)
                             .order_by(BulletinRow.receipt)).scalars().first()
    db.session.execute(update(BulletinRow).where(BulletinRow.id == row.id)
                       .values(choices=["abstain"]))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert (f"Poll {poll.id}, receipt {row.receipt}: the stored bulletin row differs from "
            "the ballot") in output


def test_edited_turnout_counters_are_reported(estate, runner):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    db.session.execute(text("UPDATE polls SET voted_people = 3 WHERE id = :id"),
                       {"id": poll.id})
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert (f"Poll {poll.id}: the turnout counters on the poll say 3 people, 100.00 m²; the "
            "voted marks 1 people, 100.00 m²") in output


# --- Turnout counters -----------------------------------------------------------------------


def test_the_counters_equal_a_recount_after_many_casts_entries_and_changes(make_estate,
                                                                          runner):
    estate = make_estate(owners=12)
    poll = make_poll(estate, allow_change=True)
    cast_all(poll, estate.owners[:5], ["approve", "oppose", "abstain", "approve", "oppose"])
    for n, owner in enumerate(estate.owners[5:9]):
        enter_offline(poll, entry_for(poll, owner), ["approve"], staff=estate.staff,
                      channel=Channel.PAPER, paper_number=f"P{n}", reference="档案盒")
    db.session.commit()
    cast_all(poll, estate.owners[:2], ["abstain", "approve"])    # changes: no new voter
    cast_all(poll, estate.owners[5:6], ["oppose"])                # online replaces paper
    dispute_offline_entry(poll, entry_for(poll, estate.owners[6]), user=estate.owners[6],
                          text="不是我")
    db.session.commit()
    db.session.refresh(poll)
    assert turnout(poll) == recount_turnout(poll) == (9, Decimal("840.00"))
    close_poll(poll)
    db.session.commit()
    assert turnout(poll) == recount_turnout(poll) and _verify(runner)[0] == 0


def test_the_turnout_piece_reads_the_counters(estate, en, login):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:2], ["approve", "oppose"])
    login(estate.chair)
    piece = en.get(f"/polls/{poll.id}/turnout", headers={"HX-Request": "true"}).text
    assert "2 of 3 people" in piece and "180.00 m² of 300.00 m²" in piece


# --- The bulletin ---------------------------------------------------------------------------


@pytest.fixture
def twelve(make_estate):
    estate = make_estate(owners=12)
    poll = make_poll(estate, secrecy="open_roll")
    cast_all(poll, estate.owners, ["approve"] * 8 + ["oppose"] * 4)
    close_poll(poll)
    db.session.commit()
    return estate, poll


def receipts(poll) -> list[str]:
    return db.session.execute(select(BulletinRow.receipt).where(BulletinRow.poll_id == poll.id)
                              .order_by(BulletinRow.receipt)).scalars().all()


def test_the_bulletin_pages_by_receipt(twelve, en, login, monkeypatch):
    estate, poll = twelve
    monkeypatch.setattr("app.voting.services.BULLETIN_PAGE", 5)
    login(estate.chair)  # not on the roll: no "find my receipt" link on every page
    all_receipts = receipts(poll)
    first = en.get(f"/polls/{poll.id}/bulletin").text
    third = en.get(f"/polls/{poll.id}/bulletin?page=3").text
    assert [r in first for r in all_receipts] == [True] * 5 + [False] * 7
    assert [r in third for r in all_receipts] == [False] * 10 + [True] * 2
    assert "Page 1 of 3" in first and "12 ballots" in first


def test_a_receipt_is_found_whole_or_by_its_first_six_characters(twelve, en, login):
    estate, poll = twelve
    login(estate.chair)
    wanted = receipts(poll)[7]
    others = [r for r in receipts(poll) if r != wanted]
    for typed in (wanted, wanted.lower().replace("-", " "), wanted[:7]):
        page = en.get(f"/polls/{poll.id}/bulletin", query_string={"receipt": typed}).text
        assert wanted in page and not any(r in page for r in others), typed
        assert f'value="{typed}"' in page


def test_a_short_or_unknown_receipt_is_explained_and_kept(twelve, en, login):
    estate, poll = twelve
    login(estate.owners[3])
    page = en.get(f"/polls/{poll.id}/bulletin", query_string={"receipt": "ab-c"}).text
    assert "Type at least 6 characters of the receipt." in page and 'value="ab-c"' in page
    page = en.get(f"/polls/{poll.id}/bulletin", query_string={"receipt": "ZZZZZ-Z"}).text
    assert "No ballot has a receipt starting with ZZZZZ-Z." in page


def test_normalised_receipts():
    assert normalised_receipt(" abcde-fghjk ") == "ABCDE-FGHJK"
    assert normalised_receipt("abcdef") == "ABCDE-F"
    assert normalised_receipt("ab%_c") == "ABC"


def test_the_whole_bulletin_downloads_as_csv(twelve, client, login):
    estate, poll = twelve
    url = f"/polls/{poll.id}/bulletin.csv"
    login(estate.outsider)
    assert client.get(url).status_code == 403
    login(estate.owners[0])
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["receipt", "rooms", "area_m2", "choice"]
    assert [row[0] for row in rows[1:]] == receipts(poll)
    assert sorted(row[3] for row in rows[1:]) == ["approve"] * 8 + ["oppose"] * 4


def test_an_open_poll_has_no_bulletin_to_download(estate, client, login):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    login(estate.chair)
    assert client.get(f"/polls/{poll.id}/bulletin.csv").status_code == 404


def test_the_secret_bulletin_csv_has_receipts_and_choices_only(estate, client, login):
    poll = closed_poll(estate)
    login(estate.owners[0])
    rows = list(csv.reader(io.StringIO(
        client.get(f"/polls/{poll.id}/bulletin.csv").data.decode("utf-8-sig"))))
    assert rows[0] == ["receipt", "choice"] and {len(row) for row in rows} == {2}


def test_a_bulletin_of_ten_thousand_rows_pages_small(estate, client, login):
    poll = closed_poll(estate, secrecy="open_roll")
    db.session.execute(insert(BulletinRow), [
        dict(poll_id=poll.id, receipt=f"Z{n:04d}-ABCDE", rooms=f"{n % 50 + 1}栋-{n % 30 + 1}01",
             area="123.45", choices=["approve"]) for n in range(10_000)])
    db.session.commit()
    login(estate.owners[0])
    page = client.get(f"/polls/{poll.id}/bulletin")
    assert page.status_code == 200 and len(page.data) < 60_000
    assert db.session.execute(select(func.count(BulletinRow.id))).scalar_one() == 10_003


def test_casting_after_close_changes_nothing_stored(estate):
    poll = closed_poll(estate)
    before = _stored(poll).count
    with pytest.raises(VotingRefused):
        cast(poll, entry_for(poll, estate.owners[0]), ["oppose"], user=estate.owners[0])
    db.session.rollback()
    assert _stored(poll).count == before


def test_the_migration_starts_the_counters_from_the_voted_marks(estate):
    """The revision's data step, run on polls that have votes and zeroed counters."""
    path = (Path(__file__).parents[2] / "migrations" / "versions"
            / "20261201_results_stored_at_close.py")
    spec = importlib.util.spec_from_file_location("results_stored_at_close", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    voted = make_poll(estate)
    cast_all(voted, estate.owners[:2], ["approve", "oppose"])
    db.session.execute(update(Poll).values(voted_people=0, voted_area=0))
    db.session.commit()
    db.session.execute(text(revision.COUNTERS_FROM_VOTED_MARKS))
    db.session.commit()
    db.session.refresh(voted)
    assert (voted.voted_people, voted.voted_area) == (2, Decimal("180.00"))
