"""Who may schedule, manage, record, view and check in to meetings; registered in the one
table of app/permissions.py."""

from app.permissions import RULES, STAFF_ROLES, Standing, _administers, _view_community_id


def _schedule(standing: Standing, community) -> bool:
    """Staff or chair of any organisation of the community, or its administrator."""
    return _administers(standing, community.id) or any(
        r.community_id == community.id and r.role in STAFF_ROLES for r in standing.org_roles)


def _manage(standing: Standing, meeting) -> bool:
    """Edit, cancel, agenda and invitees: the convener's staff, the chair, the admin."""
    return (_administers(standing, meeting.community_id)
            or standing.is_staff_of(meeting.organisation_id)
            or meeting.chair_id == standing.user_id)


def _record(standing: Standing, meeting) -> bool:
    """Attendance, notes, resolutions and hands: the recorder, the chair, the admin."""
    return (_administers(standing, meeting.community_id)
            or standing.user_id in (meeting.chair_id, meeting.recorder_id))


def _view(standing: Standing, meeting) -> bool:
    return _view_community_id(standing, meeting.community_id)


def _check_in(standing: Standing, meeting) -> bool:
    """Only invitees check themselves in; the service judges the code and the time."""
    return standing.user_id is not None and any(
        attendee.user_id == standing.user_id for attendee in meeting.attendees)


def _record_minutes(standing: Standing, meeting) -> bool:
    """The meeting's recorder writes the minutes and its chair answers for them."""
    return standing.user_id is not None and standing.user_id in (meeting.chair_id,
                                                                 meeting.recorder_id)


def _record_actions(standing: Standing, meeting) -> bool:
    """Whoever records the meeting (its recorder, its chair, the community administrator)
    writes down what it asked for; nobody does for a cancelled meeting, which decided
    nothing."""
    return meeting.cancelled_at is None and _record(standing, meeting)


RULES["meeting.schedule"] = _schedule
RULES["meeting.manage"] = _manage
RULES["meeting.record"] = _record
RULES["meeting.view"] = _view
RULES["meeting.check_in"] = _check_in
RULES["minutes.publish"] = _record_minutes
RULES["followup.record"] = _record_actions
