"""The words for meetings' values, for pages and documents alike."""

from flask_babel import lazy_gettext as _l

from app.meetings.kinds import MeetingKind

KIND_LABELS = {
    MeetingKind.OWNERS_GENERAL: _l("Owners' general meeting (业主大会)"),
    MeetingKind.COMMITTEE: _l("Owners' committee meeting (业委会会议)"),
    MeetingKind.RESIDENTS_COUNCIL: _l("Residents' council (居民议事会)"),
    MeetingKind.PARTY_BRANCH: _l("Party branch members' meeting (党员大会)"),
    MeetingKind.JOINT: _l("Joint meeting of several parties (联席会议)"),
}


STATE_LABELS = {
    "upcoming": _l("Upcoming"),
    "running": _l("Meeting in progress"),
    "ended": _l("Ended"),
    "cancelled": _l("Cancelled"),
}
