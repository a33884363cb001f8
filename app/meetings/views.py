"""Meeting pages: the list, scheduling, the meeting page with its attendance and agenda,
checking in, and recording what each item resolved."""

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.community.models import Community, Organisation
from app.core.documents import FORMATS, to_html
from app.core.documents import render as render_document
from app.core.downloads import content_disposition, send_document
from app.core.downloads import file_name as document_name
from app.core.forms import to_utc
from app.core.paper import poster_pdf, print_page
from app.core.rendering import done, render_page, wants_fragment
from app.extensions import db, limiter, local_zone
from app.followups.forms import ActionForm
from app.followups.services import (
    actions_for_item,
    actions_for_meeting,
    add_action,
    community_organisations,
)
from app.meetings import permissions  # noqa: F401  (registers the meeting rules)
from app.meetings.forms import (
    AgendaForm,
    CancelForm,
    CheckInForm,
    GuestForm,
    InviteForm,
    ItemForm,
    MeetingForm,
    PublishForm,
)
from app.meetings.labels import KIND_LABELS, STATE_LABELS
from app.meetings.minutes import (
    MinutesRefused,
    draft_minutes,
    file_name,
    minutes_refusal,
    published_document,
    versions_of,
)
from app.meetings.minutes import load_meeting as load_minuted_meeting
from app.meetings.minutes import publish as publish_minutes
from app.meetings.models import AgendaItem, Attendee, Meeting, Minutes
from app.meetings.poster import meeting_poster
from app.meetings.quorum import HandsRefused
from app.meetings.services import (
    MeetingRefused,
    add_guest,
    add_item,
    agenda_candidates,
    attendance,
    cancel,
    check_in,
    check_in_open,
    convenable_organisations,
    hands_result,
    invite_organisation,
    invite_person,
    item_polls,
    mark_presence,
    move_item,
    organisation_people,
    organisations_of,
    public_proposals,
    record_item,
    remove_attendee,
    remove_item,
    schedule,
    set_voting,
    state,
    upcoming_and_past,
    update,
)
from app.permissions import can, load_standing, require
from app.phones import normalise_phone
from app.voting.labels import OUTCOME_LABELS, describe_condition
from app.voting.models import Poll, PollStatus
from app.voting.services import official_result

bp = Blueprint("meetings", __name__)

CLOSED = {PollStatus.CLOSED, PollStatus.FINAL}


@bp.context_processor
def labels():
    return {"kind_labels": KIND_LABELS, "state_labels": STATE_LABELS,
            "outcome_labels": OUTCOME_LABELS, "describe_condition": describe_condition}


def _meeting_or_404(meeting_id: int, action: str = "meeting.view") -> Meeting:
    """The meeting with everything its page shows, in a fixed number of queries."""
    meeting = db.session.execute(
        select(Meeting).where(Meeting.id == meeting_id).options(
            joinedload(Meeting.community), joinedload(Meeting.organisation),
            joinedload(Meeting.chair), joinedload(Meeting.recorder),
            selectinload(Meeting.invited_organisations),
            selectinload(Meeting.attendees).options(joinedload(Attendee.user),
                                                    joinedload(Attendee.organisation)),
            selectinload(Meeting.items).joinedload(AgendaItem.proposal))
    ).unique().scalar_one_or_none()
    if meeting is None:
        abort(404)
    require("meeting.view", meeting)
    if action != "meeting.view":
        require(action, meeting)
    return meeting


def _item_or_404(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _attendee_or_404(meeting: Meeting, attendee_id: int) -> Attendee:
    attendee = next((a for a in meeting.attendees if a.id == attendee_id), None)
    if attendee is None:
        abort(404)
    return attendee


def _meeting_url(meeting: Meeting, anchor: str | None = None) -> str:
    return url_for("meetings.view", meeting_id=meeting.id, _anchor=anchor)


def _refused(meeting: Meeting, refused: MeetingRefused, anchor: str | None = None):
    db.session.rollback()
    flash(refused.message, "error")
    return redirect(_meeting_url(meeting, anchor))


# --- The list -------------------------------------------------------------------------------


@bp.route("/c/<int:community_id>/meetings")
@login_required
def list_meetings(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("community.view", community)
    upcoming, past = upcoming_and_past(community)
    return render_template("meetings/list.html", community=community, upcoming=upcoming,
                           past=past, state=state,
                           may_schedule=can(current_user, "meeting.schedule", community))


# --- Scheduling and editing -----------------------------------------------------------------


def _meeting_form(community: Community, *args, for_edit: bool = False, **kwargs):
    organisations = organisations_of(community)
    return MeetingForm(convenable_organisations(load_standing(current_user), community),
                       organisation_people(community), organisations,
                       [] if for_edit else public_proposals(community.id), *args,
                       for_edit=for_edit, **kwargs)


@bp.route("/c/<int:community_id>/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("meeting.schedule", community)
    form = _meeting_form(community)
    if form.validate_on_submit():
        meeting = schedule(
            community, actor=current_user, kind=form.kind.data, title=form.title.data.strip(),
            starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
            place=(form.place.data or "").strip(),
            online_link=(form.online_link.data or "").strip(),
            organisation=form.chosen_organisation, chair=form.chosen_chair,
            recorder=form.chosen_recorder, organisations=form.chosen(form.organisations),
            observers=form.chosen(form.observers), proposals=form.chosen(form.proposals))
        db.session.commit()
        flash(_("The meeting is scheduled and the invitees are notified."), "success")
        return redirect(_meeting_url(meeting))
    return render_template("meetings/new.html", community=community, form=form, meeting=None)


def _local(moment):
    return moment.astimezone(local_zone()).replace(tzinfo=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    if meeting.cancelled_at is not None:
        return _refused(meeting, MeetingRefused("meeting.cancelled"))
    form = _meeting_form(
        meeting.community, for_edit=True, kind=meeting.kind, title=meeting.title,
        starts_at=_local(meeting.starts_at), ends_at=_local(meeting.ends_at),
        place=meeting.place, online_link=meeting.online_link, chair=str(meeting.chair_id),
        recorder=str(meeting.recorder_id))
    if form.validate_on_submit():
        try:
            update(meeting, actor=current_user, title=form.title.data.strip(),
                   kind=form.kind.data, starts_at=to_utc(form.starts_at.data),
                   ends_at=to_utc(form.ends_at.data), place=(form.place.data or "").strip(),
                   online_link=(form.online_link.data or "").strip(),
                   chair=form.chosen_chair, recorder=form.chosen_recorder)
        except MeetingRefused as refused:
            db.session.rollback()
            form.kind.errors = [refused.message]
        else:
            db.session.commit()
            flash(_("The meeting is updated."), "success")
            return redirect(_meeting_url(meeting))
    return render_template("meetings/new.html", community=meeting.community, form=form,
                           meeting=meeting)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    form = CancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            cancel(meeting, actor=current_user, reason=form.reason.data.strip())
        except MeetingRefused as refused:
            return _refused(meeting, refused)
        db.session.commit()
        flash(_("The meeting is cancelled and the invitees are notified."), "success")
        return redirect(_meeting_url(meeting))
    return _render_meeting(meeting, cancel_form=form)


# --- The meeting page -----------------------------------------------------------------------


def _linked_polls(meeting: Meeting) -> dict[int, Poll]:
    ids = {item.poll_id for item in meeting.items if item.poll_id is not None}
    if not ids:
        return {}
    return {p.id: p for p in db.session.execute(select(Poll).where(Poll.id.in_(ids)))
            .scalars()}


def _hands(meeting: Meeting, counted) -> dict[int, tuple]:
    """Each item's show of hands judged now: (result, refusal message)."""
    judged = {}
    for item in meeting.items:
        try:
            judged[item.id] = (hands_result(meeting, item, counted), None)
        except HandsRefused as refused:
            judged[item.id] = (None, refused.message)
    return judged


def _attendance_context(meeting: Meeting) -> dict:
    counted = attendance(meeting)
    mine = next((a for a in meeting.attendees if a.user_id == current_user.id), None)
    return {"meeting": meeting, "counted": counted, "quorum": counted.quorum,
            "meeting_state": state(meeting), "my_attendee": mine,
            "may_record": can(current_user, "meeting.record", meeting),
            "may_manage": can(current_user, "meeting.manage", meeting),
            "check_in_open": check_in_open(meeting)}


def _render_meeting(meeting: Meeting, **forms):
    """The meeting page; a refused form comes back in ``forms`` with what was typed."""
    context = _attendance_context(meeting)
    manage = context["may_manage"]
    context.update(
        invite_form=InviteForm(organisations_of(meeting.community) if manage else [],
                               formdata=None, prefix="invite"),
        agenda_form=AgendaForm(agenda_candidates(meeting) if manage else [], formdata=None,
                               prefix="agenda"),
        guest_form=GuestForm(formdata=None, prefix="guest"),
        cancel_form=CancelForm(formdata=None, prefix="cancel"),
        check_in_form=CheckInForm(formdata=None, prefix="check-in"))
    context.update(forms)
    return render_template(
        "meetings/view.html", **context, **_minutes_context(meeting),
        actions_by_item=actions_for_meeting(meeting), linked_polls=_linked_polls(meeting),
        hands=_hands(meeting, context["counted"]))


@bp.route("/meetings/<int:meeting_id>")
@login_required
def view(meeting_id: int):
    return _render_meeting(_meeting_or_404(meeting_id))


@bp.route("/meetings/<int:meeting_id>/quorum")
@login_required
def quorum(meeting_id: int):
    """The attendance figures the meeting page polls while the meeting runs."""
    meeting = _meeting_or_404(meeting_id)
    if not wants_fragment():
        return redirect(_meeting_url(meeting, "quorum"))
    return render_template("meetings/_quorum.html", **_attendance_context(meeting))


@bp.route("/meetings/<int:meeting_id>/code")
@login_required
def show_code(meeting_id: int):
    """The check-in code in large figures, for a screen in the room."""
    meeting = _meeting_or_404(meeting_id, "meeting.record")
    return render_template("meetings/code.html", meeting=meeting,
                           check_in_open=check_in_open(meeting))


def _meeting_with_poster(meeting_id: int):
    """The meeting whose poster (PDF or print page) is asked for, to those who manage it;
    a cancelled meeting has none."""
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    if meeting.cancelled_at is not None:
        abort(404)
    return meeting


@bp.route("/meetings/<int:meeting_id>/poster.pdf")
@login_required
def poster(meeting_id: int):
    """The meeting as an A4 poster for the lift lobby, for those who manage it."""
    meeting = _meeting_with_poster(meeting_id)
    data = poster_pdf(meeting_poster(meeting), current_app.config["DOCUMENT_FONT"] or None)
    return send_document(data, f"会议海报-{meeting.title[:20]}.pdf", "application/pdf",
                         ascii_name=f"meeting-{meeting.id}-poster.pdf")


@bp.route("/meetings/<int:meeting_id>/poster.html")
@login_required
def poster_page(meeting_id: int):
    """The poster as a page to print from the browser, for whoever may have its PDF."""
    meeting = _meeting_with_poster(meeting_id)
    return print_page("print/poster.html", the_poster=meeting_poster(meeting),
                      back_url=url_for("meetings.view", meeting_id=meeting.id),
                      back_label=meeting.title)


# --- Invitees -------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/invitees", methods=["POST"])
@login_required
def invite(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    form = InviteForm(organisations_of(meeting.community), prefix="invite")
    if form.validate_on_submit():
        try:
            if form.chosen_organisation is not None:
                added = len(invite_organisation(meeting, form.chosen_organisation,
                                                voting=form.voting.data, actor=current_user))
            else:
                person = _invitable(meeting, form)
                if person is None:
                    return _render_meeting(meeting, invite_form=form)
                added = int(invite_person(meeting, person, voting=form.voting.data,
                                          actor=current_user))
        except MeetingRefused as refused:
            return _refused(meeting, refused, "attendance")
        db.session.commit()
        flash(ngettext("%(num)d person was invited and notified.",
                       "%(num)d people were invited and notified.", added), "success")
        return redirect(_meeting_url(meeting, "attendance"))
    return _render_meeting(meeting, invite_form=form)


def _invitable(meeting: Meeting, form: InviteForm) -> User | None:
    """The person with the typed number, if they belong to the community; else the form
    gets the reason."""
    try:
        phone = normalise_phone(form.phone.data)
    except ValueError:
        form.phone.errors = [_("Enter an 11-digit mainland mobile number.")]
        return None
    user = db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()
    if user is None or not can(user, "community.view", meeting.community):
        form.phone.errors = [_("Nobody with this number belongs to this community.")]
        return None
    return user


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>", methods=["POST"])
@login_required
def change_attendee(meeting_id: int, attendee_id: int):
    """Remove an invitee, or say whether they vote (列席 or not)."""
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    attendee = _attendee_or_404(meeting, attendee_id)
    action = request.form.get("action")
    try:
        if action == "remove":
            remove_attendee(meeting, attendee, actor=current_user)
        elif action in ("voting", "non_voting"):
            set_voting(meeting, attendee, action == "voting", actor=current_user)
        else:
            abort(400)
    except MeetingRefused as refused:
        return _refused(meeting, refused, "attendance")
    db.session.commit()
    flash(_("The list of invitees is updated."), "success")
    return redirect(_meeting_url(meeting, "attendance"))


# --- Attendance -----------------------------------------------------------------------------


def _check_in_refused(_response) -> bool:
    """Only wrong codes count towards the limit."""
    return g.get("check_in_refused", False)


def _too_many_codes(limit):
    """htmx swaps no 4xx answer, so an htmx request gets the check-in piece with the
    message instead of the error page."""
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    message = ngettext("Too many wrong codes. Please try again in %(num)d minute.",
                       "Too many wrong codes. Please try again in %(num)d minutes.", minutes)
    if wants_fragment():
        meeting = _meeting_or_404(request.view_args["meeting_id"], "meeting.check_in")
        return make_response(render_template(
            "meetings/_check_in.html", blocked=message,
            check_in_form=CheckInForm(prefix="check-in"), **_attendance_context(meeting)))
    return make_response(render_template("errors/error.html", code=429, message=message), 429)


@bp.route("/meetings/<int:meeting_id>/check-in", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["MEETING_CHECK_IN_LIMIT"],
               key_func=lambda: f"user:{current_user.get_id()}", scope="meeting-check-in",
               deduct_when=_check_in_refused, on_breach=_too_many_codes)
def check_in_with_code(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.check_in")
    form = CheckInForm(prefix="check-in")
    if form.validate_on_submit():
        try:
            check_in(meeting, current_user, form.code.data)
        except MeetingRefused as refused:
            db.session.rollback()
            g.check_in_refused = refused.code == "meeting.wrong_code"
            form.code.errors = [refused.message]
        else:
            db.session.commit()
            return done(_("You are checked in. Welcome!"), _meeting_url(meeting),
                        "meetings/_check_in.html", _attendance_context(meeting))
    if wants_fragment():
        return render_template("meetings/_check_in.html", check_in_form=form,
                               **_attendance_context(meeting))
    return _render_meeting(meeting, check_in_form=form)


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>/presence",
          methods=["POST"])
@login_required
def presence(meeting_id: int, attendee_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.record")
    attendee = _attendee_or_404(meeting, attendee_id)
    try:
        mark_presence(meeting, attendee, request.form.get("present") == "1",
                      actor=current_user)
    except MeetingRefused as refused:
        return _refused(meeting, refused, "attendance")
    db.session.commit()
    message = (_("%(name)s is marked present.", name=attendee.name) if attendee.present
               else _("%(name)s is marked absent.", name=attendee.name))
    return done(message, _meeting_url(meeting, "attendance"), "meetings/_attendance.html",
                _attendance_context(meeting))


@bp.route("/meetings/<int:meeting_id>/guests", methods=["POST"])
@login_required
def guest(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.record")
    form = GuestForm(prefix="guest")
    if form.validate_on_submit():
        if meeting.cancelled_at is not None:
            return _refused(meeting, MeetingRefused("meeting.cancelled"))
        add_guest(meeting, form.name.data.strip(), actor=current_user)
        db.session.commit()
        flash(_("The guest is listed as present, without a vote."), "success")
        return redirect(_meeting_url(meeting, "attendance"))
    return _render_meeting(meeting, guest_form=form)


# --- Agenda ---------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@login_required
def add_to_agenda(meeting_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    form = AgendaForm(agenda_candidates(meeting), prefix="agenda")
    if form.validate_on_submit():
        try:
            add_item(meeting, form.chosen_proposal, actor=current_user)
        except MeetingRefused as refused:
            return _refused(meeting, refused, "agenda")
        db.session.commit()
        flash(_("The proposal is on the agenda."), "success")
        return redirect(_meeting_url(meeting, "agenda"))
    return _render_meeting(meeting, agenda_form=form)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>", methods=["POST"])
@login_required
def change_agenda(meeting_id: int, item_id: int):
    """Move an item up or down, or take it off the agenda."""
    meeting = _meeting_or_404(meeting_id, "meeting.manage")
    item = _item_or_404(meeting, item_id)
    action = request.form.get("action")
    if action == "remove":
        try:
            remove_item(meeting, item, actor=current_user)
        except MeetingRefused as refused:
            return _refused(meeting, refused, "agenda")
        message = _("The item is taken off the agenda.")
    elif action in ("up", "down"):
        move_item(meeting, item, action, actor=current_user)
        message = _("The agenda is reordered.")
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect(_meeting_url(meeting, "agenda"))


# --- Recording an item ----------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def record(meeting_id: int, item_id: int):
    meeting = _meeting_or_404(meeting_id, "meeting.record")
    item = _item_or_404(meeting, item_id)
    polls = item_polls(item)
    form = ItemForm(polls, data=None if request.method == "POST" else {
        "notes": item.notes, "resolution": item.resolution,
        "poll": str(item.poll_id or ""), "hands": item.hands_for is not None,
        "hands_for": item.hands_for, "hands_against": item.hands_against,
        "hands_abstain": item.hands_abstain})
    if form.validate_on_submit():
        try:
            record_item(meeting, item, actor=current_user, notes=(form.notes.data or "").strip(),
                        resolution=(form.resolution.data or "").strip(), poll=form.chosen_poll,
                        hands=form.counted_hands)
        except HandsRefused as refused:
            db.session.rollback()
            form.hands_for.errors = [refused.message]
        except MeetingRefused as refused:
            db.session.rollback()
            flash(refused.message, "error")
        else:
            db.session.commit()
            flash(_("The item is recorded."), "success")
            return redirect(_meeting_url(meeting, f"item-{item.id}"))
    linked = next((p for p in polls if p.id == item.poll_id), None)
    counted = attendance(meeting)
    try:
        hands, hands_refusal = hands_result(meeting, item, counted), None
    except HandsRefused as refused:
        hands, hands_refusal = None, refused.message
    return render_template(
        "meetings/item.html", meeting=meeting, item=item, form=form, counted=counted,
        linked=linked, poll_result=(official_result(linked)
                                    if linked is not None and linked.status in CLOSED
                                    else None),
        hands=hands, hands_refusal=hands_refusal)

# Minutes (会议纪要): the versions, publishing and corrections, and the downloads.



def _minutes_context(meeting) -> dict:
    """What the meeting page shows about the minutes: every published version (newest
    first), and for the recorder and the chair the draft and the publish form."""
    versions = versions_of(meeting)
    may_publish = can(current_user, "minutes.publish", meeting)
    refusal = minutes_refusal(meeting) if may_publish else None
    return {
        "minutes_versions": versions,
        "may_publish_minutes": may_publish,
        "minutes_refusal": refusal.message if refusal else None,
        "minutes_form": PublishForm(bool(versions), formdata=None) if may_publish else None,
    }


def _minutes_meeting(meeting_id: int, action: str):
    meeting = load_minuted_meeting(meeting_id)
    if meeting is None:
        abort(404)
    require(action, meeting)
    return meeting


def _minutes_section(meeting, form=None) -> dict:
    context = {"meeting": meeting, **_minutes_context(meeting)}
    if form is not None:
        context["minutes_form"] = form
    return context


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id: int):
    """Every published version; the recorder and the chair publish or correct here."""
    meeting = _minutes_meeting(meeting_id, "meeting.view")
    if request.method == "GET":
        return render_page("meetings/minutes.html", "meetings/_minutes.html",
                           **_minutes_section(meeting))
    require("minutes.publish", meeting)
    has_versions = db.session.execute(
        select(Minutes.id).where(Minutes.meeting_id == meeting.id).limit(1)).first()
    form = PublishForm(bool(has_versions))
    if form.validate_on_submit():
        try:
            published = publish_minutes(meeting, actor=current_user,
                                        reason=(form.reason.data or "").strip())
            db.session.commit()
        except MinutesRefused as refused:
            db.session.rollback()
            form.reason.errors = [refused.message]
        except IntegrityError:
            # Two people published the same version at the same moment; the other won.
            db.session.rollback()
            form.reason.errors = [_("Someone else published a version just now; please "
                                    "check it before publishing again.")]
        else:
            message = _("Version %(version)d of the minutes is published.",
                        version=published.version)
            return done(message, url_for("meetings.minutes", meeting_id=meeting.id),
                        "meetings/_minutes.html", _minutes_section(meeting))
    return render_page("meetings/minutes.html", "meetings/_minutes.html",
                       **_minutes_section(meeting, form))


def _send_minutes(meeting, document, file_format: str, ascii_name: str, which: str,
                  banner: str = ""):
    """The minutes under a name that says which meeting, day and version they are; the PDF
    and the print view open in place."""
    day = meeting.starts_at.astimezone(local_zone()).date().isoformat()
    name = document_name(document.title, day, which, suffix=file_format)
    if file_format == "html":
        page = print_page("print/document.html", document=document,
                          document_html=to_html(document), banner=banner,
                          back_url=url_for("meetings.view", meeting_id=meeting.id),
                          back_label=meeting.title)
        return page, 200, {"Content-Disposition": content_disposition(
            name, inline=True, ascii_name=ascii_name)}
    data = render_document(document, file_format, current_app.config["DOCUMENT_FONT"] or None)
    return send_document(data, name, FORMATS[file_format], inline=file_format == "pdf",
                         ascii_name=ascii_name)


@bp.route("/meetings/<int:meeting_id>/minutes.<file_format>")
@login_required
def minutes_file(meeting_id: int, file_format: str):
    """A published version as it was frozen: the latest, or ``?version=N``."""
    meeting = _minutes_meeting(meeting_id, "meeting.view")
    if file_format not in FORMATS:
        abort(404)
    versions = versions_of(meeting)
    wanted = request.args.get("version", type=int)
    chosen = next((v for v in versions if wanted in (None, v.version)), None)
    if chosen is None:
        abort(404)
    banner = ""
    if chosen is not versions[0]:
        banner = _("Superseded: version %(latest)d replaces this version.",
                   latest=versions[0].version)
    return _send_minutes(meeting, published_document(chosen), file_format,
                         file_name(meeting, file_format, chosen.version),
                         _("Version %(number)d", number=chosen.version), banner)


@bp.route("/meetings/<int:meeting_id>/minutes/draft.<file_format>")
@login_required
def minutes_draft(meeting_id: int, file_format: str):
    """The minutes as the records stand now, for the recorder and the chair to check."""
    meeting = _minutes_meeting(meeting_id, "minutes.publish")
    if file_format not in FORMATS:
        abort(404)
    return _send_minutes(meeting, draft_minutes(meeting), file_format,
                         file_name(meeting, file_format), _("Draft"),
                         _("Draft: not published; the records may still change."))

# --- Follow-up actions decided at an agenda item ---------------------------------------------


def _organisations(community_id: int) -> list[Organisation]:
    """Loaded once per request, however many agenda items offer the form."""
    cache = g.setdefault("_followup_organisations", {})
    if community_id not in cache:
        cache[community_id] = community_organisations(community_id)
    return cache[community_id]


def _action_form(item: AgendaItem, **kwargs) -> ActionForm:
    return ActionForm(_organisations(item.meeting.community_id), prefix=f"item-{item.id}",
                      **kwargs)



def _agenda_item_or_404(item_id: int) -> AgendaItem:
    item = db.session.execute(
        select(AgendaItem).where(AgendaItem.id == item_id)
        .options(joinedload(AgendaItem.meeting), joinedload(AgendaItem.proposal))
    ).scalar_one_or_none()
    if item is None:
        abort(404)
    require("followup.record", item.meeting)
    return item


@bp.route("/agenda-items/<int:item_id>/actions", methods=["POST"])
@login_required
def add_action_for_item(item_id: int):
    item = _agenda_item_or_404(item_id)
    form = _action_form(item)
    meeting_url = url_for("meetings.view", meeting_id=item.meeting_id,
                          _anchor=f"item-actions-{item.id}")
    if form.validate_on_submit():
        add_action(item.proposal, agenda_item_id=item.id,
                   organisation=form.chosen_organisation,
                   description=form.description.data, due_on=form.due_on.data,
                   actor=current_user)
        db.session.commit()
        message = _("Action recorded; %(organisation)s has been told.",
                    organisation=form.chosen_organisation.name)
        return done(message, meeting_url, "meetings/_item_actions.html",
                    {"item": item, "actions": actions_for_item(item.id), "may_record": True})
    return render_page("meetings/item_actions.html", "meetings/_item_actions.html",
                       item=item, actions=actions_for_item(item.id), may_record=True,
                       action_form=form, meeting_url=meeting_url)


@bp.context_processor
def followup_form():
    """The action form each agenda item of the meeting page offers its recorder."""
    return {"followup_form": lambda item: _action_form(item, formdata=None)}
