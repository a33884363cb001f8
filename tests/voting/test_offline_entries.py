"""Paper and proxy ballots (issue 11): a paper number once per poll, proxy holders known by
account or ID number with the cap on that identity, and owners told of a ballot entered in
their name, with a way to say it was not theirs."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.core.documents import to_markdown
from app.extensions import db
from app.notices.models import Notification
from app.voting.models import Ballot, Channel, Objection, RollEntry
from app.voting.notice import result_notice
from app.voting.recount import recount
from app.voting.services import (
    VotingRefused,
    audit_package,
    cast,
    close_poll,
    enter_offline,
    entry_for,
    results,
)
from tests.voting.conftest import make_poll

ID_NUMBER = "11010519491231002X"


def ballots() -> int:
    return db.session.execute(select(func.count(Ballot.id))).scalar_one()


def paper(estate, poll, user, number, choice="approve"):
    return enter_offline(poll, entry_for(poll, user), [choice], staff=estate.staff,
                         channel=Channel.PAPER, paper_number=number, reference="档案盒")


def test_a_paper_number_is_entered_once_per_poll(estate):
    poll = make_poll(estate)
    paper(estate, poll, estate.owners[0], "007")
    with pytest.raises(VotingRefused) as refused:
        paper(estate, poll, estate.owners[1], " 007 ")
    assert refused.value.code == "poll.paper_number_taken"
    assert ballots() == 1


def test_the_database_refuses_a_paper_number_twice_in_a_poll(estate):
    poll = make_poll(estate)
    paper(estate, poll, estate.owners[0], "007")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(RollEntry).where(
            RollEntry.id == entry_for(poll, estate.owners[1]).id).values(paper_number="007"))
    db.session.rollback()


def test_the_paper_form_says_the_number_is_taken_and_keeps_the_input(estate, en, login):
    poll = make_poll(estate)
    login(estate.staff)
    data = {"choice": "approve", "channel": "paper", "paper_number": "9", "reference": "档案"}
    en.post(f"/polls/{poll.id}/offline",
            data={**data, "entry": entry_for(poll, estate.owners[0]).id})
    page = en.post(f"/polls/{poll.id}/offline",
                   data={**data, "entry": entry_for(poll, estate.owners[1]).id}).text
    assert "Paper ballot number 9 is already entered in this poll." in page
    assert 'value="档案"' in page and ballots() == 1


def test_the_cap_counts_one_id_number_however_it_is_typed(make_estate):
    estate = make_estate(owners=5)
    estate.community.proxy_limit = 3
    poll = make_poll(estate)
    for user, typed in zip(estate.owners[:3], [ID_NUMBER, ID_NUMBER.lower(),
                                               "110105 19491231 002X"], strict=True):
        enter_offline(poll, entry_for(poll, user), ["approve"], staff=estate.staff,
                      channel=Channel.PROXY, reference="委托书", proxy_id_number=typed)
    with pytest.raises(VotingRefused) as refused:
        enter_offline(poll, entry_for(poll, estate.owners[3]), ["approve"], staff=estate.staff,
                      channel=Channel.PROXY, reference="委托书", proxy_id_number=ID_NUMBER)
    assert refused.value.code == "poll.too_many_proxies" and ballots() == 3


def test_a_proxy_holder_is_named_by_account_or_valid_id_number_never_free_text(estate):
    poll = make_poll(estate)
    entry = entry_for(poll, estate.owners[0])
    for holder, number, code in ((None, "", "poll.proxy_holder_needed"),
                                 (estate.tenant, ID_NUMBER, "poll.proxy_holder_needed"),
                                 (None, "赵六（代）", "poll.bad_id_number"),
                                 (None, "110105194912310021", "poll.bad_id_number")):
        with pytest.raises(VotingRefused) as refused:
            enter_offline(poll, entry, ["approve"], staff=estate.staff, channel=Channel.PROXY,
                          reference="委托书", proxy_holder=holder, proxy_id_number=number)
        assert refused.value.code == code
    enter_offline(poll, entry, ["approve"], staff=estate.staff, channel=Channel.PROXY,
                  reference="委托书", proxy_holder=estate.tenant)
    assert entry.proxy_user_id == estate.tenant.id and entry.proxy_id_number is None


def test_the_proxy_form_finds_the_holder_by_phone_and_masks_id_numbers(
        make_estate, en, login):
    estate = make_estate(owners=4)
    estate.community.proxy_limit = 1
    poll = make_poll(estate)
    login(estate.staff)
    url = f"/polls/{poll.id}/offline"
    data = {"choice": "approve", "channel": "proxy", "reference": "委托书"}
    page = en.post(url, data={**data, "entry": entry_for(poll, estate.owners[0]).id,
                              "proxy_phone": "13999999999"}).text
    assert "No account has this phone number." in page and ballots() == 0
    page = en.post(url, data={**data, "entry": entry_for(poll, estate.owners[0]).id,
                              "proxy_id_number": "12345"}).text
    assert "That is not a valid 18-character ID number." in page and 'value="12345"' in page
    en.post(url, data={**data, "entry": entry_for(poll, estate.owners[0]).id,
                       "proxy_phone": estate.tenant.phone})
    en.post(url, data={**data, "entry": entry_for(poll, estate.owners[1]).id,
                       "proxy_id_number": ID_NUMBER})
    page = en.post(url, data={**data, "entry": entry_for(poll, estate.owners[2]).id,
                              "proxy_phone": estate.tenant.phone}).text
    assert "This holder already carries 1 proxies, the most allowed." in page
    assert ballots() == 2
    entered = page[page.index('id="entered"'):]
    assert "110105********002X" in entered and ID_NUMBER not in entered
    assert f"{estate.tenant.phone[:3]}****{estate.tenant.phone[-4:]}" in entered
    assert estate.tenant.phone not in entered


def test_the_owner_is_told_and_can_say_it_was_not_them(estate, en, login):
    poll = make_poll(estate)
    paper(estate, poll, estate.owners[1], "12")
    db.session.commit()
    told = db.session.execute(select(Notification.user_id).where(
        Notification.kind == "ballot_entered")).scalars().all()
    assert told == [estate.owners[1].id]
    login(estate.owners[1])
    notes = en.get("/notifications").text
    assert f"A paper ballot was entered in your name on “{estate.proposal.title}”" in notes
    assert "This wasn't me" in en.get(f"/polls/{poll.id}").text
    en.post(f"/polls/{poll.id}/not-mine")
    objection = db.session.execute(select(Objection)).scalar_one()
    assert objection.user_id == estate.owners[1].id and "paper ballot" in objection.text
    login(estate.chair)
    assert objection.text in en.get(f"/polls/{poll.id}").text


def test_only_an_owner_with_an_entered_ballot_can_disown_it(estate, en, login):
    poll = make_poll(estate)
    paper(estate, poll, estate.owners[1], "12")
    cast(poll, entry_for(poll, estate.owners[0]), ["approve"], user=estate.owners[0])
    db.session.commit()
    login(estate.outsider)
    assert en.post(f"/polls/{poll.id}/not-mine").status_code == 403
    login(estate.owners[0])
    page = en.post(f"/polls/{poll.id}/not-mine", follow_redirects=True).text
    assert "No paper or proxy ballot was entered in your name." in page
    assert db.session.execute(select(func.count(Objection.id))).scalar_one() == 0
    login(estate.owners[1])
    close_poll(poll)
    db.session.commit()
    en.post(f"/polls/{poll.id}/not-mine")  # in the objection period too
    assert db.session.execute(select(func.count(Objection.id))).scalar_one() == 1


def test_the_offline_page_costs_the_same_queries_however_many_are_entered(
        make_estate, client, login, count_queries):
    estate = make_estate(owners=8)
    poll = make_poll(estate)
    paper(estate, poll, estate.owners[0], "1")
    db.session.commit()
    login(estate.staff)
    url = f"/polls/{poll.id}/offline"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n, user in enumerate(estate.owners[1:6], start=2):
        paper(estate, poll, user, str(n))
    enter_offline(poll, entry_for(poll, estate.owners[6]), ["approve"], staff=estate.staff,
                  channel=Channel.PROXY, reference="委托书", proxy_holder=estate.tenant)
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), "\n".join(many)


def test_a_spoilt_paper_ballot_takes_part_and_approves_nothing(estate, en, login):
    """废票: entered from the paper form, counted among those taking part (people and area),
    shown as such on the bulletin and the notice, and recounted so from the package."""
    poll = make_poll(estate, secrecy="open_roll")
    login(estate.staff)
    spoilt = entry_for(poll, estate.owners[2])
    page = en.get(f"/polls/{poll.id}/offline").text
    assert "Invalid ballot (废票): blank, spoilt or unreadable" in page
    en.post(f"/polls/{poll.id}/offline", data={
        "entry": spoilt.id, "choice": "invalid", "channel": "paper", "paper_number": "12",
        "reference": "档案盒 3"})
    cast(poll, entry_for(poll, estate.owners[0]), ["approve"], user=estate.owners[0])
    close_poll(poll)
    db.session.commit()
    raw, _deemed = results(poll)
    assert raw.participants == 2 and raw.option("approve").people == 1
    assert raw.participating_area == spoilt.area + entry_for(poll, estate.owners[0]).area
    assert sum(option.people for option in raw.options) == 1
    assert "Invalid ballot (废票)" in en.get(f"/polls/{poll.id}/bulletin").text
    with force_locale("en"):
        notice = to_markdown(result_notice(poll))
    assert "Invalid ballots (废票) | 1" in notice.replace("  ", " ")
    package = audit_package(poll)
    recounted = recount(package["roster.csv"], package["ballots.csv"], "civil-code-ordinary")
    assert recounted["invalid_owners"] == 1 and recounted["participating_owners"] == 2
