import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.models import User
from app.community.models import Community
from app.core.rendering import done, render_page, wants_fragment
from app.discussion import permissions  # noqa: F401  (registers the discussion rules)
from app.discussion.forms import (
    CommentForm,
    DecideForm,
    EditForm,
    HideAllForm,
    MuteForm,
    OfficialAnswerForm,
    ReplyForm,
    ReportForm,
)
from app.discussion.labels import REPORT_REASON_LABELS
from app.discussion.models import Comment
from app.discussion.services import (
    active_mutes,
    already_reported,
    answering_organisations,
    build_discussion,
    comment_context,
    decide,
    delete_comment,
    edit_comment,
    edit_window_open,
    form_context,
    hide_all,
    is_member,
    lift_mute,
    moderation_queue,
    mute,
    pace_refusal,
    page_context,
    page_of,
    post_comment,
    post_official_answer,
    post_reply,
    posted_context,
    posting_refusal,
    report,
    return_to,
    running_mute,
)
from app.extensions import db
from app.permissions import require
from app.proposals.models import ModerationState, Proposal

bp = Blueprint("discussion", __name__)

# Which form on the moderation page was posted: the bulk form or one item's own form.
_DECIDE_SOURCE = re.compile(r"^(bulk|comment-\d+|proposal-\d+)$")


def _proposal_or_404(proposal_id: int) -> Proposal:
    return db.get_or_404(Proposal, proposal_id)


def _comment_or_404(comment_id: int) -> Comment:
    return db.get_or_404(Comment, comment_id)


def _require_take_part(proposal: Proposal) -> None:
    """People of the community may take part; whether they may post *now* (locked, muted,
    limit reached) is explained, not refused."""
    require("proposal.view", proposal)
    require("discussion.take_part", proposal)


def _location(comment: Comment, back: str) -> str:
    """Where a plain form post lands: ``back`` (the page that showed the form) when the
    comment is on the first page of the discussion, else the discussion page that shows it."""
    anchor = f"#comment-{comment.id}"
    page = page_of(comment)
    if page == 1:
        return back + anchor
    return url_for("discussion.comments", proposal_id=comment.proposal_id, page=page) + anchor


def _on_comment(comment: Comment, kind: str, message: str, forms: dict | None = None):
    """Answer about one comment: the refreshed comment for htmx; for a plain form a flash
    and the page that shows it, or, when a form must be shown again, that page."""
    notes = {comment.id: (kind, message)} if message else {}
    thread = comment.parent or comment
    if wants_fragment():
        return render_template("discussion/_comment.html",
                               **comment_context(comment, current_user, forms, notes))
    if forms:
        return render_template(
            "discussion/comments.html",
            **build_discussion(comment.proposal, current_user, page_of(thread), forms, notes))
    flash(message, kind)
    return redirect(_location(comment, return_to(comment.proposal)))


# --- Reading --------------------------------------------------------------------------------


@bp.route("/p/<int:proposal_id>/comments")
@login_required
def comments(proposal_id: int):
    """One page of the discussion: the comments alone for "more comments" (htmx), or a
    whole page for the plain link."""
    proposal = _proposal_or_404(proposal_id)
    require("proposal.view", proposal)
    page = max(1, request.args.get("page", 1, type=int))
    if wants_fragment():
        return render_template("discussion/_page.html",
                               **page_context(proposal, current_user, page))
    return render_template("discussion/comments.html",
                           **build_discussion(proposal, current_user, page))


@bp.route("/comments/<int:comment_id>")
@login_required
def show_comment(comment_id: int):
    """A stable link to a comment (for notifications): the discussion page that shows it."""
    comment = _comment_or_404(comment_id)
    require("proposal.view", comment.proposal)
    return redirect(url_for("discussion.comments", proposal_id=comment.proposal_id,
                            page=page_of(comment)) + f"#comment-{comment.id}")


# --- Posting --------------------------------------------------------------------------------


@bp.route("/p/<int:proposal_id>/comments", methods=["POST"])
@login_required
def post(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    _require_take_part(proposal)
    form = CommentForm(proposal)
    if posting_refusal(proposal, current_user) is None and form.validate_on_submit():
        require("comment.post", proposal)
        too_fast = pace_refusal(current_user)
        if too_fast:
            form.body.errors.append(too_fast)
            return render_page("discussion/comments.html", "discussion/_form.html",
                               **build_discussion(proposal, current_user,
                                                  forms={"comment": form}))
        comment = post_comment(proposal, current_user, stance=form.stance.data,
                               body=form.body.data)
        db.session.commit()
        context = posted_context(comment, current_user)
        return done(_("Your comment is posted."),
                    _location(comment, context["discussion"].return_to),
                    "discussion/_posted.html", context)
    return render_page("discussion/comments.html", "discussion/_form.html",
                       **build_discussion(proposal, current_user, forms={"comment": form}))


@bp.route("/p/<int:proposal_id>/answers", methods=["POST"])
@login_required
def answer(proposal_id: int):
    """Staff answer in the name of one of their organisations."""
    proposal = _proposal_or_404(proposal_id)
    _require_take_part(proposal)
    organisations = answering_organisations(proposal, current_user)
    if not organisations:
        abort(403)
    form = OfficialAnswerForm(proposal, organisations)
    if (posting_refusal(proposal, current_user, official=True) is None
            and form.validate_on_submit()):
        require("comment.answer_officially", proposal)
        post_official_answer(proposal, current_user, organisation=form.chosen,
                             body=form.body.data)
        db.session.commit()
        context = build_discussion(proposal, current_user)
        return done(_("Your official answer is posted and pinned; followers are told."),
                    context["discussion"].return_to + "#discussion",
                    "discussion/_section.html", context)
    return render_page("discussion/comments.html", "discussion/_section.html",
                       **build_discussion(proposal, current_user, forms={"answer": form}))


@bp.route("/comments/<int:comment_id>/replies", methods=["POST"])
@login_required
def reply(comment_id: int):
    """Replies are one level deep: a reply to a reply joins the thread."""
    target = _comment_or_404(comment_id)
    proposal = target.proposal
    _require_take_part(proposal)
    thread = target.parent or target
    form = ReplyForm(proposal, target)
    refusal = posting_refusal(proposal, current_user)
    if refusal is None and (target.deleted_at is not None
                            or target.moderation_state != ModerationState.VISIBLE):
        refusal = _("This comment can no longer be answered.")
    if refusal is None and form.validate_on_submit():
        require("comment.post", proposal)
        refusal = pace_refusal(current_user)  # what was typed stays in the form below
        if refusal is None:
            new_reply = post_reply(target, current_user, body=form.body.data)
            db.session.commit()
            message = _("Your reply is posted.")
            context = comment_context(thread, current_user,
                                      notes={new_reply.id: ("success", message)})
            return done(message, _location(new_reply, context["discussion"].return_to),
                        "discussion/_comment.html", context)
    forms = {f"reply-{target.id}": form}
    notes = {target.id: ("error", refusal)} if refusal else {}
    if wants_fragment():
        return render_template("discussion/_comment.html",
                               **comment_context(thread, current_user, forms, notes))
    return render_template(
        "discussion/comments.html",
        **build_discussion(proposal, current_user, page_of(thread), forms, notes))


# --- Editing and deleting --------------------------------------------------------------------


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = _comment_or_404(comment_id)
    proposal = comment.proposal
    require("proposal.view", proposal)
    require("comment.edit", comment)
    if not edit_window_open(comment):
        refusal = _("Comments can be changed for 10 minutes after posting; this one can no "
                    "longer be changed.")
    else:
        refusal = posting_refusal(proposal, current_user, official=comment.is_official,
                                  editing=True)
    if refusal:
        return _on_comment(comment, "error", refusal)
    form = EditForm(comment, obj=comment)
    if form.validate_on_submit():
        edit_comment(comment, body=form.body.data,
                     stance=form.stance.data if form.has_stance else None)
        db.session.commit()
        message = _("Your changes are saved.")
        context = comment_context(comment, current_user, notes={comment.id: ("success",
                                                                            message)})
        return done(message, _location(comment, context["discussion"].return_to),
                    "discussion/_comment.html", context)
    return render_page("discussion/edit.html", "discussion/_edit.html",
                       form=form, **comment_context(comment, current_user))


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int):
    """A soft delete: replies stay, with "deleted" in the comment's place."""
    comment = _comment_or_404(comment_id)
    require("proposal.view", comment.proposal)
    require("comment.delete", comment)
    delete_comment(comment)
    db.session.commit()
    message = _("Your comment is deleted.")
    context = comment_context(comment, current_user, notes={comment.id: ("success", message)})
    return done(message, _location(comment, context["discussion"].return_to),
                "discussion/_comment.html", context)


# --- Reports --------------------------------------------------------------------------------


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
def report_comment(comment_id: int):
    comment = _comment_or_404(comment_id)
    require("comment.report", comment)
    twice = _("You have already reported this comment. Thank you: a moderator will look at "
              "it.")
    if already_reported(comment, current_user):
        return _on_comment(comment, "info", twice)
    form = ReportForm(prefix=f"report-{comment.id}")
    if not form.validate_on_submit():
        return _on_comment(comment, "error", "", forms={f"report-{comment.id}": form})
    if report(comment, current_user, reason=form.reason.data, note=form.note.data) is None:
        return _on_comment(comment, "info", twice)
    db.session.commit()
    return _on_comment(comment, "success", _("Thank you for your report. A moderator will "
                                             "look at it."))


@bp.route("/p/<int:proposal_id>/report", methods=["POST"])
@login_required
def report_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    require("proposal.report", proposal)
    form = ReportForm(prefix="report-proposal")
    twice = _("You have already reported this proposal. Thank you: a moderator will look at "
              "it.")
    if already_reported(proposal, current_user):
        message = twice
    elif not form.validate_on_submit():
        return render_page("discussion/comments.html", "discussion/_proposal_report.html",
                           **build_discussion(proposal, current_user,
                                              forms={"report-proposal": form}))
    elif report(proposal, current_user, reason=form.reason.data, note=form.note.data):
        db.session.commit()
        message = _("Thank you for your report. A moderator will look at it.")
    else:
        message = twice
    context = form_context(proposal, current_user)
    return done(message, context["discussion"].return_to, "discussion/_proposal_report.html",
                context)


# --- Moderation -----------------------------------------------------------------------------


def _community_or_404(community_id: int) -> Community:
    return db.get_or_404(Community, community_id)


def _queue_context(community: Community, *, decide_form=None, mute_form=None,
                   hide_all_form=None, member=None) -> dict:
    hidden = request.values.get("show") == "hidden"
    if member is None and request.method == "GET":
        member_id = request.args.get("member", type=int)
        candidate = db.session.get(User, member_id) if member_id else None
        member = candidate if candidate is not None and is_member(candidate, community) \
            else None
    preset = {"user_id": member.id} if member else None

    def item_form(key: str) -> DecideForm:
        prefix = key.replace(":", "-")
        if decide_form is not None and decide_form.source == prefix:
            return decide_form
        return DecideForm(community, formdata=None, prefix=prefix)

    return dict(
        community=community,
        reason_labels=REPORT_REASON_LABELS,
        hidden=hidden,
        items=moderation_queue(community, hidden=hidden),
        mutes=active_mutes(community),
        member=member,
        item_form=item_form,
        bulk_form=(decide_form if decide_form is not None and decide_form.source == "bulk"
                   else DecideForm(community, formdata=None, prefix="bulk")),
        mute_form=mute_form or MuteForm(community, formdata=None, data=preset),
        hide_all_form=hide_all_form or HideAllForm(community, formdata=None, data=preset),
    )


def _queue_page(community: Community, **forms):
    return render_page("discussion/moderation.html", "discussion/_queue.html",
                       **_queue_context(community, **forms))


def _queue_done(community: Community, message: str):
    return done(message, url_for("discussion.queue", community_id=community.id),
                "discussion/_queue.html", _queue_context(community))


@bp.route("/c/<int:community_id>/moderation")
@login_required
def queue(community_id: int):
    community = _community_or_404(community_id)
    require("community.moderate", community)
    return render_template("discussion/moderation.html", **_queue_context(community))


@bp.route("/c/<int:community_id>/moderation/decide", methods=["POST"])
@login_required
def decide_items(community_id: int):
    """Hide, restore or dismiss: one item from its own form, or every item ticked."""
    community = _community_or_404(community_id)
    require("community.moderate", community)
    source = request.form.get("source", "")
    if not _DECIDE_SOURCE.match(source):
        abort(400)
    form = DecideForm(community, prefix=source)
    if not form.validate_on_submit():
        return _queue_page(community, decide_form=form)
    action = form.action.data
    decide(form.objects, action=action, reason=form.reason.data or "", actor=current_user,
           community=community)
    db.session.commit()
    count = len(form.objects)
    messages = {
        "hide": ngettext("%(num)d item hidden. Its author sees your reason.",
                         "%(num)d items hidden. Their authors see your reason.", count),
        "restore": ngettext("%(num)d item restored.", "%(num)d items restored.", count),
        "dismiss": ngettext("Reports dismissed for %(num)d item.",
                            "Reports dismissed for %(num)d items.", count),
    }
    return _queue_done(community, messages[action])


@bp.route("/c/<int:community_id>/moderation/mute", methods=["POST"])
@login_required
def mute_member(community_id: int):
    community = _community_or_404(community_id)
    require("community.moderate", community)
    form = MuteForm(community)
    if not form.validate_on_submit():
        return _queue_page(community, mute_form=form, member=form.member)
    entry = mute(form.member, community, days=form.days.data, reason=form.reason.data,
                 actor=current_user)
    db.session.commit()
    return _queue_done(community, _("%(name)s is muted in this community until %(until)s.",
                                    name=form.member.name,
                                    until=format_datetime(entry.until, "short")))


@bp.route("/c/<int:community_id>/moderation/mutes/<int:mute_id>/lift", methods=["POST"])
@login_required
def lift(community_id: int, mute_id: int):
    """A moderator ends a mute before its time; lifting one that already ended is a 404."""
    community = _community_or_404(community_id)
    require("community.moderate", community)
    entry = running_mute(community, mute_id)
    if entry is None:
        abort(404)
    name = db.session.get(User, entry.user_id).name
    lift_mute(entry, community, actor=current_user)
    db.session.commit()
    return _queue_done(community, _("%(name)s may post again.", name=name))


@bp.route("/c/<int:community_id>/moderation/hide-all", methods=["POST"])
@login_required
def hide_all_content(community_id: int):
    community = _community_or_404(community_id)
    require("community.moderate", community)
    form = HideAllForm(community)
    if not form.validate_on_submit():
        return _queue_page(community, hide_all_form=form, member=form.member)
    comments, proposals = hide_all(form.member, community, reason=form.reason.data,
                                   actor=current_user)
    db.session.commit()
    return _queue_done(community, _(
        "Hidden: %(comments)d comments and %(proposals)d proposals by %(name)s.",
        comments=comments, proposals=proposals, name=form.member.name))
