"""Posting limits per person (issue 13, "no flooding"): comments and replies per minute and
per hour, counted from the comments table; a refusal says how long to wait and keeps what
was typed, with and without htmx. Official answers speak for an organisation: not limited."""

import re
from datetime import timedelta

import pytest

from app.discussion.services import posting_wait
from app.extensions import utcnow
from tests.discussion.test_comments import HTMX, comment_data, comments_of


@pytest.fixture(autouse=True)
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_LIMIT_PER_MINUTE", 3)
    monkeypatch.setitem(app.config, "COMMENT_LIMIT_PER_HOUR", 30)


def _wait(text: str) -> int:
    return int(re.search(r"please try again in (\d+) seconds?", text).group(1))


@pytest.fixture
def now(monkeypatch):
    """The limits' clock stands still, so that the waits are exact however slow the run."""
    moment = utcnow()
    monkeypatch.setattr("app.discussion.services.utcnow", lambda: moment)
    return moment


def test_the_fourth_comment_in_a_minute_waits_and_keeps_what_was_typed(
        client, place, login, english, add_comment, now):
    for seconds in (10, 20, 30):
        add_comment(place.proposal, place.neighbour, created_at=now - timedelta(seconds=seconds))
    login(place.neighbour)
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data=comment_data("第四条，太快了")).text
    assert "<html" in page and "第四条，太快了" in page
    assert _wait(page) == 30  # until the oldest of the three is a minute old
    fragment = client.post(f"/p/{place.proposal.id}/comments",
                           data=comment_data("第四条，太快了"), headers=HTMX).text
    assert "<html" not in fragment and "第四条，太快了" in fragment and _wait(fragment)
    assert len(comments_of(place.proposal)) == 3


def test_the_hour_limit_counts_replies_and_deleted_comments_too(
        client, place, login, english, add_comment, now):
    thread = add_comment(place.proposal, place.users["resident"])
    for minutes in range(2, 32):  # 30 in the last hour, none in the last minute
        add_comment(place.proposal, place.neighbour, parent=thread if minutes % 2 else None,
                    created_at=now - timedelta(minutes=minutes),
                    deleted_at=now if minutes == 2 else None)
    login(place.neighbour)
    page = client.post(f"/comments/{thread.id}/replies",
                       data={f"reply-{thread.id}-body": "再回一条"}, headers=HTMX).text
    assert "再回一条" in page
    # the oldest, 31 minutes old, leaves the hour in 29 minutes
    assert _wait(page) == 29 * 60
    page = client.post(f"/comments/{thread.id}/replies",
                       data={f"reply-{thread.id}-body": "再回一条"}).text
    assert "<html" in page and "再回一条" in page and _wait(page)
    assert len(comments_of(place.proposal)) == 31


def test_after_the_minute_the_next_comment_goes_through(client, place, login, add_comment):
    now = utcnow()
    for seconds in (61, 70, 80):
        add_comment(place.proposal, place.neighbour, created_at=now - timedelta(seconds=seconds))
    login(place.neighbour)
    response = client.post(f"/p/{place.proposal.id}/comments", data=comment_data())
    assert response.status_code == 302
    assert len(comments_of(place.proposal)) == 4


def test_the_refusal_is_in_chinese(client, place, login, add_comment):
    for _ in range(3):
        add_comment(place.proposal, place.neighbour)
    login(place.neighbour)
    page = client.post(f"/p/{place.proposal.id}/comments", data=comment_data()).text
    assert re.search(r"您发言太快了，请 \d+ 秒后再试。", page)


def test_official_answers_are_not_limited_nor_counted(client, place, login, english,
                                                      add_comment):
    staff = place.users["property_staff"]
    for _ in range(5):
        add_comment(place.proposal, staff, organisation=place.property_company)
    assert posting_wait(staff) == 0
    login(staff)
    page = client.post(f"/p/{place.proposal.id}/answers", data={
        "answer-organisation": str(place.property_company.id), "answer-body": "我们下周答复"},
        follow_redirects=True).text
    assert "Your official answer is posted" in page


def test_no_limit_when_the_settings_are_zero(app, monkeypatch, place, add_comment):
    monkeypatch.setitem(app.config, "COMMENT_LIMIT_PER_MINUTE", 0)
    monkeypatch.setitem(app.config, "COMMENT_LIMIT_PER_HOUR", 0)
    for _ in range(5):
        add_comment(place.proposal, place.neighbour)
    assert posting_wait(place.neighbour) == 0


def test_the_check_is_one_query_however_many_comments(place, add_comment, count_queries):
    now = utcnow()
    for minutes in range(50):
        add_comment(place.proposal, place.neighbour, created_at=now - timedelta(minutes=minutes))
    neighbour = place.neighbour
    assert neighbour.id  # loaded before counting, as the signed-in user is
    with count_queries() as queries:
        assert posting_wait(neighbour) > 0
    assert len(queries) == 1, queries
