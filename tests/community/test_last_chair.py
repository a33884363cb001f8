"""Removing oneself or a chair is asked twice; the last chair is never removed or demoted."""

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, Membership
from app.extensions import db


def _membership(organisation, user) -> Membership | None:
    return db.session.execute(select(Membership).where(
        Membership.organisation_id == organisation.id,
        Membership.user_id == user.id)).scalar_one_or_none()


def _revoke_url(organisation, membership) -> str:
    return f"/o/{organisation.id}/members/{membership.id}/revoke"


def _audited(action: str) -> int:
    return db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == action)).scalar_one()


def test_the_last_chair_cannot_be_removed_and_the_page_names_who_could_chair(
        client, world, login):
    chair = world.users["oc_chair"]
    login(world.users["community_admin"])
    url = _revoke_url(world.owners_committee, _membership(world.owners_committee, chair))
    page = client.post(url, data={"confirm": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "oc_chair是业委会唯一的负责人" in page
    assert "请先让其他人担任负责人，例如oc_staff" in page
    assert _membership(world.owners_committee, chair) is not None
    assert _audited("membership.revoke") == 0


def test_an_only_member_chair_is_told_to_appoint_someone_first(client, world, login):
    chair = world.users["party_chair"]
    login(chair)
    url = _revoke_url(world.party_branch, _membership(world.party_branch, chair))
    fragment = client.post(url, data={"confirm": "1"},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'role="alert"' in fragment
    assert "请先让其他人担任负责人，然后再试" in fragment
    assert _membership(world.party_branch, chair) is not None


def test_removing_yourself_asks_first_without_javascript(client, world, login, add_member):
    chair = world.users["oc_chair"]
    add_member(world.owners_committee, world.users["resident"], MemberRole.CHAIR)
    login(chair)
    url = _revoke_url(world.owners_committee, _membership(world.owners_committee, chair))
    page = client.post(url).get_data(as_text=True)
    assert "确定将自己移出业委会吗？" in page and "您将不能再管理其成员" in page
    assert 'name="confirm" value="1"' in page
    assert _membership(world.owners_committee, chair) is not None
    assert _audited("membership.revoke") == 0
    response = client.post(url, data={"confirm": "1"})
    assert response.status_code == 302
    assert _membership(world.owners_committee, chair) is None
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "membership.revoke")).scalar_one()
    assert event.details["confirmed"] is True and event.actor_id == chair.id


def test_with_htmx_the_browser_asks_and_one_who_removed_themselves_reloads(
        client, world, login, add_member):
    chair = world.users["oc_chair"]
    add_member(world.owners_committee, world.users["resident"], MemberRole.CHAIR)
    login(chair)
    page = client.get(f"/o/{world.owners_committee.id}").get_data(as_text=True)
    assert 'hx-confirm="确定将自己移出业委会吗？' in page
    assert 'hx-confirm="确定移除业委会的负责人resident吗？' in page
    url = _revoke_url(world.owners_committee, _membership(world.owners_committee, chair))
    response = client.post(url, data={"confirm": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/o/{world.owners_committee.id}"


def test_removing_an_ordinary_member_needs_no_confirmation(client, world, login):
    login(world.users["oc_chair"])
    staff = world.users["oc_staff"]
    url = _revoke_url(world.owners_committee, _membership(world.owners_committee, staff))
    page = client.get(f"/o/{world.owners_committee.id}").get_data(as_text=True)
    assert page.count("hx-confirm=") == 1  # the chair's own row only
    fragment = client.post(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "oc_staff" in fragment and "<html" not in fragment
    assert _membership(world.owners_committee, staff) is None


def test_demoting_the_last_chair_is_refused_and_the_form_kept(client, world, login):
    chair = world.users["oc_chair"]
    login(chair)
    page = client.post(f"/o/{world.owners_committee.id}/members",
                       data={"phone": chair.phone, "role": "staff"}).get_data(as_text=True)
    assert "oc_chair是业委会唯一的负责人" in page and f'value="{chair.phone}"' in page
    assert _membership(world.owners_committee, chair).role == MemberRole.CHAIR
    assert _audited("membership.grant") == 0


def test_a_chair_may_step_down_once_another_chairs(client, world, login):
    chair, staff = world.users["oc_chair"], world.users["oc_staff"]
    login(chair)
    url = f"/o/{world.owners_committee.id}/members"
    client.post(url, data={"phone": staff.phone, "role": "chair"})
    client.post(url, data={"phone": chair.phone, "role": "member"})
    db.session.expire_all()
    assert _membership(world.owners_committee, chair).role == MemberRole.MEMBER
    assert _membership(world.owners_committee, staff).role == MemberRole.CHAIR


def test_the_members_page_costs_the_same_with_many_members(
        app, world, login, make_user, add_member, count_queries):
    client = login(world.users["oc_chair"], app.test_client())
    url = f"/o/{world.owners_committee.id}"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for index in range(15):
        add_member(world.owners_committee, make_user(name=f"成员{index}"),
                   MemberRole.CHAIR if index % 3 == 0 else MemberRole.STAFF)
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)
    assert page.count("hx-confirm=") == 6  # five more chairs and oneself
    assert len(large) == len(small), "\n".join(large)
