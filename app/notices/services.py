"""Notices on the board with their read receipts, and in-app notifications."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    and_,
    case,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.community.models import (
    Building,
    Community,
    Organisation,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    Unit,
)
from app.community.scope import ScopeKind
from app.core import uploads
from app.core.refusals import Refused
from app.core.signals import (
    home_link_decided,
    link_replaced,
    notice_posted,
    notifications_created,
)
from app.core.text import percent, render_markdown
from app.extensions import db, utcnow
from app.notices.models import (
    Notice,
    NoticeAttachment,
    NoticeBuilding,
    NoticeGrid,
    NoticeKind,
    NoticeRead,
    Notification,
    NotificationKind,
)
from app.permissions import STAFF_ROLES, in_scope, load_standing

HOME_NOTICES = 5
# No figure is shown about fewer people than this: a building of three households would
# otherwise tell the committee who has not read.
MIN_GROUP = 5
REMIND_EVERY = timedelta(hours=24)
VERIFIED_ROLES = (Role.RESIDENT, Role.VERIFIED_OWNER)


def notify(
    user_ids: Iterable[int],
    kind: str,
    *,
    actor=None,
    proposal_id: int | None = None,
    comment_id: int | None = None,
    meeting_id: int | None = None,
    notice_id: int | None = None,
    details: dict | None = None,
) -> None:
    """One notification for each user, never for the person who caused it. Receivers of
    ``notifications_created`` (messaging) send them on by SMS or printed slip."""
    actor_id = actor.id if actor is not None else None
    rows = [
        Notification(user_id=user_id, kind=kind, actor_id=actor_id, proposal_id=proposal_id,
                     comment_id=comment_id, meeting_id=meeting_id, notice_id=notice_id,
                     details=details or {})
        for user_id in sorted(set(user_ids))
        if user_id != actor_id
    ]
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        notifications_created.send(None, notifications=rows)


@link_replaced.connect
def _tell_whose_link_was_replaced(_link_request, *, user_id: int, unit: str, reason: str,
                                  actor, **_):
    """The account that lost its link to a home hears which and why, so that it can object."""
    notify([user_id], NotificationKind.LINK_REPLACED, actor=actor,
           details={"unit": unit, "reason": reason})


# Kinds the inbox shows as one line per proposal ("张三等 5 人回复了您的评论"): many replies
# in one discussion are one piece of news. Other kinds are one-off and stay one line each.
GROUPED_KINDS = (NotificationKind.REPLY,)


def _group_key():
    """The columns that make a group: kind and proposal for the grouped kinds, the row's
    own id for the rest. Literal kind names keep the expressions free of bound parameters,
    so PostgreSQL sees the GROUP BY as the selected expressions."""
    grouped = and_(Notification.kind.in_([literal_column(f"'{k}'") for k in GROUPED_KINDS]),
                   Notification.proposal_id.is_not(None))
    return (Notification.kind,
            case((grouped, Notification.proposal_id), else_=None),
            case((grouped, None), else_=Notification.id))


@dataclass
class NotificationGroup:
    note: Notification  # the newest of the group, with its actor
    count: int
    people: int         # how many different people caused them
    unread: int


@dataclass
class GroupPage:
    """One page of groups, with what the pager macro reads from a Pagination."""

    items: list[NotificationGroup]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def notifications_page(user, page: int) -> GroupPage:
    """One page of the user's notifications, grouped (GROUPED_KINDS per proposal), the
    group with the newest notification first. Pages count groups, so a busy discussion
    fills one line, not a page. Three queries however many notifications, groups and
    actors there are: the number of groups, the page of groups, their newest rows."""
    per_page = current_app.config["NOTICES_PER_PAGE"]
    page = max(1, page)
    key = _group_key()
    mine = Notification.user_id == user.id
    total = db.session.execute(select(func.count()).select_from(
        select(*key).where(mine).group_by(*key).subquery())).scalar_one()
    rows = db.session.execute(
        select(func.max(Notification.id), func.count(Notification.id),
               func.count(distinct(Notification.actor_id)),
               func.sum(case((Notification.read_at.is_(None), 1), else_=0)))
        .where(mine).group_by(*key)
        .order_by(func.max(Notification.created_at).desc(), func.max(Notification.id).desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    notes = {note.id: note for note in db.session.execute(
        select(Notification).where(Notification.id.in_([row[0] for row in rows]))
        .options(joinedload(Notification.actor))).scalars()}
    items = [NotificationGroup(notes[newest], count, people, int(unread or 0))
             for newest, count, people, unread in rows]
    return GroupPage(items=items, page=page, per_page=per_page, total=total)


def mark_group_read(user, note_id: int) -> int | None:
    """Mark read the notification and the rest of its group; None if it is not the user's."""
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != user.id:
        return None
    same = ((Notification.kind == note.kind, Notification.proposal_id == note.proposal_id)
            if note.kind in GROUPED_KINDS and note.proposal_id is not None
            else (Notification.id == note.id,))
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), *same)
        .values(read_at=utcnow())).rowcount


@home_link_decided.connect
def tell_link_requester(link_request, *, actor, unit: str, approved: bool,
                        reason: str) -> None:
    """Whoever asked to be linked to a home hears the decision, with the reason if declined."""
    notify([link_request.user_id], "link_decided", actor=actor,
           details={"unit": unit, "approved": approved, "reason": reason})


def unread_count(user) -> int:
    """One COUNT over the (user_id, read_at) index: cheap enough for every page's header."""
    return db.session.execute(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


def post_document_notice(*, community_id: int, organisation_id: int, kind: NoticeKind,
                         title: str, body: str, poll_id: int | None = None,
                         minutes_id: int | None = None) -> Notice:
    """Put a document the site produced (a result notice, published minutes) on the board,
    in the issuing organisation's name, for the whole community."""
    notice = Notice(community_id=community_id, organisation_id=organisation_id, kind=kind,
                    title=title, body=body, body_html=render_markdown(body), poll_id=poll_id,
                    minutes_id=minutes_id)
    db.session.add(notice)
    db.session.flush()
    notice_posted.send(notice)
    return notice


def retire_notices(*, poll_id: int | None = None, minutes_id: int | None = None) -> None:
    """A result notice or minutes that a newer one replaces leaves the current board (it
    stays readable under "Expired"), so that residents never see two versions side by
    side."""
    now = utcnow()
    target = Notice.poll_id == poll_id if poll_id is not None else Notice.minutes_id == minutes_id
    db.session.execute(update(Notice).where(
        target, or_(Notice.expires_at.is_(None), Notice.expires_at > now)).values(expires_at=now))


class NoticeRefused(Refused):
    """Something the notice's state does not allow; its code starts ``notice.``."""


def is_expired(notice: Notice, now: datetime | None = None) -> bool:
    return notice.expires_at is not None and notice.expires_at <= (now or utcnow())


def _current(now: datetime):
    return or_(Notice.expires_at.is_(None), Notice.expires_at > now)


def _shown_to(manageable: set[int]):
    """Withdrawn notices stay visible to the organisation that issued them, nobody else."""
    return or_(Notice.withdrawn_at.is_(None), Notice.organisation_id.in_(manageable))


def _manageable(user, community_id: int) -> set[int]:
    return {r.organisation_id for r in load_standing(user).org_roles
            if r.community_id == community_id and r.role in STAFF_ROLES}


def post_notice(*, community: Community, organisation: Organisation, author, title: str,
                body: str, scope_kind: str, grids, buildings, expires_at: datetime | None,
                pinned: bool, attachments: list, public: bool = False) -> Notice:
    """An organisation's notice, with its files written to the upload folder."""
    notice = Notice(
        community_id=community.id, organisation=organisation, author=author,
        kind=NoticeKind.ANNOUNCEMENT, title=title, body=body, body_html=render_markdown(body),
        scope_kind=scope_kind, expires_at=expires_at, pinned=pinned, public=public,
        scope_grids=grids if scope_kind == ScopeKind.GRIDS else [],
        scope_buildings=buildings if scope_kind == ScopeKind.BUILDINGS else [])
    notice.attachments = [
        NoticeAttachment(stored_name=uploads.store(uploads.ATTACHMENTS, a),
                         original_name=a.download_name,
                         content_type=a.content_type, size=len(a.data), position=index)
        for index, a in enumerate(attachments)]
    db.session.add(notice)
    db.session.flush()
    record("notice.post", actor=author, community_id=community.id, target=f"notice:{notice.id}",
           details={"organisation_id": organisation.id, "scope": scope_kind,
                    "pinned": pinned, "public": public, "attachments": len(attachments)})
    notice_posted.send(notice)
    return notice


def load_notice(notice_id: int) -> Notice | None:
    """A notice with what its page shows, in two queries; its grids or buildings load when
    read, which only a notice scoped to them does (one more)."""
    return db.session.execute(
        select(Notice).where(Notice.id == notice_id).options(
            joinedload(Notice.organisation).joinedload(Organisation.community),
            joinedload(Notice.author), selectinload(Notice.attachments))
    ).unique().scalar_one_or_none()


@dataclass
class Board:
    for_home: list[Notice]
    others: list[Notice]
    read_ids: set[int]
    expired_count: int
    has_home: bool


def board(community: Community, user) -> Board:
    """The community's current notices, pinned first, then newest; those for the user's
    homes first. Six queries, however many notices there are."""
    now = utcnow()
    manageable = _manageable(user, community.id)
    notices = db.session.execute(
        select(Notice).where(Notice.community_id == community.id, _current(now),
                             _shown_to(manageable))
        .options(joinedload(Notice.organisation), selectinload(Notice.scope_grids),
                 selectinload(Notice.scope_buildings))
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
    ).unique().scalars().all()
    standing = load_standing(user)
    has_home = any(h.community_id == community.id for h in standing.homes)
    for_home = [n for n in notices if has_home and in_scope(standing, n)]
    mine = {n.id for n in for_home}
    expired_count = db.session.execute(
        select(func.count(Notice.id)).where(
            Notice.community_id == community.id, ~_current(now), _shown_to(manageable))
    ).scalar_one()
    return Board(for_home=for_home, others=[n for n in notices if n.id not in mine],
                 read_ids=_read_ids(user, [n.id for n in notices]),
                 expired_count=expired_count, has_home=has_home)


def expired_page(community: Community, user, page: int):
    """Expired notices, the most recently expired first, a page at a time."""
    query = (
        select(Notice).where(Notice.community_id == community.id, ~_current(utcnow()),
                             _shown_to(_manageable(user, community.id)))
        .options(joinedload(Notice.organisation))
        .order_by(Notice.expires_at.desc(), Notice.id.desc()))
    return db.paginate(query, page=page, per_page=current_app.config["NOTICES_PER_PAGE"],
                       error_out=False)


def _read_ids(user, notice_ids: list[int]) -> set[int]:
    if not notice_ids:
        return set()
    return set(db.session.execute(select(NoticeRead.notice_id).where(
        NoticeRead.user_id == user.id, NoticeRead.notice_id.in_(notice_ids))).scalars())


def home_notices(user) -> tuple[list[Notice], set[int]]:
    """The current notices for a resident's or owner's homes, in all their communities,
    pinned first, then newest, and which of them they have read. Staff without a home
    see their boards instead, and their home page costs no query for this."""
    standing = load_standing(user)
    if not any(role in VERIFIED_ROLES for _community, role in standing.roles):
        return [], set()
    homes = standing.homes
    if not homes:
        return [], set()
    grid_ids = {h.grid_id for h in homes if h.grid_id is not None}
    building_ids = {h.building_id for h in homes}
    for_my_home = or_(
        Notice.scope_kind == ScopeKind.COMMUNITY,
        and_(Notice.scope_kind == ScopeKind.GRIDS, exists().where(
            NoticeGrid.notice_id == Notice.id, NoticeGrid.grid_id.in_(grid_ids))),
        and_(Notice.scope_kind == ScopeKind.BUILDINGS, exists().where(
            NoticeBuilding.notice_id == Notice.id,
            NoticeBuilding.building_id.in_(building_ids))),
    )
    notices = db.session.execute(
        select(Notice).where(
            Notice.community_id.in_({h.community_id for h in homes}),
            Notice.withdrawn_at.is_(None), _current(utcnow()), for_my_home)
        .options(joinedload(Notice.organisation))
        .order_by(Notice.pinned.desc(), Notice.published_at.desc(), Notice.id.desc())
        .limit(HOME_NOTICES)
    ).scalars().all()
    return notices, _read_ids(user, [n.id for n in notices])


def mark_read(notice: Notice, user) -> None:
    """Record the first opening only. The insert skips an existing receipt inside the
    database, so two tabs opening the notice at once cannot fail on the unique key.
    Reminders about the notice are read with it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(NoticeRead).values(notice_id=notice.id, user_id=user.id,
                                          read_at=utcnow())
        .on_conflict_do_nothing(index_elements=["notice_id", "user_id"]))
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.notice_id == notice.id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow()))


def _people_in_scope(notice: Notice):
    """(building, person, has read) for every person in the notice's scope.

    A person in scope is a user who is a verified resident or verified owner of the
    notice's community (role granted) and has a home there — a unit they live in or own
    through their linked owner record — in a building the scope covers. Someone with
    homes in two covered buildings appears under both."""
    lived = select(Unit.building_id, Residency.user_id).join(
        Residency, Residency.unit_id == Unit.id)
    owned = (select(Unit.building_id, Owner.user_id)
             .join(Ownership, Ownership.unit_id == Unit.id)
             .join(Owner, Owner.id == Ownership.owner_id).where(Owner.user_id.is_not(None)))
    homes = union(lived, owned).subquery()
    covered = Building.community_id == notice.community_id
    if notice.scope_kind == ScopeKind.GRIDS:
        covered = and_(covered, Building.grid_id.in_(
            select(NoticeGrid.grid_id).where(NoticeGrid.notice_id == notice.id)))
    elif notice.scope_kind == ScopeKind.BUILDINGS:
        covered = and_(covered, Building.id.in_(
            select(NoticeBuilding.building_id).where(NoticeBuilding.notice_id == notice.id)))
    verified = select(RoleGrant.user_id).where(
        RoleGrant.community_id == notice.community_id, RoleGrant.role.in_(VERIFIED_ROLES))
    has_read = exists().where(NoticeRead.notice_id == notice.id,
                              NoticeRead.user_id == homes.c.user_id)
    return (
        select(Building.id, Building.name, homes.c.user_id, has_read.label("has_read"))
        .join(homes, homes.c.building_id == Building.id)
        .where(covered, homes.c.user_id.in_(verified))
        .distinct())


@dataclass
class Rate:
    label: str
    people: int
    readers: int
    shown: bool = True  # False: about fewer than MIN_GROUP people, so no figures

    @property
    def percent(self) -> str:
        return percent(Fraction(self.readers, self.people)) if self.people else "—"


@dataclass
class ReadRate:
    overall: Rate
    buildings: list[Rate] = field(default_factory=list)


def read_rate(notice: Notice) -> ReadRate:
    """知晓率: of the people in scope (see _people_in_scope), how many opened the notice,
    overall and by building. A building with fewer than MIN_GROUP people joins "other
    buildings"; while those together are still fewer, the smallest shown building joins
    them too, so that no small group can be read off as the overall figure minus the
    others. Fewer than MIN_GROUP people in all: nothing is shown. One query."""
    rows = db.session.execute(_people_in_scope(notice)).all()
    everyone: dict[int, bool] = {}
    by_building: dict[tuple[str, int], dict[int, bool]] = {}
    for building_id, name, user_id, has_read in rows:
        everyone[user_id] = bool(has_read)
        by_building.setdefault((name, building_id), {})[user_id] = bool(has_read)
    overall = Rate(_("Everyone in scope"), len(everyone), sum(everyone.values()),
                   shown=len(everyone) >= MIN_GROUP)
    groups = sorted(by_building.items())
    shown = [(name, people) for (name, _), people in groups if len(people) >= MIN_GROUP]
    small = {user_id: read for (_, _), people in groups if len(people) < MIN_GROUP
             for user_id, read in people.items()}
    while small and len(small) < MIN_GROUP and shown:
        smallest = min(shown, key=lambda group: len(group[1]))
        shown.remove(smallest)
        small.update(smallest[1])
    rates = [Rate(name, len(people), sum(people.values())) for name, people in shown]
    if small:
        rates.append(Rate(_("Other buildings (fewer than %(num)d people each)", num=MIN_GROUP),
                          len(small), sum(small.values()), shown=len(small) >= MIN_GROUP))
    return ReadRate(overall=overall, buildings=rates)


def remind(notice: Notice, *, actor, now: datetime | None = None) -> int:
    """Send NOTICE_REMINDER to everyone in scope who has not opened the notice; at most
    once every 24 hours. Returns how many were reminded."""
    now = now or utcnow()
    if notice.withdrawn_at is not None or is_expired(notice, now):
        raise NoticeRefused("notice.not_current")
    if notice.last_reminded_at is not None and now < notice.last_reminded_at + REMIND_EVERY:
        raise NoticeRefused("notice.reminded_recently", at=notice.last_reminded_at,
                            next_at=notice.last_reminded_at + REMIND_EVERY)
    unread = {user_id for _b, _n, user_id, has_read in
              db.session.execute(_people_in_scope(notice)).all() if not has_read}
    if not unread:
        raise NoticeRefused("notice.everyone_read")
    notify(unread, NotificationKind.NOTICE_REMINDER, actor=actor, notice_id=notice.id,
           details={"title": notice.title})
    notice.last_reminded_at = now
    record("notice.remind", actor=actor, community_id=notice.community_id,
           target=f"notice:{notice.id}", details={"reminded": len(unread)})
    return len(unread)


def set_pinned(notice: Notice, pinned: bool, *, actor) -> None:
    notice.pinned = pinned
    record("notice.pin" if pinned else "notice.unpin", actor=actor,
           community_id=notice.community_id, target=f"notice:{notice.id}")


def withdraw(notice: Notice, *, actor) -> None:
    """Take a notice off the board; its issuer still sees it, marked withdrawn."""
    if notice.withdrawn_at is not None:
        raise NoticeRefused("notice.already_withdrawn")
    notice.withdrawn_at = utcnow()
    record("notice.withdraw", actor=actor, community_id=notice.community_id,
           target=f"notice:{notice.id}")
