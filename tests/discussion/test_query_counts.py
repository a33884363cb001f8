"""Discussions and the moderation queue cost a fixed number of queries, however many
comments and reports they hold. The rows come from many different people, proposals and
organisations, so that loading any of them one at a time would show in the count."""

import pytest
from flask import render_template
from flask_login import login_user

from app.discussion.models import Comment, Report
from app.discussion.services import discussion_context
from app.extensions import db
from app.proposals.models import ModerationState

HTMX = {"HX-Request": "true"}
VIEWERS = ["neighbour", "property_staff", "muted"]


def _viewer(place, who):
    return getattr(place, who) if who in ("neighbour", "muted") else place.users[who]


def _official_answers(place):
    """One answer from each organisation, each written by its own staff member."""
    for organisation, who in ((place.property_company, "property_staff"),
                              (place.neighbourhood_committee, "nc_staff"),
                              (place.owners_committee, "oc_staff"),
                              (place.party_branch, "party_chair")):
        db.session.add(Comment(proposal_id=place.proposal.id, author_id=place.users[who].id,
                               organisation_id=organisation.id, body=f"官方答复：{who}"))
    db.session.commit()


@pytest.fixture
def limited(place):
    """Rules of order that make the page count the viewer's own comments."""
    place.proposal.max_comments_per_person = 600
    db.session.commit()
    return place


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize(("url", "headers", "expected"), [
    ("/p/{id}/comments", {}, {"neighbour": 10, "property_staff": 11, "muted": 10}),
    ("/p/{id}/comments?page=2", HTMX, {"neighbour": 7, "property_staff": 8, "muted": 7}),
], ids=["page", "more"])
def test_the_discussion_page_costs_the_same_with_0_or_500_comments(
        app, limited, login, many_comments, crowd, count_queries, who, url, headers,
        expected):
    place = limited
    client = login(_viewer(place, who), app.test_client())
    target = url.format(id=place.proposal.id)
    client.get(target, headers=headers)  # warm up: the CSRF token, caches
    with count_queries() as empty:
        assert client.get(target, headers=headers).status_code == 200
    _official_answers(place)
    many_comments(place.proposal, crowd(), 500)
    with count_queries() as full:
        page = client.get(target, headers=headers).get_data(as_text=True)
    assert "<li id=\"comment-" in page
    assert (len(empty), len(full)) == (expected[who], expected[who]), "\n".join(full)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_section_on_the_proposal_page_costs_the_same_with_0_or_500_comments(
        app, limited, many_comments, crowd, count_queries, who):
    """What ``discussion_context`` adds to the proposal page, rendered as that page does."""
    place = limited
    user = _viewer(place, who)

    def render() -> tuple[int, str]:
        with app.test_request_context(f"/p/{place.proposal.id}"):
            login_user(user)
            proposal = db.session.get(type(place.proposal), place.proposal.id)
            with count_queries() as queries:
                html = render_template("discussion/_section.html",
                                       **discussion_context(proposal, user=user, page=1))
        return len(queries), html

    render()
    empty, _ = render()
    _official_answers(place)
    many_comments(place.proposal, crowd(), 500)
    full, html = render()
    assert "第19条意见" in html and "回复19" in html and "官方答复：party_chair" in html
    assert empty == full


def test_the_proposal_page_costs_the_same_with_0_or_500_comments(
        app, limited, login, many_comments, crowd, count_queries):
    client = login(limited.neighbour, app.test_client())
    url = f"/p/{limited.proposal.id}"
    client.get(url)
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    _official_answers(limited)
    many_comments(limited.proposal, crowd(), 500)
    with count_queries() as full:
        page = client.get(url).get_data(as_text=True)
    assert "第19条意见" in page and "第20条意见" not in page
    assert len(empty) == len(full), "\n".join(full)


def _proposals_by_many(place, make_proposal, authors, count: int = 4, **fields):
    return [make_proposal(place.community, author, title=f"议题{n}", **fields)
            for n, author in enumerate(authors[:count])]


def test_the_moderation_queue_costs_the_same_with_few_or_many_reports(
        app, place, login, crowd, make_proposal, many_comments, count_queries):
    """Reported comments on four proposals, and four other reported proposals, each by
    people who appear nowhere else on the page."""
    client = login(place.users["moderator"], app.test_client())
    url = f"/c/{place.community.id}/moderation"
    people, others = crowd(), crowd(8)
    for proposal in _proposals_by_many(place, make_proposal, people[:4]):
        many_comments(proposal, people[4:], 10)
    comments = db.session.query(Comment).order_by(Comment.id).all()
    reported = _proposals_by_many(place, make_proposal, others[:4])
    reporters = others[4:7]

    def report(reporter, comment=None, proposal=None):
        db.session.add(Report(community_id=place.community.id, reporter_id=reporter.id,
                              comment_id=comment.id if comment else None,
                              proposal_id=proposal.id if proposal else None, reason="spam"))

    report(reporters[0], comment=comments[0])
    report(reporters[0], proposal=reported[0])
    db.session.commit()
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for comment in comments[1:]:
        for reporter in reporters:
            report(reporter, comment=comment)
    for proposal in reported[1:]:
        report(reporters[1], proposal=proposal)
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="card" id="item-') == 84  # 80 comments and 4 proposals
    assert (len(few), len(many)) == (9, 9), "\n".join(many)


def test_the_hidden_items_cost_the_same_however_many(
        app, place, login, crowd, make_proposal, many_comments, count_queries):
    client = login(place.users["moderator"], app.test_client())
    url = f"/c/{place.community.id}/moderation?show=hidden"
    people = crowd()
    proposals = _proposals_by_many(place, make_proposal, people[:4])
    for proposal in proposals:
        many_comments(proposal, people[4:], 5)
    comments = db.session.query(Comment).order_by(Comment.id).all()

    def hide(*items):
        for item in items:
            item.moderation_state = ModerationState.HIDDEN
        db.session.commit()

    hide(comments[0], proposals[0])
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    hide(*comments[1:], *_proposals_by_many(place, make_proposal, people[-4:]))
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="card" id="item-') == 45  # 40 comments and 5 proposals
    assert len(few) == len(many), "\n".join(many)
