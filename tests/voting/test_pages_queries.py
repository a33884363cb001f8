"""The poll pages cost a fixed number of queries, however many ballots and objections."""

import pytest

from app.extensions import db
from app.voting.models import Objection, PollStatus
from app.voting.services import close_poll, store_result
from tests.voting.conftest import cast_all, make_poll

# The user, the poll with its proposal (a yes/no poll has no options to load), the user's
# standing (one); on the page
# also the viewer's roll entry and ballot, the count (results are live: the voted entries
# and the ballots, paired through their seals), the objections (owners may disown a paper
# ballot while the poll is open) and the notification badge. The turnout is the counters
# on the poll's row: no query of its own.
PAGES = {
    "poll page": (lambda poll: f"/polls/{poll.id}", 9),
    "turnout": (lambda poll: f"/polls/{poll.id}/turnout", 3),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_an_open_poll(page, make_estate, login, client, count_queries):
    estate = make_estate(owners=12)
    poll = make_poll(estate, visibility="live", secrecy="open_roll")
    url, expected = PAGES[page][0](poll), PAGES[page][1]
    login(estate.owners[0])
    cast_all(poll, estate.owners[:1], ["approve"])
    htmx = {"HX-Request": "true"}
    client.get(url, headers=htmx)
    with count_queries() as few:
        assert client.get(url, headers=htmx).status_code == 200
    cast_all(poll, estate.owners[1:], ["oppose"] * 11)
    with count_queries() as many:
        assert client.get(url, headers=htmx).status_code == 200
    assert (len(few), len(many)) == (expected, expected), "\n".join(many)


# A closed poll's pages read its stored result: the poll page the stored row (count and
# turnout in one), the bulletin a page of stored rows and their number. The chair's poll page
# also counts the SMS sent about the poll (one query).
@pytest.mark.parametrize("url, expected", [("/polls/{id}", 8), ("/polls/{id}/bulletin", 8),
                                           ("/polls/{id}/bulletin?receipt=ABCDEF", 8),
                                           ("/polls/{id}/bulletin.csv", 5)])
def test_a_closed_poll(url, expected, make_estate, login, client, count_queries):
    estate = make_estate(owners=12)
    poll = make_poll(estate)
    url = url.format(id=poll.id)
    cast_all(poll, estate.owners[:2], ["approve", "oppose"])
    close_poll(poll)
    db.session.add(Objection(poll_id=poll.id, user_id=estate.owners[1].id, text="异议"))
    db.session.commit()
    login(estate.chair)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    poll.status = PollStatus.OPEN  # reopened only to add ballots
    cast_all(poll, estate.owners[2:], ["approve"] * 10)
    poll.status = PollStatus.CLOSED
    store_result(poll)
    db.session.add_all(Objection(poll_id=poll.id, user_id=u.id, text="异议")
                       for u in estate.owners[2:])
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert (len(few), len(many)) == (expected, expected), "\n".join(many)


def test_a_closed_choice_poll_loads_its_options_once(make_estate, login, client,
                                                     count_queries):
    estate = make_estate(owners=12)
    poll = make_poll(estate, kind="choice", options=["甲", "乙", "丙"], max_choices=2,
                     rule="advisory", matter=None)
    picks = [[str(poll.options[n % 3].id)] for n in range(12)]
    cast_all(poll, estate.owners[:2], picks[:2])
    close_poll(poll)
    db.session.commit()
    login(estate.chair)
    url = f"/polls/{poll.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    poll.status = PollStatus.OPEN  # reopened only to add ballots
    cast_all(poll, estate.owners[2:], picks[2:])
    poll.status = PollStatus.CLOSED
    store_result(poll)
    db.session.commit()
    with count_queries() as many:
        page = client.get(url)
    assert "甲" in page.text and len(few) == len(many) == 9, "\n".join(many)


# Casting a ballot: the user and their standing (two, as on every page), the poll with its
# proposal, the voter's roll entry by account, then the ballot itself: the poll locked and
# the entry read in one statement (SQLite takes its write lock with one more), the ballot,
# the voted mark and the turnout counters, the chain's head and its new link. The answer is
# a redirect made before the commit: nothing is loaded after it.
CAST_QUERIES = {"postgresql": 10, "sqlite": 11}


def test_a_ballot_costs_the_same_queries_however_many_were_cast(make_estate, login, client,
                                                                  count_queries):
    estate = make_estate(owners=12)
    poll = make_poll(estate)
    cast_all(poll, estate.owners[1:11], ["approve"] * 10)
    expected, url = CAST_QUERIES[db.engine.dialect.name], f"/polls/{poll.id}/vote"
    counts = []
    for voter in (estate.owners[0], estate.owners[11]):
        login(voter)
        client.csrf_token()
        with count_queries() as queries:
            response = client.post(url, data={"choice": "oppose"})
        assert response.status_code == 302 and response.location.endswith("#my-ballot")
        counts.append(len(queries))
    assert counts == [expected, expected], "\n".join(queries)
