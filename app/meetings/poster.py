"""A meeting as an A4 poster for the lift lobby: what, when, where and its agenda, with a
QR code to the meeting's page."""

from flask_babel import format_time
from flask_babel import gettext as _

from app.core.documents import long_date, long_datetime
from app.core.paper import Poster, printed_url
from app.meetings.labels import KIND_LABELS
from app.meetings.models import Meeting

# The agenda's first items by title; the page lists them all.
AGENDA_ITEMS = 6


def meeting_poster(meeting: Meeting) -> Poster:
    ends = (format_time(meeting.ends_at, "HH:mm")
            if long_date(meeting.ends_at) == long_date(meeting.starts_at)
            else long_datetime(meeting.ends_at))
    facts = [(_("Kind"), str(KIND_LABELS[meeting.kind])),
             (_("When"), _("%(starts)s to %(ends)s (Beijing time)",
                           starts=long_datetime(meeting.starts_at), ends=ends))]
    if meeting.place:
        facts.append((_("Place"), meeting.place))
    if meeting.online_link:
        facts.append((_("Online"), meeting.online_link))
    facts.append((_("Convened by"), meeting.organisation.name))
    titles = [item.proposal.title for item in meeting.items]
    agenda = [f"{number}. {title}" for number, title in enumerate(titles[:AGENDA_ITEMS], 1)]
    if len(titles) > AGENDA_ITEMS:
        agenda.append(_("… and %(num)d more on the meeting's page.",
                        num=len(titles) - AGENDA_ITEMS))
    return Poster(
        heading=_("%(community)s · Notice of a meeting", community=meeting.community.name),
        title=meeting.title, url=printed_url("meetings.view", meeting_id=meeting.id),
        scan_hint=_("Scan to open the meeting's page"), facts=facts,
        text=_("Agenda:") + "\n" + "\n".join(agenda) if agenda else "",
        signature=[meeting.organisation.name])
