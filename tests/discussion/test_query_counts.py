"""Discussions and the moderation queue cost a fixed number of queries, however many
comments and reports they hold."""

import pytest
from flask import render_template
from flask_login import login_user

from app.community.models import Role
from app.discussion.models import Comment, Report
from app.discussion.services import discussion_context
from app.extensions import db

HTMX = {"HX-Request": "true"}
VIEWERS = ["neighbour", "property_staff", "muted"]


def _viewer(place, who):
    return getattr(place, who) if who in ("neighbour", "muted") else place.users[who]


def _official_answer(place):
    db.session.add(Comment(proposal_id=place.proposal.id, author_id=place.users[
        "property_staff"].id, organisation_id=place.property_company.id, body="官方答复"))
    db.session.commit()


@pytest.fixture
def limited(place):
    """Rules of order that make the page count the viewer's own comments."""
    place.proposal.max_comments_per_person = 600
    db.session.commit()
    return place


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize(("url", "headers", "expected"), [
    ("/p/{id}/comments", {}, {"neighbour": 11, "property_staff": 12, "muted": 11}),
    ("/p/{id}/comments?page=2", HTMX, {"neighbour": 8, "property_staff": 9, "muted": 8}),
], ids=["page", "more"])
def test_the_discussion_page_costs_the_same_with_0_or_500_comments(
        app, limited, login, many_comments, count_queries, who, url, headers, expected):
    place = limited
    client = login(_viewer(place, who), app.test_client())
    target = url.format(id=place.proposal.id)
    client.get(target, headers=headers)  # warm up: the CSRF token, caches
    with count_queries() as empty:
        assert client.get(target, headers=headers).status_code == 200
    _official_answer(place)
    many_comments(place.proposal, [place.neighbour, place.users["oc_staff"]], 500)
    with count_queries() as full:
        page = client.get(target, headers=headers).get_data(as_text=True)
    assert "<li id=\"comment-" in page
    assert (len(empty), len(full)) == (expected[who], expected[who]), "\n".join(full)


@pytest.mark.parametrize("who", VIEWERS)
def test_the_section_on_the_proposal_page_costs_the_same_with_0_or_500_comments(
        app, limited, many_comments, count_queries, who):
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
    _official_answer(place)
    many_comments(place.proposal, [place.neighbour, place.users["oc_staff"]], 500)
    full, html = render()
    assert "第19条意见" in html and "回复19" in html and "官方答复" in html
    assert empty == full


def test_the_proposal_page_costs_the_same_with_0_or_500_comments(
        app, limited, login, many_comments, count_queries):
    client = login(limited.neighbour, app.test_client())
    url = f"/p/{limited.proposal.id}"
    client.get(url)
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    _official_answer(limited)
    many_comments(limited.proposal, [limited.neighbour, limited.users["oc_staff"]], 500)
    with count_queries() as full:
        page = client.get(url).get_data(as_text=True)
    assert "第19条意见" in page and "第20条意见" not in page
    assert len(empty) == len(full), "\n".join(full)


def test_the_moderation_queue_costs_the_same_with_few_or_many_reports(
        app, place, login, make_user, give_role, many_comments, count_queries):
    client = login(place.users["moderator"], app.test_client())
    url = f"/c/{place.community.id}/moderation"
    many_comments(place.proposal, [place.neighbour, place.users["oc_staff"]], 40)
    comments = db.session.query(Comment).order_by(Comment.id).all()
    reporters = []
    for index in range(3):
        person = make_user(name=f"举报人{index}")
        give_role(person, Role.RESIDENT, place.community)
        reporters.append(person)

    def report(comment, reporter):
        db.session.add(Report(community_id=place.community.id, reporter_id=reporter.id,
                              comment_id=comment.id, reason="spam"))

    report(comments[0], reporters[0])
    db.session.add(Report(community_id=place.community.id, reporter_id=reporters[0].id,
                          proposal_id=place.proposal.id, reason="abuse"))
    db.session.commit()
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for comment in comments[1:]:
        for reporter in reporters:
            report(comment, reporter)
    db.session.commit()
    with count_queries() as many:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="card" id="item-') == 81  # 80 comments and the proposal
    assert (len(few), len(many)) == (10, 10), "\n".join(many)
