from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.community.labels import SCOPE_LABELS
from app.community.models import Building, Community, Organisation
from app.core import uploads
from app.core.rendering import done, go_to, render_page
from app.core.signals import proposal_page
from app.extensions import db, utcnow
from app.permissions import can, load_standing, require
from app.proposals import permissions  # noqa: F401  (registers the proposal rules)
from app.proposals.forms import (
    ListFilterForm,
    MergeForm,
    PartyReviewForm,
    ProposalForm,
    ReasonForm,
    RulesOfOrderForm,
    SettingsForm,
)
from app.proposals.labels import (
    CATEGORY_LABELS,
    EVENT_LABELS,
    HIDDEN_LABELS,
    OPINION_LABELS,
    STATUS_LABELS,
)
from app.proposals.models import DEFAULT_REVIEW_CATEGORIES, Proposal
from app.proposals.services import (
    ListFilters,
    add_party_review,
    add_photos,
    cosponsor,
    follow,
    has_cosponsored,
    is_following,
    list_proposals,
    merge,
    merge_candidates,
    move_back,
    my_drafts,
    party_branch_for,
    party_review_required,
    party_reviews,
    remove_photo,
    save_draft,
    set_rules_of_order,
    submit,
    timeline,
    unfollow,
    update_settings,
    withdraw,
    withdraw_author_rights,
)
from app.proposals.states import (
    Status,
    TransitionRefused,
)

bp = Blueprint("proposals", __name__)

@bp.url_value_preprocessor
def allow_photo_uploads(endpoint, _values):
    """Drafts carry up to six photos, more than the app's request limit. This hook runs
    before every ``before_request`` function, the CSRF check among them, which is the
    first to read the request body and so fixes its limit."""
    if endpoint in ("proposals.new_proposal", "proposals.edit_proposal"):
        request.max_content_length = current_app.config["PROPOSAL_UPLOAD_LIMIT"]


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS, "category_labels": CATEGORY_LABELS,
            "scope_labels": SCOPE_LABELS, "opinion_labels": OPINION_LABELS,
            "event_labels": EVENT_LABELS, "hidden_labels": HIDDEN_LABELS}


def _community_or_404(community_id: int) -> Community:
    return db.get_or_404(Community, community_id)


def _proposal_or_404(proposal_id: int, action: str = "proposal.view") -> Proposal:
    """Load a proposal with what its page shows, and stop unless the user may ``action``.

    A draft withdrawn before it was ever published stays its author's alone."""
    proposal = db.session.execute(
        select(Proposal).where(Proposal.id == proposal_id).options(
            joinedload(Proposal.author), joinedload(Proposal.organisation),
            joinedload(Proposal.community), joinedload(Proposal.merged_into),
            selectinload(Proposal.scope_grids), selectinload(Proposal.scope_buildings),
            selectinload(Proposal.photos))
    ).unique().scalar_one_or_none()
    if proposal is None:
        abort(404)
    require(action, proposal)
    if proposal.published_at is None and proposal.author_id != current_user.id:
        abort(403)
    return proposal


def _proposal_url(proposal: Proposal) -> str:
    return url_for("proposals.view_proposal", proposal_id=proposal.id)


def _refusal(proposal: Proposal, refused: TransitionRefused) -> str:
    if (refused.code == "proposal.not_yours" and proposal.author_id == current_user.id
            and proposal.author_rights_withdrawn):
        return _("A chair withdrew your author rights on this proposal.")
    return refused.message


def _refused(proposal: Proposal, refused: TransitionRefused):
    db.session.rollback()
    flash(_refusal(proposal, refused), "error")
    return redirect(_proposal_url(proposal))


# --- Drafts ---------------------------------------------------------------------------------


def _draft_form(community: Community, proposal: Proposal | None = None) -> ProposalForm:
    """The draft form, filled from the saved draft until the author posts their changes."""
    buildings = db.session.execute(
        select(Building).where(Building.community_id == community.id).order_by(Building.name)
    ).scalars().all()
    organisation_ids = [r.organisation_id for r in load_standing(current_user).org_roles
                        if r.community_id == community.id]
    organisations = [o for o in db.session.execute(
        select(Organisation).where(Organisation.id.in_(organisation_ids))
        .order_by(Organisation.name)).scalars() if can(current_user, "proposal.post_for", o)]
    saved = {}
    if proposal is not None and request.method != "POST":
        saved = {"title": proposal.title, "body": proposal.body,
                 "category": proposal.category, "scope_kind": proposal.scope_kind,
                 "grids": [str(g.id) for g in proposal.scope_grids],
                 "buildings": [str(b.id) for b in proposal.scope_buildings],
                 "organisation": str(proposal.organisation_id or "")}
    return ProposalForm(community, community.grids, buildings, organisations,
                        existing_photos=len(proposal.photos) if proposal else 0, data=saved)


def _save(form: ProposalForm, community: Community, proposal: Proposal | None) -> Proposal:
    proposal = save_draft(
        proposal, community=community, author=current_user,
        organisation=form.chosen_organisation, title=form.title.data,
        body=form.body.data or "", category=form.category.data,
        scope_kind=form.scope_kind.data, grids=form.chosen_grids,
        buildings=form.chosen_buildings)
    add_photos(proposal, form.clean_photos)
    db.session.commit()
    return proposal


@bp.route("/c/<int:community_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(community_id: int):
    community = _community_or_404(community_id)
    require("proposal.create", community)
    form = _draft_form(community)
    if form.validate_on_submit():
        proposal = _save(form, community, None)
        flash(_("Draft saved. Submit it when it is ready; you can also finish it later on "
                "another device."), "success")
        return redirect(_proposal_url(proposal))
    return render_template("proposals/edit.html", community=community, form=form,
                           proposal=None)


@bp.route("/p/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id, "proposal.edit")
    form = _draft_form(proposal.community, proposal)
    if form.validate_on_submit():
        _save(form, proposal.community, proposal)
        flash(_("Draft saved."), "success")
        return redirect(_proposal_url(proposal))
    return render_template("proposals/edit.html", community=proposal.community, form=form,
                           proposal=proposal)


@bp.route("/p/<int:proposal_id>/photos/<int:photo_id>/remove", methods=["POST"])
@login_required
def remove_draft_photo(proposal_id: int, photo_id: int):
    proposal = _proposal_or_404(proposal_id, "proposal.edit")
    photo = next((p for p in proposal.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    remove_photo(photo)
    db.session.commit()
    return done(_("Photo removed."), url_for("proposals.edit_proposal", proposal_id=proposal.id),
                "proposals/_photos.html", {"proposal": proposal, "editing": True})


def _photo_response(proposal_id: int, photo_id: int, *, thumb: bool):
    proposal = _proposal_or_404(proposal_id)
    if not can(current_user, "proposal.see_content", proposal):
        abort(403)
    photo = next((p for p in proposal.photos if p.id == photo_id), None)
    if photo is None:
        abort(404)
    return uploads.serve(uploads.PHOTOS, photo.stored_name, uploads.JPEG, thumb=thumb)


@bp.route("/p/<int:proposal_id>/photos/<int:photo_id>")
@login_required
def photo(proposal_id: int, photo_id: int):
    return _photo_response(proposal_id, photo_id, thumb=False)


@bp.route("/p/<int:proposal_id>/photos/<int:photo_id>/thumb")
@login_required
def photo_thumb(proposal_id: int, photo_id: int):
    return _photo_response(proposal_id, photo_id, thumb=True)


@bp.route("/p/<int:proposal_id>/submit", methods=["POST"])
@login_required
def submit_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id, "proposal.author")
    require("proposal.create", proposal.community)
    if not proposal.body.strip():
        flash(_("Write what the proposal is about before you submit it."), "error")
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal.id))
    if proposal.organisation and not can(current_user, "proposal.post_for",
                                         proposal.organisation):
        flash(_("You are no longer staff of %(name)s. Edit the draft to post it as yourself.",
                name=proposal.organisation.name), "error")
        return redirect(_proposal_url(proposal))
    try:
        submit(proposal, actor=current_user)
    except TransitionRefused as refused:
        return _refused(proposal, refused)
    db.session.commit()
    if proposal.status == Status.COLLECTING:
        flash(_("Your proposal is public. Once %(num)d neighbours co-sponsor it, it goes to "
                "deliberation.", num=proposal.community.cosponsor_threshold), "success")
    else:
        flash(_("Your proposal is public and open for deliberation."), "success")
    return redirect(_proposal_url(proposal))


# --- The proposal page ------------------------------------------------------------------------


def _page_context(proposal: Proposal, **forms) -> dict:
    """What the proposal page shows this user: a fixed number of queries, whatever the
    number of photos, co-sponsors, followers or timeline entries. Each ``may_*`` flag is
    the rule its handler enforces."""
    user = current_user
    chair = can(user, "proposal.chair", proposal.community)
    review_required = party_review_required(proposal)
    context = {
        "proposal": proposal,
        "community": proposal.community,
        "see_content": can(user, "proposal.see_content", proposal),
        "events": timeline(proposal),
        "following": is_following(proposal, user),
        "cosponsored": (proposal.status == Status.COLLECTING
                        and has_cosponsored(proposal, user)),
        "may_withdraw": can(user, "proposal.withdraw", proposal),
        "is_chair": chair,
        "review_required": review_required,
        "reviews": party_reviews(proposal) if review_required else [],
        "may_review": can(user, "proposal.give_party_opinion", proposal),
        "form_refused": bool(forms),
    }
    if chair:
        may_merge = can(user, "proposal.merge", proposal)
        context.update(
            may_merge=may_merge,
            may_move_back=can(user, "proposal.move_back", proposal),
            may_set_rules=can(user, "proposal.set_rules", proposal),
            may_withdraw_rights=can(user, "proposal.withdraw_rights", proposal),
            merge_form=forms.get("merge_form") or MergeForm(
                merge_candidates(proposal) if may_merge else [],
                formdata=None, prefix="merge"),
            move_back_form=forms.get("move_back_form") or ReasonForm(
                formdata=None, prefix="move_back"),
            rights_form=forms.get("rights_form") or ReasonForm(formdata=None, prefix="rights"),
            rules_form=forms.get("rules_form") or RulesOfOrderForm(
                formdata=None, obj=proposal, prefix="rules"),
        )
    if context["may_review"]:
        context["review_form"] = (forms.get("review_form")
                                  or PartyReviewForm(formdata=None, prefix="review"))
    page = request.args.get("page", 1, type=int)
    for _receiver, part in proposal_page.send(proposal, user=user, page=page):
        context.update(part)
    return context


def _proposal_page(proposal: Proposal, **forms):
    return render_template("proposals/view.html", **_page_context(proposal, **forms))


@bp.route("/p/<int:proposal_id>")
@login_required
def view_proposal(proposal_id: int):
    return _proposal_page(_proposal_or_404(proposal_id))


def _support_context(proposal: Proposal) -> dict:
    return {"proposal": proposal, "cosponsored": has_cosponsored(proposal, current_user)}


@bp.route("/p/<int:proposal_id>/cosponsor", methods=["POST"])
@login_required
def cosponsor_proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    if proposal.status != Status.COLLECTING:
        flash(_("This proposal is not collecting support now."), "error")
        return go_to(_proposal_url(proposal))
    require("proposal.cosponsor", proposal)
    if has_cosponsored(proposal, current_user):
        flash(_("You already co-sponsor this proposal."), "info")
        return go_to(_proposal_url(proposal))
    if cosponsor(proposal, current_user):
        db.session.commit()
        flash(_("Thank you. With your support the proposal reached its threshold and is now "
                "in deliberation."), "success")
        return go_to(_proposal_url(proposal))
    db.session.commit()
    return done(_("Thank you for your support. You now follow this proposal."),
                _proposal_url(proposal), "proposals/_support.html", _support_context(proposal))


def _follow_toggle(proposal_id: int, *, on: bool):
    proposal = _proposal_or_404(proposal_id)
    if on:
        follow(proposal, current_user)
        message = _("You follow this proposal: you will be told when it moves on.")
    else:
        unfollow(proposal, current_user)
        message = _("You no longer follow this proposal.")
    db.session.commit()
    return done(message, _proposal_url(proposal), "proposals/_follow.html",
                {"proposal": proposal, "following": on})


@bp.route("/p/<int:proposal_id>/follow", methods=["POST"])
@login_required
def follow_proposal(proposal_id: int):
    return _follow_toggle(proposal_id, on=True)


@bp.route("/p/<int:proposal_id>/unfollow", methods=["POST"])
@login_required
def unfollow_proposal(proposal_id: int):
    return _follow_toggle(proposal_id, on=False)


@bp.route("/p/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_proposal(proposal_id: int):
    """A confirmation page first (no pop-ups), then the withdrawal itself."""
    proposal = _proposal_or_404(proposal_id, "proposal.author")
    if request.method == "GET":
        return render_template("proposals/withdraw.html", proposal=proposal,
                               community=proposal.community)
    try:
        withdraw(proposal, actor=current_user)
    except TransitionRefused as refused:
        return _refused(proposal, refused)
    db.session.commit()
    flash(_("Your proposal was withdrawn."), "success")
    return redirect(_proposal_url(proposal))


# --- Chairs ---------------------------------------------------------------------------------


def _chair_proposal(proposal_id: int) -> Proposal:
    proposal = _proposal_or_404(proposal_id)
    require("proposal.chair", proposal.community)
    return proposal


@bp.route("/p/<int:proposal_id>/merge", methods=["POST"])
@login_required
def merge_proposal(proposal_id: int):
    proposal = _chair_proposal(proposal_id)
    form = MergeForm(merge_candidates(proposal), prefix="merge")
    if not form.validate_on_submit():
        return _proposal_page(proposal, merge_form=form)
    survivor = form.survivor
    try:
        merge(proposal, survivor, actor=current_user, note=form.note.data or "")
    except TransitionRefused as refused:
        return _refused(proposal, refused)
    db.session.commit()
    flash(_("Merged into #%(id)d. Its co-sponsors and followers carried over.",
            id=survivor.id), "success")
    return redirect(_proposal_url(proposal))


@bp.route("/p/<int:proposal_id>/move-back", methods=["POST"])
@login_required
def move_back_proposal(proposal_id: int):
    proposal = _chair_proposal(proposal_id)
    form = ReasonForm(prefix="move_back")
    if not form.validate_on_submit():
        return _proposal_page(proposal, move_back_form=form)
    try:
        move_back(proposal, actor=current_user, reason=form.reason.data)
    except TransitionRefused as refused:
        return _refused(proposal, refused)
    db.session.commit()
    flash(_("The proposal was moved back to “%(status)s”.",
            status=STATUS_LABELS[proposal.status]), "success")
    return redirect(_proposal_url(proposal))


@bp.route("/p/<int:proposal_id>/withdraw-rights", methods=["POST"])
@login_required
def withdraw_rights(proposal_id: int):
    proposal = _chair_proposal(proposal_id)
    if proposal.author_rights_withdrawn:
        flash(_("The author's rights were already withdrawn."), "info")
        return redirect(_proposal_url(proposal))
    require("proposal.withdraw_rights", proposal)
    form = ReasonForm(prefix="rights")
    if not form.validate_on_submit():
        return _proposal_page(proposal, rights_form=form)
    withdraw_author_rights(proposal, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("The author can no longer edit or withdraw this proposal."), "success")
    return redirect(_proposal_url(proposal))


@bp.route("/p/<int:proposal_id>/rules", methods=["POST"])
@login_required
def rules_of_order(proposal_id: int):
    proposal = _chair_proposal(proposal_id)
    if not can(current_user, "proposal.set_rules", proposal):
        flash(_("This proposal's discussion is closed."), "error")
        return redirect(_proposal_url(proposal))
    form = RulesOfOrderForm(prefix="rules")
    if not form.validate_on_submit():
        return _proposal_page(proposal, rules_form=form)
    set_rules_of_order(proposal, actor=current_user,
                       max_comment_length=form.max_comment_length.data,
                       max_comments_per_person=form.max_comments_per_person.data,
                       discussion_locked=form.discussion_locked.data)
    db.session.commit()
    flash(_("Rules of order saved."), "success")
    return redirect(_proposal_url(proposal))


@bp.route("/p/<int:proposal_id>/party-review", methods=["POST"])
@login_required
def party_review(proposal_id: int):
    proposal = _proposal_or_404(proposal_id, "proposal.party_review")
    if not can(current_user, "proposal.give_party_opinion", proposal):
        flash(_("This proposal does not wait for the party branch's opinion."), "error")
        return redirect(_proposal_url(proposal))
    form = PartyReviewForm(prefix="review")
    if not form.validate_on_submit():
        return _proposal_page(proposal, review_form=form)
    add_party_review(proposal, organisation=party_branch_for(current_user, proposal.community),
                     opinion=form.opinion.data, text=form.text.data, actor=current_user)
    db.session.commit()
    flash(_("The party branch's opinion is recorded; the author and followers are told."),
          "success")
    return redirect(_proposal_url(proposal))


# --- The list -------------------------------------------------------------------------------


def _filters(form: ListFilterForm) -> ListFilters:
    scope = form.scope.data or ""
    return ListFilters(
        status=form.value("status"), category=form.value("category"),
        grid_id=int(scope[1:]) if scope.startswith("g") else None,
        building_id=int(scope[1:]) if scope.startswith("b") else None,
        mine=form.mine.data, following=form.following.data, near_me=form.near_me.data,
        waiting=form.waiting.data, search=form.q.data or "", sort=form.sort.data or "newest")


@bp.route("/c/<int:community_id>/proposals", endpoint="list_proposals")
@login_required
def proposals_list(community_id: int):
    community = _community_or_404(community_id)
    require("community.view", community)
    buildings = db.session.execute(
        select(Building).where(Building.community_id == community.id).order_by(Building.name)
    ).scalars().all()
    form = ListFilterForm(request.args, community.grids, buildings)
    page = max(request.args.get("page", 1, type=int), 1)
    items, has_more = list_proposals(community, current_user, _filters(form), page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    no_home = form.near_me.data and not any(
        h.community_id == community.id for h in load_standing(current_user).homes)
    return render_page(
        "proposals/list.html", "proposals/_items.html",
        community=community, filter_form=form, items=items, list_page=page,
        more_url=url_for("proposals.list_proposals", community_id=community.id,
                         page=page + 1, **args) if has_more else None,
        drafts=my_drafts(community, current_user) if page == 1 else [],
        may_create=can(current_user, "proposal.create", community), no_home=no_home,
        now=utcnow())


# --- Community settings ---------------------------------------------------------------------


@bp.route("/c/<int:community_id>/settings", methods=["GET", "POST"])
@login_required
def community_settings(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    form = SettingsForm(obj=community if request.method == "GET" else None)
    if form.validate_on_submit():
        moved = update_settings(
            community, actor=current_user, cosponsor_threshold=form.cosponsor_threshold.data,
            report_threshold=form.report_threshold.data,
            review_categories=form.party_review_categories.data or [])
        db.session.commit()
        flash(_("Settings saved."), "success")
        if moved:
            flash(ngettext("%(num)d proposal had enough co-sponsors and moved to deliberation.",
                           "%(num)d proposals had enough co-sponsors and moved to deliberation.",
                           len(moved)), "info")
        return redirect(url_for("proposals.community_settings", community_id=community.id))
    return render_template("proposals/settings.html", community=community, form=form,
                           suggested_categories=[CATEGORY_LABELS[c]
                                                 for c in DEFAULT_REVIEW_CATEGORIES])
