"""Posting, replying, official answers, editing and deleting comments."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.discussion.models import Comment, Mute
from app.extensions import db, utcnow
from app.notices.models import Notification
from app.proposals.models import Follow
from app.proposals.states import Status

HTMX = {"HX-Request": "true"}


def count(model, *where) -> int:
    return db.session.execute(
        select(func.count()).select_from(model).where(*where)).scalar_one()


def comments_of(proposal) -> list[Comment]:
    db.session.expire_all()
    return db.session.execute(
        select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.id)
    ).scalars().all()


def comment_data(body="我支持加装电梯，老人上下楼太难。", stance="support") -> dict:
    return {"comment-stance": stance, "comment-body": body}


# --- Reading -------------------------------------------------------------------------------


def test_the_discussion_page_shows_comments_replies_and_stance_counts(
        client, place, login, english, add_comment):
    resident, neighbour = place.users["resident"], place.neighbour
    first = add_comment(place.proposal, neighbour, "电梯费用怎么分摊？", stance="question")
    add_comment(place.proposal, resident, "按楼层分摊。", parent=first)
    add_comment(place.proposal, place.users["oc_staff"], "支持", stance="support")
    add_comment(place.proposal, place.users["nc_staff"], "也支持", stance="support")
    login(neighbour)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "电梯费用怎么分摊？" in page and "按楼层分摊。" in page
    assert page.index("电梯费用怎么分摊？") < page.index("按楼层分摊。")
    # Words and numbers for every position, not colour alone.
    assert '<span class="stance-name">Support</span>\n        <strong class="stance-count">2' \
        in page
    assert '<span class="stance-name">Question</span>\n        <strong class="stance-count">1' \
        in page
    assert '<span class="stance-name">Oppose</span>\n        <strong class="stance-count">0' \
        in page
    # Names, never phone numbers.
    assert neighbour.name in page and neighbour.phone not in page


def test_comments_page_oldest_first_with_more_link_and_fragment(
        client, place, login, english, many_comments):
    many_comments(place.proposal, [place.neighbour, place.users["oc_staff"]], 45)
    login(place.neighbour)
    url = f"/p/{place.proposal.id}/comments"
    first = client.get(url).get_data(as_text=True)
    assert "第0条意见" in first and "第19条意见" in first and "第20条意见" not in first
    assert f'href="{url}?page=2"' in first and f'hx-get="{url}?page=2"' in first
    assert "More comments" in first
    fragment = client.get(f"{url}?page=2", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="discussion"' not in fragment
    assert "第20条意见" in fragment and "第39条意见" in fragment and "回复25" in fragment
    assert "第19条意见" not in fragment and f"{url}?page=3" in fragment
    last = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "<html" in last and "第44条意见" in last and "More comments" not in last
    assert f"{url}?page=2" in last  # the way back without JavaScript


def test_reading_needs_a_login_and_the_right_to_see_the_proposal(
        client, place, login, make_proposal):
    url = f"/p/{place.proposal.id}/comments"
    assert client.get(url).headers["Location"].startswith("/auth/login")
    login(place.users["outsider"])
    assert client.get(url).status_code == 403
    login(place.users["other_admin"])
    assert client.get(url).status_code == 403
    draft = make_proposal(place.community, place.users["resident"], status=Status.DRAFT)
    login(place.neighbour)
    assert client.get(f"/p/{draft.id}/comments").status_code == 403
    assert client.get(url).status_code == 200


def test_a_stable_link_leads_to_the_page_that_shows_a_comment(
        client, place, login, many_comments):
    many_comments(place.proposal, [place.neighbour], 25)
    late = comments_of(place.proposal)[-1]  # a reply in the 25th thread
    login(place.neighbour)
    response = client.get(f"/comments/{late.id}")
    assert response.headers["Location"].endswith(
        f"/p/{place.proposal.id}/comments?page=2#comment-{late.id}")
    login(place.users["outsider"])
    assert client.get(f"/comments/{late.id}").status_code == 403


# --- Posting -------------------------------------------------------------------------------


def test_a_resident_posts_a_comment_and_follows_the_proposal(client, place, login):
    neighbour = place.neighbour
    login(neighbour)
    response = client.post(f"/p/{place.proposal.id}/comments",
                           data={**comment_data(), "next": f"/p/{place.proposal.id}"})
    [comment] = comments_of(place.proposal)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{place.proposal.id}#comment-{comment.id}"
    assert (comment.author_id, comment.stance) == (neighbour.id, "support")
    assert place.proposal.comment_count == 1
    assert count(Follow, Follow.user_id == neighbour.id,
                 Follow.proposal_id == place.proposal.id) == 1


def test_posting_with_htmx_returns_a_fresh_form_and_the_new_comment(
        client, place, login, english):
    login(place.neighbour)
    fragment = client.post(f"/p/{place.proposal.id}/comments", data=comment_data("第一条"),
                           headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Your comment is posted." in fragment
    assert 'id="new-comments" hx-swap-oob="beforeend"' in fragment and "第一条" in fragment
    assert re.search(r"name=\"comment-body\" required rows=\"4\">\s*</textarea>", fragment)


def test_a_comment_needs_a_position_and_keeps_what_was_typed(client, place, login, english):
    login(place.neighbour)
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data={"comment-body": "没有选立场的意见"}).get_data(as_text=True)
    assert "Choose your position" in page and "没有选立场的意见" in page
    empty = client.post(f"/p/{place.proposal.id}/comments", data=comment_data(body="   "),
                        headers=HTMX)
    assert empty.status_code == 200 and "Write something first." in empty.get_data(as_text=True)
    assert comments_of(place.proposal) == []


def test_a_comment_over_the_limit_is_refused_with_the_count_and_kept(
        client, place, login, english):
    login(place.neighbour)
    long_text = "长" * 612
    response = client.post(f"/p/{place.proposal.id}/comments", data=comment_data(long_text),
                           headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "612 characters; the limit is 500" in page and long_text in page
    assert "max 500 characters" in page
    assert comments_of(place.proposal) == []
    # A chair's lower limit applies; line ends count once, as the writer sees them.
    place.proposal.max_comment_length = 10
    db.session.commit()
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data=comment_data("一二三四五\r\n六七八九十")).get_data(as_text=True)
    assert "11 characters; the limit is 10" in page and "max 10 characters" in page
    client.post(f"/p/{place.proposal.id}/comments", data=comment_data("一二三四\r\n五六七八九"))
    assert [c.body for c in comments_of(place.proposal)] == ["一二三四\n五六七八九"]


def test_the_rules_of_order_limit_comments_per_person(client, place, login, english,
                                                      add_comment):
    place.proposal.max_comments_per_person = 2
    db.session.commit()
    earlier = add_comment(place.proposal, place.neighbour, "第一条")
    add_comment(place.proposal, place.neighbour, "删掉的", deleted_at=utcnow())
    login(place.neighbour)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "Each person may post up to 2 comments and replies here." in page
    client.post(f"/comments/{earlier.id}/replies", data={f"reply-{earlier.id}-body": "补充"})
    assert len(comments_of(place.proposal)) == 3
    refused = client.post(f"/p/{place.proposal.id}/comments", data=comment_data("第三条"),
                          headers=HTMX).get_data(as_text=True)
    assert "You have posted 2 comments here" in refused and "allow 2 per person" in refused
    assert "第三条" in refused  # still there to copy
    assert len(comments_of(place.proposal)) == 3
    # Others still may.
    login(place.users["oc_staff"])
    client.post(f"/p/{place.proposal.id}/comments", data=comment_data("别人的"))
    assert len(comments_of(place.proposal)) == 4


def test_a_locked_or_closed_discussion_refuses_with_a_message(client, place, login, english):
    place.proposal.discussion_locked = True
    db.session.commit()
    login(place.neighbour)
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data=comment_data("锁定后的意见")).get_data(as_text=True)
    assert "The chair has locked this discussion" in page and "锁定后的意见" in page
    shown = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "The chair has locked this discussion" in shown and "Post comment" not in shown
    place.proposal.discussion_locked = False
    place.proposal.status = Status.PASSED
    db.session.commit()
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data=comment_data()).get_data(as_text=True)
    assert "The discussion of this proposal is closed." in page
    assert comments_of(place.proposal) == []


def test_a_muted_member_reads_but_cannot_post_and_sees_until_when_and_why(
        client, place, login, english, add_comment):
    thread = add_comment(place.proposal, place.neighbour, "楼上的意见")
    login(place.muted)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "楼上的意见" in page
    assert "A moderator has muted you in this community until" in page and "连续发广告" in page
    assert "Post comment" not in page and "Post reply" not in page
    refused = client.post(f"/p/{place.proposal.id}/comments",
                          data=comment_data("我又来了")).get_data(as_text=True)
    assert "连续发广告" in refused
    reply = client.post(f"/comments/{thread.id}/replies",
                        data={f"reply-{thread.id}-body": "回复一下"}, headers=HTMX)
    assert reply.status_code == 200 and "连续发广告" in reply.get_data(as_text=True)
    assert len(comments_of(place.proposal)) == 1


@pytest.mark.parametrize(("who", "expected"), [
    ("resident", 302), ("oc_staff", 302), ("property_staff", 302), ("community_admin", 403),
    ("moderator", 403), ("outsider", 403), ("other_admin", 403), ("platform_admin", 403)])
def test_who_may_post_a_comment(client, place, login, who, expected):
    login(place.users[who])
    response = client.post(f"/p/{place.proposal.id}/comments", data=comment_data())
    assert response.status_code == expected
    assert len(comments_of(place.proposal)) == (1 if expected == 302 else 0)


def test_strangers_are_sent_to_log_in_before_posting(client, place, add_comment):
    thread = add_comment(place.proposal, place.neighbour)
    for url in (f"/p/{place.proposal.id}/comments", f"/p/{place.proposal.id}/answers",
                f"/comments/{thread.id}/replies", f"/comments/{thread.id}/edit",
                f"/comments/{thread.id}/delete", f"/comments/{thread.id}/report",
                f"/p/{place.proposal.id}/report"):
        response = client.post(url, data=comment_data())
        assert response.headers["Location"].startswith("/auth/login"), url
    assert len(comments_of(place.proposal)) == 1


def test_nobody_posts_on_someone_elses_draft(client, place, login, make_proposal):
    draft = make_proposal(place.community, place.users["resident"], status=Status.DRAFT)
    login(place.neighbour)
    assert client.post(f"/p/{draft.id}/comments", data=comment_data()).status_code == 403


# --- Replies -------------------------------------------------------------------------------


def test_replies_are_one_level_deep_and_notify(client, place, login, english, add_comment):
    author, neighbour, staff = place.users["resident"], place.neighbour, place.users["oc_staff"]
    thread = add_comment(place.proposal, author, "电梯装在哪一侧？", stance="question")
    first = add_comment(place.proposal, neighbour, "北侧", parent=thread)
    login(staff)
    fragment = client.post(f"/comments/{first.id}/replies",
                           data={f"reply-{first.id}-body": "北侧采光受影响",
                                 "comment-stance": "oppose"},
                           headers=HTMX).get_data(as_text=True)
    reply = comments_of(place.proposal)[-1]
    assert reply.parent_id == thread.id and reply.stance is None
    assert f'id="comment-{thread.id}"' in fragment and "北侧采光受影响" in fragment
    assert "Your reply is posted." in fragment and "<html" not in fragment
    db.session.refresh(thread)
    assert thread.reply_count == 1  # the fixture wrote the first reply without the service
    assert place.proposal.comment_count == 1
    notified = set(db.session.execute(select(Notification.user_id).where(
        Notification.kind == "reply", Notification.comment_id == reply.id)).scalars())
    assert notified == {author.id, neighbour.id}
    assert count(Follow, Follow.user_id == staff.id) == 1


def test_a_plain_reply_returns_to_the_page_with_the_thread(client, place, login, add_comment):
    thread = add_comment(place.proposal, place.neighbour)
    login(place.users["resident"])
    response = client.post(f"/comments/{thread.id}/replies",
                           data={f"reply-{thread.id}-body": "好的", "next": "//evil.example"})
    reply = comments_of(place.proposal)[-1]
    assert response.headers["Location"] == (
        f"/p/{place.proposal.id}/comments#comment-{reply.id}")
    # The author of the comment is not told about their own reply.
    assert count(Notification, Notification.user_id == place.users["resident"].id) == 0


def test_a_reply_is_checked_and_kept_like_a_comment(client, place, login, english,
                                                   add_comment):
    place.proposal.max_comment_length = 5
    db.session.commit()
    thread = add_comment(place.proposal, place.neighbour)
    login(place.users["resident"])
    fragment = client.post(f"/comments/{thread.id}/replies",
                           data={f"reply-{thread.id}-body": "太长的一条回复"},
                           headers=HTMX).get_data(as_text=True)
    assert "7 characters; the limit is 5" in fragment and "太长的一条回复" in fragment
    assert "<details class=\"reply-box\" open>" in fragment
    page = client.post(f"/comments/{thread.id}/replies",
                       data={f"reply-{thread.id}-body": ""}).get_data(as_text=True)
    assert "<html" in page and "Write something first." in page
    assert len(comments_of(place.proposal)) == 1


def test_who_may_reply(client, place, login, english, add_comment):
    thread = add_comment(place.proposal, place.neighbour)
    data = {f"reply-{thread.id}-body": "回复"}
    for who in ("outsider", "other_admin", "moderator"):
        login(place.users[who])
        assert client.post(f"/comments/{thread.id}/replies", data=data).status_code == 403
    gone = add_comment(place.proposal, place.neighbour, deleted_at=utcnow())
    login(place.users["resident"])
    page = client.post(f"/comments/{gone.id}/replies",
                       data={f"reply-{gone.id}-body": "回复"}).get_data(as_text=True)
    assert "This comment can no longer be answered." in page
    assert len(comments_of(place.proposal)) == 2
    assert client.post(f"/comments/{thread.id}/replies", data=data).status_code == 302


# --- Official answers ----------------------------------------------------------------------


def test_staff_answer_officially_pinned_and_followers_told(client, place, login, english,
                                                          add_comment):
    staff, company = place.users["property_staff"], place.property_company
    add_comment(place.proposal, place.neighbour, "物业怎么看？", stance="question")
    login(staff)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "Answer officially" in page and f'<option value="{company.id}">' in page
    fragment = client.post(f"/p/{place.proposal.id}/answers",
                           data={"answer-organisation": str(company.id),
                                 "answer-body": "我们同意配合施工。"},
                           headers=HTMX).get_data(as_text=True)
    assert 'id="discussion"' in fragment and "<html" not in fragment
    assert "Official answer · 安居物业服务有限公司" in fragment
    assert fragment.index("我们同意配合施工。") < fragment.index("物业怎么看？")
    answer = comments_of(place.proposal)[-1]
    assert answer.organisation_id == company.id and answer.stance is None
    assert place.proposal.first_official_answer_at is not None
    told = set(db.session.execute(select(Notification.user_id).where(
        Notification.kind == "official_answer")).scalars())
    assert told == {place.users["resident"].id}  # the follower; never the answerer
    first_at = place.proposal.first_official_answer_at
    client.post(f"/p/{place.proposal.id}/answers",
                data={"answer-organisation": str(company.id), "answer-body": "补充说明。"})
    db.session.refresh(place.proposal)
    assert place.proposal.first_official_answer_at == first_at


def test_an_official_answer_only_in_the_name_of_ones_own_organisation(
        client, place, login, english):
    login(place.users["property_staff"])
    page = client.post(f"/p/{place.proposal.id}/answers",
                       data={"answer-organisation": str(place.owners_committee.id),
                             "answer-body": "冒名回答"}).get_data(as_text=True)
    assert "Not a valid choice" in page and "冒名回答" in page
    assert comments_of(place.proposal) == []
    for who in ("resident", "outsider", "moderator"):
        login(place.users[who])
        response = client.post(f"/p/{place.proposal.id}/answers",
                               data={"answer-organisation": str(place.property_company.id),
                                     "answer-body": "冒名回答"})
        assert response.status_code == 403, who
    login(place.users["resident"])
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "Answer officially" not in page


# --- Editing and deleting ------------------------------------------------------------------


def test_the_author_edits_within_ten_minutes_and_it_shows_edited(
        client, place, login, english, add_comment):
    comment = add_comment(place.proposal, place.neighbour, "原来的话")
    login(place.neighbour)
    form = client.get(f"/comments/{comment.id}/edit?next=/p/{place.proposal.id}",
                      headers=HTMX).get_data(as_text=True)
    assert "原来的话" in form and f'value="/p/{place.proposal.id}"' in form
    assert "<html" not in form
    page = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    assert "<html" in page and "Edit your comment" in page and "原来的话" in page
    # Without a page to go back to, the discussion page is the way back.
    assert f'name="next" value="/p/{place.proposal.id}/comments"' in page
    response = client.post(f"/comments/{comment.id}/edit",
                           data={f"edit-{comment.id}-body": "改过的话",
                                 f"edit-{comment.id}-stance": "oppose",
                                 "next": f"/p/{place.proposal.id}"})
    assert response.headers["Location"] == f"/p/{place.proposal.id}#comment-{comment.id}"
    db.session.refresh(comment)
    assert (comment.body, comment.stance) == ("改过的话", "oppose")
    assert comment.edited_at is not None
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "改过的话" in page and "edited" in page


def test_editing_is_checked_and_keeps_the_text(client, place, login, english, add_comment):
    place.proposal.max_comment_length = 4
    db.session.commit()
    comment = add_comment(place.proposal, place.neighbour, "原话")
    login(place.neighbour)
    page = client.post(f"/comments/{comment.id}/edit",
                       data={f"edit-{comment.id}-body": "改得太长了",
                             f"edit-{comment.id}-stance": "support"}).get_data(as_text=True)
    assert "5 characters; the limit is 4" in page and "改得太长了" in page
    no_stance = client.post(f"/comments/{comment.id}/edit",
                            data={f"edit-{comment.id}-body": "改",
                                  f"edit-{comment.id}-stance": "maybe"},
                            headers=HTMX).get_data(as_text=True)
    assert "Choose your position" in no_stance
    db.session.refresh(comment)
    assert (comment.body, comment.edited_at) == ("原话", None)


def test_after_ten_minutes_an_edit_is_refused_with_a_message(
        client, place, login, english, add_comment):
    comment = add_comment(place.proposal, place.neighbour, "旧话",
                          created_at=utcnow() - timedelta(minutes=10, seconds=1))
    login(place.neighbour)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert f"/comments/{comment.id}/edit" not in page
    response = client.post(f"/comments/{comment.id}/edit",
                           data={f"edit-{comment.id}-body": "新话"}, follow_redirects=True)
    assert "can be changed for 10 minutes after posting" in response.get_data(as_text=True)
    fragment = client.get(f"/comments/{comment.id}/edit", headers=HTMX).get_data(as_text=True)
    assert "can be changed for 10 minutes" in fragment and "<form" in fragment
    db.session.refresh(comment)
    assert comment.body == "旧话"


def test_only_the_author_edits_or_deletes(client, place, login, add_comment):
    comment = add_comment(place.proposal, place.neighbour, "我的话")
    for who in ("resident", "moderator", "community_admin", "outsider"):
        login(place.users[who])
        assert client.get(f"/comments/{comment.id}/edit").status_code == 403
        assert client.post(f"/comments/{comment.id}/edit",
                           data={f"edit-{comment.id}-body": "改"}).status_code == 403
        assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    db.session.refresh(comment)
    assert (comment.body, comment.deleted_at) == ("我的话", None)


def test_a_deleted_comment_keeps_its_replies(client, place, login, english, add_comment):
    comment = add_comment(place.proposal, place.neighbour, "要删的话")
    add_comment(place.proposal, place.users["resident"], "留下的回复", parent=comment)
    place.proposal.comment_count = 2
    comment.reply_count = 1
    db.session.commit()
    login(place.neighbour)
    fragment = client.post(f"/comments/{comment.id}/delete", headers=HTMX).get_data(as_text=True)
    assert "Deleted" in fragment and "要删的话" not in fragment and "留下的回复" in fragment
    db.session.refresh(comment)
    assert comment.deleted_at is not None and comment.body == "要删的话"
    assert place.proposal.comment_count == 1
    login(place.users["oc_staff"])
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "Deleted" in page and "要删的话" not in page and "留下的回复" in page
    assert ">Support</span>\n        <strong class=\"stance-count\">0" in page
    login(place.neighbour)
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403  # already gone


def test_muted_staff_still_answer_officially_but_cannot_comment_or_edit(
        client, place, login, english, add_comment):
    """The mute is the person's, not their organisation's: its answer still goes out."""
    staff = place.users["property_staff"]
    comment = add_comment(place.proposal, staff, "刚发的")
    db.session.add(Mute(community_id=place.community.id, user_id=staff.id,
                        until=utcnow() + timedelta(days=1), reason="言语过激",
                        created_by_id=place.users["moderator"].id))
    db.session.commit()
    login(staff)
    page = client.get(f"/p/{place.proposal.id}/comments").get_data(as_text=True)
    assert "言语过激" in page and 'name="answer-body"' in page
    assert 'name="comment-body"' not in page
    page = client.post(f"/p/{place.proposal.id}/comments",
                       data={"comment-stance": "support", "comment-body": "个人意见"}
                       ).get_data(as_text=True)
    assert "言语过激" in page and 'readonly rows="4">个人意见</textarea>' in page
    response = client.post(f"/p/{place.proposal.id}/answers",
                           data={"answer-organisation": str(place.property_company.id),
                                 "answer-body": "官方答复"})
    assert response.status_code == 302
    [answer] = [c for c in comments_of(place.proposal) if c.body == "官方答复"]
    assert answer.organisation_id == place.property_company.id
    fragment = client.post(f"/comments/{comment.id}/edit",
                           data={f"edit-{comment.id}-body": "改了"},
                           headers=HTMX).get_data(as_text=True)
    assert "言语过激" in fragment
    assert sorted(c.body for c in comments_of(place.proposal)) == ["刚发的", "官方答复"]
    # Deleting one's own words is still possible.
    client.post(f"/comments/{comment.id}/delete")
    assert comments_of(place.proposal)[0].deleted_at is not None


def test_each_comment_has_its_own_reply_and_report_fields_and_only_one_shows_errors(
        client, place, login, english, add_comment):
    authors = [place.neighbour, place.users["moderator"], place.users["oc_chair"]]
    threads = [add_comment(place.proposal, author, body=f"意见{n}")
               for n, author in enumerate(authors)]
    login(place.users["resident"])
    page = client.get(f"/p/{place.proposal.id}").get_data(as_text=True)
    for thread in threads:
        assert page.count(f'name="reply-{thread.id}-body"') == 1
        assert page.count(f'name="report-{thread.id}-reason"') == 1
        assert f'id="reply-{thread.id}-csrf_token"' in page
    assert "commentid0placeholder" not in page

    middle = threads[1]
    page = client.post(f"/comments/{middle.id}/replies",
                       data={f"reply-{middle.id}-body": ""}).get_data(as_text=True)
    assert page.count("<details class=\"reply-box\" open>") == 1
    assert page.count("Write something first.") == 1
    opened = page.index("<details class=\"reply-box\" open>")
    assert page.rfind('id="comment-', 0, opened) == page.rfind(f'id="comment-{middle.id}"', 0,
                                                               opened)
