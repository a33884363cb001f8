"""The inbox groups replies per proposal ("张三等 5 人回复了您的评论"), marks a group read
as one, and says what the new poll and home-link notifications mean (issue 13)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notices.models import Notification, NotificationKind
from tests.notices.test_notifications import _items


@pytest.fixture
def reader(world, login, client):
    client.set_cookie("lang", "en")
    login(world.users["resident"])
    return world.users["resident"]


@pytest.fixture
def two_proposals(world, make_proposal):
    return (make_proposal(world.community, world.users["oc_staff"], title="加装电梯"),
            make_proposal(world.community, world.users["oc_staff"], title="停车位"))


def _replies(make_notification, reader, proposal, actors, start=0):
    """Replies by ``actors``, the first the newest; written in the order they came."""
    return [make_notification(reader, NotificationKind.REPLY, proposal=proposal, actor=actor,
                              minutes_ago=start + index, details={"title": proposal.title})
            for index, actor in reversed(list(enumerate(actors)))]


def _unread(user) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def test_replies_are_one_line_per_proposal_naming_the_latest_and_how_many(
        client, reader, world, two_proposals, make_user, make_notification):
    elevator, parking = two_proposals
    people = [make_user(name=f"邻居{n}") for n in range(5)]
    _replies(make_notification, reader, elevator, people + people[:2], start=1)  # 7, 5 people
    _replies(make_notification, reader, parking, [people[3], people[3]], start=20)
    make_notification(reader, NotificationKind.STATUS_CHANGE, proposal=elevator,
                      minutes_ago=10, details={"title": "加装电梯", "from": "voting",
                                               "to": "passed"})
    assert _items(client.get("/notifications").text) == [
        "New 邻居0 and others, 5 people in all, replied to your comments on “加装电梯”.",
        "New The status of “加装电梯” changed from “Voting” to “Passed”.",
        "New 邻居3 replied 2 times to your comments on “停车位”.",
    ]
    client.set_cookie("lang", "zh_Hans")
    assert "邻居0等 5 人回复了您在“加装电梯”中的评论。" in client.get("/notifications").text


def test_marking_a_line_read_marks_its_whole_group_and_nothing_else(
        client, reader, world, two_proposals, make_notification):
    elevator, parking = two_proposals
    actors = [world.users["oc_staff"], world.users["oc_chair"], world.users["moderator"]]
    group = _replies(make_notification, reader, elevator, actors)
    other = _replies(make_notification, reader, parking, actors[:1], start=5)
    page = client.post(f"/notifications/{group[1].id}/read", follow_redirects=True).text
    assert "3 notifications marked as read." in page
    assert _unread(reader) == 1
    assert db.session.get(Notification, other[0].id).read_at is None
    # htmx swaps the refreshed list
    page = client.post(f"/notifications/{other[0].id}/read", headers={"HX-Request": "true"})
    assert "1 notification marked as read." in page.text and "<html" not in page.text
    assert _unread(reader) == 0


def test_nobody_marks_another_persons_notifications_read(client, reader, world, two_proposals,
                                                         make_notification):
    theirs = make_notification(world.users["oc_chair"], NotificationKind.REPLY,
                               proposal=two_proposals[0], actor=world.users["oc_staff"],
                               details={"title": "加装电梯"})
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    assert _unread(world.users["oc_chair"]) == 1


@pytest.mark.parametrize("many", [3, 60])
def test_the_grouped_list_costs_the_same_with_many_actors_and_proposals(
        many, client, reader, world, make_user, make_proposal, make_notification,
        count_queries):
    proposals = [make_proposal(world.community, world.users["oc_staff"], title=f"议题{n}")
                 for n in range(3)]
    for index in range(many):
        make_notification(reader, NotificationKind.REPLY, proposal=proposals[index % 3],
                          actor=make_user(name=f"回复者{index}"), minutes_ago=index,
                          details={"title": proposals[index % 3].title})
        make_notification(reader, NotificationKind.STATUS_CHANGE, proposal=proposals[0],
                          minutes_ago=index)
    client.get("/notifications")
    with count_queries() as queries:
        page = client.get("/notifications").text
    assert page.count("replied to your comment") == 3
    # the user, the header's count and standing, the number of groups, the page of groups
    # and their newest rows with their actors
    assert len(queries) == 6, "\n".join(queries)


def test_pages_count_groups(app, monkeypatch, client, reader, world, two_proposals, make_user,
                            make_notification):
    monkeypatch.setitem(app.config, "NOTICES_PER_PAGE", 2)
    elevator, parking = two_proposals
    _replies(make_notification, reader, elevator, [make_user() for _ in range(4)])
    _replies(make_notification, reader, parking, [make_user() for _ in range(4)], start=10)
    make_notification(reader, NotificationKind.STATUS_CHANGE, proposal=elevator,
                      minutes_ago=20)
    first = client.get("/notifications").text
    assert len(_items(first)) == 2 and "Page 1 of 2" in first
    (last,) = _items(client.get("/notifications?page=2").text)
    assert last.startswith("New The status of “加装电梯” changed")


POLL = {"title": "加装电梯", "poll": None, "question": "是否同意加装电梯？",
        "closes_at": "2026-12-08T02:00:00+00:00"}


@pytest.mark.parametrize(("kind", "extra", "expected"), [
    ("poll_opened", {}, "Voting is open on “加装电梯”: 是否同意加装电梯？ Voting closes on "
                        "12/8/26, 10:00 AM."),
    ("poll_closing", {"days_left": 3}, "You have not voted yet on “加装电梯”: voting closes "
                                       "within 3 days, on 12/8/26, 10:00 AM."),
    ("poll_closing", {"days_left": 1}, "within 1 day, on"),
    ("poll_result", {"stage": "preliminary", "outcome": "passed"},
     "The preliminary result of the vote on “加装电梯”: Passed. Objections can be filed"),
    ("poll_result", {"stage": "final", "outcome": "no_quorum"},
     "The final result of the vote on “加装电梯”: Not passed: too few took part."),
])
def test_poll_notifications_read_as_sentences_and_lead_to_the_poll(
        kind, extra, expected, client, reader, world, two_proposals, make_notification):
    note = make_notification(reader, kind, proposal=two_proposals[0],
                             details={**POLL, "poll": 42, **extra})
    page = client.get("/notifications").text
    (item,) = _items(page)
    assert expected in item
    assert 'href="/polls/42"' in page
    assert note.actor_id is None


@pytest.mark.parametrize(("approved", "reason", "expected"), [
    (True, "", "Your request to link your account to 1栋-1201 was approved."),
    (False, "房产证姓名不符", "Your request to link your account to 1栋-1201 was declined. "
                            "Reason: 房产证姓名不符"),
])
def test_a_home_link_decision_reads_as_a_sentence_and_leads_to_my_page(
        approved, reason, expected, client, reader, world, make_notification):
    make_notification(reader, "link_decided", actor=world.users["oc_staff"],
                      details={"unit": "1栋-1201", "approved": approved, "reason": reason})
    page = client.get("/notifications").text
    assert _items(page) == [f"New {expected}"]
    assert 'href="/me"' in page


@pytest.mark.parametrize("many", [2, 40])
def test_marking_a_group_read_costs_the_same_however_big_it_is(
        many, client, reader, world, two_proposals, make_user, make_notification,
        count_queries):
    group = _replies(make_notification, reader, two_proposals[0],
                     [make_user(name=f"邻居{n}") for n in range(many)])
    client.csrf_token()
    url = f"/notifications/{group[0].id}/read"
    with count_queries() as queries:
        page = client.post(url, headers={"HX-Request": "true"})
    assert f"{many} notifications marked as read." in page.text
    # the session's user, the notification, the update, the user again after the commit,
    # the list (3) and the badge's new count
    assert len(queries) == 8, "\n".join(queries)
