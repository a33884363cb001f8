"""Entering a printed paper ballot (issue 13): its code opens the entry form for exactly
its voter, so that entering it takes a tap on the choice and a submit; a voter who already
voted is said so, with nothing to overwrite."""

from sqlalchemy import select

from app.extensions import db
from app.voting.models import Ballot, RollEntry
from app.voting.services import enter_offline, entry_for
from tests.voting.conftest import cast_all, make_poll


def scan_url(poll, entry) -> str:
    return f"/polls/{poll.id}/offline?entry={entry.id}"


def test_the_code_opens_the_form_for_its_voter_with_the_paper_filled_in(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    page = en.get(scan_url(poll, entry)).text
    assert f"Paper ballot no. {entry.key}" in page
    assert "1栋-201" in page and "80.00 m²" in page and "业**" in page
    assert estate.owners[1].name not in page
    assert f'<input type="hidden" name="entry" value="{entry.id}">' in page
    assert page.count('type="radio" name="choice"') == 4  # three answers and 废票
    assert f'value="{entry.key}"' in page  # the paper number, as printed
    assert "Filed with this poll&#39;s signed paper ballots" in page


def test_one_tap_and_a_submit_enter_the_ballot_and_then_it_shows_entered(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[2])
    login(estate.staff)
    form = {"entry": entry.id, "channel": "paper", "choice": "oppose",
            "paper_number": entry.key, "reference": "居委会档案柜 3 号"}
    response = en.post(scan_url(poll, entry), data=form)
    assert response.location.endswith(scan_url(poll, entry))
    db.session.refresh(entry)
    assert (entry.voted_channel, entry.paper_number, entry.entered_by_id) == (
        "paper", entry.key, estate.staff.id)
    page = en.get(response.location).text
    assert "Entered for 1栋-301, receipt" in page
    assert f"A paper ballot (no. {entry.key}) was already entered for this voter by 干事" in page
    assert 'name="choice"' not in page
    # The next ballot scanned proposes the reference typed for this one.
    other = entry_for(poll, estate.owners[0])
    assert 'value="居委会档案柜 3 号"' in en.get(scan_url(poll, other)).text


def test_a_voter_who_voted_online_is_said_so_and_nothing_is_offered(estate, en, login):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    entry = entry_for(poll, estate.owners[0])
    login(estate.staff)
    page = en.get(scan_url(poll, entry)).text
    assert "This voter has already voted online" in page
    assert 'name="choice"' not in page and "Enter ballot" not in page


def test_a_paper_ballot_entered_meanwhile_is_refused_and_the_form_kept(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    form = {"entry": entry.id, "channel": "paper", "choice": "approve",
            "paper_number": entry.key, "reference": "档案"}
    enter_offline(poll, entry, ["oppose"], staff=estate.chair, channel="paper",
                  reference="另一份", paper_number="X1")
    db.session.commit()
    page = en.post(scan_url(poll, entry), data=form).text
    assert "A paper or proxy ballot was already entered for this voter." in page
    assert db.session.execute(select(Ballot.choices)).scalars().all() == [["oppose"]]


def test_no_choice_tapped_is_said_so_and_the_rest_is_kept(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    page = en.post(scan_url(poll, entry), data={
        "entry": entry.id, "channel": "paper", "paper_number": entry.key,
        "reference": "档案盒7"}).text
    assert "This field is required." in page and 'value="档案盒7"' in page
    db.session.refresh(entry)
    assert entry.voted_at is None


def test_a_code_of_another_poll_or_none_at_all_leaves_the_full_form(estate, en, login,
                                                                    make_proposal):
    poll = make_poll(estate)
    estate.proposal = make_proposal(estate.community, estate.owners[0])
    other = make_poll(estate)
    stranger = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == other.id)).scalars().first()
    login(estate.staff)
    for wanted in (stranger.id, "abc", 999999, "²", "9" * 40):
        page = en.get(f"/polls/{poll.id}/offline?entry={wanted}").text
        assert "This code names nobody on this poll&#39;s roll" in page
        assert 'name="entry"' in page and "<select" in page


def test_only_those_who_enter_paper_ballots_open_the_code(estate, client, login):
    poll = make_poll(estate)
    url = scan_url(poll, entry_for(poll, estate.owners[1]))
    response = client.get(url)
    assert "/auth/login" in response.location and "entry" in response.location
    for user in (estate.owners[1], estate.tenant, estate.outsider):
        login(user)
        assert client.get(url).status_code == 403
    login(estate.chair)
    assert client.get(url).status_code == 200
