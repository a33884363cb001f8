"""What the poll pages show: counts in words, deemed consent, choices, reminders, deadlines."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db, utcnow
from app.voting.models import Ballot, ElectorateKind, Objection, PollStatus, QuestionKind
from app.voting.services import cast, entry_for, finalise
from tests.voting.conftest import cast_all, closed_poll, make_poll


def test_deemed_consent_shows_raw_and_deemed_counts_side_by_side(estate, en, login):
    estate.community.deemed_consent_article = "议事规则第十二条"
    estate.community.deemed_consent_text = "未参与表决的业主，视为同意多数表决业主的意见。"
    estate.community.deemed_consent_side = "majority"
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["oppose"])
    login(estate.owners[1])
    en.get(f"/polls/{poll.id}")  # opening the open poll serves this owner online
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = en.get(f"/polls/{poll.id}").text  # the deadline passed: the page closes it
    assert "Preliminary result" in page
    assert "Ballots cast" in page and "official, resting on 议事规则第十二条" in page
    assert "未参与表决的业主，视为同意多数表决业主的意见。" in page
    # Owner 1 was served and silent: added to the voters' majority, against; owner 2 was not.
    assert "Deemed Against: served, did not vote" in page


def test_a_choice_poll_offers_checkboxes_and_names_the_winner(estate, en, login):
    poll = make_poll(estate, kind=QuestionKind.CHOICE, options=["甲方案", "乙方案", "丙方案"],
                     max_choices=2, rule="simple_majority",
                     electorate=ElectorateKind.RESIDENTS)
    first, second, _third = (str(o.id) for o in poll.options)
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}").text
    assert page.count('type="checkbox" name="choice"') == 3 and "Choose up to 2 options" in page
    confirm = en.post(f"/polls/{poll.id}/confirm", data={"choice": [first, second]})
    assert "甲方案、乙方案" in confirm.text
    too_many = en.post(f"/polls/{poll.id}/confirm", data={"choice": ["x", first]})
    assert en.get(too_many.location).text.count("That choice is not on the ballot.") == 1
    en.post(f"/polls/{poll.id}/vote", data={"choice": [first, second]})
    assert db.session.execute(select(Ballot.choices)).scalar_one() == [first, second]


def test_the_final_result_has_its_own_title(estate, en, login):
    poll = closed_poll(estate)
    finalise(poll)
    db.session.commit()
    login(estate.owners[0])
    page = en.get(f"/polls/{poll.id}").text
    assert "Final result" in page and "Preliminary result" not in page
    late = en.post(f"/polls/{poll.id}/objections", data={"text": "晚了"})
    assert "Objections can only be filed while" in en.get(late.location).text
    assert db.session.execute(select(Objection)).first() is None


def test_the_proposal_page_links_its_polls_and_offers_chairs_a_vote(estate, en, login):
    login(estate.chair)
    page = en.get(f"/p/{estate.proposal.id}").text
    assert f"/p/{estate.proposal.id}/polls/new" in page and "Put to a vote" in page
    login(estate.owners[1])
    assert "Put to a vote" not in en.get(f"/p/{estate.proposal.id}").text
    poll = make_poll(estate)
    page = en.get(f"/p/{estate.proposal.id}").text
    assert f'href="/polls/{poll.id}"' in page and "Put to a vote" not in page


def test_a_reminder_reads_as_a_sentence(estate, en, login):
    poll = make_poll(estate)
    login(estate.chair)
    en.post(f"/polls/{poll.id}/remind")
    login(estate.owners[2])
    page = en.get("/notifications").text
    assert f"You have not voted yet on “{estate.proposal.title}”" in page


def test_proxies_are_limited_per_holder(en, login, make_estate):
    many = make_estate(owners=6)
    many.community.proxy_limit = 3
    poll = make_poll(many)
    login(many.staff)
    for user in many.owners[:4]:
        response = en.post(f"/polls/{poll.id}/offline", data={
            "entry": entry_for(poll, user).id, "choice": "approve", "channel": "proxy",
            "proxy_id_number": "11010519491231002x", "reference": "委托书"})
    assert "This holder already carries 3 proxies, the most allowed." in response.text
    assert 'value="11010519491231002x"' in response.text
    assert len(db.session.execute(select(Ballot.id)).all()) == 3


def test_a_paper_ballot_is_refused_for_an_owner_who_voted_online(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[0])
    login(estate.staff)
    en.get(f"/polls/{poll.id}/offline")
    cast(poll, entry, ["approve"], user=estate.owners[0])  # between page and post
    db.session.commit()
    response = en.post(f"/polls/{poll.id}/offline", data={
        "entry": entry.id, "choice": "oppose", "channel": "paper", "paper_number": "9",
        "reference": "档案"})
    assert "This voter already voted online; the online ballot stays." in response.text
    assert 'value="档案"' in response.text
    db.session.refresh(entry)
    assert entry.voted_channel == "online" and entry.paper_number is None


def test_a_scheduled_poll_opens_when_its_time_comes(estate, en, login):
    poll = make_poll(estate, open_now=False, opens_at=utcnow() + timedelta(hours=1))
    login(estate.owners[0])
    assert "Voting has not opened yet." in en.get(f"/polls/{poll.id}").text
    poll.opens_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert 'value="approve"' in en.get(f"/polls/{poll.id}").text
    db.session.refresh(poll)
    assert poll.status == PollStatus.OPEN


def test_a_second_paper_entry_is_refused(estate, en, login):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[1])
    login(estate.staff)
    data = {"entry": entry.id, "choice": "oppose", "channel": "paper", "paper_number": "9",
            "reference": "档案"}
    en.post(f"/polls/{poll.id}/offline", data=data)
    response = en.post(f"/polls/{poll.id}/offline", data={**data, "choice": "approve"})
    assert "A paper or proxy ballot was already entered for this voter." in response.text
    assert db.session.execute(select(Ballot.choices)).scalar_one() == ["oppose"]
