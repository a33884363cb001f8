"""Reports, the report threshold, the moderation queue, mutes and hiding all of a member's
content."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import Role
from app.discussion.models import Comment, Mute, Report
from app.extensions import db, utcnow
from app.notices.models import Notification
from app.proposals.models import Proposal
from app.proposals.states import Status

HTMX = {"HX-Request": "true"}


def count(model, *where) -> int:
    return db.session.execute(
        select(func.count()).select_from(model).where(*where)).scalar_one()


def fresh(item):
    db.session.expire_all()
    return db.session.get(type(item), item.id)


def audit_actions() -> list[str]:
    return list(db.session.execute(
        select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def moderation_notes(user) -> list[dict]:
    return [n.details for n in db.session.execute(
        select(Notification).where(Notification.user_id == user.id,
                                   Notification.kind == "moderation")
        .order_by(Notification.id)).scalars()]


@pytest.fixture
def reporters(place, make_user, give_role):
    people = []
    for index in range(3):
        person = make_user(name=f"举报人{index}")
        give_role(person, Role.RESIDENT, place.community)
        people.append(person)
    return people


def report_data(comment, reason="abuse", note="") -> dict:
    return {f"report-{comment.id}-reason": reason, f"report-{comment.id}-note": note}


# --- Reports -------------------------------------------------------------------------------


def test_reporting_a_comment_once_and_a_second_time_politely(
        client, place, login, english, add_comment):
    comment = add_comment(place.proposal, place.neighbour, "骂人的话")
    login(place.users["resident"])
    fragment = client.post(f"/comments/{comment.id}/report",
                           data=report_data(comment, "abuse", "第二次了"),
                           headers=HTMX).get_data(as_text=True)
    assert "Thank you for your report." in fragment and "<html" not in fragment
    [entry] = db.session.execute(select(Report)).scalars().all()
    assert (entry.reason, entry.note, entry.comment_id, entry.community_id) == (
        "abuse", "第二次了", comment.id, place.community.id)
    again = client.post(f"/comments/{comment.id}/report", data=report_data(comment, "spam"),
                        follow_redirects=True)
    assert again.status_code == 200
    assert "You have already reported this comment." in again.get_data(as_text=True)
    assert count(Report) == 1 and fresh(comment).report_count == 1


def test_a_report_needs_a_reason_and_keeps_the_note(client, place, login, english,
                                                    add_comment):
    comment = add_comment(place.proposal, place.neighbour)
    login(place.users["resident"])
    fragment = client.post(f"/comments/{comment.id}/report",
                           data=report_data(comment, "", "他公布了我的电话"),
                           headers=HTMX).get_data(as_text=True)
    assert "Choose a reason." in fragment and "他公布了我的电话" in fragment
    page = client.post(f"/comments/{comment.id}/report",
                       data=report_data(comment, "bogus", "留言")).get_data(as_text=True)
    assert "<html" in page and "Not a valid choice" in page and "留言" in page
    assert count(Report) == 0


def test_who_may_report_a_comment(client, place, login, add_comment):
    comment = add_comment(place.proposal, place.neighbour)
    login(place.neighbour)  # one's own comment
    assert client.post(f"/comments/{comment.id}/report",
                       data=report_data(comment)).status_code == 403
    for who in ("outsider", "other_admin"):
        login(place.users[who])
        assert client.post(f"/comments/{comment.id}/report",
                           data=report_data(comment)).status_code == 403
    login(place.muted)  # muted people still read, and may report
    assert client.post(f"/comments/{comment.id}/report",
                       data=report_data(comment)).status_code == 302
    assert count(Report) == 1


def test_reporting_a_proposal(client, place, login, english):
    url = f"/p/{place.proposal.id}/report"
    data = {"report-proposal-reason": "off_topic", "report-proposal-note": "广告"}
    login(place.users["resident"])  # the author
    assert client.post(url, data=data).status_code == 403
    login(place.users["outsider"])
    assert client.post(url, data=data).status_code == 403
    login(place.neighbour)
    invalid = client.post(url, data={"report-proposal-note": "没选原因"}, headers=HTMX)
    assert "Choose a reason." in invalid.get_data(as_text=True)
    assert "没选原因" in invalid.get_data(as_text=True)
    fragment = client.post(url, data=data, headers=HTMX).get_data(as_text=True)
    assert 'id="proposal-report"' in fragment and "Thank you for your report." in fragment
    again = client.post(url, data=data, headers=HTMX).get_data(as_text=True)
    assert "You have already reported this proposal." in again
    assert count(Report, Report.proposal_id == place.proposal.id) == 1


def test_at_the_threshold_a_comment_is_hidden_pending_review(
        client, place, login, english, add_comment, reporters):
    comment = add_comment(place.proposal, place.neighbour, "广告：代办房产证")
    for index, person in enumerate(reporters):
        login(person)
        client.post(f"/comments/{comment.id}/report", data=report_data(comment, "spam"))
        assert fresh(comment).moderation_state == ("pending" if index == 2 else "visible")
    assert fresh(comment).report_count == 3
    login(place.users["oc_staff"])
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "广告：代办房产证" not in page
    assert "Hidden while a moderator reviews reports about it." in page
    login(place.neighbour)
    own = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "广告：代办房产证" in own and "Others cannot see this comment" in own
    assert audit_actions() == ["moderation.auto_hide"]
    assert moderation_notes(place.neighbour)[0]["action"] == "pending"


def test_the_threshold_is_a_community_setting_and_applies_to_proposals(
        client, place, login, reporters):
    place.community.report_threshold = 2
    db.session.commit()
    for person in reporters[:2]:
        login(person)
        client.post(f"/p/{place.proposal.id}/report",
                    data={"report-proposal-reason": "abuse"})
    proposal = fresh(place.proposal)
    assert (proposal.moderation_state, proposal.report_count) == ("pending", 2)


# --- The queue -----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [
    ("moderator", 200), ("oc_chair", 200), ("community_admin", 200), ("platform_admin", 200),
    ("oc_staff", 403), ("nc_staff", 403), ("resident", 403), ("outsider", 403),
    ("other_admin", 403)])
def test_who_sees_the_moderation_queue(client, place, login, who, expected):
    login(place.users[who])
    assert client.get(f"/c/{place.community.id}/moderation").status_code == expected


def test_strangers_and_muted_members_are_kept_out_of_moderation(client, place, login):
    base = f"/c/{place.community.id}/moderation"
    for url in (base, f"{base}/decide", f"{base}/mute", f"{base}/hide-all"):
        response = client.post(url) if url != base else client.get(url)
        assert response.headers["Location"].startswith("/auth/login"), url
    login(place.muted)
    assert client.get(base).status_code == 403
    for url in (f"{base}/decide", f"{base}/mute", f"{base}/hide-all"):
        assert client.post(url, data={"source": "bulk"}).status_code == 403, url


def test_the_queue_lists_reported_items_newest_first_with_their_reports(
        client, place, login, english, add_comment, reporters):
    older = add_comment(place.proposal, place.neighbour, "先被举报的")
    newer = add_comment(place.proposal, place.users["oc_staff"], "后被举报的")
    login(reporters[0])
    client.post(f"/comments/{older.id}/report",
                data=report_data(older, "abuse", "人身攻击"))
    client.post(f"/p/{place.proposal.id}/report", data={"report-proposal-reason": "spam"})
    login(reporters[1])
    client.post(f"/comments/{newer.id}/report", data=report_data(newer, "personal_data"))
    untouched = add_comment(place.proposal, place.neighbour, "没人举报的")
    login(place.users["moderator"])
    page = client.get(f"/c/{place.community.id}/moderation").get_data(as_text=True)
    assert untouched.body not in page
    order = [page.index(f'id="item-{key}"') for key in (
        f"comment-{newer.id}", f"proposal-{place.proposal.id}", f"comment-{older.id}")]
    assert order == sorted(order)
    assert page.index("后被举报的") < page.index("先被举报的")
    assert "Abuse or insults" in page and "人身攻击" in page and reporters[0].name in page
    assert "Personal data exposed" in page and reporters[1].name in page
    assert reporters[0].phone not in page


def test_a_moderator_hides_one_item_with_a_reason_the_author_sees(
        client, place, login, english, add_comment, reporters):
    comment = add_comment(place.proposal, place.neighbour, "难听的话")
    login(reporters[0])
    client.post(f"/comments/{comment.id}/report", data=report_data(comment))
    moderator = place.users["moderator"]
    login(moderator)
    fragment = client.post(f"/c/{place.community.id}/moderation/decide",
                           data={"source": f"comment-{comment.id}",
                                 f"comment-{comment.id}-items": f"comment:{comment.id}",
                                 f"comment-{comment.id}-action": "hide",
                                 f"comment-{comment.id}-reason": "人身攻击，违反议事规则"},
                           headers=HTMX).get_data(as_text=True)
    assert "1 item hidden." in fragment and 'id="moderation"' in fragment
    assert "No open reports" in fragment
    hidden = fresh(comment)
    assert (hidden.moderation_state, hidden.moderation_reason, hidden.report_count) == (
        "hidden", "人身攻击，违反议事规则", 0)
    [entry] = db.session.execute(select(Report)).scalars().all()
    assert (entry.status, entry.resolved_by_id) == ("upheld", moderator.id)
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert (event.action, event.target, event.actor_id, event.details["reason"]) == (
        "moderation.hide", f"comment:{comment.id}", moderator.id, "人身攻击，违反议事规则")
    [note] = moderation_notes(place.neighbour)
    assert note["action"] == "hide" and note["reason"] == "人身攻击，违反议事规则"
    login(place.neighbour)
    own = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "A moderator hid this comment from others. Reason: 人身攻击，违反议事规则" in own
    login(place.users["oc_staff"])
    other = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "Hidden by a moderator." in other and "难听的话" not in other


def test_hiding_needs_a_reason_and_nothing_changes_without_one(
        client, place, login, english, add_comment, reporters):
    first = add_comment(place.proposal, place.neighbour, "甲")
    second = add_comment(place.proposal, place.neighbour, "乙")
    login(reporters[0])
    for comment in (first, second):
        client.post(f"/comments/{comment.id}/report", data=report_data(comment))
    login(place.users["moderator"])
    url = f"/c/{place.community.id}/moderation/decide"
    page = client.post(url, data={"source": "bulk", "bulk-items": [f"comment:{first.id}"],
                                  "bulk-action": "hide", "bulk-reason": "  "}
                       ).get_data(as_text=True)
    assert "Say why you hide it" in page
    assert f'value="comment:{first.id}" checked' in page  # the ticks are kept
    assert f'value="comment:{second.id}">' in page
    nothing = client.post(url, data={"source": "bulk", "bulk-action": "dismiss",
                                     "bulk-reason": "看过了"}).get_data(as_text=True)
    assert "Tick at least one item." in nothing and "看过了" in nothing
    single = client.post(url, data={"source": f"comment-{first.id}",
                                    f"comment-{first.id}-items": f"comment:{first.id}",
                                    f"comment-{first.id}-action": "hide"}, headers=HTMX)
    assert "Say why you hide it" in single.get_data(as_text=True)
    assert count(Report, Report.status == "open") == 2
    assert fresh(first).moderation_state == "visible"
    assert audit_actions() == []
    assert client.post(url, data={"source": "bogus"}).status_code == 400


def test_bulk_dismiss_and_restore(client, place, login, english, add_comment, reporters):
    place.community.report_threshold = 1
    db.session.commit()
    first = add_comment(place.proposal, place.neighbour, "甲")
    second = add_comment(place.proposal, place.users["oc_staff"], "乙")
    login(reporters[0])
    for comment in (first, second):
        client.post(f"/comments/{comment.id}/report", data=report_data(comment))
    client.post(f"/p/{place.proposal.id}/report", data={"report-proposal-reason": "spam"})
    assert fresh(first).moderation_state == "pending"
    login(place.users["oc_chair"])
    url = f"/c/{place.community.id}/moderation/decide"
    response = client.post(url, data={
        "source": "bulk", "bulk-action": "dismiss",
        "bulk-items": [f"comment:{first.id}", f"proposal:{place.proposal.id}"]})
    assert response.headers["Location"] == f"/c/{place.community.id}/moderation"
    assert fresh(first).moderation_state == "visible" and fresh(first).report_count == 0
    assert fresh(place.proposal).moderation_state == "visible"
    assert count(Report, Report.status == "dismissed") == 2
    assert count(Report, Report.status == "open") == 1
    # Restoring what was hidden; dismissed reports no longer count towards the threshold.
    client.post(url, data={"source": "bulk", "bulk-action": "hide", "bulk-reason": "错误信息",
                           "bulk-items": [f"comment:{second.id}"]})
    hidden_list = client.get(f"/c/{place.community.id}/moderation?show=hidden"
                             ).get_data(as_text=True)
    assert "乙" in hidden_list and "错误信息" in hidden_list
    client.post(url, data={"source": f"comment-{second.id}",
                           f"comment-{second.id}-items": f"comment:{second.id}",
                           f"comment-{second.id}-action": "restore", "show": "hidden"})
    assert (fresh(second).moderation_state, fresh(second).moderation_reason) == ("visible", "")
    assert audit_actions() == ["moderation.auto_hide", "moderation.auto_hide",
                               "moderation.auto_hide", "moderation.dismiss",
                               "moderation.dismiss", "moderation.hide", "moderation.restore"]
    assert [n["action"] for n in moderation_notes(place.users["oc_staff"])] == [
        "pending", "hide", "restore"]
    assert [n["action"] for n in moderation_notes(place.users["resident"])] == [
        "pending", "dismiss"]


def test_decisions_ignore_items_of_other_communities(
        client, place, login, english, add_comment, make_proposal, make_user):
    stranger = make_user(name="外人")
    elsewhere = make_proposal(place.other_community, stranger)
    comment = add_comment(elsewhere, stranger, "别处的评论")
    login(place.users["moderator"])
    page = client.post(f"/c/{place.community.id}/moderation/decide",
                       data={"source": "bulk", "bulk-action": "hide", "bulk-reason": "越权",
                             "bulk-items": [f"comment:{comment.id}",
                                            f"proposal:{elsewhere.id}"]}
                       ).get_data(as_text=True)
    assert "Tick at least one item." in page
    assert fresh(comment).moderation_state == "visible"
    assert fresh(elsewhere).moderation_state == "visible"
    assert client.post(f"/c/{place.other_community.id}/moderation/decide",
                       data={"source": "bulk"}).status_code == 403


# --- Muting and hiding all ------------------------------------------------------------------


def test_a_moderator_mutes_a_member_from_the_queue(client, place, login, english,
                                                   add_comment):
    target = place.neighbour
    moderator = place.users["moderator"]
    login(moderator)
    panel = client.get(f"/c/{place.community.id}/moderation?member={target.id}"
                       ).get_data(as_text=True)
    assert f"Member: {target.name}" in panel and f'value="{target.id}"' in panel
    response = client.post(f"/c/{place.community.id}/moderation/mute",
                           data={"mute-user_id": str(target.id), "mute-days": "7",
                                 "mute-reason": "反复刷屏"}, headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert f"{target.name} is muted in this community until" in fragment
    mute = db.session.execute(select(Mute).where(Mute.user_id == target.id)).scalar_one()
    assert mute.reason == "反复刷屏" and mute.created_by_id == moderator.id
    assert timedelta(days=6, hours=23) < mute.until - utcnow() <= timedelta(days=7)
    assert audit_actions() == ["moderation.mute"]
    [note] = moderation_notes(target)
    assert note["action"] == "mute" and note["reason"] == "反复刷屏" and note["until"]
    login(target)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "A moderator has muted you in this community until" in page and "反复刷屏" in page
    client.post(f"/p/{place.proposal.id}/comments",
                data={"comment-stance": "support", "comment-body": "我要说话"})
    assert count(Comment) == 0


def test_muting_by_phone_is_checked_and_keeps_the_input(client, place, login, english):
    login(place.users["moderator"])
    url = f"/c/{place.community.id}/moderation/mute"
    page = client.post(url, data={"mute-phone": place.neighbour.phone, "mute-days": "31",
                                  "mute-reason": "刷屏"}).get_data(as_text=True)
    assert "Enter a number of days from 1 to 30." in page and 'value="31"' in page
    assert "刷屏" in page
    for days in ("0", "", "七", "365"):
        page = client.post(url, data={"mute-phone": place.neighbour.phone, "mute-days": days,
                                      "mute-reason": "刷屏"}).get_data(as_text=True)
        assert "Enter a number of days from 1 to 30." in page or "Not a valid integer" in page
    outsider = place.users["outsider"].phone
    page = client.post(url, data={"mute-phone": outsider, "mute-days": "3",
                                  "mute-reason": "刷屏"}).get_data(as_text=True)
    assert "Nobody with this number is a member of this community." in page
    assert f'value="{outsider}"' in page
    page = client.post(url, data={"mute-phone": place.neighbour.phone, "mute-days": "3",
                                  "mute-reason": ""}).get_data(as_text=True)
    assert "Give a reason." in page
    page = client.post(url, data={"mute-phone": place.users["moderator"].phone,
                                  "mute-days": "3", "mute-reason": "试试"}).get_data(as_text=True)
    assert "You cannot take this action against yourself." in page
    assert count(Mute, Mute.user_id != place.muted.id) == 0 and audit_actions() == []
    client.post(url, data={"mute-phone": place.neighbour.phone, "mute-days": "3",
                           "mute-reason": "刷屏"})
    assert count(Mute, Mute.user_id == place.neighbour.id) == 1


def test_who_may_mute_and_hide_all(client, place, login):
    data = {"mute-phone": place.neighbour.phone, "mute-days": "3", "mute-reason": "刷屏",
            "hideall-phone": place.neighbour.phone, "hideall-reason": "刷屏"}
    for who in ("resident", "oc_staff", "nc_staff", "outsider", "other_admin"):
        login(place.users[who])
        for action in ("mute", "hide-all"):
            response = client.post(f"/c/{place.community.id}/moderation/{action}", data=data)
            assert response.status_code == 403, (who, action)
    assert count(Mute, Mute.user_id == place.neighbour.id) == 0 and audit_actions() == []


def test_hide_all_of_a_members_content_in_one_action(
        client, place, login, english, add_comment, make_proposal, reporters):
    spammer = place.neighbour
    own = make_proposal(place.community, spammer, title="广告议题")
    draft = make_proposal(place.community, spammer, status=Status.DRAFT)
    comments = [add_comment(place.proposal, spammer, f"广告{i}") for i in range(3)]
    reply = add_comment(place.proposal, spammer, "回复广告", parent=comments[0])
    others = add_comment(place.proposal, place.users["oc_staff"], "正常发言")
    place.other_community_member = spammer
    elsewhere = make_proposal(place.other_community, spammer, title="别处的议题")
    login(reporters[0])
    client.post(f"/comments/{comments[1].id}/report", data=report_data(comments[1]))
    login(place.users["community_admin"])
    url = f"/c/{place.community.id}/moderation/hide-all"
    invalid = client.post(url, data={"hideall-phone": spammer.phone}).get_data(as_text=True)
    assert "Give a reason." in invalid and spammer.phone in invalid
    assert fresh(comments[0]).moderation_state == "visible"
    fragment = client.post(url, data={"hideall-user_id": str(spammer.id),
                                      "hideall-reason": "批量发布广告"},
                           headers=HTMX).get_data(as_text=True)
    assert f"Hidden: 4 comments and 1 proposals by {spammer.name}." in fragment
    for item in (*comments, reply, own):
        hidden = fresh(item)
        assert (hidden.moderation_state, hidden.moderation_reason) == ("hidden", "批量发布广告")
    assert fresh(others).moderation_state == "visible"
    assert fresh(elsewhere).moderation_state == "visible"
    assert fresh(draft).moderation_state == "visible"
    assert count(Report, Report.status == "upheld") == 1
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "moderation.hide_all")).scalar_one()
    assert event.details == {"reason": "批量发布广告", "comments": 4, "proposals": 1}
    assert event.target == f"user:{spammer.id}"
    [note] = [n for n in moderation_notes(spammer) if n["action"] == "hide_all"]
    assert note["reason"] == "批量发布广告" and note["comments"] == 4
    assert db.session.execute(select(Proposal.moderation_state).where(
        Proposal.id == place.proposal.id)).scalar_one() == "visible"


def test_a_double_tap_records_one_report(app, place, add_comment):
    """Two requests that both passed the "already reported?" check: the second is refused
    by the database and the first stays."""
    from app.discussion.services import report

    comment = add_comment(place.proposal, place.neighbour)
    reporter = place.users["resident"]
    assert report(comment, reporter, reason="spam", note="") is not None
    db.session.commit()
    assert report(comment, reporter, reason="abuse", note="再来") is None
    db.session.commit()
    assert [(r.reason, r.note) for r in db.session.execute(select(Report)).scalars()] == [
        ("spam", "")]
    assert fresh(comment).report_count == 1
