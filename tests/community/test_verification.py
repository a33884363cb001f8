import re

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import (
    LinkKind,
    MemberRole,
    OrganisationKind,
    Owner,
    Residency,
    Role,
    RoleGrant,
    VerificationRequest,
    VerificationStatus,
)
from app.extensions import db


def _setup(make_community, make_unit, make_org, make_user, add_member):
    community = make_community(name="翠湖花园", buildings=("1栋", "2栋"))
    unit = make_unit(community, "101", "95.20", owners=[("王伟", "13900000001")])
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE)
    staff = make_user(name="林慧")
    add_member(committee, staff, MemberRole.STAFF)
    return community, unit, staff


def test_a_resident_asks_to_be_linked_to_a_home(client, make_community, make_unit, make_org,
                                                make_user, add_member, login):
    community, unit, _ = _setup(make_community, make_unit, make_org, make_user, add_member)
    resident = make_user(name="王伟", phone="13900000001")
    login(resident)
    form = client.get("/me/link").get_data(as_text=True)
    assert "翠湖花园" in form and "1栋" in form
    response = client.post("/me/link", data={
        "community": community.id, "building": unit.building_id, "unit": " 101 ",
        "kind": "owner", "note": "刚搬来"})
    assert response.status_code == 302
    link_request = db.session.execute(select(VerificationRequest)).scalar_one()
    assert (link_request.unit_id, link_request.kind, link_request.status) == (
        unit.id, LinkKind.OWNER, VerificationStatus.PENDING)
    assert "等待工作人员处理" in client.get("/me").get_data(as_text=True)


def test_with_htmx_a_sent_request_navigates_instead_of_nesting_a_page(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, _ = _setup(make_community, make_unit, make_org, make_user, add_member)
    login(make_user())
    response = client.post("/me/link", headers={"HX-Request": "true"}, data={
        "community": community.id, "building": unit.building_id, "unit": "101",
        "kind": "resident"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/me"


def test_a_wrong_room_or_a_second_request_is_refused_and_the_text_kept(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, _ = _setup(make_community, make_unit, make_org, make_user, add_member)
    login(make_user())
    data = {"community": community.id, "building": unit.building_id, "unit": "909",
            "kind": "owner", "note": "我的备注"}
    page = client.post("/me/link", data=data).get_data(as_text=True)
    assert "没有 909 房号" in page and "我的备注" in page and 'value="909"' in page
    client.post("/me/link", data={**data, "unit": "101"})
    again = client.post("/me/link", data={**data, "unit": "101"}).get_data(as_text=True)
    assert "您已申请关联此房屋" in again
    assert db.session.execute(select(func.count(VerificationRequest.id))).scalar_one() == 1


def test_changing_the_community_reloads_its_buildings_without_an_error(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    _setup(make_community, make_unit, make_org, make_user, add_member)
    other = make_community(name="别的小区", buildings=("九号楼",))
    login(make_user())
    response = client.post("/me/link", data={"community": other.id, "refresh": "1",
                                             "unit": "12"}, headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "九号楼" in page and "1栋" not in page
    assert "<html" not in page  # the htmx request gets the form alone
    assert 'class="error"' not in page


def test_staff_see_the_roster_suggestion_and_approve_an_owner(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, staff = _setup(make_community, make_unit, make_org, make_user, add_member)
    resident = make_user(name="王伟", phone="13900000001")
    link_request = VerificationRequest(user=resident, unit=unit, kind=LinkKind.OWNER)
    db.session.add(link_request)
    db.session.commit()
    login(staff)
    queue = client.get(f"/c/{community.id}/verifications").get_data(as_text=True)
    assert "提示" in queue and "139****0001" in queue and "13900000001" not in queue
    owner = db.session.execute(select(Owner)).scalar_one()
    assert owner.user_id is None  # suggested, never linked by itself

    missing_owner = client.post(f"/c/{community.id}/verifications/{link_request.id}",
                                data={"decision": "approve"}).get_data(as_text=True)
    assert "请选择" in missing_owner
    response = client.post(f"/c/{community.id}/verifications/{link_request.id}",
                           data={"decision": "approve", "owner": str(owner.id)},
                           headers={"HX-Request": "true"})
    assert "已通过" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Owner, owner.id).user_id == resident.id
    assert db.session.get(VerificationRequest, link_request.id).decided_by_id == staff.id
    assert db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == resident.id, RoleGrant.role == Role.VERIFIED_OWNER)).scalar_one()
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "verification.approve")).scalar_one()
    assert event.actor_id == staff.id
    login(resident)
    assert "1栋-101" in client.get("/me").get_data(as_text=True)


def test_approving_a_resident_links_without_touching_the_roster(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, staff = _setup(make_community, make_unit, make_org, make_user, add_member)
    tenant = make_user(name="韩磊")
    link_request = VerificationRequest(user=tenant, unit=unit, kind=LinkKind.RESIDENT)
    db.session.add(link_request)
    db.session.commit()
    login(staff)
    client.post(f"/c/{community.id}/verifications/{link_request.id}",
                data={"decision": "approve"})
    assert db.session.execute(select(Residency).where(Residency.user_id == tenant.id)).scalar_one()
    assert db.session.execute(select(Owner.user_id)).scalar_one() is None


def test_a_rejection_needs_a_reason_which_the_resident_sees(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, staff = _setup(make_community, make_unit, make_org, make_user, add_member)
    resident = make_user()
    link_request = VerificationRequest(user=resident, unit=unit, kind=LinkKind.OWNER)
    db.session.add(link_request)
    db.session.commit()
    login(staff)
    url = f"/c/{community.id}/verifications/{link_request.id}"
    page = client.post(url, data={"decision": "reject", "reason": "  "}).get_data(as_text=True)
    assert "请告诉居民原因" in page
    db.session.expire_all()
    assert db.session.get(VerificationRequest, link_request.id).status == "pending"
    client.post(url, data={"decision": "reject", "reason": "房产证上的姓名不一致"})
    decided_twice = client.post(url, data={"decision": "approve"}, follow_redirects=True)
    assert "该申请已处理过" in decided_twice.get_data(as_text=True)
    login(resident)
    mine = client.get("/me").get_data(as_text=True)
    assert "房产证上的姓名不一致" in mine


def test_a_request_from_another_community_is_not_found_here(
        client, make_community, make_unit, make_org, make_user, add_member, login):
    community, unit, staff = _setup(make_community, make_unit, make_org, make_user, add_member)
    other = make_community()
    other_unit = make_unit(other, "1")
    link_request = VerificationRequest(user=make_user(), unit=other_unit, kind=LinkKind.OWNER)
    db.session.add(link_request)
    db.session.commit()
    login(staff)
    response = client.post(f"/c/{community.id}/verifications/{link_request.id}",
                           data={"decision": "reject", "reason": "x"})
    assert response.status_code == 404


def test_home_shows_waiting_verifications_only_to_those_who_may_verify(
        world, make_community, make_unit, make_user, login, app):
    """The home page counts waiting requests only in communities where the reader may
    verify (app/home/services.py): staff see their own community's, the platform
    administrator every community's, a resident none."""
    def badges(who):
        page = login(world.users[who], app.test_client()).get("/").get_data(as_text=True)
        return [int(n) for n in re.findall(r'<span class="badge">(\d+)</span>', page)]

    [already] = badges("oc_staff")
    other = make_community(name="首页待审小区")
    for community, waiting in ((world.community, 2), (other, 7)):
        for index in range(waiting):
            db.session.add(VerificationRequest(
                user=make_user(name=f"申请人{index}"), kind=LinkKind.OWNER,
                unit=make_unit(community, f"8{index:02d}")))
    db.session.commit()

    assert badges("oc_staff") == [already + 2]
    assert sorted(n for n in badges("platform_admin") if n) == sorted([already + 2, 7])
    assert badges("resident") == []
