"""Notifications become SMS and slips per each person's choices, within quiet hours and the
poll's cap; the deliver job and the delivery check move them along."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import sms
from app.extensions import db
from app.messaging import services
from app.messaging.models import OutboxMessage
from app.messaging.rules import MAX_ATTEMPTS, Channel, Status
from app.messaging.services import (
    CAP_REACHED,
    check_delivery,
    deliver,
    poll_sms,
    save_choices,
    send_due,
)
from app.notices.services import notify
from tests.messaging.conftest import LATE, NOON, poll_details


def _messages(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.execute(query).scalars())


def test_each_person_gets_what_they_chose(estate, clock, sent):
    by_default, slips_only, nothing = estate.residents
    save_choices(slips_only, sms_categories=set(), slip_categories={"votes"})
    save_choices(nothing, sms_categories=set(), slip_categories=set())
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    db.session.commit()

    messages = _messages()
    assert [(m.user_id, m.channel, m.status) for m in messages] == [
        (by_default.id, Channel.SMS, Status.SENT), (slips_only.id, Channel.SLIP, Status.QUEUED)]
    assert all(m.community_id == estate.community.id and m.poll_id == estate.poll.id
               for m in messages)
    assert [(s.phone, s.template, s.params["title"]) for s in sent] == [
        (by_default.phone, "poll_opened", estate.proposal.title)]
    assert "请于12月" in sms.render(sent[0].template, sent[0].params)


def test_discussion_stays_on_the_site_unless_chosen(estate, make_proposal, clock, sent):
    chooser = estate.residents[0]
    save_choices(chooser, sms_categories={"discussion"}, slip_categories=set())
    proposal = make_proposal(estate.community, estate.chair)
    notify([r.id for r in estate.residents], "reply", proposal_id=proposal.id,
           details={"title": proposal.title})
    db.session.commit()
    assert [(m.user_id, m.template) for m in _messages()] == [(chooser.id, "reply")]


def test_an_erased_account_gets_nothing(estate, clock, sent):
    gone = estate.residents[0]
    gone.erased_at = NOON
    db.session.commit()
    notify([gone.id], "poll_opened", details=poll_details(estate))
    assert _messages() == [] and sent == []


def test_a_message_without_a_link_belongs_to_the_community_of_the_home(estate, clock, sent):
    resident = estate.residents[1]
    notify([resident.id], "link_decided",
           details={"unit": "2栋 101", "approved": False, "reason": "证件不符"})
    db.session.commit()
    [message] = _messages()
    assert message.community_id == estate.community.id
    assert sms.render(message.template, message.params) == (
        "您关联房屋2栋 101的申请未通过。原因：证件不符")


def test_fan_out_costs_the_same_queries_for_three_people_or_thirty(
        make_estate, clock, sent, count_queries, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda func, *args: queued.append(args))
    few, many = make_estate(3), make_estate(30)
    for e in (few, many):
        save_choices(e.residents[1], sms_categories={"votes"}, slip_categories={"votes"})
    db.session.commit()
    counts = []
    for e in (few, many):
        user_ids, details = [r.id for r in e.residents], poll_details(e)
        with count_queries() as queries:
            notify(user_ids, "poll_opened", details=details)
        # SQLite inserts row by row when the new ids are read back; the reads must not grow.
        reads = [q for q in queries if not q.lstrip().startswith("INSERT")]
        counts.append(len(reads))
        db.session.commit()
    assert counts[0] == counts[1], "\n".join(reads)
    assert len(queued) == 3 + 30
    assert len(_messages(channel=Channel.SLIP)) == 2
    assert {m.community_id for m in _messages()} == {few.community.id, many.community.id}


def test_an_sms_in_quiet_hours_waits_for_the_morning(estate, clock, sent):
    clock(LATE)
    notify([estate.residents[0].id], "poll_opened", details=poll_details(estate))
    db.session.commit()
    [message] = _messages()
    morning = LATE.replace(hour=0, minute=0) + timedelta(days=1)  # 08:00 Beijing
    assert (message.status, message.not_before, sent) == (Status.QUEUED, morning, [])

    assert send_due(morning - timedelta(minutes=1)) == 0
    clock(morning)
    assert send_due(morning) == 1
    db.session.commit()
    [message] = _messages()
    assert (message.status, message.sent_at, message.not_before) == (Status.SENT, morning, None)
    assert len(sent) == 1


def test_sms_about_a_poll_stop_at_its_cap_and_the_rest_are_visible(make_estate, clock, sent):
    estate = make_estate(5)
    estate.community.sms_cap_per_poll = 3
    db.session.commit()
    notify([r.id for r in estate.residents[:2]], "poll_opened", details=poll_details(estate))
    notify([r.id for r in estate.residents], "poll_closing",
           details=poll_details(estate, days_left=3))
    db.session.commit()
    failed = _messages(status=Status.FAILED)
    assert len(sent) == 3 and len(failed) == 4
    assert {m.last_error for m in failed} == {CAP_REACHED}
    usage = poll_sms(estate.poll.id, estate.community.id)
    assert (usage.sent, usage.capped, usage.cap) == (3, 4, 3)


def test_a_cap_of_zero_sends_no_sms_but_slips_still_go(estate, clock, sent):
    estate.community.sms_cap_per_poll = 0
    save_choices(estate.residents[0], sms_categories={"votes"}, slip_categories={"votes"})
    db.session.commit()
    notify([estate.residents[0].id], "poll_result",
           details=poll_details(estate, stage="final", outcome="passed"))
    db.session.commit()
    assert sent == []
    assert [(m.channel, m.status) for m in _messages()] == [
        (Channel.SMS, Status.FAILED), (Channel.SLIP, Status.QUEUED)]


@pytest.fixture
def one_sms(estate, clock, sent, monkeypatch):
    """A queued SMS whose job has not run yet."""
    monkeypatch.setattr(services, "enqueue", lambda func, *args: None)
    notify([estate.residents[0].id], "poll_opened", details=poll_details(estate))
    db.session.commit()
    monkeypatch.undo()
    clock(NOON)
    return _messages()[0]


def _failing(monkeypatch, permanent: bool):
    def refuse(phone, template, **params):
        raise sms.SmsFailed("isv.MOBILE_NUMBER_ILLEGAL" if permanent else "timeout",
                            permanent=permanent)

    monkeypatch.setattr(sms, "send_sms", refuse)


def test_deliver_records_the_provider_id(one_sms, sent):
    deliver(one_sms.id)
    db.session.commit()
    [message] = _messages()
    assert (message.status, message.attempts, message.provider_id, message.sent_at) == (
        Status.SENT, 1, "console-1", NOON)
    deliver(one_sms.id)  # a job run twice sends once
    assert len(sent) == 1


def test_a_permanent_failure_is_a_dead_letter_at_once(one_sms, monkeypatch):
    _failing(monkeypatch, permanent=True)
    deliver(one_sms.id)
    db.session.commit()
    [message] = _messages()
    assert (message.status, message.attempts, message.last_error) == (
        Status.FAILED, 1, "isv.MOBILE_NUMBER_ILLEGAL")


def test_a_transient_failure_is_tried_again_later_and_fails_after_the_last_try(
        one_sms, monkeypatch, clock):
    _failing(monkeypatch, permanent=False)
    deliver(one_sms.id)
    db.session.commit()
    [message] = _messages()
    assert (message.status, message.attempts, message.not_before) == (
        Status.QUEUED, 1, NOON + timedelta(minutes=5))
    assert send_due(NOON + timedelta(minutes=4)) == 0
    moment = NOON
    for _attempt in range(MAX_ATTEMPTS - 1):
        moment = clock(_messages()[0].not_before)
        assert send_due(moment) == 1
        db.session.commit()
    [message] = _messages()
    assert (message.status, message.attempts, message.last_error) == (
        Status.FAILED, MAX_ATTEMPTS, "timeout")


def test_the_delivery_check_marks_delivered_and_failed(make_estate, clock, sent, monkeypatch):
    estate = make_estate(3)
    notify([r.id for r in estate.residents], "poll_opened", details=poll_details(estate))
    db.session.commit()
    reached, lost, waiting = (r.phone for r in estate.residents)
    reports = {reached: "delivered", lost: "failed", waiting: "pending"}
    monkeypatch.setattr(type(sms.provider()), "delivery_status",
                        lambda self, sms_id, phone, sent_at: reports[phone], raising=False)
    later = NOON + timedelta(hours=1)
    assert check_delivery(later) == {"delivered": 1, "failed": 1, "pending": 1}
    db.session.commit()
    by_phone = {m.phone: m for m in _messages()}
    assert (by_phone[reached].status, by_phone[reached].delivered_at) == (
        Status.DELIVERED, later)
    assert (by_phone[lost].status, by_phone[lost].last_error) == (
        Status.FAILED, "not delivered (provider report)")
    assert by_phone[waiting].status == Status.SENT
    # Reports are asked for only while the provider keeps them.
    assert check_delivery(NOON + timedelta(days=4)) == {}


def test_the_commands_send_what_is_due_and_fetch_delivery_reports(
        estate, clock, sent, runner, monkeypatch):
    clock(LATE)
    notify([estate.residents[0].id], "poll_opened", details=poll_details(estate))
    db.session.commit()
    clock(LATE + timedelta(hours=10))
    result = runner.invoke(args=["messages", "send-due"])
    assert result.output == "1 SMS sent on.\n" and len(sent) == 1
    monkeypatch.setattr(type(sms.provider()), "delivery_status",
                        lambda self, sms_id, phone, sent_at: "delivered", raising=False)
    result = runner.invoke(args=["messages", "check-delivery"])
    assert result.output == "delivered: 1\n"
    assert [m.status for m in _messages()] == [Status.DELIVERED]


def test_an_erasure_removes_the_persons_messages_and_retention_keeps_the_others(
        estate, clock, sent):
    from app.privacy.models import DeletionRequest
    from app.privacy.retention import purge
    from app.privacy.services import carry_out

    erased, kept = estate.residents[:2]
    notify([erased.id, kept.id], "poll_opened", details=poll_details(estate))
    deletion = DeletionRequest(user_id=erased.id, community_id=estate.community.id)
    db.session.add(deletion)
    db.session.commit()
    carry_out(deletion, actor=estate.chair)
    db.session.commit()
    assert [m.user_id for m in _messages()] == [kept.id]
    # Old notifications go; the outbox's record of what was sent stays.
    assert purge(NOON + timedelta(days=400)).notifications == 1
    db.session.commit()
    assert [(m.user_id, m.phone) for m in _messages()] == [(kept.id, kept.phone)]
