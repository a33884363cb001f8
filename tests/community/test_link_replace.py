"""A home link that would take a unit from another verified account, or trust someone the
roster does not name, needs a reasoned replace; the displaced account keeps its other units
and is told."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import (
    LinkKind,
    MemberRole,
    OrganisationKind,
    Owner,
    Ownership,
    Role,
    RoleGrant,
    Unit,
    VerificationRequest,
    VerificationStatus,
)
from app.community.services import units_owned_by
from app.extensions import db
from app.notices.models import Notification

REASON = "已核对房产证，原账号并非业主本人"


class Estate:
    """王伟 owns three units on the roster, linked to the account ``old``; ``new`` asks to
    be linked to 1栋-102 as 王伟 (with the roster's phone)."""


@pytest.fixture
def estate(make_community, make_org, make_user, add_member, give_role):
    e = Estate()
    e.community = make_community(name="翠湖花园", buildings=("1栋",))
    building = e.community.buildings[0]
    e.units = [Unit(building=building, number=n, area=Decimal("90.00"))
               for n in ("101", "102", "103")]
    e.owner = Owner(community_id=e.community.id, name="王伟", phone="13900000001")
    db.session.add_all([Ownership(unit=u, owner=e.owner) for u in e.units])
    committee = make_org(e.community, OrganisationKind.OWNERS_COMMITTEE)
    e.staff = make_user(name="林慧")
    add_member(committee, e.staff, MemberRole.STAFF)
    e.old = make_user(name="王大伟", phone="13800000002")
    e.owner.user = e.old
    db.session.commit()
    give_role(e.old, Role.VERIFIED_OWNER, e.community)
    e.new = make_user(name="王伟", phone="13900000001")
    e.request = _ask(e.new, e.units[1])
    return e


def _ask(user, unit, kind=LinkKind.OWNER) -> VerificationRequest:
    link_request = VerificationRequest(user=user, unit=unit, kind=kind)
    db.session.add(link_request)
    db.session.commit()
    return link_request


def _url(e, link_request=None) -> str:
    return f"/c/{e.community.id}/verifications/{(link_request or e.request).id}"


def _labels(units) -> list[str]:
    return sorted(u.label for u in units)


def test_the_queue_warns_with_masked_facts_and_offers_replace_instead_of_approve(
        client, estate, login):
    login(estate.staff)
    page = client.get(f"/c/{estate.community.id}/verifications").get_data(as_text=True)
    assert "已关联到已核验账号王大伟（138****0002）" in page
    assert "13800000002" not in page
    assert "其名下其他房屋仍归该账号：1栋-101、1栋-103" in page
    assert "已开始的表决沿用开始时的名册" in page
    assert 'value="replace"' in page and 'value="approve"' not in page
    assert "替换原因" in page


def test_approving_without_replace_is_refused_and_nothing_changes(client, estate, login):
    login(estate.staff)
    page = client.post(_url(estate), data={"decision": "approve",
                                           "owner": str(estate.owner.id)}
                       ).get_data(as_text=True)
    assert "此关联将替换另一账号已核验的关联" in page
    for reason, message in (("", "请说明为何以此关联替换原关联"),
                            ("原账号错了", "请多写几句：至少 10 个字")):
        page = client.post(_url(estate), data={"decision": "replace", "replace_reason": reason,
                                               "owner": str(estate.owner.id)}
                           ).get_data(as_text=True)
        assert message in page
        assert f"{reason}</textarea>" in page  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(VerificationRequest, estate.request.id).status == "pending"
    assert _labels(units_owned_by(estate.old)) == ["1栋-101", "1栋-102", "1栋-103"]
    assert units_owned_by(estate.new) == []
    assert db.session.execute(select(func.count(Notification.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.like("verification.%"))).scalar_one() == 0


def test_a_replace_moves_only_that_unit_and_tells_the_displaced_account(
        client, estate, login):
    login(estate.staff)
    response = client.post(_url(estate), data={
        "decision": "replace", "replace_reason": REASON, "owner": str(estate.owner.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert _labels(units_owned_by(estate.new)) == ["1栋-102"]
    assert _labels(units_owned_by(estate.old)) == ["1栋-101", "1栋-103"]
    assert db.session.get(Owner, estate.owner.id).user_id == estate.old.id
    link_request = db.session.get(VerificationRequest, estate.request.id)
    assert link_request.status == VerificationStatus.APPROVED
    assert link_request.owner.user_id == estate.new.id and link_request.owner.name == "王伟"
    # The displaced account still owns units: it stays a verified owner.
    assert db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == estate.old.id, RoleGrant.role == Role.VERIFIED_OWNER)).scalar_one()
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "verification.replace")).scalar_one()
    assert event.actor_id == estate.staff.id
    assert event.details["reason"] == REASON
    assert event.details["replaced_user_id"] == estate.old.id
    assert event.details["kept_units"] == ["1栋-101", "1栋-103"]
    note = db.session.execute(select(Notification).where(
        Notification.kind == "link_replaced")).scalar_one()
    assert (note.user_id, note.kind, note.details) == (
        estate.old.id, "link_replaced", {"unit": "1栋-102", "reason": REASON})
    decided = db.session.execute(select(Notification).where(
        Notification.kind == "link_decided")).scalar_one()
    assert decided.user_id == estate.new.id and decided.details["approved"] is True
    login(estate.old)
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "工作人员已将1栋-102关联到另一个账号" in inbox and REASON in inbox


def test_replacing_a_second_unit_joins_it_to_the_same_owner_record(client, estate, login):
    """The units a person is verified for count as one owner, however they were moved."""
    login(estate.staff)
    client.post(_url(estate), data={"decision": "replace", "replace_reason": REASON,
                                     "owner": str(estate.owner.id)})
    second = _ask(estate.new, estate.units[2])
    client.post(_url(estate, second), data={"decision": "replace", "replace_reason": REASON,
                                            "owner": str(estate.owner.id)})
    db.session.expire_all()
    assert _labels(units_owned_by(estate.new)) == ["1栋-102", "1栋-103"]
    assert _labels(units_owned_by(estate.old)) == ["1栋-101"]
    owners = set(db.session.execute(select(Ownership.owner_id).where(
        Ownership.unit_id.in_([estate.units[1].id, estate.units[2].id]))).scalars())
    assert len(owners) == 1


def test_replacing_an_owners_only_unit_hands_over_the_record_and_the_role_ends(
        client, make_unit, estate, login, make_user):
    single = make_unit(estate.community, "201", owners=[("赵敏", "13900000009")])
    owner = single.ownerships[0].owner
    owner.user = make_user(name="赵敏", phone="13900000009")
    displaced = owner.user
    db.session.add(RoleGrant(user=displaced, community_id=estate.community.id,
                             role=Role.VERIFIED_OWNER))
    db.session.commit()
    claimant = make_user(name="赵敏", phone="13600000009")
    link_request = _ask(claimant, single)
    login(estate.staff)
    client.post(_url(estate, link_request), data={
        "decision": "replace", "replace_reason": REASON, "owner": str(owner.id)})
    db.session.expire_all()
    assert db.session.get(Owner, owner.id).user_id == claimant.id
    assert units_owned_by(displaced) == []
    assert db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == displaced.id)).scalar_one_or_none() is None
    assert "role.revoke" in set(db.session.execute(select(AuditEvent.action)).scalars())


def test_a_stranger_to_the_roster_needs_a_replace_but_displaces_nobody(
        client, make_unit, estate, login, make_user):
    unit = make_unit(estate.community, "301", owners=[("钱进", "13900000003")])
    owner = unit.ownerships[0].owner
    stranger = make_user(name="孙丽", phone="13700000003")
    link_request = _ask(stranger, unit)
    login(estate.staff)
    page = client.get(f"/c/{estate.community.id}/verifications").get_data(as_text=True)
    assert "孙丽（137****0003）的姓名和手机号都与名册上的钱进（139****0003）不符" in page
    refused = client.post(_url(estate, link_request),
                          data={"decision": "approve", "owner": str(owner.id)})
    assert "此关联将替换另一账号已核验的关联" in refused.get_data(as_text=True)
    client.post(_url(estate, link_request), data={
        "decision": "replace", "replace_reason": "业主已将房屋出售，名册待更新",
        "owner": str(owner.id)})
    db.session.expire_all()
    assert db.session.get(Owner, owner.id).user_id == stranger.id
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "link_replaced")).scalar_one() == 0
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "verification.approve")).scalar_one()
    assert event.details["differs_from_roster"] is True
    assert event.details["replace_reason"] == "业主已将房屋出售，名册待更新"


def test_the_service_refuses_a_replace_without_a_reason(estate):
    """Not only the form: a caller that skips it is refused too."""
    from app.community.services import LinkRefused, approve_request

    with pytest.raises(LinkRefused):
        approve_request(estate.request, actor=estate.staff, owner=estate.owner)
    db.session.rollback()
    assert db.session.get(Owner, estate.owner.id).user_id == estate.old.id


def test_only_verifying_staff_may_replace(client, estate, login, make_user):
    login(make_user(name="路人"))
    response = client.post(_url(estate), data={
        "decision": "replace", "replace_reason": REASON, "owner": str(estate.owner.id)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Owner, estate.owner.id).user_id == estate.old.id


def test_the_queue_costs_the_same_with_many_risky_requests(
        app, estate, login, make_user, count_queries):
    client = login(estate.staff, app.test_client())
    url = f"/c/{estate.community.id}/verifications"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    building = estate.community.buildings[0]
    people = [(make_user(name=f"旧{index}"), make_user(name=f"新{index}"))
              for index in range(12)]
    for index, (old, new) in enumerate(people):
        with db.session.no_autoflush:
            units = [Unit(building=building, number=f"9{index:02d}{n}",
                          area=Decimal("80.00")) for n in range(3)]
            owner = Owner(community_id=estate.community.id, name=f"业主{index}",
                          phone=f"1390000{index:04d}", user=old)
            db.session.add_all([*units, *(Ownership(unit=u, owner=owner) for u in units)])
            db.session.add(VerificationRequest(user=new, unit=units[0], kind=LinkKind.OWNER))
    db.session.commit()
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)
    assert page.count("已关联到已核验账号") == 13
    assert len(large) == len(small), "\n".join(large)
