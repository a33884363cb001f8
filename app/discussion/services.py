"""Comments, official answers, reports and moderation.

The functions change the session and flush; the view commits. The context builders load a
discussion in a fixed number of queries, however many comments it has.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, get_template_attribute, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import User
from app.community.models import Community, Membership, Organisation, Role, RoleGrant
from app.core.preferences import safe_next
from app.core.refusals import Refused
from app.core.signals import proposal_page
from app.discussion.forms import CommentForm, OfficialAnswerForm, ReplyForm, ReportForm
from app.discussion.labels import STANCE_LABELS
from app.discussion.models import Comment, Mute, Report, ReportStatus
from app.extensions import db, utcnow
from app.notices.models import NotificationKind
from app.notices.services import notify
from app.permissions import STAFF_ROLES, can, load_standing
from app.proposals.models import ModerationState, Proposal
from app.proposals.services import follow, followers
from app.proposals.states import DISCUSSABLE, Status

EDIT_WINDOW = timedelta(minutes=10)
# Stands for the comment id in the blank reply and report fields rendered once a page.
_PLACEHOLDER = "commentid0placeholder"


@dataclass(frozen=True)
class _PlaceholderComment:
    id: str


def _render_form_fields(kind: str, form) -> Markup:
    return get_template_attribute("discussion/_macros.html", "form_fields")(kind, form)

QUEUE_LIMIT = 100


# --- Reading a discussion ------------------------------------------------------------------


@dataclass
class Discussion:
    """What templates/discussion/* need; one object, so that it merges into any page's
    context under one name."""

    proposal: Proposal
    user: object
    return_to: str
    may_take_part: bool = False
    may_post: bool = False
    refusal: str | None = None
    comment_form: CommentForm | None = None
    answer_form: OfficialAnswerForm | None = None
    report_proposal_form: ReportForm | None = None
    official_answers: list[Comment] = field(default_factory=list)
    stances: list[tuple[str, str, int]] = field(default_factory=list)
    stance_total: int = 0
    comments: list[Comment] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    replies: dict[int, list[Comment]] = field(default_factory=dict)
    # Forms posted with errors, by key ("reply-12", "report-12"), shown instead of fresh ones.
    forms: dict = field(default_factory=dict)
    # A short message shown in one comment after an action on it, by comment id.
    notes: dict[int, tuple[str, str]] = field(default_factory=dict)
    _blank_fields: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def stance_labels(self) -> dict:
        return STANCE_LABELS

    def replies_of(self, comment: Comment) -> list[Comment]:
        return self.replies.get(comment.id, [])

    def has_errors(self, kind: str, comment: Comment) -> bool:
        posted = self.forms.get(f"{kind}-{comment.id}")
        return bool(posted and posted.errors)

    def form_fields(self, kind: str, comment: Comment) -> Markup:
        """The fields of the reply or report form ("reply", "report") under ``comment``: the
        form posted with errors if there is one, else blank fields rendered once a page under
        a placeholder prefix and copied with this comment's id. A page of twenty comments
        would otherwise build and render forty forms, a third of the page's time."""
        posted = self.forms.get(f"{kind}-{comment.id}")
        if posted is not None:
            return _render_form_fields(kind, posted)
        if kind not in self._blank_fields:
            placeholder = _PlaceholderComment(id=_PLACEHOLDER)
            blank = (ReplyForm(self.proposal, placeholder, formdata=None) if kind == "reply"
                     else ReportForm(prefix=f"report-{_PLACEHOLDER}", formdata=None))
            self._blank_fields[kind] = str(_render_form_fields(kind, blank))
        return Markup(self._blank_fields[kind].replace(_PLACEHOLDER, str(comment.id)))

    def is_own(self, comment: Comment) -> bool:
        return getattr(self.user, "id", None) == comment.author_id

    def shows_body(self, comment: Comment) -> bool:
        """Deleted comments show "deleted"; hidden ones a placeholder, except to their author."""
        if comment.deleted_at is not None:
            return False
        return comment.moderation_state == ModerationState.VISIBLE or self.is_own(comment)

    def may_edit(self, comment: Comment) -> bool:
        return can(self.user, "comment.edit", comment) and edit_window_open(comment)

    def may_delete(self, comment: Comment) -> bool:
        return can(self.user, "comment.delete", comment)

    def may_report(self, comment: Comment) -> bool:
        return can(self.user, "comment.report", comment)


@proposal_page.connect
def discussion_context(proposal, *, user, page: int = 1) -> dict:
    """Everything templates/discussion/_section.html needs for one proposal's discussion,
    for the proposal's page."""
    return build_discussion(proposal, user, page)


def build_discussion(proposal: Proposal, user, page: int = 1, forms: dict | None = None,
                     notes: dict | None = None) -> dict:
    """The whole section: pinned official answers, stance counts, one page of comments."""
    discussion = _base(proposal, user, forms, notes)
    discussion.official_answers = db.session.execute(
        select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None),
                              Comment.organisation_id.is_not(None))
        .options(joinedload(Comment.author), joinedload(Comment.organisation))
        .order_by(Comment.id)
    ).scalars().all()
    _count_stances(discussion)
    _load_page(discussion, page, extra=discussion.official_answers)
    return {"discussion": discussion}


def _count_stances(discussion: Discussion) -> None:
    """The stance bar: visible top-level comments by stance, in one GROUP BY."""
    counts = dict(db.session.execute(
        select(Comment.stance, func.count(Comment.id))
        .where(Comment.proposal_id == discussion.proposal.id, Comment.parent_id.is_(None),
               Comment.organisation_id.is_(None), Comment.deleted_at.is_(None),
               Comment.moderation_state == ModerationState.VISIBLE)
        .group_by(Comment.stance)
    ).all())
    discussion.stances = [(stance, label, counts.get(stance, 0))
                          for stance, label in STANCE_LABELS.items()]
    discussion.stance_total = sum(count for _, _, count in discussion.stances)


def posted_context(comment: Comment, user) -> dict:
    """A new top-level comment, with the stance bar and the count it changed."""
    context = comment_context(comment, user)
    _count_stances(context["discussion"])
    return context


def page_context(proposal: Proposal, user, page: int) -> dict:
    """One more page of comments, for "more comments"."""
    discussion = _base(proposal, user)
    _load_page(discussion, page)
    return {"discussion": discussion}


def comment_context(comment: Comment, user, forms: dict | None = None,
                    notes: dict | None = None) -> dict:
    """One comment (with its replies if it starts a thread), refreshed after an action."""
    discussion = _base(comment.proposal, user, forms, notes)
    if comment.parent_id is None:
        discussion.replies = _replies([comment.id])
    return {"discussion": discussion, "comment": comment}


def form_context(proposal: Proposal, user, forms: dict | None = None) -> dict:
    """The comment form alone, with what the person may do now."""
    return {"discussion": _base(proposal, user, forms)}


def _base(proposal: Proposal, user, forms: dict | None = None,
          notes: dict | None = None) -> Discussion:
    forms = forms or {}
    discussion = Discussion(proposal=proposal, user=user, return_to=return_to(proposal),
                            forms=forms, notes=notes or {})
    discussion.may_take_part = can(user, "discussion.take_part", proposal)
    if discussion.may_take_part:
        discussion.refusal = posting_refusal(proposal, user)
        discussion.may_post = discussion.refusal is None and can(user, "comment.post", proposal)
    if discussion.may_post:
        discussion.comment_form = forms.get("comment") or CommentForm(proposal, formdata=None)
    if (discussion.may_take_part and can(user, "comment.answer_officially", proposal)
            and posting_refusal(proposal, user, official=True) is None):
        discussion.answer_form = forms.get("answer") or OfficialAnswerForm(
            proposal, answering_organisations(proposal, user), formdata=None)
    if can(user, "proposal.report", proposal):
        discussion.report_proposal_form = forms.get("report-proposal") or ReportForm(
            prefix="report-proposal", formdata=None)
    return discussion


def return_to(proposal: Proposal) -> str:
    """Where a plain form post goes back to: the page that showed the form."""
    fallback = url_for("discussion.comments", proposal_id=proposal.id)
    if request.values.get("next"):
        return safe_next(request.values["next"], fallback)
    if request.method == "GET" and request.endpoint != "discussion.edit":
        return request.path
    return fallback


def _load_page(discussion: Discussion, page: int, extra: list[Comment] = ()) -> None:
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    rows = db.session.execute(
        select(Comment).where(Comment.proposal_id == discussion.proposal.id,
                              Comment.parent_id.is_(None), Comment.organisation_id.is_(None))
        .options(joinedload(Comment.author))
        .order_by(Comment.id)
        .offset((page - 1) * per_page).limit(per_page + 1)
    ).scalars().all()
    discussion.page = page
    discussion.comments = rows[:per_page]
    discussion.has_next = len(rows) > per_page
    discussion.replies = _replies([c.id for c in [*extra, *discussion.comments]])


def _replies(parent_ids: list[int]) -> dict[int, list[Comment]]:
    """Every reply of the shown comments in one query (even for none, so that the count of
    queries does not depend on the number of comments)."""
    grouped: dict[int, list[Comment]] = {}
    rows = db.session.execute(
        select(Comment).where(Comment.parent_id.in_(parent_ids))
        .options(joinedload(Comment.author)).order_by(Comment.id)
    ).scalars()
    for reply in rows:
        grouped.setdefault(reply.parent_id, []).append(reply)
    return grouped


def answering_organisations(proposal: Proposal, user) -> list[Organisation]:
    """The organisations of the proposal's community where the person is staff or chair."""
    ids = [r.organisation_id for r in load_standing(user).org_roles
           if r.community_id == proposal.community_id and r.role in STAFF_ROLES]
    return list(db.session.execute(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
    ).scalars())


def active_mute(user, community_id: int) -> Mute | None:
    return db.session.execute(
        select(Mute).where(Mute.user_id == user.id, Mute.community_id == community_id,
                           Mute.until > utcnow())
        .order_by(Mute.until.desc()).limit(1)
    ).scalar_one_or_none()


def comments_by(user, proposal: Proposal) -> int:
    """How many comments and replies the person has in this discussion (official answers
    speak for an organisation and do not count)."""
    return db.session.execute(
        select(func.count(Comment.id)).where(
            Comment.proposal_id == proposal.id, Comment.author_id == user.id,
            Comment.organisation_id.is_(None), Comment.deleted_at.is_(None))
    ).scalar_one()


def posting_refusal(proposal: Proposal, user, *, official: bool = False,
                    editing: bool = False) -> str | None:
    """Why this person cannot post in this discussion now, in words; None if they can.
    An ``official`` answer speaks for an organisation: neither the person's mute nor their
    share of comments holds it back. ``editing`` adds no comment, so no limit applies."""
    if proposal.status not in DISCUSSABLE:
        return _("The discussion of this proposal is closed.")
    if proposal.discussion_locked:
        return _("The chair has locked this discussion: no new comments can be posted.")
    # A personal mute does not silence an organisation: its staff still answer in its name.
    if not official and load_standing(user).is_muted(proposal.community_id):
        mute = active_mute(user, proposal.community_id)
        if mute is not None:
            return _("A moderator has muted you in this community until %(until)s. "
                     "Reason: %(reason)s", until=format_datetime(mute.until, "short"),
                     reason=mute.reason)
    limit = proposal.max_comments_per_person
    if limit is not None and not (official or editing):
        used = comments_by(user, proposal)
        if used >= limit:
            return _("You have posted %(used)d comments here; the rules of order of this "
                     "discussion allow %(limit)d per person.", used=used, limit=limit)
    return None


def posting_wait(user) -> int:
    """Seconds this person must wait before their next comment or reply under the settings
    COMMENT_LIMIT_PER_MINUTE and COMMENT_LIMIT_PER_HOUR (0 or None: no limit); 0 if they
    may post now. Counted from the comments table, so the limits hold across processes;
    deleted comments count (deleting does not buy a new turn), official answers do not
    (they speak for an organisation and are rarely more than one). One query."""
    config = current_app.config
    limits = [(window, limit) for window, limit in (
        (timedelta(minutes=1), config.get("COMMENT_LIMIT_PER_MINUTE")),
        (timedelta(hours=1), config.get("COMMENT_LIMIT_PER_HOUR"))) if limit]
    if not limits:
        return 0
    now = utcnow()
    times = db.session.execute(
        select(Comment.created_at).where(
            Comment.author_id == user.id, Comment.organisation_id.is_(None),
            Comment.created_at > now - max(window for window, _limit in limits))
        .order_by(Comment.created_at.desc()).limit(max(limit for _window, limit in limits))
    ).scalars().all()
    wait = timedelta(0)
    for window, limit in limits:
        inside = [moment for moment in times if moment > now - window]
        if len(inside) >= limit:  # free again once the limit-th newest leaves the window
            wait = max(wait, inside[limit - 1] + window - now)
    return math.ceil(wait.total_seconds())


def pace_refusal(user) -> str | None:
    """The posting limit in words, for a comment or reply refused as too fast."""
    wait = posting_wait(user)
    if not wait:
        return None
    return ngettext("You are posting too fast: please try again in %(num)d second.",
                    "You are posting too fast: please try again in %(num)d seconds.", wait)


def edit_window_open(comment: Comment) -> bool:
    return utcnow() - comment.created_at < EDIT_WINDOW


def page_of(comment: Comment) -> int:
    """The page of the discussion that shows this comment's thread."""
    thread = comment.parent or comment
    if thread.organisation_id is not None:
        return 1
    before = db.session.execute(
        select(func.count(Comment.id)).where(
            Comment.proposal_id == thread.proposal_id, Comment.parent_id.is_(None),
            Comment.organisation_id.is_(None), Comment.id <= thread.id)
    ).scalar_one()
    return max(1, (before - 1) // current_app.config["COMMENTS_PER_PAGE"] + 1)


# --- Writing -------------------------------------------------------------------------------


def _count_up(proposal: Proposal, parent: Comment | None = None, step: int = 1) -> None:
    """Counters are updated in SQL, so that two people posting at once both count."""
    proposal.comment_count = Proposal.comment_count + step
    if parent is not None:
        parent.reply_count = Comment.reply_count + step


def post_comment(proposal: Proposal, author: User, *, stance: str, body: str) -> Comment:
    comment = Comment(proposal_id=proposal.id, author=author, stance=stance, body=body)
    db.session.add(comment)
    _count_up(proposal)
    follow(proposal, author)
    db.session.flush()
    return comment


def post_reply(target: Comment, author: User, *, body: str) -> Comment:
    """Replies are one level deep: a reply to a reply joins its thread. The thread's author
    and the person answered are told."""
    parent = target.parent or target
    proposal = parent.proposal
    reply = Comment(proposal_id=proposal.id, author=author, parent_id=parent.id, body=body)
    db.session.add(reply)
    _count_up(proposal, parent)
    follow(proposal, author)
    db.session.flush()
    notify({parent.author_id, target.author_id}, NotificationKind.REPLY, actor=author,
           proposal_id=proposal.id, comment_id=reply.id, details={"title": proposal.title})
    return reply


def post_official_answer(proposal: Proposal, author: User, *, organisation: Organisation,
                         body: str) -> Comment:
    """An answer in the organisation's name: pinned, and every follower is told."""
    answer = Comment(proposal_id=proposal.id, author=author, organisation=organisation,
                     body=body)
    db.session.add(answer)
    _count_up(proposal)
    if proposal.first_official_answer_at is None:
        proposal.first_official_answer_at = utcnow()
    follow(proposal, author)
    db.session.flush()
    notify(followers(proposal), NotificationKind.OFFICIAL_ANSWER, actor=author,
           proposal_id=proposal.id, comment_id=answer.id,
           details={"title": proposal.title, "organisation": organisation.name})
    return answer


def edit_comment(comment: Comment, *, body: str, stance: str | None = None) -> None:
    comment.body = body
    if stance is not None:
        comment.stance = stance
    comment.edited_at = utcnow()
    comment.proposal.updated_at = comment.edited_at  # its stances and answers changed
    db.session.flush()


def delete_comment(comment: Comment) -> None:
    """A soft delete: the thread keeps its place and its replies."""
    comment.deleted_at = utcnow()
    _count_up(comment.proposal, comment.parent, step=-1)
    db.session.flush()


# --- Reports -------------------------------------------------------------------------------


def _item_key(item) -> str:
    return f"comment:{item.id}" if isinstance(item, Comment) else f"proposal:{item.id}"


def _report_column(item):
    return Report.comment_id if isinstance(item, Comment) else Report.proposal_id


def _community_id(item) -> int:
    return item.proposal.community_id if isinstance(item, Comment) else item.community_id


def already_reported(item, reporter: User) -> bool:
    return db.session.execute(select(Report.id).where(
        _report_column(item) == item.id, Report.reporter_id == reporter.id)).first() is not None


def report(item, reporter: User, *, reason: str, note: str) -> Report | None:
    """Record one report of a comment or a proposal; None if this person already reported
    it (a double tap sends the form twice). At the community's threshold of open reports
    the item is hidden until a moderator looks at it."""
    community_id = _community_id(item)
    entry = Report(community_id=community_id, reporter_id=reporter.id, reason=reason,
                   note=note or "")
    if isinstance(item, Comment):
        entry.comment_id = item.id
    else:
        entry.proposal_id = item.id
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        return None
    item.report_count = db.session.execute(select(func.count(Report.id)).where(
        _report_column(item) == item.id, Report.status == ReportStatus.OPEN)).scalar_one()
    threshold = db.session.get(Community, community_id).report_threshold
    if item.moderation_state == ModerationState.VISIBLE and item.report_count >= threshold:
        item.moderation_state = ModerationState.PENDING
        record("moderation.auto_hide", community_id=community_id, target=_item_key(item),
               details={"reports": item.report_count})
        notify([item.author_id], NotificationKind.MODERATION, **_links(item),
               details=_details(item, "pending", ""))
    db.session.flush()
    return entry


def _links(item) -> dict:
    if isinstance(item, Comment):
        return {"proposal_id": item.proposal_id, "comment_id": item.id}
    return {"proposal_id": item.id}


def _details(item, action: str, reason: str) -> dict:
    proposal = item.proposal if isinstance(item, Comment) else item
    return {"action": action, "reason": reason, "title": proposal.title,
            "target": "comment" if isinstance(item, Comment) else "proposal"}


# --- Moderation ----------------------------------------------------------------------------


@dataclass
class QueueItem:
    key: str
    item: Comment | Proposal
    proposal: Proposal
    author: User
    reports: list[Report] = field(default_factory=list)

    @property
    def is_comment(self) -> bool:
        return isinstance(self.item, Comment)


def moderation_queue(community: Community, *, hidden: bool = False) -> list[QueueItem]:
    """Items with open reports, most recently reported first; or, with ``hidden``, what
    moderators or the report threshold have hidden, newest first."""
    if hidden:
        comments = db.session.execute(
            select(Comment).join(Proposal, Comment.proposal_id == Proposal.id)
            .where(Proposal.community_id == community.id,
                   Comment.moderation_state != ModerationState.VISIBLE,
                   Comment.deleted_at.is_(None))
            .options(joinedload(Comment.author), joinedload(Comment.proposal))
            .order_by(Comment.id.desc()).limit(QUEUE_LIMIT)
        ).scalars().all()
        proposals = db.session.execute(
            select(Proposal).where(Proposal.community_id == community.id,
                                   Proposal.moderation_state != ModerationState.VISIBLE)
            .options(joinedload(Proposal.author))
            .order_by(Proposal.id.desc()).limit(QUEUE_LIMIT)
        ).scalars().all()
        items = [_queue_item(c) for c in comments] + [_queue_item(p) for p in proposals]
        items.sort(key=lambda i: i.item.created_at, reverse=True)
        return items

    latest = db.session.execute(
        select(Report.comment_id, Report.proposal_id, func.max(Report.id).label("last"))
        .where(Report.community_id == community.id, Report.status == ReportStatus.OPEN)
        .group_by(Report.comment_id, Report.proposal_id)
        .order_by(func.max(Report.id).desc()).limit(QUEUE_LIMIT)
    ).all()
    comment_ids = [row.comment_id for row in latest if row.comment_id]
    proposal_ids = [row.proposal_id for row in latest if row.proposal_id]
    comments = {c.id: c for c in db.session.execute(
        select(Comment).where(Comment.id.in_(comment_ids))
        .options(joinedload(Comment.author), joinedload(Comment.proposal))).scalars()}
    proposals = {p.id: p for p in db.session.execute(
        select(Proposal).where(Proposal.id.in_(proposal_ids))
        .options(joinedload(Proposal.author))).scalars()}
    items = [_queue_item(comments[row.comment_id]) if row.comment_id
             else _queue_item(proposals[row.proposal_id]) for row in latest]
    by_key = {i.key: i for i in items}
    for entry in db.session.execute(
            select(Report).where(Report.status == ReportStatus.OPEN, or_(
                Report.comment_id.in_(comment_ids), Report.proposal_id.in_(proposal_ids)))
            .options(joinedload(Report.reporter)).order_by(Report.id.desc())).scalars():
        by_key[f"comment:{entry.comment_id}" if entry.comment_id
               else f"proposal:{entry.proposal_id}"].reports.append(entry)
    return items


def _queue_item(item) -> QueueItem:
    proposal = item.proposal if isinstance(item, Comment) else item
    return QueueItem(key=_item_key(item), item=item, proposal=proposal, author=item.author)


def active_mutes(community: Community) -> list[tuple[Mute, str]]:
    """Who is muted here now, with their names."""
    return db.session.execute(
        select(Mute, User.name).join(User, User.id == Mute.user_id)
        .where(Mute.community_id == community.id, Mute.until > utcnow())
        .order_by(Mute.until)
    ).all()


def items_in(community: Community, keys: list[str]) -> list[Comment | Proposal]:
    """The comments and proposals of this community that the keys name; others are ignored."""
    ids = {"comment": set(), "proposal": set()}
    for key in keys:
        kind, _sep, number = key.partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    comments = db.session.execute(
        select(Comment).join(Proposal, Comment.proposal_id == Proposal.id)
        .where(Comment.id.in_(ids["comment"]), Proposal.community_id == community.id)
        .options(joinedload(Comment.proposal))).scalars().all()
    proposals = db.session.execute(
        select(Proposal).where(Proposal.id.in_(ids["proposal"]),
                               Proposal.community_id == community.id)).scalars().all()
    return [*comments, *proposals]


def decide(items: list, *, action: str, reason: str, actor: User,
           community: Community) -> None:
    """Hide (with a reason the author sees), restore, or dismiss the reports of each item.
    Each decision is audited and its author told."""
    status = ReportStatus.UPHELD if action == "hide" else ReportStatus.DISMISSED
    for item in items:
        if action == "hide":
            item.moderation_state = ModerationState.HIDDEN
            item.moderation_reason = reason
        else:
            item.moderation_state = ModerationState.VISIBLE
            item.moderation_reason = ""
        item.report_count = 0
        if isinstance(item, Comment):  # the proposal's stances and answers changed
            item.proposal.updated_at = utcnow()
        db.session.execute(
            update(Report).where(_report_column(item) == item.id,
                                 Report.status == ReportStatus.OPEN)
            .values(status=status, resolved_at=utcnow(), resolved_by_id=actor.id))
        record(f"moderation.{action}", actor=actor, community_id=community.id,
               target=_item_key(item), details={"reason": reason})
        notify([item.author_id], NotificationKind.MODERATION, actor=actor, **_links(item),
               details=_details(item, action, reason))
    db.session.flush()


def is_member(user: User, community: Community) -> bool:
    """Holds a role in the community or belongs to one of its organisations."""
    role = select(RoleGrant.id).where(RoleGrant.user_id == user.id,
                                      RoleGrant.community_id == community.id)
    membership = (select(Membership.id).join(Organisation)
                  .where(Membership.user_id == user.id,
                         Organisation.community_id == community.id))
    return db.session.execute(role.union_all(membership).limit(1)).first() is not None


def governing_role(member: User, community: Community) -> str | None:
    """What the member does to run the community, if anything: ``platform_admin``,
    ``community_admin``, or ``staff`` (staff or chair of one of its organisations)."""
    roles = set(db.session.execute(
        select(RoleGrant.role).where(
            RoleGrant.user_id == member.id,
            or_(RoleGrant.community_id.is_(None), RoleGrant.community_id == community.id),
            RoleGrant.role.in_([Role.PLATFORM_ADMIN, Role.COMMUNITY_ADMIN]))
    ).scalars())
    if Role.PLATFORM_ADMIN in roles:
        return "platform_admin"
    if Role.COMMUNITY_ADMIN in roles:
        return "community_admin"
    staff = db.session.execute(
        select(Membership.id).join(Organisation)
        .where(Membership.user_id == member.id, Organisation.community_id == community.id,
               Membership.role.in_(STAFF_ROLES)).limit(1)).first()
    return "staff" if staff is not None else None


def check_mute(member: User, community: Community, *, days: int) -> None:
    """Raise Refused unless the member may be muted for ``days`` days. Moderators keep the
    discussion civil; they cannot silence those who govern the community, nor for long."""
    role = governing_role(member, community)
    if role is not None:
        raise Refused("moderation.governing_member", name=member.name, role=role)
    max_days = current_app.config["MUTE_MAX_DAYS"]
    if days > max_days:
        raise Refused("moderation.mute_too_long", max_days=max_days)


def mute(member: User, community: Community, *, days: int, reason: str, actor: User) -> Mute:
    """The member may read but not post in the community for ``days`` days."""
    check_mute(member, community, days=days)
    entry = Mute(community_id=community.id, user_id=member.id,
                 until=utcnow() + timedelta(days=days), reason=reason, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    until = entry.until.isoformat()
    record("moderation.mute", actor=actor, community_id=community.id,
           target=f"user:{member.id}", details={"days": days, "until": until, "reason": reason})
    notify([member.id], NotificationKind.MODERATION, actor=actor,
           details={"action": "mute", "reason": reason, "until": until,
                    "community": community.name})
    return entry


def running_mute(community: Community, mute_id: int) -> Mute | None:
    """The community's mute of this id, if it still runs."""
    return db.session.execute(
        select(Mute).where(Mute.id == mute_id, Mute.community_id == community.id,
                           Mute.until > utcnow())).scalar_one_or_none()


def lift_mute(entry: Mute, community: Community, *, actor: User) -> None:
    """End a mute now: the member may post again, and is told; the log keeps when it would
    have ended."""
    was_until = entry.until.isoformat()
    entry.until = utcnow()
    db.session.flush()
    record("moderation.unmute", actor=actor, community_id=community.id,
           target=f"user:{entry.user_id}",
           details={"mute": entry.id, "was_until": was_until, "reason": entry.reason})
    notify([entry.user_id], NotificationKind.MODERATION, actor=actor,
           details={"action": "unmute", "community": community.name})


def hide_all(member: User, community: Community, *, reason: str, actor: User) -> tuple[int, int]:
    """Hide every comment and proposal of the member in the community in one action; their
    open reports are upheld. Returns how many comments and proposals were hidden."""
    in_community = Comment.proposal_id.in_(
        select(Proposal.id).where(Proposal.community_id == community.id))
    comment_ids = select(Comment.id).where(Comment.author_id == member.id, in_community)
    own_proposals = select(Proposal.id).where(Proposal.community_id == community.id,
                                              Proposal.author_id == member.id,
                                              Proposal.status != Status.DRAFT)
    now = utcnow()
    db.session.execute(
        update(Report).where(Report.community_id == community.id,
                             Report.status == ReportStatus.OPEN,
                             or_(Report.comment_id.in_(comment_ids),
                                 Report.proposal_id.in_(own_proposals)))
        .values(status=ReportStatus.UPHELD, resolved_at=now, resolved_by_id=actor.id),
        execution_options={"synchronize_session": False})
    comments = db.session.execute(
        update(Comment).where(Comment.author_id == member.id, in_community,
                              Comment.deleted_at.is_(None),
                              Comment.moderation_state != ModerationState.HIDDEN)
        .values(moderation_state=ModerationState.HIDDEN, moderation_reason=reason,
                report_count=0),
        execution_options={"synchronize_session": False}).rowcount
    proposals = db.session.execute(
        update(Proposal).where(Proposal.community_id == community.id,
                               Proposal.author_id == member.id,
                               Proposal.status != Status.DRAFT,
                               Proposal.moderation_state != ModerationState.HIDDEN)
        .values(moderation_state=ModerationState.HIDDEN, moderation_reason=reason,
                report_count=0),
        execution_options={"synchronize_session": False}).rowcount
    db.session.expire_all()
    record("moderation.hide_all", actor=actor, community_id=community.id,
           target=f"user:{member.id}",
           details={"reason": reason, "comments": comments, "proposals": proposals})
    notify([member.id], NotificationKind.MODERATION, actor=actor,
           details={"action": "hide_all", "reason": reason, "comments": comments,
                    "proposals": proposals, "community": community.name})
    return comments, proposals
