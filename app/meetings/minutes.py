"""A meeting's minutes (会议纪要): built from what was recorded, published and versioned.

The draft is built afresh from the current records each time. Publishing freezes it: the
document goes into a Minutes row as JSON, its SHA-256 into the audit log, its Markdown onto
the notice board. A correction is a new version that names the one it replaces; downloads
of a published version render its frozen content, never the records as they are now.
"""

import hashlib
import json
from dataclasses import asdict

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.community.models import Membership
from app.core.documents import (
    HEADING,
    ITEMS,
    PARAGRAPH,
    SIGN_HERE,
    TABLE,
    Block,
    Document,
    long_date,
    long_datetime,
    markdown_blocks,
    to_markdown,
)
from app.core.refusals import Refused
from app.discussion.labels import STANCE_LABELS
from app.discussion.models import Comment
from app.extensions import db, local_zone, utcnow
from app.followups.services import actions_for_meeting
from app.meetings.labels import KIND_LABELS
from app.meetings.models import AgendaItem, Attendee, Meeting, Minutes
from app.meetings.quorum import SOURCES, HandsRefused
from app.meetings.services import attendance, hands_result, state
from app.notices.models import NoticeKind
from app.notices.services import post_document_notice, retire_notices
from app.proposals.models import ModerationState, Proposal
from app.voting.labels import (
    OUTCOME_LABELS,
    RULE_LABELS,
    YES_NO_LABELS,
    describe_in_words,
    matter_label,
)
from app.voting.models import ElectorateKind, Poll, PollStatus, QuestionKind
from app.voting.services import results


class MinutesRefused(Refused):
    """``minutes.cancelled`` or ``minutes.not_started`` (nothing to minute yet)."""


# --- Loading ---------------------------------------------------------------------------------


def load_meeting(meeting_id: int) -> Meeting | None:
    """The meeting with everything the minutes name: three queries for the meeting, its
    people and its agenda, however many there are."""
    return db.session.execute(
        select(Meeting).where(Meeting.id == meeting_id)
        .options(joinedload(Meeting.community), joinedload(Meeting.organisation),
                 joinedload(Meeting.chair), joinedload(Meeting.recorder),
                 selectinload(Meeting.attendees).options(joinedload(Attendee.user),
                                                         joinedload(Attendee.organisation)),
                 selectinload(Meeting.items).joinedload(AgendaItem.proposal).options(
                     joinedload(Proposal.author), joinedload(Proposal.organisation)))
        .execution_options(populate_existing=True)
    ).unique().scalar_one_or_none()


def versions_of(meeting: Meeting) -> list[Minutes]:
    """Every published version, newest first."""
    return db.session.execute(
        select(Minutes).where(Minutes.meeting_id == meeting.id)
        .options(joinedload(Minutes.published_by))
        .order_by(Minutes.version.desc())
    ).scalars().all()


def minutes_refusal(meeting: Meeting) -> MinutesRefused | None:
    """Why the minutes cannot be published now, or None."""
    meeting_state = state(meeting)
    if meeting_state == "cancelled":
        return MinutesRefused("minutes.cancelled")
    if meeting_state == "upcoming":
        return MinutesRefused("minutes.not_started")
    return None


# --- Building ------------------------------------------------------------------------------


def _stances(proposal_ids: list[int]) -> dict[int, dict[str, int]]:
    """Visible top-level comments by proposal and stance, in one GROUP BY."""
    counts: dict[int, dict[str, int]] = {pid: {} for pid in proposal_ids}
    rows = db.session.execute(
        select(Comment.proposal_id, Comment.stance, func.count(Comment.id))
        .where(Comment.proposal_id.in_(proposal_ids), Comment.parent_id.is_(None),
               Comment.organisation_id.is_(None), Comment.deleted_at.is_(None),
               Comment.moderation_state == ModerationState.VISIBLE)
        .group_by(Comment.proposal_id, Comment.stance)
    ).all()
    for proposal_id, stance, count in rows:
        counts[proposal_id][stance] = count
    return counts


def _official_answers(proposal_ids: list[int]) -> dict[int, list[Comment]]:
    answers: dict[int, list[Comment]] = {pid: [] for pid in proposal_ids}
    rows = db.session.execute(
        select(Comment)
        .where(Comment.proposal_id.in_(proposal_ids), Comment.parent_id.is_(None),
               Comment.organisation_id.is_not(None), Comment.deleted_at.is_(None),
               Comment.moderation_state == ModerationState.VISIBLE)
        .options(joinedload(Comment.organisation)).order_by(Comment.id)
    ).scalars()
    for answer in rows:
        answers[answer.proposal_id].append(answer)
    return answers


def _polls(items: list[AgendaItem]) -> dict[int, Poll]:
    poll_ids = [item.poll_id for item in items if item.poll_id is not None]
    if not poll_ids:
        return {}
    return {poll.id: poll for poll in db.session.execute(
        select(Poll).where(Poll.id.in_(poll_ids)).options(selectinload(Poll.options))
    ).scalars()}


def _names(attendees: list[Attendee]) -> str:
    return "、".join(attendee.name for attendee in attendees) or "—"


def _leave(meeting: Meeting) -> dict[tuple[int, int], str]:
    """The reason of each invitee on approved leave on the meeting's day, by (organisation,
    person), in one query."""
    day = meeting.starts_at.astimezone(local_zone()).date()
    pairs = {(a.organisation_id, a.user_id) for a in meeting.attendees
             if a.organisation_id is not None and not a.present}
    if not pairs:
        return {}
    rows = db.session.execute(select(Membership).where(
        Membership.organisation_id.in_({o for o, _u in pairs}),
        Membership.user_id.in_({u for _o, u in pairs}),
        Membership.on_leave_until >= day)).scalars()
    return {(m.organisation_id, m.user_id): m.leave_reason for m in rows
            if (m.organisation_id, m.user_id) in pairs}


def _attendance_blocks(meeting: Meeting) -> list[Block]:
    """Who came (出席), who was excused and why (请假), who did not come (缺席) and who sat in
    without a vote (列席), organisation by organisation."""
    no_organisation = _("Without organisation")
    leave = _leave(meeting)
    groups: dict[str, dict[str, list[str]]] = {}
    for attendee in meeting.attendees:
        reason = leave.get((attendee.organisation_id, attendee.user_id))
        if attendee.voting and attendee.present:
            column, name = "present", attendee.name
        elif reason is not None:
            column = "leave"
            name = _("%(name)s (%(reason)s)", name=attendee.name,
                     reason=reason) if reason else attendee.name
        elif attendee.voting and attendee.invited:
            column, name = "absent", attendee.name
        elif not attendee.voting and attendee.present:
            column, name = "observing", attendee.name
        else:
            continue
        organisation = attendee.organisation.name if attendee.organisation else no_organisation
        groups.setdefault(organisation, {"present": [], "leave": [], "absent": [],
                                         "observing": []})[column].append(name)
    rows = [[_("Organisation"), _("Present"), _("On leave (reason)"), _("Absent"),
             _("Non-voting attendees (列席)")]]
    rows += [[name] + ["、".join(g[column]) or "—"
                       for column in ("present", "leave", "absent", "observing")]
             for name, g in groups.items()]
    blocks = [Block(HEADING, _("Attendance"))]
    if len(rows) > 1:
        blocks.append(Block(TABLE, rows=rows))
    else:
        blocks.append(Block(PARAGRAPH, _("No attendance was recorded.")))
    return blocks


def _quorum_blocks(meeting: Meeting, counted) -> list[Block]:
    observers = sum(1 for a in meeting.attendees if not a.voting and a.present)
    blocks = [Block(HEADING, _("Quorum")), Block(PARAGRAPH, _(
        "Voting members invited: %(invited)d; present: %(present)d; absent: %(absent)d. "
        "Non-voting attendees present: %(observers)d.",
        invited=counted.voting_invited, present=counted.voting_present,
        absent=counted.voting_invited - counted.voting_present, observers=observers))]
    quorum = counted.quorum
    blocks.append(Block(PARAGRAPH, _("Rules of decision: %(source)s",
                                     source=SOURCES[meeting.kind])))
    if quorum is None:
        blocks.append(Block(PARAGRAPH, _(
            "An owners' general meeting decides by its polls, whose quorum is that of "
            "Article 278 of the Civil Code (area and people): see the vote on each item.")))
    else:
        blocks.append(Block(PARAGRAPH, describe_in_words(quorum)))
        blocks.append(Block(PARAGRAPH, _("The meeting had its quorum.") if quorum.holds
                            else _("The meeting did not have its quorum.")))
    return blocks


def _deliberation_blocks(item: AgendaItem, stances: dict[str, int],
                         answers: list[Comment]) -> list[Block]:
    blocks = [Block(HEADING, _("Online deliberation"), level=3),
              Block(TABLE, rows=[[str(label) for label in STANCE_LABELS.values()],
                                 [str(stances.get(stance, 0)) for stance in STANCE_LABELS]])]
    for answer in answers:
        blocks.append(Block(PARAGRAPH, _("Official answer of %(organisation)s (%(date)s):",
                                         organisation=answer.organisation.name,
                                         date=long_date(answer.created_at))))
        blocks += markdown_blocks(answer.body, top_level=5)
    blocks.append(Block(HEADING, _("Speakers' main points"), level=3))
    blocks += (markdown_blocks(item.notes, top_level=5) if item.notes.strip()
               else [Block(PARAGRAPH, _("The recorder noted nothing further."))])
    return blocks


def _poll_blocks(poll: Poll) -> list[Block]:
    blocks = [Block(PARAGRAPH, _("Poll “%(question)s”, counted under the rule: %(rule)s.",
                                 question=poll.question, rule=RULE_LABELS[poll.rule]))]
    if matter := matter_label(poll):
        blocks.append(Block(PARAGRAPH, _("Matter: %(matter)s.", matter=matter)))
    if poll.status not in (PollStatus.CLOSED, PollStatus.FINAL):
        blocks.append(Block(PARAGRAPH, _(
            "The poll is not closed yet (it closes %(closes)s); its result will be in the "
            "result notice.", closes=long_datetime(poll.closes_at))))
        return blocks
    raw, deemed = results(poll)
    official = deemed or raw
    owners = poll.electorate == ElectorateKind.OWNERS
    labels = (YES_NO_LABELS if poll.kind == QuestionKind.YES_NO
              else {str(option.id): option.label for option in poll.options})
    rows = [[_("Option"), _("People")] + ([_("Area (square metres)")] if owners else [])]
    rows += [[str(labels[o.option]), str(o.people)] + ([f"{o.area:,.2f}"] if owners else [])
             for o in official.options]
    blocks.append(Block(TABLE, rows=rows))
    lines = [describe_in_words(c) for c in official.quorum]
    lines += [describe_in_words(c) for option in official.options for c in option.conditions
              if option.option in official.winners
              or poll.kind == QuestionKind.YES_NO and option.option == "approve"]
    if lines:
        blocks.append(Block(ITEMS, items=lines))
    if deemed is not None:
        blocks.append(Block(PARAGRAPH, _(
            "Counted with deemed consent under %(clause)s; ballots cast alone: %(raw)s.",
            clause=poll.deemed_consent_clause, raw=OUTCOME_LABELS[raw.outcome])))
    blocks.append(Block(PARAGRAPH, _("Result: %(outcome)s.",
                                     outcome=OUTCOME_LABELS[official.outcome])))
    return blocks


def _hands_blocks(meeting: Meeting, item: AgendaItem, counted) -> list[Block]:
    hands = dict(votes_for=item.hands_for, against=item.hands_against or 0,
                 abstain=item.hands_abstain or 0)
    blocks = [Block(PARAGRAPH, _(
        "Show of hands: %(votes_for)d in favour, %(against)d against, %(abstain)d "
        "abstaining.", **hands))]
    try:
        result = hands_result(meeting, item, counted)
    except HandsRefused:
        blocks.append(Block(PARAGRAPH, _(
            "These hands no longer fit the attendance recorded, so they were not judged.")))
        return blocks
    lines = [describe_in_words(c) for c in result.quorum]
    lines += [describe_in_words(c) for c in result.option("approve").conditions]
    blocks.append(Block(ITEMS, items=lines))
    blocks.append(Block(PARAGRAPH, _("Result: %(outcome)s.",
                                     outcome=OUTCOME_LABELS[result.outcome])))
    return blocks


def _item_blocks(meeting: Meeting, number: int, item: AgendaItem, counted, context) -> list:
    proposal = item.proposal
    stances, answers, polls, actions = context
    by = proposal.organisation.name if proposal.organisation else proposal.author.name
    blocks = [Block(HEADING, _("Item %(number)d: %(title)s", number=number,
                               title=proposal.title)),
              Block(HEADING, _("What was proposed"), level=3),
              Block(PARAGRAPH, _("Proposed by %(by)s.", by=by))]
    blocks += markdown_blocks(proposal.body, top_level=4)
    blocks += _deliberation_blocks(item, stances[proposal.id], answers[proposal.id])
    blocks.append(Block(HEADING, _("Vote"), level=3))
    if item.poll_id is not None:
        blocks += _poll_blocks(polls[item.poll_id])
    if item.hands_for is not None:
        blocks += _hands_blocks(meeting, item, counted)
    if item.poll_id is None and item.hands_for is None:
        blocks.append(Block(PARAGRAPH, _("No vote was taken on this item.")))
    blocks += [Block(HEADING, _("Resolution"), level=3),
               Block(PARAGRAPH, item.resolution or _("No resolution was recorded.")),
               Block(HEADING, _("Follow-up actions"), level=3)]
    item_actions = actions.get(item.id, [])
    if item_actions:
        blocks.append(Block(ITEMS, items=[
            _("%(action)s (%(organisation)s, due %(due)s)", action=action.description,
              organisation=action.organisation.name, due=long_date(action.due_on))
            for action in item_actions]))
    else:
        blocks.append(Block(PARAGRAPH, _("None.")))
    return blocks


def _signature_blocks(meeting: Meeting) -> list[Block]:
    present = [a for a in meeting.attendees if a.present]
    rows = [[_("Name of attendee"), _("Organisation"), _("Signature")]]
    rows += [[a.name, a.organisation.name if a.organisation else "", ""] for a in present]
    blocks = [Block(HEADING, _("Signatures")),
              Block(PARAGRAPH, _("Chair (主持人): %(name)s", name=meeting.chair.name)
                    + "  " + _("Signature:") + " " + SIGN_HERE),
              Block(PARAGRAPH, _("Recorder (记录人): %(name)s", name=meeting.recorder.name)
                    + "  " + _("Signature:") + " " + SIGN_HERE),
              Block(PARAGRAPH, _("Attendees (参会人员):"))]
    if present:
        blocks.append(Block(TABLE, rows=rows))
    return blocks


def build_minutes(meeting: Meeting, preface: list[str] | None = None) -> Document:
    """The minutes as they stand in the records, in the current locale. ``preface``: lines
    shown under the title (a draft's warning, a version and its correction)."""
    items = list(meeting.items)
    proposal_ids = [item.proposal_id for item in items]
    context = (_stances(proposal_ids), _official_answers(proposal_ids), _polls(items),
               actions_for_meeting(meeting))
    counted = attendance(meeting)
    starts, ends = long_datetime(meeting.starts_at), long_datetime(meeting.ends_at)
    if long_date(meeting.ends_at) == long_date(meeting.starts_at):
        ends = ends.removeprefix(long_date(meeting.ends_at)).strip()
    blocks = [Block(PARAGRAPH, line) for line in preface or []]
    blocks += [Block(HEADING, _("Time and place")),
               Block(PARAGRAPH, _("Time: %(starts)s to %(ends)s (Beijing time)",
                                  starts=starts, ends=ends))]
    if meeting.place:
        blocks.append(Block(PARAGRAPH, _("Place: %(place)s", place=meeting.place)))
    if meeting.online_link:
        blocks.append(Block(PARAGRAPH, _("Online: %(link)s", link=meeting.online_link)))
    blocks += [Block(PARAGRAPH, _("Convened by: %(organisation)s",
                                  organisation=meeting.organisation.name)),
               Block(PARAGRAPH, _("Kind of meeting: %(kind)s", kind=KIND_LABELS[meeting.kind])),
               Block(HEADING, _("Chair and recorder")),
               Block(PARAGRAPH, _("Chair: %(name)s", name=meeting.chair.name)),
               Block(PARAGRAPH, _("Recorder: %(name)s", name=meeting.recorder.name)),
               Block(HEADING, _("Agenda"))]
    if items:
        blocks.append(Block(ITEMS, items=[item.proposal.title for item in items], ordered=True))
    blocks += _attendance_blocks(meeting)
    blocks += _quorum_blocks(meeting, counted)
    for number, item in enumerate(items, start=1):
        blocks += _item_blocks(meeting, number, item, counted, context)
    if not items:
        blocks.append(Block(PARAGRAPH, _("The agenda was empty.")))
    blocks += _signature_blocks(meeting)
    # The minutes are dated by the meeting they record, not by the day they are exported.
    return Document(title=_("Minutes: %(title)s", title=meeting.title), blocks=blocks,
                    signature=[meeting.organisation.name, long_date(meeting.starts_at)])


def draft_minutes(meeting: Meeting) -> Document:
    return build_minutes(meeting, [_("Draft: not published; the records may still change.")])


# --- Publishing ------------------------------------------------------------------------------


def content_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def publish(meeting: Meeting, *, actor, reason: str = "") -> Minutes:
    """Freeze the minutes as they stand: version 1, or a correction of the latest version
    (the form makes sure a correction has its reason)."""
    refusal = minutes_refusal(meeting)
    if refusal:
        raise refusal
    latest = db.session.execute(
        select(Minutes).where(Minutes.meeting_id == meeting.id)
        .order_by(Minutes.version.desc()).limit(1)).scalar_one_or_none()
    version = latest.version + 1 if latest else 1
    # Official minutes are in the community's language, whatever the recorder reads in.
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        now = utcnow()
        preface = [_("Version %(version)d, posted on %(date)s.", version=version,
                     date=long_date(now))]
        if latest:
            preface.append(_("It corrects version %(previous)d: %(reason)s",
                             previous=latest.version, reason=reason))
        document = build_minutes(meeting, preface)
    content = asdict(document)
    minutes = Minutes(meeting_id=meeting.id, version=version, content=content,
                      content_hash=content_hash(content), language=language,
                      supersedes_id=latest.id if latest else None,
                      correction_reason=reason if latest else "",
                      published_by_id=actor.id, published_at=now)
    db.session.add(minutes)
    meeting.updated_at = now  # the API shows the meeting's latest minutes
    db.session.flush()
    if latest:
        retire_notices(minutes_id=latest.id)
    record("minutes.publish", actor=actor, community_id=meeting.community_id,
           target=f"meeting:{meeting.id}",
           details={"hash": minutes.content_hash, "version": version, "minutes_id": minutes.id,
                    "supersedes": latest.version if latest else None})
    post_document_notice(community_id=meeting.community_id,
                         organisation_id=meeting.organisation_id, kind=NoticeKind.MINUTES,
                         title=document.title, body=to_markdown(document, with_title=False),
                         minutes_id=minutes.id)
    return minutes


def published_document(minutes: Minutes) -> Document:
    """The version as it was published, not as the records stand now."""
    return Document.from_dict(minutes.content)


def file_name(meeting: Meeting, file_format: str, version: int | None = None) -> str:
    """ASCII only, so that every browser and mail client keeps it."""
    which = f"v{version}" if version else "draft"
    return f"meeting-{meeting.id}-minutes-{which}.{file_format}"
