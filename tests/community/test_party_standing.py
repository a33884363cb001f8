"""A party branch's chair records who is a probationary member and who is on approved
leave, on the organisation's members page."""

from datetime import date

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, Membership, PartyStatus
from app.extensions import db


def _member(world, add_member, make_user):
    return add_member(world.party_branch, make_user(name="党员甲"), MemberRole.MEMBER)


def _url(world, membership):
    return f"/o/{world.party_branch.id}/members/{membership.id}/standing"


def test_the_branch_chair_records_standing_and_leave(client, world, login, add_member,
                                                     make_user):
    member = _member(world, add_member, make_user)
    login(world.users["party_chair"])
    page = client.get(f"/o/{world.party_branch.id}").get_data(as_text=True)
    assert "党员身份与请假" in page and _url(world, member) in page
    prefix = f"m{member.id}-"
    response = client.post(_url(world, member), data={
        prefix + "party_status": "probationary", prefix + "on_leave_until": "2026-12-31",
        prefix + "leave_reason": " 外出务工 "})
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.party_status, member.on_leave_until, member.leave_reason) == (
        PartyStatus.PROBATIONARY, date(2026, 12, 31), "外出务工")
    page = client.get(f"/o/{world.party_branch.id}").get_data(as_text=True)
    assert "预备党员（无表决权）" in page and "请假至 2026-12-31：外出务工" in page
    assert db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc())
                              ).scalars().first() == "membership.standing"
    client.post(_url(world, member), data={prefix + "party_status": "full"})
    db.session.refresh(member)
    assert (member.party_status, member.on_leave_until, member.leave_reason) == (
        PartyStatus.FULL, None, "")


def test_leave_needs_a_day_and_a_reason_and_bad_input_is_kept(client, world, login,
                                                             add_member, make_user):
    member = _member(world, add_member, make_user)
    login(world.users["party_chair"])
    prefix = f"m{member.id}-"
    no_reason = client.post(_url(world, member), data={
        prefix + "party_status": "full", prefix + "on_leave_until": "2026-12-31"})
    page = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 200 and "请填写请假原因。" in page
    assert 'value="2026-12-31"' in page
    no_day = client.post(_url(world, member), data={
        prefix + "party_status": "probationary", prefix + "leave_reason": "生病"})
    page = no_day.get_data(as_text=True)
    assert "请填写请假截止日期，或清空请假原因。" in page and 'value="生病"' in page
    bad_day = client.post(_url(world, member), data={
        prefix + "party_status": "full", prefix + "on_leave_until": "2026-13-45",
        prefix + "leave_reason": "生病"})
    assert "2026-12-31" in bad_day.get_data(as_text=True)
    db.session.refresh(member)
    assert (member.party_status, member.on_leave_until, member.leave_reason) == (
        PartyStatus.FULL, None, "")


def test_only_party_branches_have_standing(client, world, login):
    login(world.users["oc_chair"])
    membership = db.session.execute(select(Membership).where(
        Membership.user_id == world.users["oc_chair"].id)).scalar_one()
    url = f"/o/{world.owners_committee.id}/members/{membership.id}/standing"
    assert client.post(url, data={f"m{membership.id}-party_status": "probationary"}
                       ).status_code == 404
    page = client.get(f"/o/{world.owners_committee.id}").get_data(as_text=True)
    assert "党员身份与请假" not in page


def test_a_membership_of_another_organisation_is_not_found(client, world, login):
    login(world.users["party_chair"])
    membership = db.session.execute(select(Membership).where(
        Membership.user_id == world.users["oc_chair"].id)).scalar_one()
    assert client.post(f"/o/{world.party_branch.id}/members/{membership.id}/standing",
                       data={}).status_code == 404
