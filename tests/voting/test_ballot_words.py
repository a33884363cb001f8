"""A single choice is asked with radio buttons, and areas are said with one unit word."""

from sqlalchemy import select

from app.extensions import db
from app.voting.models import Ballot, ElectorateKind, QuestionKind, RollEntry
from tests.voting.conftest import closed_poll, make_poll


def test_a_single_choice_poll_offers_radio_buttons(estate, en, login):
    poll = make_poll(estate, kind=QuestionKind.CHOICE, options=["甲方案", "乙方案", "丙方案"],
                     max_choices=1, rule="simple_majority",
                     electorate=ElectorateKind.RESIDENTS)
    first = str(poll.options[0].id)
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}").text
    assert page.count('type="radio" name="choice"') == 3
    assert 'type="checkbox" name="choice"' not in page and "Choose one option" in page
    en.post(f"/polls/{poll.id}/vote", data={"choice": [first]})
    assert db.session.execute(select(Ballot.choices)).scalar_one() == [first]
    again = en.get(f"/polls/{poll.id}").text  # changing the ballot: the choice is checked
    assert f'type="radio" name="choice" value="{first}" checked' in again


def test_areas_on_a_poll_say_square_metres_in_chinese_throughout(estate, client, login):
    poll = closed_poll(estate, secrecy="open_roll")  # the bulletin shows areas too
    login(estate.chair)
    client.set_cookie("lang", "zh_Hans")
    for url in (f"/polls/{poll.id}", f"/polls/{poll.id}/bulletin",
                f"/public/polls/{poll.id}/bulletin"):
        page = client.get(url).text
        assert "平方米" in page and "m²" not in page, url


def test_a_scanned_paper_ballot_says_square_metres_in_chinese(estate, client, login):
    poll = make_poll(estate)
    entry = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                               .order_by(RollEntry.id)).scalars().first()
    login(estate.chair)
    client.set_cookie("lang", "zh_Hans")
    page = client.get(f"/polls/{poll.id}/offline?entry={entry.id}").text
    assert "平方米" in page and "m²" not in page
