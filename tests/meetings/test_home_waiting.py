"""The home page puts first the meetings a person is invited to today."""

from datetime import datetime, timedelta

import pytest

from app.extensions import local_zone
from app.meetings import services as meeting_services


def _waiting(page: str) -> str:
    start = page.find('id="home-waiting"')
    return page[start:page.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize("starts_in, shown", [
    (timedelta(minutes=-10), True),   # under way today
    (timedelta(days=1), False),       # tomorrow
])
def test_a_meeting_i_am_invited_to_today_is_on_my_home(make_meeting, en, login, monkeypatch,
                                                       starts_in, shown):
    today = make_meeting(title="今天的会议", starts_in=timedelta(minutes=-10))
    meeting = today if shown else make_meeting(title="明天的会议", starts_in=starts_in)
    # Noon of the day the first meeting is on, in Beijing: "today" whatever the hour now.
    noon = datetime.combine(today.starts_at.astimezone(local_zone()).date(),
                            datetime.min.time(), tzinfo=local_zone()) + timedelta(hours=12)
    monkeypatch.setattr(meeting_services, "utcnow", lambda: noon)
    login(meeting.recorder)
    card = _waiting(en.get("/").text)
    assert (meeting.title in card) is shown
    if shown:
        assert f'href="/meetings/{meeting.id}"' in card and "社区活动室" in card


def test_a_cancelled_meeting_is_not_waiting(make_meeting, en, login, monkeypatch):
    meeting = make_meeting(cancelled=True)
    noon = datetime.combine(meeting.starts_at.astimezone(local_zone()).date(),
                            datetime.min.time(), tzinfo=local_zone()) + timedelta(hours=12)
    monkeypatch.setattr(meeting_services, "utcnow", lambda: noon)
    login(meeting.recorder)
    assert _waiting(en.get("/").text) == ""
