"""A poll's result is provable from its chain alone: every edit of issue 11's H1 made to the
database behind the application's back is reported by ``flask audit verify``, the last two
only against an anchor signed with a key the database does not hold."""

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select, update

from app.audit.chain import hashed_fields, next_link
from app.audit.models import AuditEvent
from app.audit.services import record
from app.core.documents import to_markdown
from app.extensions import db
from app.notices.models import Notice
from app.voting.models import Ballot, BallotEvent, Poll, RollEntry, Secrecy
from app.voting.notice import result_notice
from app.voting.proof import roll_hash
from app.voting.services import cast, entry_for
from tests.voting.conftest import closed_poll, make_poll


@pytest.fixture
def signing_key(app, runner, tmp_path, monkeypatch):
    path = tmp_path / "anchor.pem"
    assert runner.invoke(args=["audit", "keygen", "--output", str(path)]).exit_code == 0
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_KEY", str(path))
    return path


def _verify(runner, *args):
    result = runner.invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def _rewrite_chain(poll_id: int, change) -> None:
    """What an attacker with the database does: change one event, recompute every hash."""
    events = db.session.execute(select(BallotEvent).where(BallotEvent.poll_id == poll_id)
                                .order_by(BallotEvent.seq)).scalars().all()
    head = None
    for event in events:
        change(event)
        fields = {k: v for k, v in hashed_fields(event).items() if k not in ("seq", "prev_hash")}
        for name, value in next_link(head, **fields).items():
            setattr(event, name, value)
        head = (event.seq, event.hash)
    db.session.commit()


def test_an_untouched_poll_verifies_and_its_chain_opens_with_the_roll_hash(estate, runner):
    poll = closed_poll(estate)
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)).scalars()
    assert poll.roll_hash == roll_hash((e.key, e.area, e.units) for e in entries)
    assert poll.published_result["result"]["outcome"] == "passed"
    code, output = _verify(runner)
    assert code == 0 and "1 poll(s) agree with their chains" in output


def test_a_flipped_stored_choice_is_reported_by_poll_and_receipt(estate, runner):
    poll = closed_poll(estate, choices=("oppose", "oppose", "approve"))
    flipped = next(b for b in db.session.execute(select(Ballot).order_by(Ballot.id)).scalars()
                   if b.choices == ["oppose"])
    db.session.execute(update(Ballot).where(Ballot.poll_id == poll.id)
                       .values(choices=["approve"]))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert (f"Poll {poll.id}, receipt {flipped.receipt}: stored choices ['approve'], "
            "the chain ['oppose']") in output
    assert "the count of the stored ballots says outcome 'passed', the chain 'rejected'" \
        in output


@pytest.mark.parametrize("secrecy", [Secrecy.SECRET, Secrecy.OPEN_ROLL])
def test_a_roll_entry_multiplied_by_ten_is_reported(estate, runner, secrecy):
    poll = closed_poll(estate, secrecy=secrecy)
    entry = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                               .order_by(RollEntry.key)).scalars().first()
    db.session.execute(update(RollEntry).where(RollEntry.id == entry.id)
                       .values(area=entry.area * 10))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"Poll {poll.id}: the rows of roll_entries differ from the roll hash" in output
    # Only an open-roll poll's chain carries each ballot's weight, and so names the entry.
    assert (f"roll entry {entry.key} weighs 1000.00 m², the chain 100.00 m²" in output) == (
        secrecy == Secrecy.OPEN_ROLL)


def test_a_ballot_inserted_without_a_chain_event_is_reported(estate, runner):
    poll = make_poll(estate)
    cast(poll, entry_for(poll, estate.owners[0]), ["oppose"], user=estate.owners[0])
    db.session.commit()
    db.session.add(Ballot(poll_id=poll.id, choices=["approve"], receipt="ABCDE-FGHJK"))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"Poll {poll.id}, receipt ABCDE-FGHJK: stored ballot has no event in the chain" \
        in output


def test_a_poll_whose_ballots_and_chain_vanished_is_reported(estate, runner):
    poll = closed_poll(estate)
    db.session.execute(delete(Ballot).where(Ballot.poll_id == poll.id))
    db.session.execute(delete(BallotEvent).where(BallotEvent.poll_id == poll.id))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"Poll {poll.id}: the ballot chain is missing" in output


def test_a_chain_rewritten_with_recomputed_hashes_is_caught_by_the_anchor(
        estate, runner, signing_key, tmp_path):
    poll = closed_poll(estate, choices=("oppose", "oppose", "approve"))
    anchor = tmp_path / "heads.json"
    assert runner.invoke(args=["audit", "anchor", "--output", str(anchor)]).exit_code == 0
    assert _verify(runner, "--anchor", str(anchor))[0] == 0

    def flip(event):
        if event.details.get("choices") == ["oppose"]:
            event.details = {**event.details, "choices": ["approve"]}

    _rewrite_chain(poll.id, flip)
    db.session.execute(update(Ballot).where(Ballot.poll_id == poll.id)
                       .values(choices=["approve"]))
    db.session.commit()
    code, output = _verify(runner, "--anchor", str(anchor))
    assert code == 1
    assert f"Poll {poll.id}: the ballot chain no longer extends the anchored head" in output


def test_deleting_the_last_five_audit_entries_is_caught_by_the_anchor(
        estate, runner, signing_key, tmp_path):
    closed_poll(estate)
    for n in range(5):
        record("test.entry", target=f"n:{n}")
    db.session.commit()
    anchor = tmp_path / "heads.json"
    runner.invoke(args=["audit", "anchor", "--output", str(anchor)])
    last = db.session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())
                              .limit(5)).scalars().all()
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq.in_(last)))
    db.session.commit()
    assert _verify(runner)[0] == 0  # the shortened log is a whole chain by itself
    code, output = _verify(runner, "--anchor", str(anchor))
    assert code == 1
    assert f"Audit log no longer extends the anchored head (entry {max(last)})" in output


def test_an_anchor_signed_with_another_key_is_refused(estate, runner, signing_key, tmp_path,
                                                      app, monkeypatch):
    closed_poll(estate)
    anchor = tmp_path / "heads.json"
    runner.invoke(args=["audit", "anchor", "--output", str(anchor)])
    other = tmp_path / "other.pem"
    runner.invoke(args=["audit", "keygen", "--output", str(other)])
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_KEY", str(other))
    code, output = _verify(runner, "--anchor", str(anchor))
    assert code == 1 and "signature does not match the signing key" in output
    forged = json.loads(anchor.read_text())
    forged["payload"]["audit"]["seq"] = 1
    anchor.write_text(json.dumps(forged))
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_KEY", str(signing_key))
    assert "signature does not match" in _verify(runner, "--anchor", str(anchor))[1]


def test_anchoring_needs_a_key_and_keygen_never_overwrites(app, runner, signing_key, tmp_path,
                                                           monkeypatch):
    before = signing_key.read_bytes()
    again = runner.invoke(args=["audit", "keygen", "--output", str(signing_key)])
    assert again.exit_code == 1 and signing_key.read_bytes() == before
    assert signing_key.stat().st_mode & 0o077 == 0
    monkeypatch.setitem(app.config, "AUDIT_ANCHOR_KEY", "")
    result = runner.invoke(args=["audit", "anchor", "--output", str(tmp_path / "a.json")])
    assert result.exit_code == 1 and "GONGZHI_AUDIT_ANCHOR_KEY" in result.output


def test_the_published_result_is_checked_against_the_recount(estate, runner):
    poll = closed_poll(estate)
    published = dict(poll.published_result)
    published["result"] = {**published["result"], "outcome": "rejected"}
    db.session.execute(update(Poll).where(Poll.id == poll.id)
                       .values(published_result=published))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert "the published result says outcome 'rejected', the chain 'passed'" in output


def test_the_notice_and_the_poll_page_print_the_roll_hash_and_both_heads(estate, en, login):
    poll = closed_poll(estate)
    close_entry = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "poll.close")).scalar_one()
    chain_head = db.session.execute(select(BallotEvent).where(BallotEvent.poll_id == poll.id)
                                    .order_by(BallotEvent.seq.desc())).scalars().first()
    notice = db.session.execute(select(Notice).where(Notice.poll_id == poll.id)).scalar_one()
    expected = [poll.roll_hash, f"entry {chain_head.seq} with the hash {chain_head.hash}",
                f"entry {close_entry.seq} with the hash {close_entry.hash}"]
    with force_locale("en"):
        text = to_markdown(result_notice(poll))
    assert all(part in text for part in expected)
    assert poll.roll_hash in notice.body and chain_head.hash in notice.body
    page = login(estate.owners[0], en).get(f"/polls/{poll.id}").get_data(as_text=True)
    assert f"Hash of the frozen voter roll: {poll.roll_hash}" in page
    assert f"Head of the ballot chain at close: entry {chain_head.seq}, {chain_head.hash}" in page
