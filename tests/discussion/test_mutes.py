"""Mutes cannot silence those who govern the community, are bounded, and can be lifted."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import Role
from app.core.refusals import Refused
from app.discussion.models import Comment, Mute
from app.discussion.services import mute
from app.extensions import db, utcnow
from tests.discussion.test_moderation import audit_actions, count, moderation_notes

HTMX = {"HX-Request": "true"}


def _mute_data(user, days="3") -> dict:
    return {"mute-phone": user.phone, "mute-days": days, "mute-reason": "言辞激烈"}


def _running_mute(user):
    db.session.expire_all()
    return db.session.execute(select(Mute).where(
        Mute.user_id == user.id, Mute.until > utcnow())).scalar_one_or_none()


@pytest.mark.parametrize(("who", "role"), [
    ("community_admin", "an administrator of this community"),
    ("oc_chair", "staff or chair of one of its organisations"),
    ("oc_staff", "staff or chair of one of its organisations"),
    ("property_staff", "staff or chair of one of its organisations"),
    ("party_chair", "staff or chair of one of its organisations"),
])
def test_a_moderator_cannot_mute_those_who_govern_the_community(
        client, place, login, english, who, role):
    target = place.users[who]
    login(place.users["moderator"])
    page = client.post(f"/c/{place.community.id}/moderation/mute",
                       data=_mute_data(target)).get_data(as_text=True)
    assert f"{target.name} is {role}: moderators cannot mute the people who run" in page
    assert f'value="{target.phone}"' in page and "言辞激烈" in page
    assert _running_mute(target) is None and audit_actions() == []


def test_nor_a_platform_administrator_who_takes_part(client, place, login, english,
                                                     give_role):
    target = place.users["platform_admin"]
    give_role(target, Role.RESIDENT, place.community)
    login(place.users["moderator"])
    page = client.post(f"/c/{place.community.id}/moderation/mute",
                       data=_mute_data(target)).get_data(as_text=True)
    assert "is a platform administrator: moderators cannot mute" in page
    assert _running_mute(target) is None


def test_the_refusal_is_translated(client, place, login):
    login(place.users["moderator"])
    page = client.post(f"/c/{place.community.id}/moderation/mute",
                       data=_mute_data(place.users["community_admin"])).get_data(as_text=True)
    assert "是本小区的管理员：版主不能禁言负责小区治理的人" in page


def test_the_service_refuses_too(place):
    with pytest.raises(Refused) as refused:
        mute(place.users["oc_chair"], place.community, days=3, reason="试试",
             actor=place.users["moderator"])
    assert refused.value.code == "moderation.governing_member"
    assert count(Mute, Mute.user_id == place.users["oc_chair"].id) == 0


def test_a_mute_lasts_at_most_the_setting(app, client, place, login, english, monkeypatch):
    monkeypatch.setitem(app.config, "MUTE_MAX_DAYS", 10)
    login(place.users["moderator"])
    url = f"/c/{place.community.id}/moderation/mute"
    page = client.post(url, data=_mute_data(place.neighbour, "11")).get_data(as_text=True)
    assert "Enter a number of days from 1 to 10." in page
    assert "Number of days (1 to 10)" in page
    assert _running_mute(place.neighbour) is None
    with pytest.raises(Refused) as refused:
        mute(place.neighbour, place.community, days=11, reason="太长",
             actor=place.users["moderator"])
    assert refused.value.code == "moderation.mute_too_long"
    client.post(url, data=_mute_data(place.neighbour, "10"))
    assert _running_mute(place.neighbour).until <= utcnow() + timedelta(days=10)


def test_a_moderator_lifts_a_mute_and_the_member_posts_again(client, place, login, english):
    entry = _running_mute(place.muted)
    login(place.users["moderator"])
    queue = client.get(f"/c/{place.community.id}/moderation").get_data(as_text=True)
    lift_url = f"/c/{place.community.id}/moderation/mutes/{entry.id}/lift"
    assert f'action="{lift_url}"' in queue and "Lift the mute on 被禁言者" in queue
    fragment = client.post(lift_url, headers=HTMX).get_data(as_text=True)
    assert "被禁言者 may post again." in fragment and "Nobody is muted." in fragment
    assert _running_mute(place.muted) is None
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "moderation.unmute")).scalar_one()
    assert event.actor_id == place.users["moderator"].id
    assert event.target == f"user:{place.muted.id}" and event.details["reason"] == "连续发广告"
    assert moderation_notes(place.muted)[-1]["action"] == "unmute"
    login(place.muted)
    response = client.post(f"/p/{place.proposal.id}/comments",
                           data={"comment-stance": "support", "comment-body": "终于能说话了"})
    assert response.status_code == 302
    assert count(Comment, Comment.author_id == place.muted.id) == 1


def test_the_notification_of_a_lifted_mute_reads_well(client, place, login, english):
    entry = _running_mute(place.muted)
    login(place.users["moderator"])
    client.post(f"/c/{place.community.id}/moderation/mutes/{entry.id}/lift")
    login(place.muted)
    page = client.get("/notifications").get_data(as_text=True)
    assert "A moderator lifted your mute in 翠湖花园: you can post again." in page


def test_who_may_lift_a_mute(client, place, login):
    entry = _running_mute(place.muted)
    url = f"/c/{place.community.id}/moderation/mutes/{entry.id}/lift"
    assert client.post(url).headers["Location"].startswith("/auth/login")
    for who in ("resident", "oc_staff", "nc_staff", "outsider", "other_admin"):
        login(place.users[who])
        assert client.post(url).status_code == 403, who
    login(place.muted)
    assert client.post(url).status_code == 403
    assert _running_mute(place.muted) is not None
    login(place.users["community_admin"])
    assert client.post(url).status_code == 302
    assert _running_mute(place.muted) is None


def test_a_mute_that_ended_or_belongs_elsewhere_cannot_be_lifted(client, place, login):
    entry = _running_mute(place.muted)
    login(place.users["other_admin"])
    assert client.post(f"/c/{place.other_community.id}/moderation/mutes/{entry.id}/lift"
                       ).status_code == 404
    login(place.users["moderator"])
    url = f"/c/{place.community.id}/moderation/mutes/{entry.id}/lift"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404
    assert audit_actions() == ["moderation.unmute"]
