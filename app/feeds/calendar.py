"""An iCalendar file (RFC 5545) from plain events. Pure: no Flask, no database.

The ``icalendar`` library writes the format (folding long lines, escaping commas and
semicolons, UTC times), which calendar apps are strict about. Every value comes from the
stored rows, never from the clock, so an unchanged calendar is byte for byte the same and
its ETag lets a calendar app's next poll cost a 304.
"""

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event

PRODUCT = "-//Gongzhi//Feeds//ZH"


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting or poll window as a calendar shows it.

    ``uid`` never changes for the same meeting or poll, so that an app updates the event it
    has instead of adding another; ``sequence`` rises with each change of time or place (and
    with a cancellation), so that the app knows the new version replaces the old."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    stamp: datetime
    sequence: int
    url: str
    location: str = ""
    description: str = ""
    cancelled: bool = False


def build_calendar(name: str, events: list[CalendarEvent]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("summary", item.summary)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        calendar.add_component(event)
    return calendar.to_ical()
