from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import (
    Building,
    Grid,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    RoleGrant,
)
from app.extensions import db


def test_a_chair_grants_changes_and_revokes_roles_in_their_organisation(client, world, login):
    login(world.users["oc_chair"])
    newcomer = world.applicant
    url = f"/o/{world.owners_committee.id}/members"
    response = client.post(url, data={"phone": newcomer.phone, "role": "staff"},
                           headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "申请人" in fragment
    client.post(url, data={"phone": newcomer.phone, "role": "member"})
    membership = db.session.execute(select(Membership).where(
        Membership.user_id == newcomer.id)).scalar_one()
    assert membership.role == MemberRole.MEMBER
    client.post(f"{url}/{membership.id}/revoke")
    assert db.session.execute(select(Membership).where(
        Membership.user_id == newcomer.id)).scalar_one_or_none() is None
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars()
    assert list(actions) == ["membership.grant", "membership.grant", "membership.revoke"]


def test_granting_to_an_unknown_number_keeps_the_form(client, world, login):
    login(world.users["oc_chair"])
    page = client.post(f"/o/{world.owners_committee.id}/members",
                       data={"phone": "13955556666", "role": "staff"}).get_data(as_text=True)
    assert "还没有人用这个手机号注册" in page and 'value="13955556666"' in page
    bad = client.post(f"/o/{world.owners_committee.id}/members",
                      data={"phone": "555", "role": "staff"}).get_data(as_text=True)
    assert "11 位" in bad
    wrong_role = client.post(f"/o/{world.owners_committee.id}/members",
                             data={"phone": world.applicant.phone, "role": "king"})
    assert wrong_role.status_code == 200
    assert db.session.execute(select(func.count(Membership.id)).where(
        Membership.user_id == world.applicant.id)).scalar_one() == 0


def test_a_chair_of_one_organisation_cannot_manage_another(client, world, login):
    login(world.users["oc_chair"])
    response = client.post(f"/o/{world.party_branch.id}/members",
                           data={"phone": world.applicant.phone, "role": "chair"})
    assert response.status_code == 403


def test_member_and_role_lists_show_masked_phones_even_to_staff_who_verify(
        client, world, login):
    phone = world.users["oc_staff"].phone
    masked = f"{phone[:3]}****{phone[-4:]}"
    for reader in ("resident", "nc_staff", "community_admin"):
        login(world.users[reader])
        page = client.get(f"/o/{world.owners_committee.id}").get_data(as_text=True)
        assert masked in page and phone not in page, reader
    admin_phone = world.users["community_admin"].phone
    login(world.users["platform_admin"])
    roles = client.get(f"/c/{world.community.id}/roles").get_data(as_text=True)
    assert f"{admin_phone[:3]}****{admin_phone[-4:]}" in roles and admin_phone not in roles


def test_community_admin_grants_community_roles_but_not_admin_roles(client, world, login):
    login(world.users["community_admin"])
    url = f"/c/{world.community.id}/roles"
    form = client.get(url).get_data(as_text=True)
    assert 'value="moderator"' in form and 'value="community_admin"' not in form
    client.post(url, data={"phone": world.applicant.phone, "role": "moderator"})
    assert db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == world.applicant.id, RoleGrant.role == Role.MODERATOR)).scalar_one()
    twice = client.post(url, data={"phone": world.applicant.phone, "role": "moderator"})
    assert "此人已有该角色" in twice.get_data(as_text=True)
    refused = client.post(url, data={"phone": world.applicant.phone, "role": "community_admin"})
    assert refused.status_code == 200 and "<form" in refused.get_data(as_text=True)
    assert db.session.execute(select(func.count(RoleGrant.id)).where(
        RoleGrant.user_id == world.applicant.id)).scalar_one() == 1


def test_platform_admin_appoints_community_admins_and_other_platform_admins(
        client, world, login):
    login(world.users["platform_admin"])
    client.post(f"/c/{world.community.id}/roles",
                data={"phone": world.applicant.phone, "role": "community_admin"})
    client.post("/platform/roles", data={"phone": world.applicant.phone,
                                         "role": "platform_admin"})
    roles = set(db.session.execute(select(RoleGrant.role).where(
        RoleGrant.user_id == world.applicant.id)).scalars())
    assert roles == {Role.COMMUNITY_ADMIN, Role.PLATFORM_ADMIN}


def test_a_platform_admin_cannot_remove_their_own_role(client, world, login):
    admin = world.users["platform_admin"]
    login(admin)
    grant = db.session.execute(select(RoleGrant).where(RoleGrant.user_id == admin.id)).scalar_one()
    page = client.post(f"/platform/roles/{grant.id}/revoke", follow_redirects=True)
    assert "不能移除您自己的管理员角色" in page.get_data(as_text=True)
    assert db.session.get(RoleGrant, grant.id) is not None


def test_admin_builds_the_community_structure(client, world, login):
    login(world.users["community_admin"])
    base = f"/c/{world.community.id}"
    fragment = client.post(f"{base}/grids", data={"name": " 第三网格 "},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "第三网格" in fragment and "<html" not in fragment
    grid = db.session.execute(select(Grid).where(Grid.name == "第三网格")).scalar_one()
    duplicate = client.post(f"{base}/grids", data={"name": "第三网格"}).get_data(as_text=True)
    assert "本社区已有同名项" in duplicate
    client.post(f"{base}/buildings", data={"name": "9栋", "grid": str(grid.id)})
    building = db.session.execute(select(Building).where(Building.name == "9栋")).scalar_one()
    assert building.grid_id == grid.id
    no_grid = client.post(f"{base}/organisations",
                          data={"kind": "grid_party_branch", "name": "第三网格党支部", "grid": ""})
    assert "网格" in no_grid.get_data(as_text=True) and 'value="第三网格党支部"' in \
        no_grid.get_data(as_text=True)
    assert db.session.execute(select(Organisation).where(
        Organisation.name == "第三网格党支部")).scalar_one_or_none() is None
    client.post(f"{base}/organisations", data={"kind": "grid_party_branch",
                                               "name": "第三网格党支部", "grid": str(grid.id)})
    branch = db.session.execute(select(Organisation).where(
        Organisation.name == "第三网格党支部")).scalar_one()
    assert branch.kind == OrganisationKind.GRID_PARTY_BRANCH and branch.grid_id == grid.id


def test_platform_admin_creates_a_community(client, world, login):
    login(world.users["platform_admin"])
    response = client.post("/communities/new", data={"name": "新小区", "address": "新路 1 号"})
    assert response.status_code == 302
    duplicate = client.post("/communities/new", data={"name": "新小区"}).get_data(as_text=True)
    assert "已有同名社区" in duplicate


def test_the_roster_page_shows_masked_phones_to_verifying_staff(client, world, login):
    login(world.users["oc_staff"])
    page = client.get(f"/c/{world.community.id}/units").get_data(as_text=True)
    assert "1栋-101" in page and "139****0001" in page and "95.20" in page
    assert "13900000001" not in page


def test_the_roster_lists_rooms_in_the_order_people_count_them(client, world, login,
                                                               make_unit):
    make_unit(world.community, "1001")
    make_unit(world.community, "201")
    login(world.users["oc_staff"])
    page = client.get(f"/c/{world.community.id}/units").get_data(as_text=True)
    assert page.index("1栋-101") < page.index("1栋-201") < page.index("1栋-1001")
