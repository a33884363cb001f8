import re

import pytest
from sqlalchemy import func, select

from app.discussion.models import Comment
from app.extensions import db
from app.notices.models import Notification, NotificationKind


@pytest.fixture
def reader(world, login, client):
    """The resident of the world, logged in, reading in English."""
    client.set_cookie("lang", "en")
    login(world.users["resident"])
    return world.users["resident"]


@pytest.fixture
def proposal(world, make_proposal):
    return make_proposal(world.community, world.users["oc_staff"], title="加装电梯")


def _unread(user) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def _items(page: str) -> list[str]:
    section = page.split('<ul class="plain notifications">', 1)[1].split("</ul>", 1)[0]
    items = [re.sub(r"<form.*?</form>", "", item.split(">", 1)[1], flags=re.S)
             for item in section.split("<li")[1:]]  # without the "Mark as read" button
    return [re.sub(r"\s+", " ", re.sub(r"<time.*?</time>|<[^>]+>", " ", item)).strip()
            for item in items]


def test_each_notification_reads_as_a_sentence_newest_first_and_links_to_the_proposal(
        client, reader, world, proposal, make_notification):
    comment = Comment(proposal_id=proposal.id, author_id=reader.id, body="支持", stance="support")
    db.session.add(comment)
    db.session.commit()
    actor = world.users["oc_staff"]
    make_notification(reader, NotificationKind.THRESHOLD_REACHED, proposal=proposal,
                      details={"title": "加装电梯", "count": 5}, minutes_ago=50)
    make_notification(reader, NotificationKind.STATUS_CHANGE, proposal=proposal,
                      details={"title": "加装电梯", "from": "deliberation", "to": "collecting",
                               "note": "请补充费用测算"}, minutes_ago=40, read=True)
    make_notification(reader, NotificationKind.REPLY, proposal=proposal, actor=actor,
                      comment_id=comment.id, details={"title": "加装电梯"}, minutes_ago=30)
    make_notification(reader, NotificationKind.OFFICIAL_ANSWER, proposal=proposal, actor=actor,
                      details={"title": "加装电梯", "organisation": "安居物业"}, minutes_ago=20)
    make_notification(reader, NotificationKind.PARTY_REVIEW, proposal=proposal, actor=actor,
                      details={"title": "加装电梯", "opinion": "proceed_with_suggestions"},
                      minutes_ago=10)
    make_notification(reader, NotificationKind.MODERATION, proposal=proposal, actor=actor,
                      comment_id=comment.id,
                      details={"title": "加装电梯", "action": "hide", "target": "comment",
                               "reason": "含有他人电话号码"})

    page = client.get("/notifications").get_data(as_text=True)

    assert _items(page) == [
        "New A moderator hid your comment on “加装电梯”. Reason: 含有他人电话号码",
        "New The party branch gave its opinion on “加装电梯”: Proceed, with suggestions.",
        "New 安居物业 gave an official answer on “加装电梯”.",
        "New oc_staff replied to your comment on “加装电梯”.",
        "The status of “加装电梯” changed from “In deliberation” to “Collecting support”. "
        "Reason: 请补充费用测算",
        "New Your proposal “加装电梯” has 5 co-sponsors and moves on to deliberation.",
    ]
    # Comments are reached through their stable link, which finds the right page.
    assert page.count(f'href="/comments/{comment.id}"') == 2
    assert page.count(f'href="/p/{proposal.id}"') == 4
    assert _unread(reader) == 5, "reading the list must not mark anything read"


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_its_own_sentence(kind, client, reader, proposal, make_notification):
    make_notification(reader, kind, proposal=proposal, details={
        "title": "加装电梯", "from": "voting", "to": "passed", "count": 1, "opinion": "proceed",
        "starts_at": "2026-12-01T11:00:00+00:00", "action": "清理楼道杂物", "due": "2026-12-15",
        "place": "会议室", "unit": "1栋-101"})
    (item,) = _items(client.get("/notifications").get_data(as_text=True))
    assert "加装电梯" in item or kind == NotificationKind.LINK_REPLACED  # about a home
    others = {
        NotificationKind.REPLY: "replied to your comment",
        NotificationKind.OFFICIAL_ANSWER: "gave an official answer",
        NotificationKind.STATUS_CHANGE: "changed from “Voting” to “Passed”",
        NotificationKind.THRESHOLD_REACHED: "has 1 co-sponsor and",
        NotificationKind.PARTY_REVIEW: "opinion on “加装电梯”: Proceed.",
        NotificationKind.MODERATION: "A moderator decided",
        NotificationKind.MEETING_INVITATION:
            "You are invited to the meeting “加装电梯” on 12/1/26, 7:00 PM.",
        NotificationKind.MEETING_CANCELLED:
            "The meeting “加装电梯” on 12/1/26, 7:00 PM was cancelled.",
        NotificationKind.MEETING_MOVED:
            "The meeting “加装电梯” has moved: it is now on 12/1/26, 7:00 PM, at 会议室.",
        NotificationKind.FOLLOW_UP:
            "follow-up action on “加装电梯”: 清理楼道杂物 (due Dec 15, 2026).",
        NotificationKind.NOTICE_REMINDER: "Please read the notice “加装电梯” for your home.",
        NotificationKind.LINK_REPLACED: "linked 1栋-101 to another account",
    }
    assert others.pop(kind) in item
    assert not any(words in item for words in others.values())


@pytest.mark.parametrize(("details", "expected"), [
    ({"action": "pending", "target": "comment"},
     "Your comment on “加装电梯” was reported and is hidden until a moderator reviews it."),
    ({"action": "pending", "target": "proposal"},
     "Your proposal “加装电梯” was reported and is hidden until a moderator reviews it."),
    ({"action": "hide", "target": "proposal", "reason": "广告"},
     "A moderator hid your proposal “加装电梯”. Reason: 广告"),
    ({"action": "restore", "target": "comment"},
     "A moderator restored your comment on “加装电梯”."),
    ({"action": "restore", "target": "proposal"}, "A moderator restored your proposal “加装电梯”."),
    ({"action": "dismiss", "target": "comment"},
     "A moderator dismissed the reports about your comment on “加装电梯”; it stays visible."),
    ({"action": "dismiss", "target": "proposal"},
     "A moderator dismissed the reports about your proposal “加装电梯”; it stays visible."),
])
def test_moderation_notices_say_what_was_decided(details, expected, client, reader, proposal,
                                                 make_notification):
    make_notification(reader, NotificationKind.MODERATION, proposal=proposal,
                      details={"title": "加装电梯", "reason": "", **details})
    page = client.get("/notifications").get_data(as_text=True)
    assert _items(page) == [f"New {expected}"]
    assert f'href="/p/{proposal.id}"' in page


def test_notices_about_me_rather_than_a_proposal_have_no_link(client, reader, world,
                                                              make_notification):
    make_notification(reader, NotificationKind.MODERATION, actor=world.users["moderator"],
                      details={"action": "mute", "reason": "多次人身攻击",
                               "until": "2030-03-01T04:00:00+00:00", "community": "翠湖花园"})
    make_notification(reader, NotificationKind.MODERATION, actor=world.users["moderator"],
                      minutes_ago=5,
                      details={"action": "hide_all", "reason": "广告", "comments": 7,
                               "proposals": 1, "community": "翠湖花园"})
    page = client.get("/notifications").get_data(as_text=True)
    assert _items(page) == [
        "New A moderator muted you in 翠湖花园 until 3/1/30, 12:00 PM: you can read but not "
        "post. Reason: 多次人身攻击",
        "New A moderator hid all your content in 翠湖花园 (comments: 7, proposals: 1). "
        "Reason: 广告",
    ]
    items = page.split('<ul class="plain notifications">', 1)[1].split("</ul>", 1)[0]
    assert "href=" not in items


def test_only_my_own_notifications_are_listed(client, reader, world, proposal,
                                              make_notification):
    make_notification(world.users["oc_chair"], proposal=proposal,
                      details={"title": "别人的通知", "from": "voting", "to": "passed"})
    page = client.get("/notifications").get_data(as_text=True)
    assert "别人的通知" not in page
    assert "No notifications yet." in page
    assert "Mark all as read" not in page


def test_the_list_pages_by_the_setting_and_htmx_gets_only_the_list(
        app, monkeypatch, client, reader, proposal, make_notification):
    monkeypatch.setitem(app.config, "NOTICES_PER_PAGE", 3)
    for index in range(5):
        make_notification(reader, proposal=proposal, minutes_ago=index,
                          details={"title": f"议题{index:02d}", "from": "voting",
                                   "to": "passed"})
    first = client.get("/notifications").get_data(as_text=True)
    assert len(_items(first)) == 3 and "议题00" in first and "议题03" not in first
    assert 'href="/notifications?page=2"' in first
    second = client.get("/notifications?page=2", headers={"HX-Request": "true"})
    body = second.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<section id="notifications">')
    assert [item.split("“")[1].split("”")[0] for item in _items(body)] == ["议题03", "议题04"]


def test_a_page_past_the_end_or_a_bad_page_number_is_harmless(client, reader, proposal,
                                                              make_notification):
    make_notification(reader, proposal=proposal)
    past = client.get("/notifications?page=9").get_data(as_text=True)
    assert "No more notifications here." in past and 'href="/notifications"' in past
    bad = client.get("/notifications?page=abc")
    assert bad.status_code == 200 and len(_items(bad.get_data(as_text=True))) == 1


def test_mark_all_read_marks_mine_and_nobody_elses(client, reader, world, proposal,
                                                   make_notification):
    other = world.users["oc_chair"]
    for _ in range(3):
        make_notification(reader, proposal=proposal)
    make_notification(other, proposal=proposal)
    response = client.post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert _unread(reader) == 0 and _unread(other) == 1
    page = client.get("/notifications").get_data(as_text=True)
    assert "3 notifications marked as read." in page
    assert "New" not in " ".join(_items(page))
    assert ">Notifications</a>" in page  # no count left in the header


def test_mark_all_read_with_htmx_refreshes_the_list_and_the_header_badge(
        client, reader, proposal, make_notification):
    make_notification(reader, proposal=proposal)
    response = client.post("/notifications/read-all", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "1 notification marked as read." in body
    assert re.search(r'<a id="notifications-link"[^>]*hx-swap-oob="true"', body)
    assert "(1)" not in body
    assert _unread(reader) == 0


def test_mark_all_read_with_nothing_unread_says_so(client, reader):
    client.post("/notifications/read-all")
    assert "You have no unread notifications." in client.get("/notifications").get_data(
        as_text=True)


def test_mark_all_read_needs_the_form_token(client, reader, proposal, make_notification):
    make_notification(reader, proposal=proposal)
    response = client.post("/notifications/read-all", csrf=False)
    assert response.status_code == 400
    assert _unread(reader) == 1


def test_the_header_shows_the_unread_count_in_words_and_number(client, reader, proposal,
                                                               make_notification):
    for _ in range(3):
        make_notification(reader, proposal=proposal)
    make_notification(reader, proposal=proposal, read=True)
    page = client.get("/me").get_data(as_text=True)
    link = re.search(r'<a id="notifications-link"[^>]*>(.*?)</a>', page, re.S)
    assert re.sub(r"<[^>]+>|\s+", "", link.group(1)) == "Notifications(3)"
    assert 'aria-label="Notifications: 3 unread"' in link.group(0)
    assert 'hx-get="/notifications/count"' in link.group(0)
    assert 'hx-trigger="every 120s"' in link.group(0)


def test_the_header_shows_no_notifications_to_strangers(client):
    assert "notifications-link" not in client.get("/privacy").get_data(as_text=True)


def test_the_badge_refresh_returns_only_the_badge_in_two_queries(
        client, reader, proposal, make_notification, count_queries):
    make_notification(reader, proposal=proposal)
    client.get("/notifications/count")
    make_notification(reader, proposal=proposal)
    with count_queries() as queries:
        response = client.get("/notifications/count", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True).strip()
    assert body.startswith('<a id="notifications-link"') and body.endswith("</a>")
    assert "(2)" in body
    assert len(queries) == 2, queries  # the user, the count


def test_strangers_polling_the_badge_are_sent_to_log_in(client):
    response = client.get("/notifications/count", headers={"HX-Request": "true"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_every_page_counts_unread_notifications_with_one_query(client, reader, count_queries):
    client.get("/me")
    with count_queries() as queries:
        client.get("/me")
    counting = [q for q in queries if "FROM notifications" in q]
    assert len(counting) == 1 and "count(" in counting[0].lower()


@pytest.mark.parametrize("many", [3, 70])
def test_the_list_costs_a_fixed_number_of_queries(many, client, reader, world, proposal,
                                                  make_notification, count_queries):
    for index in range(many):
        make_notification(reader, NotificationKind.OFFICIAL_ANSWER, proposal=proposal,
                          actor=world.users["oc_staff" if index % 2 else "oc_chair"],
                          minutes_ago=index, details={"title": "加装电梯"})
    client.get("/notifications")
    with count_queries() as queries:
        assert client.get("/notifications").status_code == 200
    # the user, the header's count and standing (1), the page's number of groups, the
    # groups and their newest rows
    assert len(queries) == 6, "\n".join(queries)


def test_meeting_and_notice_notifications_link_to_them(client, reader, world, make_notification):
    from app.extensions import utcnow
    from app.meetings.models import Meeting
    from app.notices.models import Notice
    from app.notices.services import notify

    staff = world.users["oc_staff"]
    meeting = Meeting(community_id=world.community.id, kind="owners_committee",
                      title="业委会例会", starts_at=utcnow(), ends_at=utcnow(),
                      organisation_id=world.owners_committee.id, chair_id=staff.id,
                      recorder_id=staff.id, check_in_code="12345678", created_by_id=staff.id)
    notice = Notice(community_id=world.community.id, organisation_id=world.owners_committee.id,
                    title="停水通知")
    db.session.add_all([meeting, notice])
    db.session.commit()
    notify([reader.id, staff.id], NotificationKind.MEETING_CANCELLED, actor=staff,
           meeting_id=meeting.id, details={
               "title": "业委会例会", "starts_at": "2026-12-01T11:00:00+00:00",
               "reason": "主任出差"})
    notify([reader.id], NotificationKind.NOTICE_REMINDER, notice_id=notice.id,
           details={"title": "停水通知"})
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert sorted(_items(page)) == [
        "New Please read the notice “停水通知” for your home.",
        "New The meeting “业委会例会” on 12/1/26, 7:00 PM was cancelled. Reason: 主任出差",
    ]
    assert f'href="/meetings/{meeting.id}"' in page
    assert f'href="/notices/{notice.id}"' in page

