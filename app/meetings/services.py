"""Meetings: scheduling, invitees, the agenda, attendance and what each item resolved.

Plain functions that take and return models; they never commit (the view does).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.audit.services import record
from app.auth.models import User
from app.community.models import Membership, Organisation
from app.core.refusals import Refused
from app.extensions import db, local_zone, utcnow
from app.followups.models import FollowUpAction
from app.meetings.models import AgendaItem, Attendee, CheckIn, Meeting, MeetingOrganisation
from app.meetings.quorum import attendance_quorum, show_of_hands
from app.notices.models import NotificationKind
from app.notices.services import notify
from app.permissions import _administers
from app.proposals.models import ModerationState, Proposal
from app.proposals.states import PUBLIC
from app.voting.models import Poll
from app.voting.rules import Condition, Result

# An invitee may check in from this long before the meeting starts until it ends.
CHECK_IN_EARLY = timedelta(minutes=30)


class MeetingRefused(Refused):
    """An action the meeting's state or the input does not allow; its code starts
    ``meeting.``."""


def _not_started(meeting: Meeting) -> None:
    """Who is invited with a vote, and the meeting's kind, decide its quorum and its shows
    of hands; once the meeting has started they stay as they were."""
    if utcnow() >= meeting.starts_at:
        raise MeetingRefused("meeting.started")


def new_check_in_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def state(meeting: Meeting, now: datetime | None = None) -> str:
    """``cancelled``, ``upcoming``, ``running`` or ``ended``."""
    now = now or utcnow()
    if meeting.cancelled_at is not None:
        return "cancelled"
    if now < meeting.starts_at:
        return "upcoming"
    return "running" if now <= meeting.ends_at else "ended"


def check_in_open(meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (meeting.cancelled_at is None
            and meeting.starts_at - CHECK_IN_EARLY <= now <= meeting.ends_at)


# --- Choices for the forms ----------------------------------------------------------------


def organisations_of(community) -> list[Organisation]:
    return db.session.execute(
        select(Organisation).where(Organisation.community_id == community.id)
        .order_by(Organisation.name, Organisation.id)).scalars().all()


def convenable_organisations(standing, community) -> list[Organisation]:
    """The organisations a user may convene a meeting for: those they are staff or chair
    of, or every organisation of the community for its administrator."""
    organisations = organisations_of(community)
    if _administers(standing, community.id):
        return organisations
    return [o for o in organisations if standing.is_staff_of(o.id)]


def organisation_people(community) -> list[tuple[User, Organisation]]:
    """Everyone who sits in an organisation of the community, with that organisation, for
    choosing a chair, a recorder or a person to invite."""
    return db.session.execute(
        select(User, Organisation).join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.community_id == community.id)
        .order_by(Organisation.name, User.name, User.id)).all()


def public_proposals(community_id: int) -> list[Proposal]:
    """Proposals that may go on an agenda: published, not drafts, not hidden; newest
    first."""
    return db.session.execute(
        select(Proposal).where(
            Proposal.community_id == community_id, Proposal.status.in_(PUBLIC),
            Proposal.published_at.is_not(None),
            Proposal.moderation_state == ModerationState.VISIBLE)
        .order_by(Proposal.id.desc())).scalars().all()


def agenda_candidates(meeting: Meeting) -> list[Proposal]:
    """Public proposals of the community that are not yet on this meeting's agenda."""
    on_agenda = {item.proposal_id for item in meeting.items}
    return [p for p in public_proposals(meeting.community_id) if p.id not in on_agenda]


# --- Scheduling -----------------------------------------------------------------------------


def _details(meeting: Meeting, **extra) -> dict:
    return {"title": meeting.title, "starts_at": meeting.starts_at.isoformat(), **extra}


def _invite(meeting: Meeting, user_ids: list[int], actor) -> None:
    if user_ids:
        notify(user_ids, NotificationKind.MEETING_INVITATION, actor=actor,
               meeting_id=meeting.id, details=_details(meeting))


def schedule(community, *, actor, kind: str, title: str, starts_at: datetime,
             ends_at: datetime, place: str, online_link: str, organisation: Organisation,
             chair: User, recorder: User, organisations=(), observers=(),
             proposals=()) -> Meeting:
    """A new meeting with its invitees and agenda; every invitee is notified.

    ``organisations`` take part with a vote, ``observers`` attend without one (列席). The
    chair and the recorder are invitees too, without a vote unless their organisation
    has one."""
    if ends_at <= starts_at:
        raise MeetingRefused("meeting.ends_before_start")
    meeting = Meeting(community_id=community.id, kind=kind, title=title,
                      starts_at=starts_at, ends_at=ends_at, place=place,
                      online_link=online_link, organisation_id=organisation.id,
                      chair_id=chair.id, recorder_id=recorder.id,
                      check_in_code=new_check_in_code(), created_by_id=actor.id)
    db.session.add(meeting)
    db.session.flush()
    invited: list[int] = []
    for party in organisations:
        invited += invite_organisation(meeting, party, voting=True, notify_them=False)
    for party in observers:
        invited += invite_organisation(meeting, party, voting=False, notify_them=False)
    for person in (chair, recorder):
        if invite_person(meeting, person, voting=False, notify_them=False):
            invited.append(person.id)
    for proposal in proposals:
        add_item(meeting, proposal)
    record("meeting.schedule", actor=actor, community_id=community.id,
           target=f"meeting:{meeting.id}",
           details={"title": title, "kind": kind, "organisation_id": organisation.id})
    _invite(meeting, invited, actor)
    return meeting


def update(meeting: Meeting, *, actor, title: str, kind: str, starts_at: datetime,
           ends_at: datetime, place: str, online_link: str, chair: User,
           recorder: User) -> None:
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if ends_at <= starts_at:
        raise MeetingRefused("meeting.ends_before_start")
    if kind != meeting.kind:
        _not_started(meeting)
    moved = (meeting.starts_at, meeting.ends_at, meeting.place, meeting.online_link) != (
        starts_at, ends_at, place, online_link)
    already_invited = [a.user_id for a in meeting.attendees if a.user_id is not None]
    meeting.title, meeting.kind = title, kind
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.place, meeting.online_link = place, online_link
    meeting.chair_id, meeting.recorder_id = chair.id, recorder.id
    for person in (chair, recorder):
        invite_person(meeting, person, voting=False, actor=actor)
    record("meeting.update", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}", details={"title": title, "moved": moved})
    if moved:
        # Those invited before must not come at the old time or to the old place.
        notify(already_invited, NotificationKind.MEETING_MOVED, actor=actor,
               meeting_id=meeting.id, details=_details(meeting, place=place or online_link))


def cancel(meeting: Meeting, *, actor, reason: str) -> None:
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = reason
    record("meeting.cancel", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}", details={"reason": reason})
    notify([a.user_id for a in meeting.attendees if a.user_id is not None],
           NotificationKind.MEETING_CANCELLED, actor=actor, meeting_id=meeting.id,
           details=_details(meeting, reason=reason))


# --- Invitees ------------------------------------------------------------------------------


def _attendee_of(meeting: Meeting, user_id: int) -> Attendee | None:
    return next((a for a in meeting.attendees if a.user_id == user_id), None)


def invite_organisation(meeting: Meeting, organisation: Organisation, *, voting: bool,
                        actor=None, notify_them: bool = True) -> list[int]:
    """Invite every member of the organisation (members, staff and chair alike) who is not
    invited yet; return the ids of those newly invited."""
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if voting and notify_them:  # a later invitation, not the meeting's first list
        _not_started(meeting)
    if organisation not in meeting.invited_organisations:
        db.session.add(MeetingOrganisation(meeting_id=meeting.id,
                                           organisation_id=organisation.id))
    memberships = db.session.execute(
        select(Membership).where(Membership.organisation_id == organisation.id)
        .order_by(Membership.id)).scalars().all()
    day = meeting.starts_at.astimezone(local_zone()).date()
    added = []
    for membership in memberships:
        user_id = membership.user_id
        if _attendee_of(meeting, user_id) is None:
            # A probationary party member or one on approved leave sits without a vote and
            # is not in the quorum's base (支部工作条例 Art. 11).
            meeting.attendees.append(Attendee(user_id=user_id, organisation_id=organisation.id,
                                              voting=voting and membership.has_vote(day)))
            added.append(user_id)
    db.session.flush()
    db.session.expire(meeting, ["invited_organisations"])
    if notify_them:
        record("meeting.invite", actor=actor, community_id=meeting.community_id,
               target=f"meeting:{meeting.id}",
               details={"organisation_id": organisation.id, "voting": voting,
                        "added": len(added)})
        _invite(meeting, added, actor)
    return added


def invite_person(meeting: Meeting, user: User, *, voting: bool, actor=None,
                  notify_them: bool = True) -> bool:
    """Invite one person; False if they were already invited."""
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if _attendee_of(meeting, user.id) is not None:
        return False
    if voting and notify_them:  # a later invitation, not the meeting's first list
        _not_started(meeting)
    meeting.attendees.append(Attendee(user_id=user.id, voting=voting))
    db.session.flush()
    if notify_them:
        record("meeting.invite", actor=actor, community_id=meeting.community_id,
               target=f"meeting:{meeting.id}", details={"user_id": user.id, "voting": voting})
        _invite(meeting, [user.id], actor)
    return True


def add_guest(meeting: Meeting, name: str, *, actor) -> Attendee:
    """Someone without an account who came: listed by name, present, never voting."""
    guest = Attendee(guest_name=name, voting=False, invited=False, checked_in_at=utcnow(),
                     check_in=CheckIn.RECORDER, checked_in_by_id=actor.id)
    meeting.attendees.append(guest)
    db.session.flush()
    record("meeting.add_guest", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}", details={"name": name})
    return guest


def remove_attendee(meeting: Meeting, attendee: Attendee, *, actor) -> None:
    if attendee.user_id in (meeting.chair_id, meeting.recorder_id):
        raise MeetingRefused("meeting.chair_or_recorder")
    if attendee.voting:
        _not_started(meeting)
    meeting.attendees.remove(attendee)
    record("meeting.remove_attendee", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"user_id": attendee.user_id, "name": attendee.name})


def set_voting(meeting: Meeting, attendee: Attendee, voting: bool, *, actor) -> None:
    if attendee.user_id is None:
        raise MeetingRefused("meeting.guest_never_votes")
    _not_started(meeting)
    attendee.voting = voting
    record("meeting.set_voting", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"user_id": attendee.user_id, "voting": voting})


# --- Agenda ---------------------------------------------------------------------------------


def add_item(meeting: Meeting, proposal: Proposal, *, actor=None) -> AgendaItem:
    if proposal.community_id != meeting.community_id or proposal.status not in PUBLIC:
        raise MeetingRefused("meeting.not_public")
    if any(item.proposal_id == proposal.id for item in meeting.items):
        raise MeetingRefused("meeting.already_on_agenda")
    position = max((item.position for item in meeting.items), default=0) + 1
    item = AgendaItem(proposal_id=proposal.id, position=position)
    meeting.items.append(item)
    meeting.updated_at = utcnow()
    db.session.flush()
    if actor is not None:
        record("meeting.agenda_add", actor=actor, community_id=meeting.community_id,
               target=f"meeting:{meeting.id}", details={"proposal_id": proposal.id})
    return item


def _renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position


def remove_item(meeting: Meeting, item: AgendaItem, *, actor) -> None:
    """Only before the meeting: afterwards the item's record and actions are what the
    minutes report."""
    _not_started(meeting)
    if db.session.execute(select(FollowUpAction.id).where(
            FollowUpAction.agenda_item_id == item.id).limit(1)).first():
        raise MeetingRefused("meeting.has_actions")
    meeting.items.remove(item)
    _renumber(meeting.items)
    meeting.updated_at = utcnow()
    record("meeting.agenda_remove", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}", details={"proposal_id": item.proposal_id})


def move_item(meeting: Meeting, item: AgendaItem, direction: str, *, actor) -> None:
    """Swap the item with its neighbour above (``up``) or below (``down``); at either end
    nothing moves."""
    items = list(meeting.items)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    _renumber(items)
    meeting.updated_at = utcnow()
    record("meeting.agenda_move", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"proposal_id": item.proposal_id, "direction": direction})


# --- Attendance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    kind: str
    voting_invited: int
    voting_present: int
    present: int

    @property
    def quorum(self) -> Condition | None:
        return attendance_quorum(self.kind, self.voting_invited, self.voting_present)


def attendance(meeting: Meeting) -> Attendance:
    """Counted from the loaded attendees: no query."""
    voting = [a for a in meeting.attendees if a.voting and a.invited]
    return Attendance(meeting.kind, len(voting), sum(a.present for a in voting),
                      sum(a.present for a in meeting.attendees))


def check_in(meeting: Meeting, user: User, code: str, now: datetime | None = None) -> Attendee:
    """The invitee typed the code shown in the room. Checking in twice changes nothing."""
    now = now or utcnow()
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if not check_in_open(meeting, now):
        raise MeetingRefused("meeting.check_in_closed")
    attendee = _attendee_of(meeting, user.id)
    if attendee is None:
        raise MeetingRefused("meeting.not_invited")
    if not secrets.compare_digest(code.strip(), meeting.check_in_code):
        raise MeetingRefused("meeting.wrong_code")
    if attendee.checked_in_at is None:
        attendee.checked_in_at = now
        attendee.check_in = CheckIn.CODE
        attendee.checked_in_by_id = user.id
    return attendee


def mark_presence(meeting: Meeting, attendee: Attendee, present: bool, *, actor) -> None:
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if present and attendee.checked_in_at is None:
        attendee.checked_in_at = utcnow()
        attendee.check_in = CheckIn.RECORDER
        attendee.checked_in_by_id = actor.id
    elif not present:
        attendee.checked_in_at = attendee.check_in = attendee.checked_in_by_id = None
    record("meeting.mark_presence", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"attendee_id": attendee.id, "present": present})


# --- Recording agenda items -----------------------------------------------------------------


def item_polls(item: AgendaItem) -> list[Poll]:
    return db.session.execute(select(Poll).where(Poll.proposal_id == item.proposal_id)
                              .order_by(Poll.id)).scalars().all()


def hands_result(meeting: Meeting, item: AgendaItem, counted: Attendance) -> Result | None:
    """The show of hands judged now; None without one. Raises HandsRefused when the hands
    no longer fit (an attendee was since marked absent)."""
    if item.hands_for is None:
        return None
    return show_of_hands(meeting.kind, counted.voting_invited, counted.voting_present,
                         votes_for=item.hands_for, votes_against=item.hands_against or 0,
                         abstentions=item.hands_abstain or 0)


def record_item(meeting: Meeting, item: AgendaItem, *, actor, notes: str, resolution: str,
                poll: Poll | None, hands: tuple[int, int, int] | None,
                now: datetime | None = None) -> Result | None:
    """Save what the meeting said and decided on one item; a show of hands is judged by
    the meeting kind's rule before it is kept."""
    now = now or utcnow()
    if meeting.cancelled_at is not None:
        raise MeetingRefused("meeting.cancelled")
    if now < meeting.starts_at:
        raise MeetingRefused("meeting.not_started")
    if poll is not None and poll.proposal_id != item.proposal_id:
        raise MeetingRefused("meeting.poll_of_other_proposal")
    result = None
    if hands is not None:
        counted = attendance(meeting)
        result = show_of_hands(meeting.kind, counted.voting_invited, counted.voting_present,
                               votes_for=hands[0], votes_against=hands[1],
                               abstentions=hands[2])
    item.notes, item.resolution = notes, resolution
    item.poll_id = poll.id if poll is not None else None
    item.hands_for, item.hands_against, item.hands_abstain = hands or (None, None, None)
    item.updated_at, item.updated_by_id = now, actor.id
    record("meeting.record_item", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"item_id": item.id, "poll_id": item.poll_id, "hands": list(hands or ()),
                    "outcome": result.outcome if result else None})
    return result


def upcoming_and_past(community, now: datetime | None = None) -> tuple[list, list]:
    """The community's meetings: upcoming and running ones soonest first, then past ones
    (cancelled included) latest first, each with its number of agenda items."""
    now = now or utcnow()
    items = (select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == Meeting.id)
             .correlate(Meeting).scalar_subquery())
    rows = db.session.execute(
        select(Meeting, items).where(Meeting.community_id == community.id)
        .order_by(Meeting.starts_at)).all()
    upcoming, past = [], []
    for meeting, count in rows:
        ahead = meeting.ends_at >= now and meeting.cancelled_at is None
        (upcoming if ahead else past).append((meeting, count))
    return upcoming, past[::-1]


def meetings_today_for(user) -> list[Meeting]:
    """The meetings this person is invited to that start today (Beijing's day), not
    cancelled: one query, for the home page."""
    zone = local_zone()
    today = utcnow().astimezone(zone).date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    return list(db.session.execute(
        select(Meeting).join(Attendee, Attendee.meeting_id == Meeting.id)
        .where(Attendee.user_id == user.id, Meeting.cancelled_at.is_(None),
               Meeting.starts_at >= start, Meeting.starts_at < start + timedelta(days=1))
        .order_by(Meeting.starts_at, Meeting.id)).scalars())
