"""Reading other people's names and phones leaves a trace: who, what, when."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import Owner
from app.extensions import db


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    ).scalars())


def test_each_read_of_the_units_page_is_audited_with_its_filters(client, world, login):
    staff = world.users["oc_staff"]
    login(staff)
    building = world.community.buildings[0]
    client.get(f"/c/{world.community.id}/units?building={building.id}&page=2")
    (event,) = _events("personal_data.view")
    assert (event.actor_id, event.community_id, event.target) == \
        (staff.id, world.community.id, "units")
    assert event.details == {"what": "units", "building": building.id, "page_number": 2}
    assert event.created_at is not None


def test_each_read_of_the_verification_queue_is_audited(client, world, login):
    login(world.users["nc_staff"])
    client.get(f"/c/{world.community.id}/verifications")
    client.get(f"/c/{world.community.id}/verifications")
    events = _events("personal_data.view")
    assert [e.target for e in events] == ["verifications", "verifications"]
    assert {e.actor_id for e in events} == {world.users["nc_staff"].id}


def test_a_decision_form_shown_again_with_its_errors_is_a_read_too(client, world, login):
    login(world.users["oc_staff"])
    page = client.post(f"/c/{world.community.id}/verifications/{world.link_request.id}",
                       data={"decision": "approve"}).get_data(as_text=True)
    assert world.applicant.name in page
    (event,) = _events("personal_data.view")
    assert event.details == {"what": "verifications", "request": world.link_request.id}


def test_a_refused_reader_leaves_no_view_event(client, world, login):
    login(world.users["resident"])
    assert client.get(f"/c/{world.community.id}/units").status_code == 403
    assert _events("personal_data.view") == []


def test_show_reveals_one_owner_phone_and_records_whose(client, world, login):
    staff = world.users["oc_staff"]
    login(staff)
    owner = db.session.execute(select(Owner).where(Owner.name == "王伟")).scalar_one()
    url = f"/c/{world.community.id}/owners/{owner.id}/phone"
    page = client.get(f"/c/{world.community.id}/units").get_data(as_text=True)
    assert f'hx-post="{url}"' in page and "13900000001" not in page

    fragment = client.post(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "13900000001" in fragment and "<html" not in fragment
    (event,) = _events("personal_data.reveal")
    assert (event.actor_id, event.target, event.details) == \
        (staff.id, f"owner:{owner.id}", {"field": "phone"})

    without_script = client.post(url).get_data(as_text=True)
    assert "13900000001" in without_script and "王伟" in without_script
    assert len(_events("personal_data.reveal")) == 2


def test_show_reveals_an_applicant_phone_from_the_queue(client, world, login):
    login(world.users["oc_staff"])
    url = f"/c/{world.community.id}/verifications/{world.link_request.id}/phone"
    queue = client.get(f"/c/{world.community.id}/verifications").get_data(as_text=True)
    assert f'action="{url}"' in queue
    fragment = client.post(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert world.applicant.phone in fragment
    (event,) = _events("personal_data.reveal")
    assert event.target == f"user:{world.applicant.id}"


def test_another_community_owner_or_request_is_not_found_and_not_recorded(
        client, world, login, make_unit):
    stranger_unit = make_unit(world.other_community, "501", owners=[("外人", "13700000007")])
    stranger = stranger_unit.ownerships[0].owner
    login(world.users["oc_staff"])
    base = f"/c/{world.community.id}"
    assert client.post(f"{base}/owners/{stranger.id}/phone").status_code == 404
    assert client.post(f"{base}/owners/999999/phone").status_code == 404
    assert client.post(f"{base}/verifications/999999/phone").status_code == 404
    assert _events("personal_data.reveal") == []


def test_show_without_the_form_token_is_refused_and_not_recorded(client, world, login):
    login(world.users["oc_staff"])
    owner = db.session.execute(select(Owner).where(Owner.name == "王伟")).scalar_one()
    response = client.post(f"/c/{world.community.id}/owners/{owner.id}/phone", csrf=False)
    assert response.status_code == 400
    assert "13900000001" not in response.get_data(as_text=True)
    assert _events("personal_data.reveal") == []
