"""The home page puts first what waits for an owner: the open votes on their roll, with the
ballot one tap away, or the receipt once voted."""

from app.extensions import db
from app.proposals.states import Status
from app.voting.services import cast, close_poll, entry_for
from tests.voting.conftest import make_poll


def _waiting(page: str) -> str:
    start = page.find('id="home-waiting"')
    return page[start:page.find("</section>", start)] if start >= 0 else ""


def test_an_open_vote_on_my_roll_is_one_tap_away_and_then_shows_my_receipt(
        make_estate, en, login):
    estate = make_estate(owners=3)
    poll = make_poll(estate)
    owner, stranger = estate.owners[0], estate.tenant
    login(owner)
    card = _waiting(en.get("/").text)
    assert poll.question in card and f'href="/polls/{poll.id}#vote"' in card
    assert "Go and vote" in card

    ballot = cast(poll, entry_for(poll, owner), ["approve"], user=owner)
    db.session.commit()
    card = _waiting(en.get("/").text)
    assert f"your receipt is {ballot.receipt}" in card and "Go and vote" not in card

    login(stranger)  # a tenant lives here but is not on an owners' roll
    assert _waiting(en.get("/").text) == ""

    close_poll(poll)
    db.session.commit()
    login(owner)
    assert _waiting(en.get("/").text) == ""


def test_the_home_page_costs_the_same_however_many_votes_wait(make_estate, make_proposal, en,
                                                              login, count_queries):
    estate = make_estate(owners=2)
    owner = estate.owners[0]
    first = make_poll(estate, question="第一个表决？")
    cast(first, entry_for(first, owner), ["approve"], user=owner)
    db.session.commit()
    login(owner)
    with count_queries() as few:
        en.get("/")
    for n in range(3):
        estate.proposal = make_proposal(estate.community, estate.chair,
                                        status=Status.DELIBERATION, title=f"议题{n}")
        poll = make_poll(estate, question=f"又一个表决{n}？")
        cast(poll, entry_for(poll, owner), ["oppose"], user=owner)
    db.session.commit()
    with count_queries() as many:
        page = en.get("/").text
    assert _waiting(page).count("your receipt is") == 4
    assert len(few) == len(many), "\n".join(many)
