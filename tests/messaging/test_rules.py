"""Quiet hours, default choices and SMS parameters, without Flask or a database."""

from datetime import UTC, datetime, timedelta

import pytest

from app.messaging.rules import (
    BEIJING,
    MAX_ATTEMPTS,
    Category,
    Channel,
    channels_for,
    masked_name,
    next_allowed,
    retry_at,
    sms_params,
)


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


@pytest.mark.parametrize(("moment", "allowed"), [
    (beijing(3, 20, 59), beijing(3, 20, 59)),   # the last minute of the day
    (beijing(3, 21, 0), beijing(4, 8, 0)),      # quiet hours begin: wait for the morning
    (beijing(3, 23, 59), beijing(4, 8, 0)),     # 15:59 UTC, same UTC day
    (beijing(4, 0, 0), beijing(4, 8, 0)),       # 16:00 UTC the day before: Beijing's midnight
    (beijing(4, 7, 59), beijing(4, 8, 0)),      # across midnight UTC (23:59 UTC on the 3rd)
    (beijing(4, 8, 0), beijing(4, 8, 0)),       # quiet hours end
    (beijing(4, 12, 0), beijing(4, 12, 0)),
])
def test_an_sms_in_quiet_hours_waits_for_eight_in_the_morning_in_beijing(moment, allowed):
    assert next_allowed(moment) == allowed
    assert next_allowed(moment).tzinfo == UTC


def test_the_morning_after_is_found_across_midnight_utc():
    # 23:30 UTC is 07:30 in Beijing the next day: half an hour to wait, not a day.
    late = datetime(2027, 12, 1, 23, 30, tzinfo=UTC)
    assert next_allowed(late) == datetime(2027, 12, 2, 0, 0, tzinfo=UTC)


def test_defaults_send_votes_meetings_and_home_by_sms_and_no_slips():
    assert channels_for("poll_opened", None, None) == [Channel.SMS]
    assert channels_for("meeting_moved", None, None) == [Channel.SMS]
    assert channels_for("link_decided", None, None) == [Channel.SMS]
    assert channels_for("reply", None, None) == []
    assert channels_for("an_unknown_kind", {c.value for c in Category}, set()) == []


def test_a_person_s_choices_replace_the_defaults():
    assert channels_for("poll_result", set(), {"votes"}) == [Channel.SLIP]
    assert channels_for("reply", {"discussion"}, {"discussion"}) == [Channel.SMS, Channel.SLIP]
    assert channels_for("poll_result", set(), set()) == []


def test_retries_wait_longer_each_time_then_stop():
    noon = beijing(3, 12)
    assert retry_at(1, noon) == noon + timedelta(minutes=5)
    assert retry_at(2, noon) == noon + timedelta(minutes=30)
    assert retry_at(MAX_ATTEMPTS - 1, beijing(3, 20)) == beijing(4, 8)  # never in quiet hours
    assert retry_at(MAX_ATTEMPTS, noon) is None


def test_sms_parameters_are_short_and_in_beijing_time():
    params = sms_params("poll_closing", {
        "title": "关于更换小区大门门禁系统并同步升级停车管理的议题", "poll": 3, "days_left": 1,
        "closes_at": datetime(2026, 12, 5, 10, 0, tzinfo=UTC).isoformat()})
    assert params == {"title": "关于更换小区大门门禁系统并同步升级停车…", "closes": "12月5日 18:00",
                      "days": "1"}
    assert sms_params("poll_result", {"title": "电梯", "stage": "final", "outcome": "passed"}) \
        == {"title": "电梯", "stage": "最终", "outcome": "通过"}
    refused = {"unit": "3栋 1201", "approved": False, "reason": "证件不符"}
    assert sms_params("link_decided", refused) == {
        "unit": "3栋 1201", "decision": "未通过", "reason": "原因：证件不符"}
    assert all(len(value) <= 35 for value in sms_params(
        "link_replaced", {"unit": "3栋 1201", "reason": "长" * 200}).values())


def test_a_slip_shows_the_surname_only():
    assert masked_name("王伟") == "王*"
    assert masked_name("欧阳娜娜") == "欧***"
    assert masked_name("王") == "王"
