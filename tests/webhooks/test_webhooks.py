"""Webhooks: registered by the community's administrators with a secret shown once, sent
signed to a real receiver on 127.0.0.1, retried on the queue's schedule, refused for
addresses inside the server's network, and fed by the domain events of one community only."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.data_classes import PERSONAL, STAFF
from app.api.schemas import DATA_CLASS, NoticeSchema, PollSchema, ProposalSchema
from app.audit.models import AuditEvent
from app.community.models import Organisation, OrganisationKind, Role
from app.extensions import db, utcnow
from app.meetings.minutes import publish
from app.notices.services import post_notice
from app.proposals.services import submit
from app.proposals.states import Status
from app.voting.services import close_poll, finalise
from app.webhooks.models import DeliveryStatus, EventType, Webhook, WebhookDelivery
from app.webhooks.services import COMMITTED, register, send_committed, send_due
from app.webhooks.signing import SIGNATURE_HEADER, signature, verify
from app.webhooks.targets import target_refusal
from config import PROJECT_ROOT
from tests.conftest import TEST_REDIS_URL
from tests.meetings.conftest import make_meeting  # noqa: F401  (fixture)
from tests.voting.conftest import (  # noqa: F401  (fixtures)
    cast_all,
    make_estate,
    make_poll,
)

ALL_EVENTS = [e.value for e in EventType]


@pytest.fixture
def admin(make_user, give_role):
    user = make_user(name="平台管理员")
    give_role(user, Role.PLATFORM_ADMIN)
    return user


def _hook(community, url, admin, events=ALL_EVENTS) -> tuple[Webhook, str]:
    hook, secret = register(community, actor=admin, url=url, events=list(events))
    db.session.commit()
    return hook, secret


def _post(community, author, title="停水通知"):
    organisation = db.session.execute(select(Organisation).where(
        Organisation.community_id == community.id,
        Organisation.kind == OrganisationKind.OWNERS_COMMITTEE)).scalar_one()
    notice = post_notice(community=community, organisation=organisation, author=author,
                         title=title, body="明天 9:00–12:00 停水。", scope_kind="community",
                         grids=[], buildings=[], expires_at=None, pinned=False,
                         attachments=[])
    _commit()
    return notice


def _commit() -> None:
    """Commit, then send what the commit let go, as the end of a request does (eager)."""
    db.session.commit()
    send_committed()


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)
                              ).scalars().all()


def _audited(action: str) -> list[str]:
    return [e.target for e in db.session.execute(
        select(AuditEvent).where(AuditEvent.action == action)).scalars()]


# --- Registering ------------------------------------------------------------------------------


def test_the_admin_registers_a_hook_and_sees_its_secret_once(world, login, client, receiver):
    login(world.users["community_admin"])
    client.set_cookie("lang", "en")
    url = f"/c/{world.community.id}/webhooks"
    response = client.post(url, data={"url": receiver.url, "events": ["notice.posted"]})
    page = response.get_data(as_text=True)
    hook = db.session.execute(select(Webhook)).scalar_one()
    secret = page.split("<code>")[1].split("</code>")[0]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert secret.startswith("whsec_") and "shown only once" in page
    assert secret not in hook.secret_encrypted and hook.events == ["notice.posted"]
    assert secret not in client.get(url).get_data(as_text=True)
    assert _audited("webhook.register") == [f"webhook:{hook.id}"]

    receiver.secret = secret
    _post(world.community, world.users["oc_chair"])
    assert [(r.event, r.signature_ok) for r in receiver.received] == [("notice.posted", True)]


def test_a_bad_form_says_why_keeps_what_was_typed_and_registers_nothing(world, login, client):
    login(world.users["community_admin"])
    client.set_cookie("lang", "en")
    url = f"/c/{world.community.id}/webhooks"
    page = client.post(url, data={"url": "ftp://example.org/x"}).get_data(as_text=True)
    assert "Choose at least one." in page and "Enter a full web address" in page
    assert 'value="ftp://example.org/x"' in page
    page = client.post(url, data={"url": "", "events": ["poll.opened"]}).get_data(as_text=True)
    assert "Enter the address that receives the events." in page
    assert 'value="poll.opened" checked' in page
    assert db.session.execute(select(Webhook)).first() is None


@pytest.mark.parametrize("url, addresses, code", [
    ("http://203.0.114.9/hook", ["203.0.114.9"], "webhook.https_only"),
    ("https://127.0.0.1/hook", ["127.0.0.1"], "webhook.private_target"),
    ("https://[::1]:8443/hook", ["::1"], "webhook.private_target"),
    ("https://metadata.internal/", ["169.254.169.254"], "webhook.private_target"),
    ("https://intranet.example/", ["10.1.2.3"], "webhook.private_target"),
    ("https://sneaky.example/", ["8.8.8.8", "192.168.1.5"], "webhook.private_target"),
    ("https://mapped.example/", ["::ffff:127.0.0.1"], "webhook.private_target"),
    ("https://user:pw@receiver.example/", ["8.8.8.8"], "webhook.url_credentials"),
    ("https://receiver.example/#part", ["8.8.8.8"], "webhook.url_fragment"),
    ("receiver.example/hook", ["8.8.8.8"], "webhook.url_malformed"),
    ("https://receiver.example/hook", ["8.8.8.8"], None),
])
def test_addresses_inside_the_servers_network_are_refused(url, addresses, code):
    assert target_refusal(url, https_only=True, allow_private=False,
                          resolver=lambda host, port: addresses) == code


def test_private_targets_only_where_the_setting_allows_them():
    def unknown(host, port):
        raise OSError("Name or service not known")

    local = "http://127.0.0.1:8080/hook"
    assert target_refusal(local, https_only=False, allow_private=True) is None
    assert target_refusal(local, https_only=False, allow_private=False) == \
        "webhook.private_target"
    assert target_refusal("https://nowhere.invalid/", https_only=True, allow_private=True,
                          resolver=unknown) == "webhook.host_unknown"


def test_the_form_refuses_a_private_address_in_production(app, world, login, client,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
    monkeypatch.setitem(app.config, "WEBHOOK_HTTPS_ONLY", True)
    login(world.users["community_admin"])
    client.set_cookie("lang", "en")
    url = f"/c/{world.community.id}/webhooks"
    page = client.post(url, data={"url": "https://localhost/hook", "events": ALL_EVENTS}
                       ).get_data(as_text=True)
    assert "leads into a private or local network" in page
    page = client.post(url, data={"url": "http://203.0.114.9/hook", "events": ALL_EVENTS}
                       ).get_data(as_text=True)
    assert "must start with https://" in page
    assert db.session.execute(select(Webhook)).first() is None


def test_a_delivery_connects_to_the_address_that_was_checked(app, world, admin, receiver,
                                                             monkeypatch):
    """DNS rebinding: the name answers a public address to the check, then 127.0.0.1 (where
    the receiver stands in for the server's own network). The POST must go to the public
    address it was checked for, never to the second answer."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
    # Public to the check when registering and to the check before the POST, then not.
    answers = ["93.184.216.34", "93.184.216.34"]
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def resolver_stub(host, *args, **kwargs):
        if host != "rebinding.example":
            return real_getaddrinfo(host, *args, **kwargs)
        return real_getaddrinfo(answers.pop(0) if answers else "127.0.0.1", *args, **kwargs)

    connections = []

    def connect(address, *args, **kwargs):
        connections.append(address[0])
        if address[0] == "93.184.216.34":  # no network in tests: as if it refused
            raise ConnectionRefusedError("refused")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver_stub)
    monkeypatch.setattr(socket, "create_connection", connect)
    hook, receiver.secret = _hook(world.community, receiver.url.replace(
        "127.0.0.1", "rebinding.example"), admin)
    _post(world.community, world.users["oc_chair"])

    assert receiver.received == []
    assert connections == ["93.184.216.34"]
    [delivery] = _deliveries()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.RETRYING, None)


def test_a_delivery_to_a_vetted_address_still_names_its_host(world, admin, receiver,
                                                             monkeypatch):
    """The connection goes to the checked address; the request still says which host it is
    for (a receiver behind a shared address, or TLS, depends on it)."""
    real_getaddrinfo = socket.getaddrinfo

    def resolver_stub(host, *args, **kwargs):
        return real_getaddrinfo("127.0.0.1" if host == "receiver.example" else host,
                                *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver_stub)
    url = receiver.url.replace("127.0.0.1", "receiver.example")
    hook, receiver.secret = _hook(world.community, url, admin)
    _post(world.community, world.users["oc_chair"])
    [received] = receiver.received
    assert received.signature_ok and received.host == url.split("/")[2]


# --- Delivering -------------------------------------------------------------------------------


def test_a_delivery_is_signed_and_says_what_happened(world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    notice = _post(world.community, world.users["oc_chair"], title="电梯检修")

    [received] = receiver.received
    [delivery] = _deliveries()
    assert received.signature_ok and received.event == "notice.posted"
    assert received.delivery == str(delivery.id)
    body = received.json
    assert set(body) == {"id", "type", "occurred_at", "community_id", "data"}
    assert body["type"] == "notice.posted" and body["community_id"] == world.community.id
    assert body["data"]["id"] == notice.id and body["data"]["title"] == "电梯检修"
    assert body["id"] == delivery.event_id
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED, 1, 200)


def test_the_receiver_rejects_a_tampered_body_a_wrong_secret_and_an_old_signature(
        world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post(world.community, world.users["oc_chair"])
    body = receiver.received[0].body
    now = int(time.time())

    def send(data: bytes, header: str) -> int:
        request = urllib.request.Request(receiver.url, data=data, method="POST",
                                         headers={SIGNATURE_HEADER: header})
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    assert send(body, signature(receiver.secret, now, body)) == 200
    tampered = body.replace("停水".encode(), "停电".encode())
    assert send(tampered, signature(receiver.secret, now, body)) == 401
    assert send(body, signature("whsec_not-the-secret", now, body)) == 401
    assert not verify(receiver.secret, signature(receiver.secret, now - 3600, body), body, now)
    assert [r.signature_ok for r in receiver.received] == [True, True, False, False]


def _readme_check():
    """The receiver's check as the README shows it, run as written there."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102  (our own README)
    return namespace["gongzhi_delivery_is_genuine"]


def test_the_readme_check_accepts_deliveries_and_refuses_tampering(world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post(world.community, world.users["oc_chair"])
    genuine = _readme_check()
    body, now = receiver.received[0].body, int(time.time())
    header = signature(receiver.secret, now, body)
    assert genuine(receiver.secret, header, body)
    assert not genuine(receiver.secret, header, body + b" ")
    assert not genuine("whsec_other", header, body)
    assert not genuine(receiver.secret, signature(receiver.secret, now - 600, body), body)


def test_a_500_is_retried_on_the_queues_schedule_then_delivered(app, world, admin, receiver):
    app.config["JOBS_RETRY_INTERVALS"] = [30, 120]
    try:
        hook, receiver.secret = _hook(world.community, receiver.url, admin)
        receiver.answers = [500]
        _post(world.community, world.users["oc_chair"])
        [delivery] = _deliveries()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.RETRYING, 1, 500)
        assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=30)

        assert send_due(delivery.next_attempt_at - timedelta(seconds=1)) == 0
        assert send_due(delivery.next_attempt_at) == 1
        _commit()
        [delivery] = _deliveries()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.DELIVERED, 2, 200)
        assert [r.signature_ok for r in receiver.received] == [True, True]
        assert len({r.json["id"] for r in receiver.received}) == 1  # the same event, twice
    finally:
        app.config["JOBS_RETRY_INTERVALS"] = [30, 120, 600]


def test_no_answer_is_retried_until_the_retries_are_spent(app, world, admin, closed_port):
    app.config["JOBS_RETRY_INTERVALS"] = [30, 120]
    try:
        _hook(world.community, f"http://127.0.0.1:{closed_port}/hook", admin)
        _post(world.community, world.users["oc_chair"])
        later = utcnow()
        for _ in range(2):
            later += timedelta(hours=1)
            assert send_due(later) == 1
            _commit()
        [delivery] = _deliveries()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.FAILED, 3, None)
        assert delivery.last_error and delivery.next_attempt_at is None
        assert send_due(later + timedelta(days=1)) == 0
    finally:
        app.config["JOBS_RETRY_INTERVALS"] = [30, 120, 600]


def test_a_delivery_error_and_the_events_read_in_the_readers_language(
        world, admin, closed_port, login, client):
    events = [EventType.POLL_OPENED.value, EventType.NOTICE_POSTED.value,
              EventType.POLL_CLOSED.value]
    hook, _secret = _hook(world.community, f"http://127.0.0.1:{closed_port}/hook", admin,
                          events=events)
    _post(world.community, world.users["oc_chair"])
    [delivery] = _deliveries()
    assert delivery.last_error == "webhook.no_connection"  # a code, not a message
    login(world.users["community_admin"])
    page = client.get(f"/c/{world.community.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert "连接不上接收方系统。" in page
    assert "投票开始、投票结束（初步结果）和发布公告" in page
    client.set_cookie("lang", "en")
    page = client.get(f"/c/{world.community.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert "The receiving system could not be reached." in page
    assert ("A poll opens, A poll closes (preliminary result), and A notice is posted"
            in page)


@pytest.mark.parametrize("code, status", [(410, DeliveryStatus.FAILED),
                                          (400, DeliveryStatus.FAILED),
                                          (302, DeliveryStatus.FAILED),
                                          (429, DeliveryStatus.RETRYING),
                                          (408, DeliveryStatus.RETRYING),
                                          (503, DeliveryStatus.RETRYING)])
def test_which_answers_are_retried(world, admin, receiver, code, status):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    receiver.answers = [code]
    _post(world.community, world.users["oc_chair"])
    [delivery] = _deliveries()
    assert (delivery.status, delivery.last_status_code) == (status, code)


def test_a_failed_delivery_is_sent_again_from_its_page(world, admin, receiver, login, client):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    receiver.answers = [410]
    _post(world.community, world.users["oc_chair"])
    [delivery] = _deliveries()
    assert delivery.status == DeliveryStatus.FAILED
    login(world.users["community_admin"])
    client.set_cookie("lang", "en")
    page = client.get(f"/c/{world.community.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert "HTTP 410" in page and "Send again" in page

    again = f"/c/{world.community.id}/webhooks/{hook.id}/deliveries/{delivery.id}/again"
    page = client.post(again, follow_redirects=True).get_data(as_text=True)
    assert "being sent again" in page
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert _audited("webhook.redeliver") == [f"webhook_delivery:{delivery.id}"]
    page = client.post(again, follow_redirects=True).get_data(as_text=True)
    assert "Only a delivery that failed can be sent again." in page
    assert len(receiver.received) == 2


def test_a_disabled_hook_gets_nothing_until_enabled(world, admin, receiver, login, client):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    login(world.users["community_admin"])
    base = f"/c/{world.community.id}/webhooks/{hook.id}"
    client.post(f"{base}/disable")
    _post(world.community, world.users["oc_chair"], title="第一则")
    client.post(f"{base}/enable")
    _post(world.community, world.users["oc_chair"], title="第二则")
    assert [r.json["data"]["title"] for r in receiver.received] == ["第二则"]
    assert _audited("webhook.disable") == _audited("webhook.enable") == [f"webhook:{hook.id}"]


def test_deleting_asks_first_without_script_and_with_htmx(world, admin, receiver, login,
                                                          client):
    first, _secret = _hook(world.community, receiver.url, admin)
    second, _secret = _hook(world.community, receiver.url, admin)
    first_id, second_id = first.id, second.id
    _post(world.community, world.users["oc_chair"])
    login(world.users["community_admin"])
    client.set_cookie("lang", "en")
    url = f"/c/{world.community.id}/webhooks/{first.id}/delete"
    assert 'hx-confirm="Delete this webhook' in client.get(
        f"/c/{world.community.id}/webhooks/{first.id}").get_data(as_text=True)

    page = client.post(url).get_data(as_text=True)
    assert "Delete the webhook?" in page and 'name="confirm" value="1"' in page
    assert db.session.get(Webhook, first.id) is not None

    response = client.post(url, data={"confirm": "1"})
    assert response.status_code == 302
    answer = client.post(f"/c/{world.community.id}/webhooks/{second_id}/delete",
                         data={"confirm": "1"}, headers={"HX-Request": "true"})
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == f"/c/{world.community.id}/webhooks"
    assert db.session.execute(select(Webhook)).first() is None
    assert _deliveries() == []
    assert sorted(_audited("webhook.delete")) == sorted(
        [f"webhook:{first_id}", f"webhook:{second_id}"])


# --- Events -----------------------------------------------------------------------------------


def test_each_domain_event_is_sent_once_and_only_to_its_communitys_hooks(
        make_estate, make_user, admin, receiver, make_proposal):  # noqa: F811
    theirs = make_estate()
    ours = make_estate()  # last: estates match owners to accounts by name, the last wins
    hook, receiver.secret = _hook(ours.community, receiver.url, admin)
    _other, other_secret = _hook(theirs.community, receiver.url, admin,
                                 events=[EventType.POLL_OPENED.value])
    only_polls, only_polls_secret = _hook(ours.community, receiver.url, admin,
                                          events=[EventType.POLL_RESULT_FINAL.value])
    receiver.other_secrets = [other_secret, only_polls_secret]

    draft = make_proposal(ours.community, ours.owners[1], status=Status.DRAFT, title="加装充电桩")
    submit(draft, actor=ours.owners[1])
    _commit()
    poll = make_poll(ours)
    _commit()
    cast_all(poll, ours.owners, ["approve", "approve", "oppose"])
    close_poll(poll)
    _commit()
    finalise(poll)
    _commit()
    make_poll(theirs)  # another community's event: our hooks hear nothing of it
    _commit()

    ours_received = [r for r in receiver.received if r.json["community_id"] == ours.community.id]
    # In the order of the domain events; what one domain event sets off (the close: the poll
    # closed and its result notice posted) comes in the order its listeners were connected.
    events = [r.event for r in ours_received]
    assert events[:2] == ["proposal.published", "poll.opened"]
    assert sorted(events[2:4]) == ["notice.posted", "poll.closed"]
    assert sorted(events[4:]) == ["notice.posted", "poll.result_final", "poll.result_final"]
    by_hook = {}
    for delivery in _deliveries():
        by_hook.setdefault(delivery.webhook_id, []).append(delivery.event_type)
    assert by_hook[only_polls.id] == ["poll.result_final"]
    assert by_hook[_other.id] == ["poll.opened"]
    assert all(r.signature_ok for r in ours_received)
    closed = next(r.json for r in ours_received if r.event == "poll.closed")
    assert closed["data"]["status"] == "closed"
    assert closed["data"]["results"]["options"] and closed["data"]["voted_people"] == 3
    final = next(r.json for r in ours_received if r.event == "poll.result_final")
    assert final["data"]["status"] == "final" and final["data"]["results"]["outcome"]


def test_a_delivery_carries_no_personal_or_staff_field(
        app, make_estate, make_meeting, admin, receiver, make_proposal):  # noqa: F811
    e = make_estate()
    hook, receiver.secret = _hook(e.community, receiver.url, admin)
    draft = make_proposal(e.community, e.owners[2], status=Status.DRAFT)
    submit(draft, actor=e.owners[2])
    _commit()
    poll = make_poll(e)
    _commit()
    cast_all(poll, e.owners, ["approve", "oppose", "oppose"])
    close_poll(poll)
    _commit()
    meeting = make_meeting(community=e.community, starts_in=-timedelta(days=3))
    with app.test_request_context():
        publish(meeting, actor=meeting.recorder)
        _commit()

    # The result notice names the chair as its contact person, the minutes name who came.
    names = [user.name for user in e.owners] + [e.staff.name, e.tenant.name, e.chair.name]
    names += [a.name for a in meeting.attendees]
    notices = [r.json["data"] for r in receiver.received if r.event == "notice.posted"]
    assert sorted(n["kind"] for n in notices) == ["minutes", "result_notice"]
    for received in receiver.received:
        text = received.body.decode()
        assert not [name for name in names if name in text], received.event
    for notice in notices:
        assert f"/notices/{notice['id']}" in notice["body_html"]
    hidden = {name for name, field in NoticeSchema().fields.items()
              if field.metadata[DATA_CLASS] in (STAFF, PERSONAL)}
    for notice in notices:
        assert not hidden & set(notice)
        assert set(notice) == set(NoticeSchema().fields)  # the API's own builder, in full
    payloads = {r.event: r.json["data"] for r in receiver.received}
    assert set(payloads["poll.closed"]) == set(PollSchema().fields)
    assert set(payloads["proposal.published"]) == set(ProposalSchema().fields)


def test_an_announcement_is_sent_with_its_text(world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post(world.community, world.users["oc_chair"], title="停水")
    [received] = receiver.received
    assert "明天 9:00–12:00 停水。" in received.json["data"]["body_html"]


def _post_uncommitted(world, title="作废的通知"):
    post_notice(community=world.community, organisation=world.owners_committee,
                author=world.users["oc_chair"], title=title, body="正文",
                scope_kind="community", grids=[], buildings=[], expires_at=None,
                pinned=False, attachments=[])


def test_eager_deliveries_wait_for_the_commit(world, admin, receiver):
    """In development's eager mode too: no POST while the event's transaction (and the
    audit chain's lock it holds) is open."""
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post_uncommitted(world, title="电梯检修")
    assert receiver.received == []
    _commit()
    assert [r.json["data"]["title"] for r in receiver.received] == ["电梯检修"]


def test_an_eager_event_that_is_rolled_back_is_never_sent(world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post_uncommitted(world)
    db.session.rollback()
    assert send_committed() == 0
    assert receiver.received == [] and _deliveries() == []


def test_eager_deliveries_committed_outside_a_request_go_with_send_due(world, admin, receiver):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post_uncommitted(world, title="定时关闭")
    db.session.commit()
    db.session.info.pop(COMMITTED)  # as a command ends, sending nothing
    [delivery] = _deliveries()
    assert send_due(delivery.created_at) == 0  # a request may still be sending it
    assert send_due(delivery.created_at + timedelta(minutes=1)) == 1
    _commit()
    assert [r.json["data"]["title"] for r in receiver.received] == ["定时关闭"]
    assert _deliveries()[0].status == DeliveryStatus.DELIVERED


@pytest.fixture
def queue(redis_job_queue):
    return redis_job_queue("gongzhi-test-webhooks")


def test_an_event_that_is_rolled_back_is_never_sent(world, admin, receiver, queue):
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    organisation = world.owners_committee
    post_notice(community=world.community, organisation=organisation,
                author=world.users["oc_chair"], title="作废的通知", body="正文",
                scope_kind="community", grids=[], buildings=[], expires_at=None,
                pinned=False, attachments=[])
    db.session.rollback()
    assert queue.count == 0 and _deliveries() == []

    _post(world.community, world.users["oc_chair"])
    [delivery] = _deliveries()
    assert [job.args for job in queue.get_jobs()] == [
        ["app.webhooks.services:deliver", [delivery.id], {}]]
    assert receiver.received == []  # the worker has not run it yet


def test_a_worker_process_delivers_after_commit(app, world, admin, receiver, queue, tmp_path):
    """Through Redis and ``flask jobs work``, as in production: the worker decrypts the
    secret with the same key, signs, records the attempt and commits it."""
    hook, receiver.secret = _hook(world.community, receiver.url, admin)
    _post(world.community, world.users["oc_chair"])
    assert receiver.received == []
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GONGZHI_ENV": "production",
           "GONGZHI_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": app.config["SECRET_KEY"],
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": TEST_REDIS_URL,
           "JOBS_EAGER": "0", "GONGZHI_JOBS_QUEUE": app.config["JOBS_QUEUE"],
           "WEBHOOK_HTTPS_ONLY": "false", "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1"}
    db.session.commit()  # SQLite: no transaction of ours in the worker's way
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "work", "--burst"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    [received] = receiver.received
    assert received.signature_ok and received.event == "notice.posted"
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


@pytest.mark.parametrize("env, https_only, timeout", [
    ({}, True, 5.0),
    ({"WEBHOOK_HTTPS_ONLY": "0", "WEBHOOK_TIMEOUT_SECONDS": "2.5"}, False, 2.5),
])
def test_the_webhook_settings_come_from_the_environment(env, https_only, timeout):
    """Like the other settings, by their plain name (a separate interpreter: the settings
    are read when config.py is imported)."""
    code = ("from config import ProductionConfig as c; "
            "print(c.WEBHOOK_HTTPS_ONLY, c.WEBHOOK_TIMEOUT_SECONDS)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WEBHOOK_")}
    printed = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, text=True,
                             env={**clean, **env}, capture_output=True, check=True).stdout
    assert printed.split() == [str(https_only), str(timeout)]


# --- Query counts -----------------------------------------------------------------------------


def test_the_pages_cost_the_same_with_many_hooks_and_deliveries(world, admin, login, client,
                                                               closed_port, count_queries):
    url = f"http://127.0.0.1:{closed_port}/hook"
    hook, _secret = _hook(world.community, url, admin)
    _post(world.community, world.users["oc_chair"])
    login(world.users["community_admin"])
    pages = [f"/c/{world.community.id}/webhooks", f"/c/{world.community.id}/webhooks/{hook.id}"]
    before = []
    for page in pages:
        with count_queries() as queries:
            assert client.get(page).status_code == 200
        before.append(len(queries))
    for _ in range(4):
        _hook(world.community, url, admin)
    for n in range(6):
        _post(world.community, world.users["oc_chair"], title=f"通知{n}")
    after = []
    for page in pages:
        with count_queries() as queries:
            assert client.get(page).status_code == 200
        after.append(len(queries))
    assert after == before == [6, 7]


def test_send_due_runs_from_the_command_line(app, world, admin, closed_port, runner):
    _hook(world.community, f"http://127.0.0.1:{closed_port}/hook", admin)
    _post(world.community, world.users["oc_chair"])
    [delivery] = _deliveries()
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)  # its wait is over
    db.session.commit()

    result = runner.invoke(args=["webhooks", "send-due"])

    assert result.output == "Deliveries queued again: 1.\n"
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 2)
