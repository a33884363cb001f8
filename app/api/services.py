"""What each API caller may read: strangers only what the community made public (the same
condition as the public pages), signed-in people what the site shows them. Every list is
one page of rows after a cursor (by id, or in a sync by when they changed), in a constant
number of queries."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app, g, has_request_context, url_for
from flask_login import current_user
from sqlalchemy import and_, false, func, not_, or_, select
from sqlalchemy.orm import joinedload

from app.api.data_classes import ANONYMOUS, RESIDENT, STAFF_MEMBER, gate
from app.api.schemas import NoticeSchema, PollSchema, ProposalSchema, data_classes_of
from app.community.models import Community, Membership, Organisation, OrganisationKind
from app.discussion.models import Comment, Stance
from app.extensions import db
from app.followups.models import FollowUpAction
from app.meetings.models import AgendaItem, Meeting, Minutes
from app.notices.models import Notice, NoticeAttachment
from app.permissions import STAFF_ROLES, can
from app.proposals.models import ModerationState, Proposal
from app.public.services import public_but_for_withdrawal, shown_publicly
from app.voting.models import ElectorateKind, Poll, PollStatus, RollEntry
from app.voting.services import official_result

CLOSED = (PollStatus.CLOSED, PollStatus.FINAL)
NOTICE, POLL, PROPOSAL = NoticeSchema(), PollSchema(), ProposalSchema()
CLASSES = {"notice": data_classes_of(NOTICE), "poll": data_classes_of(POLL),
           "proposal": data_classes_of(PROPOSAL)}


class BadCursor(ValueError):
    """A cursor this API did not hand out, or one from a walk with another updated_since."""


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last row's id and, in an incremental sync (rows
    ordered by when they changed, then id), that row's updated_at."""

    last_id: int = 0
    last_updated: datetime | None = None


def encode_cursor(last_id: int, last_updated: datetime | None = None) -> str:
    text = f"id:{last_id}" if last_updated is None else f"at:{last_updated.isoformat()},{last_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, syncing: bool = False) -> Cursor:
    """The position a cursor names; ``syncing``: the walk has an updated_since, whose
    cursors carry a time as well as an id."""
    if not cursor:
        return Cursor()
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "id" and not syncing and value.isdigit():
            return Cursor(int(value))
        stamp, _, last_id = value.partition(",")
        if kind == "at" and syncing and last_id.isdigit():
            last_updated = datetime.fromisoformat(stamp)
            if last_updated.tzinfo is not None:
                return Cursor(int(last_id), last_updated)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor(cursor) from error
    raise BadCursor(cursor)


def caller_in(community: Community) -> str:
    """The caller's kind in one community, for the data-class gate. An organisation's token
    reads its own community as a member does."""
    token = g.get("api_token")
    if token is not None:
        return RESIDENT if token.organisation.community_id == community.id else ANONYMOUS
    if not current_user.is_authenticated:
        return ANONYMOUS
    if can(current_user, "api.read_staff_fields", community):
        return STAFF_MEMBER
    if can(current_user, "api.read_resident_fields", community):
        return RESIDENT
    return ANONYMOUS


def street_office_reach(token) -> set[int]:
    """The communities whose insights a street office's token reads: its own, and every
    community where the person who issued it is staff of the street office. The model
    keeps a street office as one organisation per community, tied together only by its
    people, so the token reaches what its issuer's own summary on the site shows, and shrinks
    when the issuer leaves one of them. Any other organisation's token reads none."""
    if token.organisation.kind != OrganisationKind.STREET_OFFICE:
        return set()
    return {token.organisation.community_id, *db.session.execute(
        select(Organisation.community_id).join(Membership,
                                               Membership.organisation_id == Organisation.id)
        .where(Organisation.kind == OrganisationKind.STREET_OFFICE,
               Membership.user_id == token.created_by_id,
               Membership.role.in_(STAFF_ROLES))).scalars()}


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows in order, the cursor of the next page, and in a sync
    the ids of the rows that left the list since (each answered as a tombstone)."""

    rows: list
    next_cursor: str | None
    removed: frozenset[int] = frozenset()


def _page(statement, model, position: Cursor, limit: int, since: datetime | None = None,
          also_changed=None, left=None) -> Page:
    """One page of rows after ``position``. Without ``since``: by id. With it: only rows
    changed at or after ``since`` (their updated_at, or ``also_changed``, the changes of
    what the row shows that live elsewhere), ordered by (updated_at, id), so that a row
    changed during the walk moves behind the cursor and is read again, never skipped.

    ``left``: what takes a row out of the list (withdrawn, hidden), where ``statement``
    holds every row the caller could read but for it. Those rows stay out of a plain walk;
    in a sync, the ones whose leaving (their updated_at) falls after ``since`` come in the
    same order, as removed, so that a syncing system drops them too."""
    removed = false()
    if left is not None and since is None:
        statement = statement.where(not_(left))
    if since is None:
        statement = statement.where(model.id > position.last_id).order_by(model.id)
    else:
        changed = model.updated_at >= since
        if also_changed is not None:
            changed = or_(changed, also_changed)
        if left is not None:
            removed = left
            changed = or_(and_(not_(left), changed), and_(left, model.updated_at >= since))
        statement = statement.where(changed).order_by(model.updated_at, model.id)
        if position.last_updated is not None:
            statement = statement.where(or_(
                model.updated_at > position.last_updated,
                and_(model.updated_at == position.last_updated, model.id > position.last_id)))
    found = db.session.execute(statement.add_columns(removed.label("removed"))
                               .limit(limit + 1)).unique().all()
    more = len(found) > limit
    found = found[:limit]
    rows = [row for row, _ in found]
    gone = frozenset(row.id for row, is_removed in found if is_removed)
    if not more:
        return Page(rows, None, gone)
    return Page(rows, encode_cursor(rows[-1].id, None if since is None else rows[-1].updated_at),
                gone)


def communities_page(position: Cursor, limit: int, since: datetime | None = None):
    return _page(select(Community), Community, position, limit, since)


def notices_page(community: Community, caller: str, now, position: Cursor, limit: int,
                 since: datetime | None = None):
    """A notice also changes for a sync when it comes out at its publication time, and for
    strangers when the community changes what it makes public. A withdrawn one leaves the
    list (for strangers, one the public page showed until then; one withdrawn before it
    came out was never in it). An expired one stays, with its expires_at, as the site
    still shows it under "Expired"."""
    statement = (select(Notice).join(Community, Community.id == Notice.community_id)
                 .where(Notice.community_id == community.id,
                        or_(Notice.withdrawn_at.is_(None),
                            Notice.withdrawn_at >= Notice.published_at))
                 .options(joinedload(Notice.organisation)))
    if caller == ANONYMOUS:
        statement = statement.where(public_but_for_withdrawal(now))
    else:
        statement = statement.where(Notice.published_at <= now)
    if since is None:
        also = None
    elif caller == ANONYMOUS:
        also = or_(Notice.published_at >= since, Community.updated_at >= since)
    else:
        also = Notice.published_at >= since
    return _page(statement, Notice, position, limit, since, also,
                 left=Notice.withdrawn_at.is_not(None))


def notice_files(notices: list[Notice], now) -> tuple[dict, set[int]]:
    """The attachments of a page of notices, and which of those notices the public page
    shows (their files download without login), in two queries."""
    ids = [n.id for n in notices]
    files: dict = {notice_id: [] for notice_id in ids}
    for attachment in db.session.execute(
            select(NoticeAttachment).where(NoticeAttachment.notice_id.in_(ids))
            .order_by(NoticeAttachment.position, NoticeAttachment.id)).scalars():
        files[attachment.notice_id].append(attachment)
    public = set(db.session.execute(
        select(Notice.id).join(Community, Community.id == Notice.community_id)
        .where(Notice.id.in_(ids), shown_publicly(now))).scalars())
    return files, public


def _visible_polls(caller: str):
    statement = (select(Poll).join(Community, Community.id == Poll.community_id)
                 .join(Proposal, Proposal.id == Poll.proposal_id)
                 .where(Proposal.published_at.is_not(None)))
    if caller == ANONYMOUS:
        statement = statement.where(Poll.electorate == ElectorateKind.OWNERS,
                                    Poll.status.in_(CLOSED),
                                    Community.public_result_notices.is_(True))
    return statement


def polls_page(community: Community, caller: str, position: Cursor, limit: int,
               since: datetime | None = None):
    """Strangers' polls also change when the community starts or stops publishing
    results."""
    also = None if since is None or caller != ANONYMOUS else Community.updated_at >= since
    return _page(_visible_polls(caller).where(Poll.community_id == community.id), Poll,
                 position, limit, since, also)


def visible_poll(poll_id: int) -> tuple[Poll, str] | None:
    """A poll and the caller's kind in its community, if the caller may see it."""
    poll = db.session.execute(select(Poll).where(Poll.id == poll_id)).scalar_one_or_none()
    if poll is None:
        return None
    community = db.session.get(Community, poll.community_id)
    caller = caller_in(community)
    shown = db.session.execute(_visible_polls(caller).where(Poll.id == poll_id)
                               ).scalar_one_or_none()
    return (shown, caller) if shown is not None else None


def turnouts(poll_ids: list[int]) -> dict[int, tuple[int, object]]:
    """People and area that voted, for a page of polls in one query."""
    rows = db.session.execute(
        select(RollEntry.poll_id, func.count(RollEntry.id),
               func.coalesce(func.sum(RollEntry.area), 0))
        .where(RollEntry.poll_id.in_(poll_ids), RollEntry.voted_at.is_not(None))
        .group_by(RollEntry.poll_id)).all()
    return {poll_id: (people, area) for poll_id, people, area in rows}


def poll_results(poll: Poll) -> dict | None:
    """The official count, where the poll's visibility lets the caller see results: after
    close for everybody who sees the poll, before close as the site would show it."""
    if not (poll.status in CLOSED or can(current_user, "poll.see_results", (poll, False))):
        return None
    result = official_result(poll)
    return {"outcome": result.outcome, "participants": result.participants,
            "participating_area": result.participating_area,
            "options": [{"option": o.option, "people": o.people, "area": o.area}
                        for o in result.options]}


def proposals_page(community: Community, caller: str, position: Cursor, limit: int,
                   since: datetime | None = None):
    """Published proposals that moderation has not hidden, for members only; hiding one
    (by a moderator, or pending review after reports) takes it out of the list. A withdrawn
    proposal stays, with its status, as on the site."""
    if caller == ANONYMOUS:
        return Page([], None)
    statement = select(Proposal).where(
        Proposal.community_id == community.id, Proposal.published_at.is_not(None))
    return _page(statement, Proposal, position, limit, since,
                 left=Proposal.moderation_state != ModerationState.VISIBLE)


def discussion_facts(proposal_ids: list[int]) -> tuple[dict, dict]:
    """Stances of the visible top-level comments and the official answers, for a page of
    proposals in two queries."""
    shown = (Comment.proposal_id.in_(proposal_ids), Comment.deleted_at.is_(None),
             Comment.moderation_state == ModerationState.VISIBLE)
    stances: dict = {pid: {stance.value: 0 for stance in Stance} for pid in proposal_ids}
    for pid, stance, count in db.session.execute(
            select(Comment.proposal_id, Comment.stance, func.count(Comment.id))
            .where(*shown, Comment.parent_id.is_(None), Comment.stance.is_not(None))
            .group_by(Comment.proposal_id, Comment.stance)).all():
        stances[pid][stance] = count
    answers: dict = {pid: [] for pid in proposal_ids}
    for pid, name, body, created_at in db.session.execute(
            select(Comment.proposal_id, Organisation.name, Comment.body, Comment.created_at)
            .join(Organisation, Organisation.id == Comment.organisation_id)
            .where(*shown).order_by(Comment.id)).all():
        answers[pid].append({"organisation": name, "body": body, "created_at": created_at})
    return stances, answers


def meetings_page(community: Community, caller: str, position: Cursor, limit: int,
                  since: datetime | None = None):
    """Meetings, for members only: strangers read the published minutes as notices. A
    meeting also changes for a sync when a notice of its minutes does (withdrawn, say)."""
    if caller == ANONYMOUS:
        return Page([], None)
    also = None if since is None else Meeting.id.in_(
        select(Minutes.meeting_id).join(Notice, Notice.minutes_id == Minutes.id)
        .where(Notice.updated_at >= since))
    return _page(select(Meeting).where(Meeting.community_id == community.id)
                 .options(joinedload(Meeting.organisation)), Meeting, position, limit, since,
                 also)


def meeting_facts(meeting_ids: list[int]) -> tuple[dict, dict]:
    """The agendas and the notice of each meeting's latest minutes, in two queries."""
    agendas: dict = {mid: [] for mid in meeting_ids}
    for mid, position, proposal_id, title in db.session.execute(
            select(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.proposal_id,
                   Proposal.title).join(Proposal, Proposal.id == AgendaItem.proposal_id)
            .where(AgendaItem.meeting_id.in_(meeting_ids))
            .order_by(AgendaItem.position, AgendaItem.id)).all():
        agendas[mid].append({"position": position, "proposal_id": proposal_id, "title": title})
    minutes: dict = {}
    for mid, notice_id in db.session.execute(
            select(Minutes.meeting_id, Notice.id).join(Notice, Notice.minutes_id == Minutes.id)
            .where(Minutes.meeting_id.in_(meeting_ids), Notice.withdrawn_at.is_(None))
            .order_by(Minutes.version)).all():
        minutes[mid] = notice_id  # the latest version wins
    return agendas, minutes


def actions_page(community: Community, caller: str, position: Cursor, limit: int,
                 since: datetime | None = None):
    """Follow-up actions of published proposals, for members only."""
    if caller == ANONYMOUS:
        return Page([], None)
    return _page(select(FollowUpAction).join(Proposal, Proposal.id == FollowUpAction.proposal_id)
                 .where(FollowUpAction.community_id == community.id,
                        Proposal.published_at.is_not(None))
                 .options(joinedload(FollowUpAction.organisation)),
                 FollowUpAction, position, limit, since)


# --- What a caller reads of one thing: the API's lists and the webhooks' payloads ----------


def site_url(endpoint: str, **values) -> str:
    """A page's absolute address within a request. Outside one (a poll closed by cron that
    a webhook reports) on PUBLIC_BASE_URL, or only the path when that is not set."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    path = current_app.url_map.bind("").build(endpoint, values)
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + path


def _file_url(notice_id: int, attachment, public: bool) -> str:
    endpoint = "public.notice_attachment" if public else "notices.attachment"
    return site_url(endpoint, notice_id=notice_id, attachment_id=attachment.id)


def notice_data(notice, caller: str, files: list, public: bool) -> dict:
    """``files``, ``public``: the notice's part of ``notice_files``."""
    data = NOTICE.dump({
        "id": notice.id, "community_id": notice.community_id, "kind": notice.kind,
        "title": notice.title, "body_html": notice.body_html,
        "organisation": notice.organisation.name, "published_at": notice.published_at,
        "expires_at": notice.expires_at, "poll_id": notice.poll_id,
        "attachments": [{"name": a.original_name, "content_type": a.content_type,
                         "size": a.size, "url": _file_url(notice.id, a, public)}
                        for a in files],
        "scope_kind": notice.scope_kind, "updated_at": notice.updated_at})
    return gate(CLASSES["notice"], data, caller)


def poll_data(poll, caller: str, turnout, results=None) -> dict:
    """``turnout``: the poll's (people, area) from ``turnouts``."""
    people, area = turnout
    data = POLL.dump({
        "id": poll.id, "proposal_id": poll.proposal_id, "community_id": poll.community_id,
        "question": poll.question, "matter": poll.matter, "rule": poll.rule,
        "electorate": poll.electorate, "kind": poll.kind, "status": poll.status,
        "opens_at": poll.opens_at, "closes_at": poll.closes_at,
        "roll_people": poll.total_people, "roll_area": poll.total_area,
        "voted_people": people, "voted_area": Decimal(area).quantize(Decimal("0.01")),
        "results": results, "updated_at": poll.updated_at})
    return gate(CLASSES["poll"], data, caller)


def proposal_data(proposal, caller: str, stances: dict, answers: dict) -> dict:
    """``stances``, ``answers``: from ``discussion_facts``."""
    return gate(CLASSES["proposal"], PROPOSAL.dump({
        "id": proposal.id, "community_id": proposal.community_id, "title": proposal.title,
        "status": proposal.status, "category": proposal.category,
        "scope_kind": proposal.scope_kind, "cosponsors": proposal.cosponsor_count,
        "comments": proposal.comment_count, "stances": stances[proposal.id],
        "official_answers": answers[proposal.id], "published_at": proposal.published_at,
        "updated_at": proposal.updated_at}), caller)
