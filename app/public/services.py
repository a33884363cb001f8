"""Which notices and polls strangers may read. One SQL condition decides it, so the list and
each page agree, and each costs one query however many notices a community has."""

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.community.models import Community, Organisation
from app.extensions import db
from app.notices.models import Notice, NoticeKind
from app.voting.models import ElectorateKind, Poll, PollStatus

PUBLIC_SETTINGS = ("public_result_notices", "public_minutes", "public_notices")
PAGE_SIZE = 30


def _owners_poll():
    return Notice.poll_id.in_(select(Poll.id).where(Poll.electorate == ElectorateKind.OWNERS))


def shown_publicly(now: datetime):
    """A published, not withdrawn notice of a kind its community makes public: the owners'
    result notices (preliminary and final, which list rooms and areas, never names), minutes,
    and announcements their issuer marked public. Needs ``Community`` in the query."""
    return and_(Notice.withdrawn_at.is_(None), public_but_for_withdrawal(now))


def public_but_for_withdrawal(now: datetime):
    """What the public page would show if nobody withdrew anything: the API's sync tells
    strangers which of these left it by withdrawal. Needs ``Community`` in the query."""
    return and_(
        Notice.published_at <= now,
        or_(and_(Community.public_result_notices.is_(True),
                 Notice.kind == NoticeKind.RESULT_NOTICE, _owners_poll()),
            and_(Community.public_minutes.is_(True), Notice.kind == NoticeKind.MINUTES),
            and_(Community.public_notices.is_(True), Notice.kind == NoticeKind.ANNOUNCEMENT,
                 Notice.public.is_(True))))


def public_notices(community: Community, now: datetime, page: int) -> tuple[list[Notice], bool]:
    """A page of the community's public notices, newest first, and whether more follow."""
    rows = db.session.execute(
        select(Notice).join(Community, Community.id == Notice.community_id)
        .where(Notice.community_id == community.id, shown_publicly(now))
        .options(joinedload(Notice.organisation))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def public_notice(notice_id: int, now: datetime) -> Notice | None:
    return db.session.execute(
        select(Notice).join(Community, Community.id == Notice.community_id)
        .where(Notice.id == notice_id, shown_publicly(now))
        .options(joinedload(Notice.organisation).joinedload(Organisation.community))
    ).unique().scalar_one_or_none()


def public_poll(poll_id: int) -> Poll | None:
    """A closed owners' poll whose community publishes result notices: its bulletin lists
    every ballot by receipt, with rooms and weight for an open roll, never a name."""
    return db.session.execute(
        select(Poll).join(Community, Community.id == Poll.community_id)
        .where(Poll.id == poll_id, Poll.electorate == ElectorateKind.OWNERS,
               Poll.status.in_([PollStatus.CLOSED, PollStatus.FINAL]),
               Community.public_result_notices.is_(True))
        .options(joinedload(Poll.options))).unique().scalar_one_or_none()


def update_public_settings(community: Community, *, actor, **values: bool) -> None:
    """Change what strangers may read (audited: it widens or narrows who sees what)."""
    before = {name: getattr(community, name) for name in PUBLIC_SETTINGS}
    for name in PUBLIC_SETTINGS:
        setattr(community, name, values[name])
    record("community.public_settings", actor=actor, community_id=community.id,
           target=f"community:{community.id}",
           details={"before": before, "after": {n: values[n] for n in PUBLIC_SETTINGS}})
