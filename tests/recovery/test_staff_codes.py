"""Paper reset codes: committee staff and administrators issue them, after checking a
person's identity face to face, for people of their community below their own standing;
the code is shown once, works once, for 24 hours."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.community.models import Residency, Role
from app.extensions import db, utcnow
from app.recovery import views as recovery_views
from app.recovery.models import RecoveryCode
from tests.factories import PASSWORD

NEW_PASSWORD = "lake-view-garden-7"
ISSUED = "密码重置码"


def _issue(client, community, phone, checked=True):
    data = {"phone": phone}
    if checked:
        data["identity_checked"] = "y"
    return client.post(f"/c/{community.id}/password-help", data=data)


def _printed_code(response) -> str:
    return re.search(r'id="reset-code">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(1)


def _reset(client, phone, code):
    return client.post("/auth/reset", data={"phone": phone, "code": code,
                                            "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def _password_is(user, password) -> bool:
    db.session.expire_all()
    return db.session.get(User, user.id).check_password(password)


@pytest.fixture
def staff(app, world, login):
    """oc_staff, signed in on their own browser."""
    return login(world.users["oc_staff"], app.test_client())


def test_staff_issue_a_code_shown_once_hashed_and_audited(world, staff):
    resident = world.users["resident"]
    response = _issue(staff, world.community, resident.phone)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ISSUED in page
    code = _printed_code(response)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert "r*******" in page and resident.phone[:3] + "****" in page  # masked name and number
    assert "在登录页点「忘记密码？」→「我有工作人员给的重置码」" in page
    row = db.session.execute(select(RecoveryCode)).scalar_one()
    assert (row.user_id, row.kind, row.issued_by_id, row.community_id) == (
        resident.id, "staff", world.users["oc_staff"].id, world.community.id)
    assert code.replace("-", "") not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(hours=24)
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert (event.action, event.actor_id, event.community_id, event.target) == (
        "recovery.staff_code_issued", world.users["oc_staff"].id, world.community.id,
        f"user:{resident.id}")
    # Coming back to the page shows the form again, not the code.
    again = staff.get(f"/c/{world.community.id}/password-help").get_data(as_text=True)
    assert code not in again and ISSUED not in again


def test_the_resident_uses_the_paper_code_once_and_every_session_ends(app, world, staff, login):
    resident = world.users["resident"]
    elsewhere = login(resident, app.test_client())
    code = _printed_code(_issue(staff, world.community, resident.phone))
    here = app.test_client()
    response = _reset(here, resident.phone, " " + code.lower().replace("-", " ") + " ")
    assert response.status_code == 302 and here.get("/me").status_code == 200
    assert elsewhere.get("/me").status_code == 302
    assert _password_is(resident, NEW_PASSWORD)
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id)
                                 .order_by(AuditEvent.seq)).all()
    assert actions[-1] == ("recovery.password_reset", resident.id)
    assert "验证码错误或已失效" in _reset(app.test_client(), resident.phone, code).get_data(
        as_text=True)


def test_a_paper_code_lasts_24_hours(world, staff, client, monkeypatch):
    resident = world.users["resident"]
    code = _printed_code(_issue(staff, world.community, resident.phone))
    later = utcnow() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(recovery_views, "utcnow", lambda: later)
    assert _reset(client, resident.phone, code).status_code == 200
    assert _password_is(resident, PASSWORD)


@pytest.mark.parametrize(("issuer", "person", "allowed"), [
    ("oc_staff", "resident", True),
    ("nc_staff", "property_staff", True),  # in the community, below a verifier
    ("oc_chair", "moderator", True),
    ("community_admin", "oc_staff", True),
    ("platform_admin", "community_admin", True),
    ("oc_staff", "nc_staff", False),  # the same standing
    ("oc_staff", "oc_staff", False),  # oneself
    ("oc_staff", "community_admin", False),
    ("oc_staff", "platform_admin", False),
    ("community_admin", "other_admin", False),  # an administrator elsewhere
    ("community_admin", "platform_admin", False),
])
def test_only_for_people_of_lower_standing(app, world, login, issuer, person, allowed):
    client = login(world.users[issuer], app.test_client())
    target = world.users[person]
    if person in ("platform_admin", "other_admin"):  # make them belong to the community
        db.session.add(Residency(unit=world.unit, user=target))
        db.session.commit()
    page = _issue(client, world.community, target.phone).get_data(as_text=True)
    assert (ISSUED in page) is allowed
    if not allowed:
        assert "您不能为此人发放重置码" in page
        assert db.session.execute(select(RecoveryCode)).first() is None


@pytest.mark.parametrize("who", ["outsider", "someone_elsewhere", "nobody", "owner_on_roster"])
def test_only_for_people_of_the_community(world, staff, make_user, give_role, who):
    if who == "someone_elsewhere":
        person = make_user(phone="13955550001")
        give_role(person, Role.RESIDENT, world.other_community)
    elif who == "owner_on_roster":  # linked to the roster, no role yet: belongs
        person = make_user(phone="13955550002")
        world.unit.ownerships[0].owner.user = person
        db.session.commit()
    phone = {"outsider": world.users["outsider"].phone, "someone_elsewhere": "13955550001",
             "nobody": "13955550009", "owner_on_roster": "13955550002"}[who]
    page = _issue(staff, world.community, phone).get_data(as_text=True)
    if who == "owner_on_roster":
        assert ISSUED in page
    else:
        assert "本小区没有使用这个手机号的账号" in page and ISSUED not in page
        assert f'value="{phone}"' in page


def test_an_erased_account_gets_no_code(world, staff):
    resident = world.users["resident"]
    resident.erased_at = utcnow()
    db.session.commit()
    assert ISSUED not in _issue(staff, world.community, resident.phone).get_data(as_text=True)


@pytest.mark.parametrize(("phone", "checked", "message"), [
    ("12345", True, "请输入 11 位"),
    ("", True, "必填"),
    (None, False, "请先当面核对本人身份证件"),
])
def test_bad_input_is_refused_kept_and_issues_nothing(world, staff, phone, checked, message):
    typed = world.users["resident"].phone if phone is None else phone
    response = _issue(staff, world.community, typed, checked=checked)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page, page
    assert f'value="{typed}"' in page
    assert db.session.execute(select(RecoveryCode)).first() is None
    assert db.session.execute(select(AuditEvent.action)).first() is None


def test_issuing_costs_fixed_queries(world, staff, make_user, give_role, add_member,
                                     count_queries):
    for n in range(30):
        person = make_user(phone=f"138000000{n:02d}")
        give_role(person, Role.RESIDENT, world.community)
        db.session.add(Residency(unit=world.unit, user=person))
    db.session.commit()
    community = world.community
    url = f"/c/{community.id}/password-help"
    staff.csrf_token()  # fetched once, before counting
    with count_queries() as queries:
        assert staff.get(url).status_code == 200
    # the user with the session; the community; standing (1); the header's unread count
    assert len(queries) == 4, "\n".join(q[:80] for q in queries)
    with count_queries() as queries:
        assert ISSUED in _issue(staff, community, "13800000007").get_data(as_text=True)
    # as the form, plus: the person; belongs; their roles; a verifier's seat; the old code
    # out, the new one in; the audit head and entry
    assert len(queries) == 12, "\n".join(q[:80] for q in queries)
