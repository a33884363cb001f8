"""/me/data: everything about me in a zip; asking for erasure; an admin carrying it out."""

import csv
import io
import json
import zipfile

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.auth.models import User
from app.community.models import Owner, Role, RoleGrant
from app.discussion.models import Comment
from app.extensions import db
from app.notices.models import Notification, NotificationKind
from app.privacy.models import DeletionRequest, DeletionStatus
from app.voting.models import Ballot, Poll, RollEntry, Secrecy
from app.voting.services import current_ballot
from tests.voting.conftest import cast_all, make_poll


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_my_records_but_no_secret_choice_and_no_one_else(
        app, estate, client, login):
    me, other = estate.owners[0], estate.owners[1]
    secret = make_poll(estate, secrecy=Secrecy.SECRET)
    cast_all(secret, [me, other], ["oppose", "approve"])
    db.session.add(Comment(proposal_id=estate.proposal.id, author_id=me.id,
                           body="=HYPERLINK(\"http://evil\")"))
    db.session.add(Notification(user_id=me.id, kind=NotificationKind.REPLY))
    db.session.add(Notification(user_id=other.id, kind=NotificationKind.REPLY))
    db.session.commit()
    login(me)

    archive = _zip(client.get("/me/data/export"))
    data = json.loads(archive.read("data.json"))
    assert data["account"][0]["name"] == me.name and "password_hash" not in data["account"][0]
    assert [r["user_id"] for r in data["roster_entries"]] == [me.id]
    assert len(data["ownerships"]) == 1
    assert data["homes"] == [{"community": estate.community.name, "building": "1栋",
                              "unit": "101", "area_m2": "100.00", "as": "owner"}]
    assert [p["id"] for p in data["proposals"]] == [estate.proposal.id]
    assert [c["body"] for c in data["comments"]] == ["=HYPERLINK(\"http://evil\")"]
    assert {n["user_id"] for n in data["notifications"]} == {me.id}
    assert [n["kind"] for n in data["notifications"]].count("reply") == 1
    my_entry = db.session.execute(select(RollEntry).where(RollEntry.voted_by_id == me.id)
                                  ).scalar_one()
    my_ballot = current_ballot(db.session.get(Poll, my_entry.poll_id), my_entry)
    (receipt,) = data["ballot_receipts"]
    assert receipt["receipt"] == my_ballot.receipt and receipt["choices"] is None
    assert "oppose" not in archive.read("ballot_receipts.csv").decode("utf-8-sig")
    # A spreadsheet shows the comment as text, never runs it as a formula.
    rows = list(csv.DictReader(io.StringIO(archive.read("comments.csv").decode("utf-8-sig"))))
    assert rows[0]["body"] == "'=HYPERLINK(\"http://evil\")"
    assert set(archive.namelist()) >= {"data.json", "account.csv", "audit_events.csv"}
    # The download is itself on the record, and shows up in the next export.
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "personal_data.export")).scalar_one()
    assert (event.actor_id, event.target) == (me.id, f"user:{me.id}")
    again = json.loads(_zip(client.get("/me/data/export")).read("data.json"))
    assert "personal_data.export" in {e["action"] for e in again["audit_events"]}


def test_an_open_poll_ballot_is_exported_with_its_choice(app, estate, client, login):
    me = estate.owners[0]
    poll = make_poll(estate, secrecy=Secrecy.OPEN_ROLL)
    cast_all(poll, [me], ["approve"])
    login(me)
    data = json.loads(_zip(client.get("/me/data/export")).read("data.json"))
    assert data["ballot_receipts"][0]["choices"] == ["approve"]


def test_me_links_to_my_data(client, world, login):
    login(world.users["resident"])
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/me/data"' in page


def test_asking_for_erasure_needs_the_box_ticked_and_keeps_the_reason(
        client, world, login):
    resident = world.users["resident"]
    login(resident)
    page = client.post("/me/data/deletion", data={"reason": "搬走了"}).get_data(as_text=True)
    assert "请勾选以确认" in page and "搬走了" in page
    too_long = client.post("/me/data/deletion", data={"reason": "长" * 501, "confirm": "y"})
    assert "500" in too_long.get_data(as_text=True)
    assert db.session.execute(select(func.count(DeletionRequest.id))).scalar_one() == 0

    client.post("/me/data/deletion", data={"reason": "搬走了", "confirm": "y"})
    deletion = db.session.execute(select(DeletionRequest)).scalar_one()
    assert (deletion.user_id, deletion.community_id, deletion.reason) == \
        (resident.id, world.community.id, "搬走了")
    twice = client.post("/me/data/deletion", data={"confirm": "y"}, follow_redirects=True)
    assert "已申请注销" in twice.get_data(as_text=True)
    assert db.session.execute(select(func.count(DeletionRequest.id))).scalar_one() == 1


def _ask(client, login, user):
    login(user)
    client.post("/me/data/deletion", data={"confirm": "y"})
    return db.session.execute(
        select(DeletionRequest).where(DeletionRequest.user_id == user.id)).scalar_one()


def test_an_admin_erases_the_account_and_what_the_law_needs_stays(
        app, estate, client, login, give_role, make_user):
    me = estate.owners[0]
    my_name = me.name
    poll = make_poll(estate)
    cast_all(poll, estate.owners, ["approve", "approve", "oppose"])
    db.session.add(Notification(user_id=me.id, kind=NotificationKind.REPLY))
    db.session.commit()
    my_client = client
    deletion = _ask(my_client, login, me)
    admin = make_user(name="管理员")
    give_role(admin, Role.COMMUNITY_ADMIN, estate.community)
    admin_client = app.test_client()
    login(admin, admin_client)

    queue = admin_client.get(f"/c/{estate.community.id}/deletion-requests").get_data(
        as_text=True)
    assert my_name in queue
    url = f"/c/{estate.community.id}/deletion-requests/{deletion.id}"
    unticked = admin_client.post(url, data={}).get_data(as_text=True)
    assert "请勾选以确认" in unticked
    assert db.session.get(User, me.id).erased_at is None

    assert admin_client.post(url, data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    erased = db.session.get(User, me.id)
    assert erased.name == "已注销用户"
    assert erased.phone == f"erased-{me.id}" and not erased.check_password("password")
    assert db.session.get(DeletionRequest, deletion.id).status == DeletionStatus.DONE
    # Logged out everywhere: the browser that asked is sent to log in.
    assert "/auth/login" in my_client.get("/me").headers["Location"]
    # Roles, notifications gone; the roster owner stays, unlinked; ballots still count.
    assert db.session.execute(select(func.count(RoleGrant.id)).where(
        RoleGrant.user_id == me.id)).scalar_one() == 0
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == me.id)).scalar_one() == 0
    assert db.session.execute(select(Owner).where(Owner.name == "业主0")).scalar_one() \
        .user_id is None
    assert db.session.execute(select(func.count(Ballot.id)).where(
        Ballot.poll_id == poll.id)).scalar_one() == 3
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "privacy.erase")).scalar_one()
    assert (event.actor_id, event.target) == (admin.id, f"user:{me.id}")
    assert verify_chain()[1] is None
    again = admin_client.get(f"/c/{estate.community.id}/deletion-requests")
    assert my_name not in again.get_data(as_text=True)


def test_erasing_withdraws_the_person_s_waiting_link_requests(app, world, client, login):
    applicant = world.applicant
    deletion = _ask(client, login, applicant)
    login(world.users["community_admin"])
    client.post(f"/c/{world.community.id}/deletion-requests/{deletion.id}",
                data={"confirm": "y"})
    login(world.users["oc_staff"])
    queue = client.get(f"/c/{world.community.id}/verifications").get_data(as_text=True)
    assert "已注销用户" not in queue and "1栋-101" not in queue


def test_an_admin_cannot_erase_their_own_account_nor_another_community_request(
        app, world, client, login):
    admin = world.users["community_admin"]
    deletion = _ask(client, login, admin)
    own = client.post(f"/c/{world.community.id}/deletion-requests/{deletion.id}",
                      data={"confirm": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "另一位管理员" in own
    db.session.expire_all()
    assert db.session.get(User, admin.id).erased_at is None
    login(world.users["other_admin"])
    elsewhere = client.post(f"/c/{world.other_community.id}/deletion-requests/{deletion.id}",
                            data={"confirm": "y"})
    assert elsewhere.status_code == 404


def test_a_person_of_no_community_is_erased_by_a_platform_administrator(
        app, world, client, login):
    loner = world.users["outsider"]
    deletion = _ask(client, login, loner)
    assert deletion.community_id is None
    url = f"/c/{world.community.id}/deletion-requests"
    login(world.users["community_admin"])
    assert "outsider" not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/{deletion.id}", data={"confirm": "y"}).status_code == 404
    login(world.users["platform_admin"])
    assert "outsider" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/{deletion.id}", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(User, loner.id).erased_at is not None
