"""What each feed holds, decided by the site's own permission helpers.

A person's feeds hold what ``can`` lets that person see on the site (communities, meetings,
polls of proposals they may read, notices), so leaving a community empties its part of the
feed at the next poll. The public feeds hold what the public pages list (the same SQL
condition as app/public). Every feed costs the same few queries however many meetings,
polls or notices it lists.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.audit.services import record
from app.auth.models import User
from app.community.models import Community, Organisation
from app.extensions import db
from app.feeds.calendar import CalendarEvent
from app.feeds.export import PublicItem, VoteFacts
from app.feeds.models import FeedSecret
from app.meetings.models import AgendaItem, Meeting
from app.notices.labels import KIND_LABELS
from app.notices.models import Notice, NoticeKind
from app.permissions import can, load_standing
from app.proposals.models import Proposal
from app.public.services import PUBLIC_SETTINGS, shown_publicly
from app.voting.models import Poll

# A calendar keeps what ended within the last year and everything ahead: enough to look
# back, and a feed that does not grow without end.
CALENDAR_PAST = timedelta(days=365)
# The newest notices an Atom feed carries; readers keep what they saw before.
ATOM_ENTRIES = 50


# --- The secret --------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    """Keyed with the app's secret, so that a copy of the database does not give anyone the
    addresses (nor lets them be found by trying)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"feed:{secret}".encode(), hashlib.sha256).hexdigest()


def live_secret(user: User) -> FeedSecret | None:
    return db.session.execute(select(FeedSecret).where(
        FeedSecret.user_id == user.id, FeedSecret.revoked_at.is_(None))).scalar_one_or_none()


def issue_secret(user: User, now: datetime) -> str:
    """A new secret for the person's feeds; the one they had stops working at once. The
    secret is returned to be shown this once and is stored only as its hash."""
    old = live_secret(user)
    if old is not None:
        old.revoked_at = now
    secret = secrets.token_urlsafe(32)
    row = FeedSecret(user_id=user.id, secret_hash=_hash(secret), created_at=now)
    db.session.add(row)
    db.session.flush()
    record("feeds.secret_rotate" if old is not None else "feeds.secret_create", actor=user,
           target=f"feed_secret:{row.id}",
           details={"replaces": old.id} if old is not None else {})
    return secret


def revoke_secret(user: User, now: datetime) -> bool:
    """Stop the person's feed addresses; False when there was none."""
    row = live_secret(user)
    if row is None:
        return False
    row.revoked_at = now
    record("feeds.secret_revoke", actor=user, target=f"feed_secret:{row.id}")
    return True


def owner_of(secret: str) -> User | None:
    """Whose live secret this is; None for a revoked or unknown one, or an erased account."""
    user = db.session.execute(
        select(User).join(FeedSecret, FeedSecret.user_id == User.id)
        .where(FeedSecret.secret_hash == _hash(secret), FeedSecret.revoked_at.is_(None))
    ).scalar_one_or_none()
    return user if user is not None and user.is_active else None


# --- What a person may see -----------------------------------------------------------------


def readable_communities(user: User) -> list[Community]:
    """The communities whose pages the person may open. Only those where they hold a role
    or a membership are loaded (every one for a platform administrator); the site's rule
    decides."""
    standing = load_standing(user)
    statement = select(Community).order_by(Community.id)
    if not standing.is_platform_admin:
        ids = {cid for cid, _role in standing.roles if cid is not None}
        ids |= {role.community_id for role in standing.org_roles}
        statement = statement.where(Community.id.in_(ids))
    return [community for community in db.session.execute(statement).scalars()
            if can(user, "community.view", community)]


def _changes(community_ids: list[int]) -> dict[str, int]:
    """How often each meeting was moved (its time or place changed) and each poll extended,
    by audit target: the audit log records every such change, so the calendar's SEQUENCE
    needs no column of its own."""
    moved = AuditEvent.details["moved"].as_boolean().is_(True)
    return dict(db.session.execute(
        select(AuditEvent.target, func.count(AuditEvent.id))
        .where(AuditEvent.community_id.in_(community_ids),
               or_(and_(AuditEvent.action == "meeting.update", moved),
                   AuditEvent.action == "poll.extend"))
        .group_by(AuditEvent.target)).all())


def _agendas(meeting_ids: list[int]) -> dict[int, list[str]]:
    agendas: dict[int, list[str]] = {meeting_id: [] for meeting_id in meeting_ids}
    for meeting_id, title in db.session.execute(
            select(AgendaItem.meeting_id, Proposal.title)
            .join(Proposal, Proposal.id == AgendaItem.proposal_id)
            .where(AgendaItem.meeting_id.in_(meeting_ids))
            .order_by(AgendaItem.position, AgendaItem.id)).all():
        agendas[meeting_id].append(title)
    return agendas


def _meeting_event(meeting: Meeting, agenda: list[str], changes: int) -> CalendarEvent:
    cancelled = meeting.cancelled_at is not None
    lines = [_("Convened by %(organisation)s", organisation=meeting.organisation.name)]
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{number}. {title}" for number, title in enumerate(agenda, start=1)]
    if cancelled:
        lines.insert(0, _("Cancelled: %(reason)s", reason=meeting.cancel_reason or "—"))
    summary = (_("Cancelled: %(title)s", title=meeting.title) if cancelled
               else meeting.title)
    return CalendarEvent(
        uid=f"meeting-{meeting.id}@gongzhi", summary=summary,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, stamp=meeting.created_at,
        sequence=changes + (1 if cancelled else 0),
        url=url_for("meetings.view", meeting_id=meeting.id, _external=True),
        location=" · ".join(part for part in (meeting.place, meeting.online_link) if part),
        description="\n".join(lines), cancelled=cancelled)


def _poll_event(poll: Poll, changes: int) -> CalendarEvent:
    return CalendarEvent(
        uid=f"poll-{poll.id}@gongzhi", summary=_("Vote: %(question)s", question=poll.question),
        starts_at=poll.opens_at, ends_at=poll.closes_at, stamp=poll.created_at,
        sequence=changes, url=url_for("voting.view_poll", poll_id=poll.id, _external=True),
        description=_("On the proposal: %(title)s", title=poll.proposal.title))


def calendar_events(user: User, communities: list[Community],
                    now: datetime) -> list[CalendarEvent]:
    """The meetings and poll windows of these communities that the person may see, from a
    year back onwards, in time order."""
    ids = [community.id for community in communities]
    since = now - CALENDAR_PAST
    meetings = [meeting for meeting in db.session.execute(
        select(Meeting).where(Meeting.community_id.in_(ids), Meeting.ends_at >= since)
        .options(joinedload(Meeting.organisation))).scalars()
        if can(user, "meeting.view", meeting)]
    polls = [poll for poll in db.session.execute(
        select(Poll).where(Poll.community_id.in_(ids), Poll.closes_at >= since)
        .options(joinedload(Poll.proposal))).scalars()
        if can(user, "proposal.view", poll.proposal)]
    changes = _changes(ids) if ids else {}
    agendas = _agendas([meeting.id for meeting in meetings])
    events = [_meeting_event(m, agendas[m.id], changes.get(f"meeting:{m.id}", 0))
              for m in meetings]
    events += [_poll_event(p, changes.get(f"poll:{p.id}", 0)) for p in polls]
    return sorted(events, key=lambda event: (event.starts_at, event.uid))


def readable_notices(user: User, communities: list[Community], now: datetime) -> list[Notice]:
    """The newest published notices of these communities that the person may read."""
    ids = [community.id for community in communities]
    rows = db.session.execute(
        select(Notice).where(Notice.community_id.in_(ids), Notice.withdrawn_at.is_(None),
                             Notice.published_at <= now)
        .options(joinedload(Notice.organisation).joinedload(Organisation.community))
        .order_by(Notice.published_at.desc(), Notice.id.desc()).limit(ATOM_ENTRIES)
    ).scalars().all()
    return [notice for notice in rows if can(user, "notice.view", notice)]


# --- What a community made public ------------------------------------------------------


def publishes_anything(community: Community) -> bool:
    return any(getattr(community, name) for name in PUBLIC_SETTINGS)


def public_rows(community: Community, now: datetime,
                limit: int | None = None) -> list[tuple[Notice, Poll | None]]:
    """The notices the public page lists, newest first, each with its vote if it is a
    result notice: one query."""
    statement = (select(Notice, Poll).join(Community, Community.id == Notice.community_id)
                 .outerjoin(Poll, Poll.id == Notice.poll_id)
                 .where(Notice.community_id == community.id, shown_publicly(now))
                 .options(joinedload(Notice.organisation))
                 .order_by(Notice.published_at.desc(), Notice.id.desc()))
    if limit is not None:
        statement = statement.limit(limit)
    return [(notice, poll) for notice, poll in db.session.execute(statement).all()]


def written_for_everyone(notice: Notice) -> bool:
    """An announcement its issuer marked public was written to be read by anyone. A result
    notice names the committee's contact person and minutes name who attended, so the
    public feeds and the export give those by their facts and a link, never their text."""
    return notice.kind == NoticeKind.ANNOUNCEMENT


def public_item(notice: Notice, poll: Poll | None) -> PublicItem:
    vote = None
    if poll is not None:
        vote = VoteFacts(question=poll.question, status=poll.status, opened_at=poll.opened_at,
                         closed_at=poll.closed_at, roll_people=poll.total_people,
                         roll_area=poll.total_area, voted_people=poll.voted_people,
                         voted_area=poll.voted_area)
    return PublicItem(
        id=notice.id, kind=notice.kind, kind_label=str(KIND_LABELS[notice.kind]),
        title=notice.title, organisation=notice.organisation.name,
        published_at=notice.published_at, expires_at=notice.expires_at,
        url=url_for("public.notice", notice_id=notice.id, _external=True),
        body=notice.body if written_for_everyone(notice) else "",
        bulletin_url=(url_for("public.poll_bulletin", poll_id=poll.id, _external=True)
                      if poll is not None else ""),
        vote=vote)


@dataclass(frozen=True)
class AtomEntry:
    """One notice as a feed reader shows it: ``content`` is HTML."""

    id: str
    title: str
    url: str
    author: str
    category: str
    published: datetime
    content: str


def notice_entry(notice: Notice, url: str, content: str) -> AtomEntry:
    return AtomEntry(id=f"tag:gongzhi,2026:notice-{notice.id}", title=notice.title, url=url,
                     author=notice.organisation.name,
                     category=str(KIND_LABELS[notice.kind]), published=notice.published_at,
                     content=content)


def public_entry(notice: Notice, poll: Poll | None) -> AtomEntry:
    """A public notice for a feed reader: an announcement in full; a result notice by the
    counts of its vote; minutes by a pointer to the public page (see written_for_everyone)."""
    url = url_for("public.notice", notice_id=notice.id, _external=True)
    if written_for_everyone(notice):
        return notice_entry(notice, url, notice.body_html)
    lines = []
    if poll is not None and poll.total_people is not None:
        lines.append(_("%(voted)s owners with %(voted_area)s m² voted, of %(people)s owners "
                       "with %(area)s m² on the roll.", voted=poll.voted_people,
                       voted_area=poll.voted_area, people=poll.total_people,
                       area=poll.total_area))
    lines.append(_("Read the full text on the public page."))
    return notice_entry(notice, url, "".join(f"<p>{escape(line)}</p>" for line in lines))
