"""The proposal page leads with its task (issue 15): the vote waiting for this person and
the latest official answer come before the proposal's long text, which folds."""

import re

from app.community.models import OrganisationKind
from app.discussion.models import Comment
from app.extensions import db
from app.voting.services import entry_for
from tests.voting.conftest import cast_all, make_poll

LONG_BODY = "\n\n".join(f"第{n}段：电梯加装的方案说明，" + "内容" * 40 for n in range(1, 9))


def _long_body(estate):
    estate.proposal.body = LONG_BODY
    estate.proposal.body_html = "".join(f"<p>{p}</p>" for p in LONG_BODY.split("\n\n"))
    db.session.commit()


def _page(client, estate) -> str:
    response = client.get(f"/p/{estate.proposal.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _before_body(html: str, needle: str) -> bool:
    """Whether ``needle`` is on the page before the proposal's text begins."""
    return needle in html and html.index(needle) < html.index('class="proposal-body')


def test_an_owner_who_has_not_voted_is_sent_to_the_ballot_before_the_text(
        make_estate, login, en):
    estate = make_estate()
    _long_body(estate)
    poll = make_poll(estate)
    login(estate.owners[1])
    html = _page(en, estate)
    button = f'href="/polls/{poll.id}#vote">Go and vote</a>'
    assert _before_body(html, button)
    assert "See your receipt" not in html
    # The long text folds, yet it is all on the page, for the unfold box and for print.
    assert '<input type="checkbox" class="unfold" id="unfold-body">' in html
    assert "第8段" in html and "Show the full text" in html


def test_an_owner_who_voted_sees_that_and_the_way_to_the_receipt(make_estate, login, en):
    estate = make_estate()
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    login(estate.owners[0])
    html = _page(en, estate)
    assert "Go and vote" not in html
    assert _before_body(html, "Voted already")
    assert _before_body(html, f'href="/polls/{poll.id}#my-ballot">See your receipt</a>')


def test_someone_off_the_roll_gets_the_poll_link_but_no_ballot_button(make_estate, login, en):
    estate = make_estate()
    poll = make_poll(estate)
    assert entry_for(poll, estate.tenant) is None
    login(estate.tenant)
    html = _page(en, estate)
    assert "Go and vote" not in html and "Voted already" not in html
    task = html[html.index('id="task"'):html.index('class="proposal-body')]
    assert f'href="/polls/{poll.id}"' in task
    # A short text does not fold.
    assert 'class="unfold"' not in html


def test_the_latest_official_answer_leads_and_links_to_the_whole_answer(
        make_estate, make_org, login, en):
    estate = make_estate()
    _long_body(estate)
    office = make_org(estate.community, OrganisationKind.PROPERTY_COMPANY, "安居物业")
    first = Comment(proposal_id=estate.proposal.id, author_id=estate.staff.id,
                    organisation_id=office.id, body="第一次答复：正在评估。")
    latest = Comment(proposal_id=estate.proposal.id, author_id=estate.staff.id,
                     organisation_id=office.id, body="第二次答复：同意出资三成。\n详细预算见附件。")
    db.session.add_all([first, latest])
    db.session.commit()
    login(estate.owners[2])
    html = _page(en, estate)
    task = html[html.index('id="task"'):html.index('class="proposal-body')]
    assert "Official answer · 安居物业" in task
    assert "第二次答复：同意出资三成。" in task and "第一次答复" not in task
    assert f'href="#comment-{latest.id}">Read the full answer</a>' in task
    # The whole answer is still in the discussion further down.
    assert re.search(rf'id="comment-{latest.id}"', html[html.index('id="discussion"'):])


def test_a_deleted_answer_is_not_the_one_that_leads(make_estate, make_org, login, en):
    estate = make_estate()
    office = make_org(estate.community, OrganisationKind.PROPERTY_COMPANY, "安居物业")
    kept = Comment(proposal_id=estate.proposal.id, author_id=estate.staff.id,
                   organisation_id=office.id, body="有效的答复")
    gone = Comment(proposal_id=estate.proposal.id, author_id=estate.staff.id,
                   organisation_id=office.id, body="撤回的答复")
    db.session.add_all([kept, gone])
    db.session.flush()
    gone.deleted_at = gone.created_at
    db.session.commit()
    login(estate.owners[2])
    task = _page(en, estate)
    task = task[task.index('id="task"'):task.index('class="proposal-body')]
    assert "有效的答复" in task and "撤回的答复" not in task


# The page of a proposal in deliberation with its open poll, for a voter.
PAGE_QUERIES = 17


def test_the_proposal_page_with_an_open_poll_costs_a_fixed_number_of_queries(
        make_estate, login, client, count_queries):
    """One query more than without a poll: the viewer's roll entry (the voted mark is on it,
    the receipt is read on the poll page)."""
    estate = make_estate(owners=12)
    poll = make_poll(estate)
    login(estate.owners[0])
    cast_all(poll, estate.owners[:1], ["approve"])
    url = f"/p/{estate.proposal.id}"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    cast_all(poll, estate.owners[1:], ["oppose"] * 11)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert (len(few), len(many)) == (PAGE_QUERIES, PAGE_QUERIES), "\n".join(many)
