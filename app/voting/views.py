import io
import zipfile
from fractions import Fraction

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.community.models import Community, Organisation
from app.core.caching import no_store
from app.core.documents import FORMATS, render, to_html
from app.core.downloads import file_name, send_document
from app.core.forms import to_utc
from app.core.paper import print_page
from app.core.rendering import render_page, wants_fragment
from app.core.text import percent
from app.extensions import db, local_zone, utcnow
from app.messaging.services import poll_sms
from app.permissions import can, require
from app.phones import mask_phone, normalise_phone
from app.proposals.models import Proposal
from app.voting import permissions  # noqa: F401  (registers the poll rules)
from app.voting.forms import (
    AnswerForm,
    ExtendForm,
    ObjectionForm,
    OfflineForm,
    PollForm,
    VotingSettingsForm,
)
from app.voting.labels import (
    CHANNEL_LABELS,
    DEEMED_SIDE_LABELS,
    ELECTORATE_LABELS,
    OUTCOME_LABELS,
    RULE_LABELS,
    YES_NO_LABELS,
    describe_condition,
    matter_label,
)
from app.voting.models import (
    Channel,
    ElectorateKind,
    Objection,
    Poll,
    PollStatus,
    QuestionKind,
    RollEntry,
)
from app.voting.notice import result_notice
from app.voting.paper import masked_holders
from app.voting.proxies import masked_id_number
from app.voting.rules import INVALID, YES_NO
from app.voting.services import (
    RECEIPT_SEARCH_MIN,
    VOTING_SETTINGS,
    VotingRefused,
    answer_objection,
    audit_package,
    bulletin_csv,
    cast,
    close_poll,
    committee_dates,
    create_poll,
    current_ballot,
    deemed_count,
    dispute_offline_entry,
    earliest_opening,
    enter_offline,
    entry_for,
    extend,
    file_objection,
    is_owners_decision,
    normalised_receipt,
    open_poll,
    refresh,
    remind_non_voters,
    results,
    serve_online,
    store_result,
    stored_bulletin,
    stored_result,
    turnout,
    update_voting_settings,
    valid_choices,
)

bp = Blueprint("voting", __name__)

CLOSED = {PollStatus.CLOSED, PollStatus.FINAL}


@bp.context_processor
def labels():
    return {"rule_labels": RULE_LABELS, "outcome_labels": OUTCOME_LABELS,
            "electorate_labels": ELECTORATE_LABELS, "channel_labels": CHANNEL_LABELS,
            "percent": percent, "in_words": in_words,
            "describe_condition": describe_condition, "matter_label": matter_label,
            "deemed_side_labels": DEEMED_SIDE_LABELS, "yes_no_labels": YES_NO_LABELS,
            "earliest_opening": earliest_opening, "committee_dates": committee_dates,
            "is_owners_decision": is_owners_decision}


def in_words(values, labels: dict) -> str:
    """A ballot's choices as the words on the ballot."""
    return "、".join(str(labels[value]) for value in values)


def choice_pairs(poll: Poll) -> list[tuple[str, str]]:
    """The ballot's answers as (value, words), in ballot order."""
    if poll.kind == QuestionKind.YES_NO:
        return [(value, str(YES_NO_LABELS[value])) for value in YES_NO]
    return [(str(option.id), option.label) for option in poll.options]


def _refusal_beside(fields: dict, refused: VotingRefused) -> str | None:
    """Show a refusal under the field it is about, keeping what was typed; a refusal about
    no field is returned, for the top of the form."""
    field = fields.get(refused.code)
    if field is None:
        return refused.message
    field.errors = [refused.message]
    return None


def _poll_or_404(poll_id: int, action: str = "proposal.view") -> Poll:
    """Load the poll with its proposal, let time move it on, and stop unless the user may
    ``action`` (on the proposal, or on its community for chair actions)."""
    # The options load when a page asks for them: a yes/no poll has none.
    poll = db.session.execute(
        select(Poll).where(Poll.id == poll_id).options(
            joinedload(Poll.proposal).joinedload(Proposal.community))
    ).unique().scalar_one_or_none()
    if poll is None:
        abort(404)
    require("proposal.view", poll.proposal)
    if action == "proposal.chair":
        require(action, poll.proposal.community)
    elif action != "proposal.view":
        require(action, poll)
    if refresh(poll):
        db.session.commit()
    if poll.status in CLOSED and stored_result(poll) is None:
        # Closed before results were stored: count it this once, then read it from there.
        store_result(poll)
        db.session.commit()
    return poll


def _poll_url(poll: Poll, anchor: str | None = None) -> str:
    return url_for("voting.view_poll", poll_id=poll.id, _anchor=anchor)


def _refused(poll: Poll, refused: VotingRefused, anchor: str | None = None):
    db.session.rollback()
    flash(refused.message, "error")
    return redirect(_poll_url(poll, anchor))


# --- Creating -------------------------------------------------------------------------------


@bp.route("/p/<int:proposal_id>/polls/new", methods=["GET", "POST"])
@login_required
def new_poll(proposal_id: int):
    proposal = db.session.execute(select(Proposal).where(Proposal.id == proposal_id).options(
        joinedload(Proposal.community))).scalar_one_or_none()
    if proposal is None:
        abort(404)
    require("proposal.chair", proposal.community)
    organisations = db.session.execute(select(Organisation).where(
        Organisation.community_id == proposal.community_id).order_by(Organisation.name)
    ).scalars().all()
    form = PollForm(organisations)
    refusal = None
    if form.validate_on_submit():
        try:
            poll = create_poll(
                proposal, actor=current_user, question=form.question.data.strip(),
                rule=form.rule.data, electorate=form.electorate.data,
                matter=form.chosen_matter,
                organisation=(form.chosen_organisation
                              if form.electorate.data == ElectorateKind.ORGANISATION else None),
                opens_at=to_utc(form.opens_at.data), closes_at=to_utc(form.closes_at.data),
                kind=form.kind.data, options=form.options_list,
                max_choices=form.max_choices.data or 1, seats=form.seats.data or 1,
                allow_change=form.allow_change.data,
                allow_early_close=form.allow_early_close.data,
                visibility=form.visibility.data, secrecy=form.secrecy.data,
                turnout_quorum_percent=form.turnout_quorum_percent.data,
                objection_days=form.objection_days.data)
            if poll.opens_at <= utcnow():
                open_poll(poll, actor=current_user)
        except VotingRefused as refused:
            db.session.rollback()
            refusal = _refusal_beside({"poll.closes_before_opening": form.closes_at,
                                      "poll.organisation_needed": form.organisation,
                                      "poll.matter_needed": form.matter,
                                      "poll.rule_fixed_by_matter": form.rule,
                                      "poll.civil_code_for_owners_only": form.rule,
                                      "poll.notice_period": form.opens_at}, refused)
        else:
            db.session.commit()
            flash(_("The poll is saved."), "success")
            return redirect(_poll_url(poll))
    return render_template("voting/new.html", proposal=proposal, form=form, refusal=refusal,
                           may_open=can(current_user, "poll.create", proposal))


# --- The poll page --------------------------------------------------------------------------


def _turnout_context(poll: Poll) -> dict:
    people, area = turnout(poll) if poll.status != PollStatus.SCHEDULED else (0, 0)
    return {"poll": poll, "voted_people": people, "voted_area": area,
            "people_ratio": Fraction(people, poll.total_people) if poll.total_people else None,
            "area_ratio": Fraction(area) / Fraction(poll.total_area) if poll.total_area else None}


def _render_poll(poll: Poll, refused_answer: dict | None = None, **forms):
    """The poll page; a refused form comes back in ``forms`` with what was typed in it."""
    entry = entry_for(poll, current_user) if poll.status != PollStatus.SCHEDULED else None
    ballot = current_ballot(poll, entry) if entry is not None else None
    visible = can(current_user, "poll.see_results", (poll, ballot is not None))
    count = deemed_count(poll) if visible else None
    if count is not None:
        raw, deemed = count.raw, count.deemed
    else:
        raw, deemed = results(poll) if visible else (None, None)
    objections = []
    if poll.status != PollStatus.SCHEDULED:
        objections = db.session.execute(select(Objection).where(
            Objection.poll_id == poll.id).order_by(Objection.created_at)).scalars().all()
    is_chair = can(current_user, "proposal.chair", poll.proposal.community)
    answer_forms = {o.id: answer_form(o, formdata=None) for o in objections
                    if is_chair and not o.answer}
    answer_forms.update(refused_answer or {})
    context = {"extend_form": ExtendForm(formdata=None),
               "objection_form": ObjectionForm(formdata=None), **forms}
    may_enter_offline = can(current_user, "poll.enter_offline", poll)
    page = render_template(
        "voting/view.html", **_turnout_context(poll), **context, entry=entry, ballot=ballot,
        raw=raw, deemed=deemed, count=count, choices=choice_pairs(poll),
        labels=dict(choice_pairs(poll)),
        is_chair=is_chair, objections=objections, answer_forms=answer_forms,
        may_enter_offline=may_enter_offline,
        sms=poll_sms(poll.id, poll.community_id) if is_chair or may_enter_offline else None)
    # An owner who opens the open poll has been served its notice online.
    if entry is not None and serve_online(poll, entry):
        db.session.commit()
    return page


@bp.route("/polls/<int:poll_id>")
@no_store
@login_required
def view_poll(poll_id: int):
    return _render_poll(_poll_or_404(poll_id))


@bp.route("/polls/<int:poll_id>/turnout")
@login_required
def poll_turnout(poll_id: int):
    """The turnout piece that the poll page polls; without htmx, the page itself."""
    poll = _poll_or_404(poll_id)
    if not wants_fragment():
        return redirect(_poll_url(poll, "turnout"))
    return render_template("voting/_turnout.html", **_turnout_context(poll))


# --- Voting ---------------------------------------------------------------------------------


def _voter_entry(poll: Poll) -> RollEntry:
    entry = entry_for(poll, current_user)
    if entry is None:
        abort(403)
    return entry


@bp.route("/polls/<int:poll_id>/confirm", methods=["POST"])
@no_store
@login_required
def confirm_vote(poll_id: int):
    poll = _poll_or_404(poll_id)
    _voter_entry(poll)
    try:
        picked = valid_choices(poll, request.form.getlist("choice"))
    except VotingRefused as refused:
        return _refused(poll, refused, "vote")
    labels = dict(choice_pairs(poll))
    return render_template("voting/confirm.html", poll=poll, picked=picked,
                           picked_labels=[labels[c] for c in picked])


@bp.route("/polls/<int:poll_id>/vote", methods=["POST"])
@no_store
@login_required
def vote(poll_id: int):
    poll = _poll_or_404(poll_id)
    entry = _voter_entry(poll)
    try:
        cast(poll, entry, request.form.getlist("choice"), user=current_user)
    except VotingRefused as refused:
        return _refused(poll, refused, "vote")
    # The answer is made before the commit, which expires the poll and the user: after it,
    # the poll's address and the message's language would load both again.
    answer = redirect(_poll_url(poll, "my-ballot"))
    flash(_("Your ballot is recorded."), "success")
    db.session.commit()
    return answer


# --- After close ----------------------------------------------------------------------------


@bp.route("/polls/<int:poll_id>/bulletin")
@no_store
@login_required
def poll_bulletin(poll_id: int):
    poll = _poll_or_404(poll_id)
    if poll.status not in CLOSED:
        abort(404)
    typed = request.args.get("receipt", "").strip()[:40]
    receipt = normalised_receipt(typed)
    search_error = None
    if typed and len(receipt.replace("-", "")) < RECEIPT_SEARCH_MIN:
        search_error = _("Type at least %(num)d characters of the receipt.",
                         num=RECEIPT_SEARCH_MIN)
        receipt = ""
    page = stored_bulletin(poll, page=request.args.get("page", 1, type=int), receipt=receipt)
    entry = entry_for(poll, current_user)
    mine = current_ballot(poll, entry) if entry is not None else None
    return render_page("voting/bulletin.html", "voting/_bulletin_page.html", poll=poll,
                       page=page, typed=typed, receipt=receipt, search_error=search_error,
                       search_min=RECEIPT_SEARCH_MIN,
                       my_receipt=mine.receipt if mine else None,
                       labels=dict(choice_pairs(poll)))


@bp.route("/polls/<int:poll_id>/bulletin.csv")
@login_required
def poll_bulletin_csv(poll_id: int):
    """The whole bulletin to download, for whoever may see the bulletin page."""
    poll = _poll_or_404(poll_id)
    if poll.status not in CLOSED:
        abort(404)
    return Response("\ufeff" + bulletin_csv(poll), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="poll-{poll.id}-bulletin.csv"'})


@bp.route("/polls/<int:poll_id>/package.zip")
@no_store
@login_required
def audit_zip(poll_id: int):
    poll = _poll_or_404(poll_id, "proposal.chair")
    if poll.status not in CLOSED:
        abort(404)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in audit_package(poll).items():
            archive.writestr(name, text)
    name = file_name(_("Audit package"), poll.question[:40], _closing_day(poll), suffix="zip")
    return send_document(buffer.getvalue(), name, "application/zip", inline=False,
                         ascii_name=f"poll-{poll.id}-audit.zip")


def _closing_day(poll: Poll) -> str:
    """The day the poll closed, in Beijing, for file names."""
    return (poll.closed_at or poll.closes_at).astimezone(local_zone()).date().isoformat()


@bp.route("/polls/<int:poll_id>/notice.<file_format>")
@login_required
def result_notice_file(poll_id: int, file_format: str):
    """The result notice (表决结果公告) to print, sign and post: for anyone concerned. The
    PDF and the page to print from the browser open in place; the file is named after the
    notice, the community and the day the poll closed."""
    poll = _poll_or_404(poll_id)
    if poll.status not in CLOSED or file_format not in FORMATS:
        abort(404)
    document = result_notice(poll)
    if file_format == "html":
        return print_page("print/document.html", document=document,
                          document_html=to_html(document),
                          back_url=url_for("voting.view_poll", poll_id=poll.id),
                          back_label=poll.question)
    data = render(document, file_format, current_app.config["DOCUMENT_FONT"] or None)
    community = db.session.get(Community, poll.community_id)
    name = file_name(document.title, community.name, _closing_day(poll), suffix=file_format)
    return send_document(data, name, FORMATS[file_format], inline=file_format == "pdf",
                         ascii_name=f"poll-{poll.id}-{poll.status}-notice.{file_format}")


# --- Staff ----------------------------------------------------------------------------------


def _account_by_phone(phone: str) -> User | None:
    try:
        phone = normalise_phone(phone)
    except ValueError:
        return None
    return db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()


def _entered_offline(poll: Poll) -> list[dict]:
    """The paper and proxy ballots entered so far (who, never what): one query. Holders
    show masked, as the staff need only recognise them."""
    rows = db.session.execute(
        select(RollEntry.label, RollEntry.voted_channel, RollEntry.paper_number,
               RollEntry.proxy_id_number, User.phone)
        .outerjoin(User, User.id == RollEntry.proxy_user_id)
        .where(RollEntry.poll_id == poll.id,
               RollEntry.voted_channel.in_([Channel.PAPER, Channel.PROXY]))
        .order_by(RollEntry.key)).all()
    return [{"rooms": label, "channel": channel, "paper_number": number or "",
             "holder": mask_phone(phone) if phone else
             masked_id_number(id_number) if id_number else ""}
            for label, channel, number, id_number, phone in rows]


def _offline_form(poll: Poll) -> OfflineForm:
    entries = db.session.execute(
        select(RollEntry, RollEntry.voted_at.is_not(None))
        .where(RollEntry.poll_id == poll.id).order_by(RollEntry.key)).all()
    return OfflineForm(entries, [*choice_pairs(poll), (INVALID, _(
        "Invalid ballot (废票): blank, spoilt or unreadable"))], _account_by_phone)


# The reference a staff member last gave for a scanned paper ballot: (poll id, reference).
SCANNED_REFERENCE = "paper_reference"


def _scanned_entry(poll: Poll, form: OfflineForm) -> RollEntry | None:
    """The roll entry a printed ballot's code names (``?entry=``), with the form set for a
    paper ballot of that entry: its printed number, the reference last given (or where
    signed ballots are filed). None without a code; a code naming nobody on this roll
    says so and leaves the full form."""
    wanted = request.args.get("entry")
    if wanted is None:
        return None
    is_id = wanted.isascii() and wanted.isdigit() and len(wanted) <= 18
    entry = db.session.get(RollEntry, int(wanted)) if is_id else None
    if entry is None or entry.poll_id != poll.id:
        flash(_("This code names nobody on this poll's roll: choose the voter below."), "error")
        return None
    if request.method == "GET":
        last_poll, last_reference = session.get(SCANNED_REFERENCE) or (None, "")
        form.entry.data, form.channel.data = str(entry.id), Channel.PAPER
        form.paper_number.data = entry.key
        form.reference.data = last_reference if last_poll == poll.id else _(
            "Filed with this poll's signed paper ballots")
    return entry


@bp.route("/polls/<int:poll_id>/offline", methods=["GET", "POST"])
@no_store
@login_required
def offline(poll_id: int):
    """Staff enter a paper or proxy ballot; a printed ballot's code opens this form set for
    its voter, so that entering it takes a tap on the choice and a submit."""
    poll = _poll_or_404(poll_id, "poll.enter_offline")
    if poll.status != PollStatus.OPEN:
        flash(VotingRefused("poll.not_open").message, "error")
        return redirect(_poll_url(poll))
    form = _offline_form(poll)
    scanned = _scanned_entry(poll, form)
    refusal = None
    if form.validate_on_submit():
        try:
            ballot = enter_offline(
                poll, form.chosen_entry, [form.choice.data], staff=current_user,
                channel=form.channel.data, reference=form.reference.data.strip(),
                paper_number=form.paper_number.data or "",
                proxy_holder=form.chosen_proxy,
                proxy_id_number=form.proxy_id_number.data or "")
        except VotingRefused as refused:
            db.session.rollback()
            refusal = _refusal_beside({"poll.paper_number_taken": form.paper_number,
                                      "poll.paper_number_needed": form.paper_number,
                                      "poll.bad_id_number": form.proxy_id_number,
                                      "poll.proxy_holder_needed": form.proxy_phone,
                                      "poll.too_many_proxies": form.proxy_phone}, refused)
        else:
            db.session.commit()
            flash(_("Entered for %(rooms)s, receipt %(receipt)s.",
                    rooms=form.chosen_entry.label, receipt=ballot.receipt), "success")
            if scanned is None:
                return redirect(url_for("voting.offline", poll_id=poll.id))
            session[SCANNED_REFERENCE] = (poll.id, form.reference.data.strip())
            return redirect(url_for("voting.offline", poll_id=poll.id, entry=scanned.id))
    return render_template("voting/offline.html", poll=poll, form=form, refusal=refusal,
                           entered=_entered_offline(poll), scanned=scanned,
                           holders=masked_holders(poll, [scanned]) if scanned else {})


@bp.route("/polls/<int:poll_id>/close", methods=["POST"])
@login_required
def close(poll_id: int):
    poll = _poll_or_404(poll_id, "proposal.chair")
    if not poll.allow_early_close:
        abort(403)
    try:
        close_poll(poll, actor=current_user)
    except VotingRefused as refused:
        return _refused(poll, refused)
    db.session.commit()
    flash(_("The poll is closed; the preliminary result is published."), "success")
    return redirect(_poll_url(poll))


@bp.route("/polls/<int:poll_id>/extend", methods=["POST"])
@login_required
def extend_poll(poll_id: int):
    poll = _poll_or_404(poll_id, "proposal.chair")
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            extend(poll, to_utc(form.closes_at.data), actor=current_user,
                   reason=form.reason.data.strip())
        except VotingRefused as refused:
            db.session.rollback()
            form.closes_at.errors = [refused.message]
        else:
            db.session.commit()
            flash(_("The closing time is extended."), "success")
            return redirect(_poll_url(poll))
    flash(_("Nothing was changed. Please correct the marked field below."), "error")
    return _render_poll(poll, extend_form=form)


@bp.route("/polls/<int:poll_id>/remind", methods=["POST"])
@login_required
def remind(poll_id: int):
    poll = _poll_or_404(poll_id, "proposal.chair")
    try:
        count = remind_non_voters(poll, actor=current_user)
    except VotingRefused as refused:
        return _refused(poll, refused)
    db.session.commit()
    flash(ngettext("%(num)d person was reminded.", "%(num)d people were reminded.", count),
          "success")
    return redirect(_poll_url(poll))


# --- Objections -----------------------------------------------------------------------------


@bp.route("/polls/<int:poll_id>/objections", methods=["POST"])
@login_required
def object_to(poll_id: int):
    poll = _poll_or_404(poll_id)
    _voter_entry(poll)
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            file_objection(poll, user=current_user, text=form.text.data.strip())
        except VotingRefused as refused:
            return _refused(poll, refused, "objections")
        db.session.commit()
        flash(_("Your objection is filed; the organiser will answer it here."), "success")
        return redirect(_poll_url(poll, "objections"))
    return _render_poll(poll, objection_form=form)


@bp.route("/polls/<int:poll_id>/not-mine", methods=["POST"])
@login_required
def not_mine(poll_id: int):
    """“This wasn't me”: an owner disowns a paper or proxy ballot entered in their name."""
    poll = _poll_or_404(poll_id)
    entry = _voter_entry(poll)
    text = _("A ballot (%(channel)s) was entered in my name, but I did not give it.",
             channel=CHANNEL_LABELS[entry.voted_channel]) if entry.voted_channel else ""
    try:
        dispute_offline_entry(poll, entry, user=current_user, text=text)
    except VotingRefused as refused:
        return _refused(poll, refused, "vote")
    db.session.commit()
    flash(_("Your objection is filed; the organiser will answer it on this page. Voting "
            "online replaces the entered ballot while the poll is open."), "success")
    return redirect(_poll_url(poll, "objections"))


def answer_form(objection: Objection, **kwargs) -> AnswerForm:
    """One answer form per objection, its fields named apart by the objection's id."""
    return AnswerForm(prefix=f"o-{objection.id}", **kwargs)


@bp.route("/polls/<int:poll_id>/objections/<int:objection_id>/answer", methods=["POST"])
@login_required
def answer(poll_id: int, objection_id: int):
    poll = _poll_or_404(poll_id, "proposal.chair")
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.poll_id != poll.id:
        abort(404)
    form = answer_form(objection)
    if form.validate_on_submit():
        answer_objection(objection, actor=current_user, answer=form.answer.data.strip())
        db.session.commit()
        flash(_("The answer is published."), "success")
        return redirect(_poll_url(poll, "objections"))
    return _render_poll(poll, refused_answer={objection.id: form})



@bp.route("/c/<int:community_id>/voting-settings", methods=["GET", "POST"])
@login_required
def voting_settings(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("community.manage", community)
    form = VotingSettingsForm(obj=community if request.method == "GET" else None)
    if form.validate_on_submit():
        update_voting_settings(community, actor=current_user,
                               **{name: getattr(form, name).data for name in VOTING_SETTINGS})
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("voting.voting_settings", community_id=community.id))
    return render_template("voting/settings.html", community=community, form=form)


# Their routes are on this blueprint.
from app.voting import paper_views, service_views  # noqa: E402, F401
