"""Who hears what about a vote (issue 13): the roll when it opens, non-voters 3 days and 1
day before it closes (each once), the roll at the preliminary and the final result; the
organiser's reminder at most once a day, whoever presses and however fast."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import Building, Owner, Role
from app.extensions import db, utcnow
from app.notices.models import Notification
from app.voting.models import Poll
from app.voting.services import (
    VotingRefused,
    close_poll,
    extend,
    finalise,
    remind_closing,
    remind_non_voters,
)
from tests.voting.conftest import cast_all, make_poll
from tests.voting.test_concurrency import _run_together


@pytest.fixture
def spread(make_estate, make_unit, make_user, give_role):
    """The estate's three owners, and five more in each of four more buildings."""
    estate = make_estate(owners=3)
    added = []
    for b in range(2, 6):
        building = Building(community=estate.community, name=f"{b}栋")
        db.session.add(building)
        for n in range(5):
            user = make_user(name=f"{b}栋业主{n}")
            make_unit(estate.community, f"{n + 1}02", "75.00", owners=[(user.name, None)],
                      building=building)
            owner = db.session.execute(select(Owner).where(Owner.name == user.name)).scalar_one()
            owner.user_id = user.id
            give_role(user, Role.VERIFIED_OWNER, estate.community)
            added.append(user)
    db.session.commit()
    estate.owners = estate.owners + added
    return estate


def _told(kind: str, **details) -> dict[int, dict]:
    rows = db.session.execute(select(Notification).where(Notification.kind == kind)).scalars()
    return {n.user_id: n.details for n in rows
            if all(n.details.get(k) == v for k, v in details.items())}


def test_everyone_on_the_roll_across_buildings_hears_the_vote_open(spread):
    poll = make_poll(spread)
    told = _told("poll_opened", poll=poll.id)
    assert set(told) == {u.id for u in spread.owners} and len(told) == 23
    assert spread.tenant.id not in told and spread.chair.id not in told
    details = told[spread.owners[-1].id]
    assert details == {"title": spread.proposal.title, "poll": poll.id,
                       "question": "是否同意加装电梯？",
                       "closes_at": poll.closes_at.isoformat()}


def test_closing_reminders_go_once_per_threshold_to_non_voters(spread, runner):
    poll = make_poll(spread)
    cast_all(poll, spread.owners[:3], ["approve"] * 3)
    closes = poll.closes_at
    with patch("app.voting.services.utcnow", return_value=closes - timedelta(days=4)):
        assert remind_closing() == 0  # too early
    at_three = closes - timedelta(days=3)
    with patch("app.voting.services.utcnow", return_value=at_three):
        assert runner.invoke(args=["voting", "remind-due"]).output == \
            "1 poll(s) sent a closing reminder.\n"
        assert runner.invoke(args=["voting", "remind-due"]).output == \
            "0 poll(s) sent a closing reminder.\n"
    three = _told("poll_closing", days_left=3)
    assert set(three) == {u.id for u in spread.owners[3:]}
    with patch("app.voting.services.utcnow", return_value=closes - timedelta(hours=30)):
        assert remind_closing() == 0  # between the thresholds
    with patch("app.voting.services.utcnow", return_value=closes - timedelta(hours=20)):
        assert remind_closing() == 1
        assert remind_closing() == 0
    db.session.commit()
    assert set(_told("poll_closing", days_left=1)) == set(three)
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "poll_closing")).scalar_one() == 2 * 20


def test_a_poll_found_late_gets_only_the_nearest_reminder_and_an_extension_starts_over(
        estate):
    poll = make_poll(estate)
    with patch("app.voting.services.utcnow", return_value=poll.closes_at - timedelta(hours=5)):
        assert remind_closing() == 1
    assert set(_told("poll_closing")) == {u.id for u in estate.owners}
    assert all(d["days_left"] == 1 for d in _told("poll_closing").values())
    extend(poll, poll.closes_at + timedelta(days=10), actor=estate.chair, reason="春节")
    db.session.commit()
    with patch("app.voting.services.utcnow", return_value=poll.closes_at - timedelta(days=2)):
        assert remind_closing() == 1


def test_the_roll_hears_the_preliminary_and_the_final_result(spread):
    poll = make_poll(spread)
    cast_all(poll, spread.owners[:20], ["approve"] * 20)
    close_poll(poll)
    db.session.commit()
    preliminary = _told("poll_result", stage="preliminary")
    assert set(preliminary) == {u.id for u in spread.owners}
    assert preliminary[spread.owners[0].id]["outcome"] == "passed"
    with patch("app.voting.services.utcnow", return_value=poll.objection_until):
        finalise(poll)
    db.session.commit()
    assert set(_told("poll_result", stage="final", outcome="passed")) == set(preliminary)


def test_a_reminder_goes_once_a_day_whoever_presses(estate):
    poll = make_poll(estate)
    cast_all(poll, estate.owners[:1], ["approve"])
    now = utcnow()
    assert remind_non_voters(poll, actor=estate.chair, now=now) == 2
    db.session.commit()
    with pytest.raises(VotingRefused) as refused:
        remind_non_voters(poll, actor=estate.staff, now=now + timedelta(hours=23))
    db.session.rollback()
    assert refused.value.code == "poll.reminded_recently"
    assert refused.value.params["next_at"] == now + timedelta(hours=24)
    assert refused.value.params["num"] == 2
    assert remind_non_voters(poll, actor=estate.chair, now=now + timedelta(hours=24)) == 2
    db.session.commit()
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "poll_reminder")).scalar_one() == 4
    assert db.session.execute(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "poll.remind")).scalar_one() == 2


def test_two_presses_at_once_send_once(app, estate):
    poll = make_poll(estate)
    poll_id, chair_id = poll.id, estate.chair.id
    db.session.remove()

    def press():
        from app.auth.models import User
        remind_non_voters(db.session.get(Poll, poll_id),
                          actor=db.session.get(User, chair_id))

    outcomes = _run_together(app, [press, press, press])
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"poll.reminded_recently", "busy"}
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "poll_reminder")).scalar_one() == 3


def test_the_page_says_when_the_last_reminder_went_and_refuses_a_second_press(estate, en,
                                                                               login):
    poll = make_poll(estate)
    login(estate.chair)
    assert "Last reminder" not in en.get(f"/polls/{poll.id}").text
    page = en.post(f"/polls/{poll.id}/remind", follow_redirects=True).text
    assert "3 people were reminded." in page
    assert "Last reminder:" in page and "to 3 people." in page
    page = en.post(f"/polls/{poll.id}/remind", follow_redirects=True).text
    assert "A reminder already went out at" in page
    assert "the next reminder can be sent after" in page
    assert db.session.execute(select(func.count(Notification.id)).where(
        Notification.kind == "poll_reminder")).scalar_one() == 3


def test_the_chinese_page_names_the_last_reminder(estate, client, login):
    poll = make_poll(estate)
    login(estate.chair)
    client.post(f"/polls/{poll.id}/remind")
    page = client.post(f"/polls/{poll.id}/remind", follow_redirects=True).text
    assert "上次提醒：" in page and "，共 3 人" in page
    assert "未投票者每天最多提醒一次" in page
