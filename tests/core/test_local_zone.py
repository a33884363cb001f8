"""The communities' wall clock is the configured time zone, Beijing by default."""

from datetime import UTC, date, datetime

from app import extensions
from app.core.forms import to_utc

EVENING_IN_UTC = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 04:00 the next day in Beijing


def test_today_is_the_date_in_beijing_by_default(app, monkeypatch):
    monkeypatch.setattr(extensions, "utcnow", lambda: EVENING_IN_UTC)
    assert extensions.beijing_today() == date(2026, 3, 2)
    assert to_utc(datetime(2026, 3, 2, 4, 0)) == EVENING_IN_UTC


def test_the_zone_is_the_setting(app, monkeypatch):
    monkeypatch.setattr(extensions, "utcnow", lambda: EVENING_IN_UTC)
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Europe/London")
    assert extensions.beijing_today() == date(2026, 3, 1)
    assert to_utc(datetime(2026, 3, 1, 20, 0)) == EVENING_IN_UTC
