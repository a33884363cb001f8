"""Whoever asked to be linked to a home hears the decision in their inbox (issue 13)."""

from sqlalchemy import select

from app.community.models import LinkKind, VerificationRequest
from app.extensions import db
from app.notices.models import Notification
from tests.community.test_verification import _setup


def _told(user) -> list[Notification]:
    db.session.expire_all()
    return db.session.execute(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "link_decided")).scalars().all()


def test_an_approved_and_a_declined_request_each_tell_the_requester_once(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, staff = _setup(make_community, make_unit, make_org, make_user, add_member)
    tenant, stranger = make_user(name="韩磊"), make_user(name="赵强")
    welcome = VerificationRequest(user=tenant, unit=unit, kind=LinkKind.RESIDENT)
    refused = VerificationRequest(user=stranger, unit=unit, kind=LinkKind.OWNER)
    db.session.add_all([welcome, refused])
    db.session.commit()
    login(staff)
    client.post(f"/c/{community.id}/verifications/{welcome.id}", data={"decision": "approve"})
    url = f"/c/{community.id}/verifications/{refused.id}"
    client.post(url, data={"decision": "reject", "reason": " "})  # refused: no reason
    assert _told(stranger) == []
    client.post(url, data={"decision": "reject", "reason": "房产证上的姓名不一致"})
    client.post(url, data={"decision": "approve"})  # decided already: nobody told again

    (approved,) = _told(tenant)
    assert approved.details == {"unit": "1栋-101", "approved": True, "reason": ""}
    assert approved.actor_id == staff.id
    (declined,) = _told(stranger)
    assert declined.details == {"unit": "1栋-101", "approved": False,
                                "reason": "房产证上的姓名不一致"}
    assert _told(staff) == []

    login(stranger)
    inbox = client.get("/notifications").text
    assert "您关联房屋 1栋-101 的申请未通过。" in inbox and "房产证上的姓名不一致" in inbox
    assert 'href="/me"' in inbox
