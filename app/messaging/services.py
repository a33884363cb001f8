"""The outbox: each new notification, per its person's choices, becomes an SMS (sent by a
job, never in quiet hours, within the poll's cap) or a printed slip (staff print and mark
them); staff see the counts and the dead letters and retry them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union, update
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import User
from app.community.models import Building, Community, Owner, Ownership, Residency, RoleGrant, Unit
from app.core import sms
from app.core.documents import HEADING, PARAGRAPH, Block, Document
from app.core.jobs import enqueue
from app.core.refusals import REFUSALS, Refused
from app.core.signals import notifications_created
from app.extensions import db, utcnow
from app.messaging.models import MessagePreference, OutboxMessage
from app.messaging.rules import (
    CATEGORY_OF_KIND,
    DEFAULT_CHOICES,
    Channel,
    Status,
    channels_for,
    masked_name,
    next_allowed,
    retry_at,
    sms_params,
)
from app.notices.models import Notification

CAP_REACHED = "cap reached"
NOT_DELIVERED = "not delivered (provider report)"
# The provider keeps delivery reports for a few days; older SMS are no longer asked about.
DELIVERY_REPORTS_KEPT = timedelta(days=3)
# Tables of the features above messaging that a notification links to, by name, so that
# messaging imports none of them: (table, how the notification names the row).
LINKED_TABLES = (
    ("polls", lambda n: (n.details or {}).get("poll")),
    ("meetings", lambda n: n.meeting_id),
    ("proposals", lambda n: n.proposal_id),
    ("notices", lambda n: n.notice_id),
)


class MessagingRefused(Refused):
    pass


REFUSALS.register_all({
    "messages.not_failed": _l("Only a message that failed can be sent again."),
    "messages.cap_reached": _l("The SMS cap of this poll (%(cap)d) is reached: raise it in "
                               "the owners' vote settings before sending again."),
})


# --- Choices ---------------------------------------------------------------------------------


def choices_of(user) -> dict[str, set[str]]:
    """The categories the person gets by each channel (the defaults until they choose)."""
    preference = db.session.get(MessagePreference, user.id)
    return {Channel.SMS: _chosen(preference, Channel.SMS),
            Channel.SLIP: _chosen(preference, Channel.SLIP)}


def _chosen(preference: MessagePreference | None, channel: str) -> set[str]:
    if preference is None:
        return set(DEFAULT_CHOICES[channel])
    return set(getattr(preference, channel))


def save_choices(user, *, sms_categories: set[str], slip_categories: set[str]) -> None:
    preference = db.session.get(MessagePreference, user.id)
    if preference is None:
        preference = MessagePreference(user_id=user.id)
        db.session.add(preference)
    preference.sms = sorted(sms_categories)
    preference.slip = sorted(slip_categories)


# --- Fan-out ---------------------------------------------------------------------------------


@notifications_created.connect
def _on_notifications(_sender, notifications, **_):
    fan_out(notifications)


def fan_out(notifications: list[Notification], now: datetime | None = None) -> None:
    """An outbox message per notification and channel the person chose. An SMS created in
    quiet hours waits for the morning (``send-due``); one over its poll's cap is kept as a
    failed message, so that staff see what was not sent."""
    now = now or utcnow()
    candidates = [n for n in notifications if n.kind in CATEGORY_OF_KIND]
    if not candidates:
        return
    people = {row.id: row for row in db.session.execute(
        select(User.id, User.phone, User.erased_at, MessagePreference.user_id.label("chose"),
               MessagePreference.sms, MessagePreference.slip)
        .outerjoin(MessagePreference, MessagePreference.user_id == User.id)
        .where(User.id.in_({n.user_id for n in candidates}))).all()}
    planned = []
    for notification in candidates:
        person = people.get(notification.user_id)
        if person is None or person.erased_at is not None:
            continue
        chose = person.chose is not None
        for channel in channels_for(notification.kind, set(person.sms) if chose else None,
                                    set(person.slip) if chose else None):
            planned.append((notification, channel, person.phone))
    if not planned:
        return
    communities = _communities([n for n, _c, _p in planned])
    room = _room_under_caps({_poll_of(n) for n, channel, _p in planned
                             if channel == Channel.SMS and _poll_of(n)})
    wait_until = next_allowed(now)
    messages = []
    for notification, channel, phone in planned:
        poll_id = _poll_of(notification)
        message = OutboxMessage(
            user_id=notification.user_id, community_id=communities.get(notification.id),
            notification_id=notification.id, channel=channel, template=notification.kind,
            params=sms_params(notification.kind, notification.details or {}),
            phone=phone if channel == Channel.SMS else "", poll_id=poll_id,
            status=Status.QUEUED, created_at=now)
        if channel == Channel.SMS:
            if poll_id in room and room[poll_id] <= 0:
                message.status, message.last_error = Status.FAILED, CAP_REACHED
            elif poll_id in room:
                room[poll_id] -= 1
            if wait_until != now:
                message.not_before = wait_until
        messages.append(message)
    db.session.add_all(messages)
    db.session.flush()
    for message in messages:
        if (message.channel == Channel.SMS and message.status == Status.QUEUED
                and message.not_before is None):
            enqueue(deliver, message.id)


def _poll_of(notification: Notification) -> int | None:
    poll = (notification.details or {}).get("poll")
    return int(poll) if poll is not None else None


def _communities(notifications: list[Notification]) -> dict[int, int]:
    """notification id -> community id: that of the poll, meeting, proposal or notice it
    links to (one query per distinct link; one notify() call shares its links), else that
    of the person's home or role (one query)."""
    tables = db.metadata.tables
    found: dict[int, int] = {}
    resolved: dict[tuple[str, int], int | None] = {}
    for notification in notifications:
        for name, link in LINKED_TABLES:
            key = link(notification)
            if key is None:
                continue
            if (name, key) not in resolved:
                table = tables[name]
                resolved[name, key] = db.session.execute(
                    select(table.c.community_id).where(table.c.id == key)).scalar()
            if resolved[name, key] is not None:
                found[notification.id] = resolved[name, key]
                break
    unlinked = {n.user_id for n in notifications if n.id not in found}
    if unlinked:
        home = _home_communities(unlinked)
        for notification in notifications:
            if notification.id not in found and notification.user_id in home:
                found[notification.id] = home[notification.user_id]
    return found


def _home_communities(user_ids: set[int]) -> dict[int, int]:
    """user id -> the community of their home, else of a role they hold there."""
    owned = (select(Owner.user_id, Building.community_id)
             .join(Ownership, Ownership.owner_id == Owner.id)
             .join(Unit, Unit.id == Ownership.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Owner.user_id.in_(user_ids)))
    lived = (select(Residency.user_id, Building.community_id)
             .join(Unit, Unit.id == Residency.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Residency.user_id.in_(user_ids)))
    roles = select(RoleGrant.user_id, RoleGrant.community_id).where(
        RoleGrant.user_id.in_(user_ids), RoleGrant.community_id.is_not(None))
    found: dict[int, int] = {}
    rows = db.session.execute(union(owned, lived, roles)).all()
    for user_id, community_id in sorted(rows):
        found.setdefault(user_id, community_id)
    return found


def _room_under_caps(poll_ids: set[int]) -> dict[int, int]:
    """poll id -> how many more SMS its community's cap allows: one query."""
    if not poll_ids:
        return {}
    polls = db.metadata.tables["polls"]
    used = (select(func.count(OutboxMessage.id)).where(
        OutboxMessage.poll_id == polls.c.id, OutboxMessage.channel == Channel.SMS,
        OutboxMessage.status != Status.FAILED).correlate(polls).scalar_subquery())
    rows = db.session.execute(
        select(polls.c.id, Community.sms_cap_per_poll, used)
        .join(Community, Community.id == polls.c.community_id)
        .where(polls.c.id.in_(poll_ids))).all()
    return {poll_id: cap - used_so_far for poll_id, cap, used_so_far in rows}


# --- Sending ---------------------------------------------------------------------------------


def deliver(message_id: int) -> None:
    """The job that sends one SMS. A transient failure waits and is tried again by
    ``send-due`` (the attempt is recorded here, so eager jobs count it too); a permanent one,
    or the last attempt, leaves a dead letter for staff."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.channel != Channel.SMS or message.status != Status.QUEUED:
        return
    now = utcnow()
    allowed = max(next_allowed(now), message.not_before or now)
    if allowed > now:
        message.not_before = allowed
        db.session.flush()
        return
    message.attempts += 1
    try:
        message.provider_id = sms.send_sms(message.phone, message.template, **message.params)
    except sms.SmsFailed as failure:
        message.last_error = str(failure)[:200]
        again = None if failure.permanent else retry_at(message.attempts, now)
        if again is None:
            message.status = Status.FAILED
        message.not_before = again
    else:
        message.status, message.sent_at, message.last_error = Status.SENT, now, ""
        message.not_before = None
    db.session.flush()


def send_due(now: datetime | None = None) -> int:
    """Enqueue the SMS whose wait (quiet hours, a retry) is over; run every few minutes."""
    now = now or utcnow()
    due = list(db.session.execute(select(OutboxMessage.id).where(
        OutboxMessage.status == Status.QUEUED, OutboxMessage.channel == Channel.SMS,
        OutboxMessage.not_before.is_not(None), OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.id)).scalars())
    if due:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(due))
                           .values(not_before=None))
        for message_id in due:
            enqueue(deliver, message_id)
    return len(due)


def check_delivery(now: datetime | None = None) -> dict[str, int]:
    """Ask the provider about the SMS sent in the last days: delivered, or failed."""
    now = now or utcnow()
    backend = sms.provider()
    counts: dict[str, int] = defaultdict(int)
    sent = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.status == Status.SENT, OutboxMessage.channel == Channel.SMS,
        OutboxMessage.sent_at >= now - DELIVERY_REPORTS_KEPT)).scalars().all()
    for message in sent:
        status = backend.delivery_status(message.provider_id, message.phone, message.sent_at)
        if status == "delivered":
            message.status, message.delivered_at = Status.DELIVERED, now
        elif status == "failed":
            message.status, message.last_error = Status.FAILED, NOT_DELIVERED
        counts[status] += 1
    db.session.flush()
    return dict(counts)


# --- Staff -----------------------------------------------------------------------------------


@dataclass
class Counts:
    by_channel: dict[str, dict[str, int]]  # channel -> status -> count
    waiting: int  # queued SMS held for quiet hours or a retry


def status_counts(community: Community, now: datetime | None = None) -> Counts:
    """One query, however many messages there are."""
    now = now or utcnow()
    waiting = (OutboxMessage.not_before > now).label("waiting")
    rows = db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, waiting, func.count())
        .where(OutboxMessage.community_id == community.id)
        .group_by(OutboxMessage.channel, OutboxMessage.status, waiting)).all()
    by_channel = {channel: dict.fromkeys(Status, 0) for channel in Channel}
    held = 0
    for channel, status, is_waiting, count in rows:
        by_channel[channel][status] += count
        if status == Status.QUEUED and is_waiting:
            held += count
    return Counts(by_channel=by_channel, waiting=held)


def dead_letters(community: Community, page: int, per_page: int):
    """Failed messages of the community, newest first, with whom they were for."""
    query = (select(OutboxMessage).where(OutboxMessage.community_id == community.id,
                                         OutboxMessage.status == Status.FAILED)
             .options(joinedload(OutboxMessage.user))
             .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def message_in(community: Community, message_id: int) -> OutboxMessage | None:
    message = db.session.get(OutboxMessage, message_id)
    return message if message is not None and message.community_id == community.id else None


def retry(message: OutboxMessage, *, actor) -> None:
    """Send a dead letter again (audited), if its poll's cap still leaves room."""
    if message.status != Status.FAILED or message.channel != Channel.SMS:
        raise MessagingRefused("messages.not_failed")
    if message.poll_id is not None:
        room = _room_under_caps({message.poll_id})
        if room.get(message.poll_id, 1) <= 0:
            cap = db.session.execute(select(Community.sms_cap_per_poll).where(
                Community.id == message.community_id)).scalar()
            raise MessagingRefused("messages.cap_reached", cap=cap or 0)
    record("message.retry", actor=actor, community_id=message.community_id,
           target=f"outbox:{message.id}",
           details={"attempts": message.attempts, "last_error": message.last_error})
    message.status, message.attempts, message.last_error = Status.QUEUED, 0, ""
    message.not_before = None
    db.session.flush()
    enqueue(deliver, message.id)


@dataclass
class Slip:
    room: str
    name: str  # masked
    texts: list[str] = field(default_factory=list)


@dataclass
class SlipBatch:
    buildings: list[tuple[str, list[Slip]]]  # by building name, rooms in order
    up_to: int  # the newest message printed: marking printed stops there
    count: int  # messages in the batch

    @property
    def people(self) -> int:
        return sum(len(group) for _building, group in self.buildings)

    def document(self, community_name: str) -> Document:
        """The slips as a document, building by building, each headed by its room and
        name: what the PDF and the page printed from the browser both set."""
        blocks = []
        for building, people in self.buildings:
            blocks.append(Block(HEADING, building, level=2))
            for slip in people:
                blocks.append(Block(HEADING, f"{slip.room} {slip.name}".strip(), level=3))
                blocks += [Block(PARAGRAPH, text) for text in slip.texts]
        if not blocks:
            blocks.append(Block(PARAGRAPH, _("No slips are waiting to be printed.")))
        return Document(title=_("Message slips · %(community)s", community=community_name),
                        blocks=blocks)


def slips(community: Community) -> SlipBatch:
    """The queued slips of the community, one per person with every message for them,
    grouped by the building of their home: two queries."""
    messages = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.community_id == community.id,
                                    OutboxMessage.channel == Channel.SLIP,
                                    OutboxMessage.status == Status.QUEUED)
        .options(joinedload(OutboxMessage.user)).order_by(OutboxMessage.id)).scalars().all()
    homes = _homes_in(community, {m.user_id for m in messages})
    no_home = str(_l("No home on record"))
    by_person: dict[int, tuple[str, Slip]] = {}
    for message in messages:
        if message.user_id not in by_person:
            building, room = homes.get(message.user_id, (no_home, ""))
            by_person[message.user_id] = building, Slip(room, masked_name(message.user.name))
        by_person[message.user_id][1].texts.append(sms.render(message.template, message.params))
    buildings: dict[str, list[Slip]] = defaultdict(list)
    for building, slip in by_person.values():
        buildings[building].append(slip)
    ordered = [(name, sorted(group, key=lambda s: s.room))
               for name, group in sorted(buildings.items(), key=lambda item: (
                   item[0] == no_home, item[0]))]
    return SlipBatch(buildings=ordered, up_to=messages[-1].id if messages else 0,
                     count=len(messages))


def _homes_in(community: Community, user_ids: set[int]) -> dict[int, tuple[str, str]]:
    """user id -> (building name, room number) of their home in the community."""
    if not user_ids:
        return {}
    owned = (select(Owner.user_id, Building.name, Unit.number)
             .join(Ownership, Ownership.owner_id == Owner.id)
             .join(Unit, Unit.id == Ownership.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Owner.user_id.in_(user_ids), Building.community_id == community.id))
    lived = (select(Residency.user_id, Building.name, Unit.number)
             .join(Unit, Unit.id == Residency.unit_id)
             .join(Building, Building.id == Unit.building_id)
             .where(Residency.user_id.in_(user_ids), Building.community_id == community.id))
    found: dict[int, tuple[str, str]] = {}
    for user_id, building, number in sorted(db.session.execute(union(owned, lived)).all()):
        found.setdefault(user_id, (building, number))
    return found


def mark_printed(community: Community, up_to: int, *, actor, now: datetime | None = None) -> int:
    """The queued slips up to the last one printed are sent (audited); slips that came in
    after the PDF was made wait for the next print."""
    result = db.session.execute(
        update(OutboxMessage).where(
            OutboxMessage.community_id == community.id, OutboxMessage.channel == Channel.SLIP,
            OutboxMessage.status == Status.QUEUED, OutboxMessage.id <= up_to)
        .values(status=Status.SENT, sent_at=now or utcnow()))
    record("message.slips_printed", actor=actor, community_id=community.id,
           target=f"community:{community.id}", details={"up_to": up_to,
                                                        "count": result.rowcount})
    return result.rowcount


@dataclass(frozen=True)
class PollSms:
    sent: int     # taken by the provider (sent or delivered)
    capped: int   # not sent: the cap was reached
    cap: int


def poll_sms(poll_id: int, community_id: int) -> PollSms:
    """What the poll's page tells staff about its SMS: one query."""
    counted = func.count(OutboxMessage.id)
    sent, capped, cap = db.session.execute(
        select(counted.filter(OutboxMessage.status.in_((Status.SENT, Status.DELIVERED))),
               counted.filter(OutboxMessage.last_error == CAP_REACHED),
               select(Community.sms_cap_per_poll).where(Community.id == community_id)
               .scalar_subquery())
        .where(OutboxMessage.poll_id == poll_id, OutboxMessage.channel == Channel.SMS)
    ).one()
    return PollSms(sent=sent, capped=capped, cap=cap)
