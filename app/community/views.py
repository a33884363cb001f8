import hashlib

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit.services import audit_events_page
from app.community.forms import (
    BuildingForm,
    CommunityForm,
    DecisionForm,
    GridForm,
    LinkRequestForm,
    OrganisationForm,
    PartyStandingForm,
    PersonRoleForm,
    RosterImportForm,
)
from app.community.labels import MEMBER_ROLE_LABELS, ORGANISATION_KIND_LABELS, ROLE_LABELS
from app.community.messages import roster_error_message
from app.community.models import (
    Community,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    RoleGrant,
    VerificationRequest,
    VerificationStatus,
)
from app.community.personal_data import (
    pending_applicant,
    record_view,
    reveal_phone,
    roster_owner,
)
from app.community.roster import RosterFileError, parse_roster
from app.community.services import (
    LinkRefused,
    MembershipRefused,
    add_building,
    add_grid,
    all_communities,
    approve_request,
    building_choices,
    buildings_in,
    check_keeps_a_chair,
    community_choices,
    create_community,
    create_organisation,
    find_unit,
    grant_membership,
    grant_role,
    has_role,
    import_roster,
    link_requests_of,
    link_risks,
    members_of,
    memberships_of,
    needs_confirmation,
    organisations_in,
    pending_request_exists,
    pending_requests,
    reject_request,
    request_link,
    revoke_membership,
    revoke_role,
    role_grants_in,
    role_grants_of,
    roster_context,
    roster_suggestions,
    set_party_standing,
    unit_counts,
    units_lived_in_by,
    units_owned_by,
    units_page,
)
from app.core.caching import no_store
from app.core.forms import options
from app.core.rendering import done, go_to, render_page, wants_fragment
from app.extensions import db
from app.permissions import can, forget_standing, require

PARTY_KINDS = (OrganisationKind.PARTY_BRANCH, OrganisationKind.GRID_PARTY_BRANCH)

bp = Blueprint("community", __name__)

COMMUNITY_ROLES = {r: label for r, label in ROLE_LABELS.items() if r != Role.PLATFORM_ADMIN}


def _community_or_404(community_id: int) -> Community:
    return db.get_or_404(Community, community_id)


# --- Communities ----------------------------------------------------------------------------


@bp.route("/communities")
@login_required
def communities():
    visible = [c for c in all_communities() if can(current_user, "community.view", c)]
    return render_template("community/list.html", communities=visible)


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new_community():
    require("platform.admin")
    form = CommunityForm()
    if form.validate_on_submit():
        community = create_community(
            name=form.name.data, address=(form.address.data or "").strip(), actor=current_user)
        db.session.commit()
        flash(_("Community created. Now add its grids and import its roster."), "success")
        return redirect(url_for("community.overview", community_id=community.id))
    return render_template("community/new.html", form=form)


def _overview_context(community: Community, grid_form=None, building_form=None) -> dict:
    return dict(
        community=community,
        grids=community.grids,
        buildings=buildings_in(community),
        unit_counts=unit_counts(community),
        organisations=organisations_in(community),
        kind_labels=ORGANISATION_KIND_LABELS,
        grid_form=grid_form or GridForm(community, formdata=None),
        building_form=building_form or BuildingForm(community, formdata=None),
    )


@bp.route("/c/<int:community_id>")
@login_required
def overview(community_id: int):
    community = _community_or_404(community_id)
    require("community.view", community)
    return render_template("community/overview.html", **_overview_context(community))


@bp.route("/c/<int:community_id>/grids", methods=["POST"])
@login_required
def new_grid(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    form = GridForm(community)
    if form.validate_on_submit():
        add_grid(community, name=form.name.data, actor=current_user)
        db.session.commit()
        return done(_("Grid added."), url_for("community.overview", community_id=community.id),
                    "community/_structure.html", _overview_context(community))
    return render_page("community/overview.html", "community/_structure.html",
                       **_overview_context(community, grid_form=form))


@bp.route("/c/<int:community_id>/buildings", methods=["POST"])
@login_required
def new_building(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    form = BuildingForm(community)
    if form.validate_on_submit():
        add_building(community, name=form.name.data, grid=form.grid_object, actor=current_user)
        db.session.commit()
        return done(_("Building added."),
                    url_for("community.overview", community_id=community.id),
                    "community/_structure.html", _overview_context(community))
    return render_page("community/overview.html", "community/_structure.html",
                       **_overview_context(community, building_form=form))


# --- Roster -----------------------------------------------------------------------------------


@bp.route("/c/<int:community_id>/roster/import", methods=["GET", "POST"])
@no_store
@login_required
def roster_import(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    form = RosterImportForm()
    errors, report, file_error = [], None, None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        known_grids, building_grids = roster_context(community)
        try:
            parsed = parse_roster(
                data, upload.filename, known_grids=known_grids, building_grids=building_grids,
                developer_name=(form.developer.data or "").strip() or None,
                max_rows=current_app.config["ROSTER_MAX_ROWS"])
        except RosterFileError as exc:
            file_error = roster_error_message(exc.code, exc.params)
        else:
            if parsed.errors:
                errors = [(e.line, roster_error_message(e.code, e.params)) for e in parsed.errors]
            else:
                report = import_roster(community, parsed, actor=current_user,
                                       source=upload.filename,
                                       digest=hashlib.sha256(data).hexdigest())
                db.session.commit()
    return render_template("community/roster_import.html", community=community, form=form,
                           errors=errors, report=report, file_error=file_error)


@bp.route("/c/<int:community_id>/units")
@no_store
@login_required
def units(community_id: int):
    community = _community_or_404(community_id)
    require("community.view_phones", community)
    building_id = request.args.get("building", type=int)
    page_number = request.args.get("page", 1, type=int)
    # Recorded and committed first: a commit would expire the rows the page shows.
    record_view(current_user, community, "units", building=building_id, page_number=page_number)
    db.session.commit()
    page = units_page(community, building_id=building_id, page=page_number,
                      per_page=current_app.config["PAGE_SIZE"])
    return render_page("community/units.html", "community/_units_page.html",
                       community=community, buildings=buildings_in(community),
                       building_id=building_id, page=page)


def _revealed(community: Community, name: str, phone: str, back: str):
    return render_page("community/phone.html", "community/_phone_revealed.html",
                       community=community, name=name, phone=phone, back=back)


@bp.route("/c/<int:community_id>/owners/<int:owner_id>/phone", methods=["POST"])
@no_store
@login_required
def reveal_owner_phone(community_id: int, owner_id: int):
    """One roster owner's full number, for staff who must call them; audited."""
    community = _community_or_404(community_id)
    require("community.view_phones", community)
    owner = roster_owner(community, owner_id)
    if owner is None:
        abort(404)
    phone = reveal_phone(current_user, community, whose=f"owner:{owner.id}", phone=owner.phone)
    db.session.commit()
    return _revealed(community, owner.name, phone,
                     url_for("community.units", community_id=community.id))


@bp.route("/c/<int:community_id>/verifications/<int:request_id>/phone", methods=["POST"])
@no_store
@login_required
def reveal_applicant_phone(community_id: int, request_id: int):
    """The full number of a person asking to be linked to a home; audited."""
    community = _community_or_404(community_id)
    require("community.verify", community)
    applicant = pending_applicant(community, request_id)
    if applicant is None:
        abort(404)
    phone = reveal_phone(current_user, community, whose=f"user:{applicant.id}",
                         phone=applicant.phone)
    db.session.commit()
    return _revealed(community, applicant.name, phone,
                     url_for("community.verifications", community_id=community.id))


# --- Verification ---------------------------------------------------------------------------


@bp.route("/c/<int:community_id>/verifications")
@no_store
@login_required
def verifications(community_id: int):
    community = _community_or_404(community_id)
    require("community.verify", community)
    record_view(current_user, community, "verifications")
    db.session.commit()
    pending = pending_requests(community)
    forms = {r.id: DecisionForm(r, [s.owner for s in r.unit.ownerships], formdata=None)
             for r in pending}
    return render_template("community/verifications.html", community=community,
                           pending=pending, forms=forms,
                           suggestions=roster_suggestions(pending), risks=link_risks(pending))


@bp.route("/c/<int:community_id>/verifications/<int:request_id>", methods=["POST"])
@login_required
def decide_verification(community_id: int, request_id: int):
    community = _community_or_404(community_id)
    require("community.verify", community)
    link_request = db.get_or_404(VerificationRequest, request_id)
    if link_request.unit.building.community_id != community.id:
        abort(404)
    if link_request.status != VerificationStatus.PENDING:
        flash(_("This request was already decided."), "info")
        return redirect(url_for("community.verifications", community_id=community.id))
    form = DecisionForm(link_request, [s.owner for s in link_request.unit.ownerships])
    if form.validate_on_submit():
        try:
            if form.decision.data in ("approve", "replace"):
                approve_request(link_request, actor=current_user, owner=form.chosen_owner,
                                replace_reason=form.replace_reason.data or "")
                message = _("Approved: %(name)s is linked to %(unit)s.",
                            name=link_request.user.name, unit=link_request.unit.label)
            else:
                reject_request(link_request, actor=current_user,
                               reason=form.reason.data.strip())
                message = _("Rejected. The resident will see your reason.")
        except LinkRefused as refused:
            form.decision.errors.append(refused.message)
        else:
            db.session.commit()
            return done(message, url_for("community.verifications", community_id=community.id),
                        "community/_decided.html", {"link_request": link_request})
    # The form comes back with the person and the roster owners on it: a read like the queue.
    record_view(current_user, community, "verifications", request=link_request.id)
    db.session.commit()
    return render_page(
        "community/verifications.html", "community/_verification.html",
        community=community, pending=[link_request], forms={link_request.id: form},
        link_request=link_request, form=form,
        suggestions=roster_suggestions([link_request]), risks=link_risks([link_request]))


# --- Residents ---------------------------------------------------------------------------------


@bp.route("/me")
@no_store
@login_required
def my_account():
    return render_template(
        "community/my_account.html", owned=units_owned_by(current_user),
        lived=units_lived_in_by(current_user), requests=link_requests_of(current_user),
        grants=role_grants_of(current_user), memberships=memberships_of(current_user),
        role_labels=ROLE_LABELS, member_role_labels=MEMBER_ROLE_LABELS)


def _link_form() -> LinkRequestForm:
    form = LinkRequestForm()
    communities = community_choices()
    form.community.choices = options((c.id, c.name) for c in communities)
    chosen = form.community.data or (str(communities[0].id) if communities else None)
    form.community.data = chosen
    buildings = building_choices(int(chosen)) if chosen else []
    form.building.choices = options((b.id, b.name) for b in buildings)
    return form


@bp.route("/me/link", methods=["GET", "POST"], endpoint="request_link")
@no_store
@login_required
def link_request_page():
    form = _link_form()
    refreshing = request.form.get("refresh") == "1"
    if not refreshing and form.validate_on_submit():
        unit = find_unit(int(form.community.data), int(form.building.data), form.unit.data)
        if unit is None:
            form.unit.errors.append(_("There is no room %(number)s in this building. "
                                      "Check the number on your property certificate.",
                                      number=form.unit.data.strip()))
        elif pending_request_exists(current_user, unit):
            form.unit.errors.append(_("You already asked to be linked to this room; "
                                      "staff will answer soon."))
        else:
            request_link(current_user, unit, kind=form.kind.data,
                         note=(form.note.data or "").strip())
            db.session.commit()
            flash(_("Your request was sent. Committee staff will check it, "
                    "and you will see their answer here."), "success")
            return go_to(url_for("community.my_account"))
    elif refreshing:
        form.building.errors = []
    return render_page("community/request_link.html", "community/_link_form.html", form=form)


# --- Organisations and roles ----------------------------------------------------------------


@bp.route("/c/<int:community_id>/organisations", methods=["POST"])
@login_required
def new_organisation(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    form = OrganisationForm(community)
    if form.validate_on_submit():
        organisation = create_organisation(community, kind=form.kind.data, name=form.name.data,
                                           grid=form.grid_object, actor=current_user)
        db.session.commit()
        flash(_("Organisation created. Now add its chair and staff."), "success")
        return redirect(url_for("community.organisation", organisation_id=organisation.id))
    return render_template("community/new_organisation.html", community=community, form=form)


@bp.route("/c/<int:community_id>/organisations/new")
@login_required
def new_organisation_form(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    return render_template("community/new_organisation.html", community=community,
                           form=OrganisationForm(community, formdata=None))


def _standing_forms(organisation: Organisation, members: list[Membership],
                    failed: PartyStandingForm | None = None,
                    failed_id: int | None = None) -> dict:
    """A standing form per member of a party branch whose chair may edit it; the one that
    failed validation keeps its input and errors."""
    if organisation.kind not in PARTY_KINDS or not can(
            current_user, "organisation.manage_members", organisation):
        return {}
    return {m.id: failed if m.id == failed_id else PartyStandingForm(obj=m, formdata=None,
                                                                     prefix=f"m{m.id}")
            for m in members}


def _organisation_context(organisation: Organisation, form: PersonRoleForm,
                          standing: tuple = (None, None)) -> dict:
    members = members_of(organisation)
    return dict(
        organisation=organisation, community=organisation.community,
        members=members, form=form,
        standing_forms=_standing_forms(organisation, members, *standing),
        kind_labels=ORGANISATION_KIND_LABELS, role_labels=MEMBER_ROLE_LABELS,
    )


@bp.route("/o/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    require("community.view", organisation.community)
    return render_template("community/organisation.html", **_organisation_context(
        organisation, PersonRoleForm(MEMBER_ROLE_LABELS, formdata=None)))


@bp.route("/o/<int:organisation_id>/members", methods=["POST"])
@login_required
def grant_member(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    require("organisation.manage_members", organisation)
    form = PersonRoleForm(MEMBER_ROLE_LABELS)
    if form.validate_on_submit():
        try:
            grant_membership(organisation, form.user, form.role.data, actor=current_user)
        except MembershipRefused as refused:
            form.role.errors.append(refused.message)
            return render_page("community/organisation.html", "community/_members.html",
                               **_organisation_context(organisation, form))
        db.session.commit()
        forget_standing()
        message = _("%(name)s is now %(role)s of %(organisation)s.", name=form.user.name,
                    role=MEMBER_ROLE_LABELS[form.role.data], organisation=organisation.name)
        return done(message,
                    url_for("community.organisation", organisation_id=organisation.id),
                    "community/_members.html",
                    _organisation_context(organisation,
                                          PersonRoleForm(MEMBER_ROLE_LABELS, formdata=None)))
    return render_page("community/organisation.html", "community/_members.html",
                       **_organisation_context(organisation, form))


@bp.route("/o/<int:organisation_id>/members/<int:membership_id>/standing", methods=["POST"])
@login_required
def party_standing(organisation_id: int, membership_id: int):
    """A party branch's chair records a member's standing and approved leave."""
    organisation = db.get_or_404(Organisation, organisation_id)
    require("organisation.manage_members", organisation)
    membership = db.get_or_404(Membership, membership_id)
    if membership.organisation_id != organisation.id or organisation.kind not in PARTY_KINDS:
        abort(404)
    form = PartyStandingForm(prefix=f"m{membership.id}")
    if form.validate_on_submit():
        set_party_standing(membership, party_status=form.party_status.data,
                           on_leave_until=form.on_leave_until.data,
                           leave_reason=form.leave_reason.data, actor=current_user)
        db.session.commit()
        flash(_("The standing of %(name)s is saved.", name=membership.user.name), "success")
        return redirect(url_for("community.organisation", organisation_id=organisation.id))
    return render_template("community/organisation.html", **_organisation_context(
        organisation, PersonRoleForm(MEMBER_ROLE_LABELS, formdata=None),
        (form, membership.id)))


@bp.route("/o/<int:organisation_id>/members/<int:membership_id>/revoke", methods=["POST"])
@login_required
def revoke_member(organisation_id: int, membership_id: int):
    """Remove a member. Removing oneself or a chair is asked twice (a page without
    JavaScript, the browser's dialog with htmx); the last chair is never removed."""
    organisation = db.get_or_404(Organisation, organisation_id)
    require("organisation.manage_members", organisation)
    membership = db.get_or_404(Membership, membership_id)
    if membership.organisation_id != organisation.id:
        abort(404)
    back = url_for("community.organisation", organisation_id=organisation.id)
    try:
        check_keeps_a_chair(membership)
    except MembershipRefused as refused:
        if wants_fragment():
            return render_template("community/_members.html", error_message=refused.message,
                                   **_organisation_context(
                                       organisation,
                                       PersonRoleForm(MEMBER_ROLE_LABELS, formdata=None)))
        flash(refused.message, "error")
        return redirect(back)
    if needs_confirmation(membership, current_user) and request.form.get("confirm") != "1":
        return render_template("community/remove_member.html", organisation=organisation,
                               community=organisation.community, membership=membership,
                               yourself=membership.user_id == current_user.id,
                               role_labels=MEMBER_ROLE_LABELS)
    message = _("%(name)s no longer has a role in %(organisation)s.",
                name=membership.user.name, organisation=organisation.name)
    revoke_membership(membership, actor=current_user)
    db.session.commit()
    forget_standing()
    if wants_fragment() and not can(current_user, "organisation.manage_members", organisation):
        return go_to(back)  # one who removed themselves reloads the page they may now see
    return done(message, back, "community/_members.html", _organisation_context(
        organisation, PersonRoleForm(MEMBER_ROLE_LABELS, formdata=None)))


def _roles_page(community: Community | None, form: PersonRoleForm):
    return render_template(
        "community/roles.html", community=community, grants=role_grants_in(community),
        form=form,
        role_labels=ROLE_LABELS)


def _grantable_roles(community: Community | None) -> dict:
    if community is None:
        return {Role.PLATFORM_ADMIN: ROLE_LABELS[Role.PLATFORM_ADMIN]}
    return {r: label for r, label in COMMUNITY_ROLES.items()
            if can(current_user, "role.grant", (community, r))}


def _roles_view(community: Community | None, back: str):
    """The community and the platform roles pages: list the grants, grant the posted role."""
    form = PersonRoleForm(_grantable_roles(community))
    if form.validate_on_submit():
        require("role.grant", (community, form.role.data))
        if has_role(form.user, community.id if community else None, form.role.data):
            form.phone.errors.append(_("This person already has this role."))
        else:
            grant_role(form.user, community, form.role.data, actor=current_user)
            db.session.commit()
            forget_standing()
            flash(_("%(name)s is now %(role)s.", name=form.user.name,
                    role=ROLE_LABELS[form.role.data]), "success")
            return redirect(back)
    return _roles_page(community, form)


def _revoke_role_in(community: Community | None, grant_id: int) -> None:
    grant = db.get_or_404(RoleGrant, grant_id)
    if grant.community_id != (community.id if community else None):
        abort(404)
    require("role.grant", (community, grant.role))
    if grant.user_id == current_user.id and grant.role == Role.PLATFORM_ADMIN:
        flash(_("You cannot remove your own administrator role."), "error")
        return
    message = _("%(name)s no longer has the role %(role)s.", name=grant.user.name,
                role=ROLE_LABELS[grant.role])
    revoke_role(grant, actor=current_user)
    db.session.commit()
    forget_standing()
    flash(message, "success")


@bp.route("/c/<int:community_id>/roles", methods=["GET", "POST"])
@no_store
@login_required
def community_roles(community_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    return _roles_view(community, url_for("community.community_roles", community_id=community.id))


@bp.route("/c/<int:community_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@login_required
def revoke_community_role(community_id: int, grant_id: int):
    community = _community_or_404(community_id)
    require("community.manage", community)
    _revoke_role_in(community, grant_id)
    return redirect(url_for("community.community_roles", community_id=community.id))


@bp.route("/platform/roles", methods=["GET", "POST"])
@no_store
@login_required
def platform_roles():
    require("platform.admin")
    return _roles_view(None, url_for("community.platform_roles"))


@bp.route("/platform/roles/<int:grant_id>/revoke", methods=["POST"])
@login_required
def revoke_platform_role(grant_id: int):
    require("platform.admin")
    _revoke_role_in(None, grant_id)
    return redirect(url_for("community.platform_roles"))


# --- The audit log: the whole for platform administrators, a community's part for its own --



@bp.route("/audit/")
@no_store
@login_required
def audit_log():
    """Platform administrators read the whole log; community administrators their own part."""
    community_id = request.args.get("community", type=int)
    community = db.get_or_404(Community, community_id) if community_id else None
    if community is None:
        require("platform.admin")
    else:
        require("community.manage", community)
    page = audit_events_page(community.id if community else None,
                             page=request.args.get("page", 1, type=int),
                             per_page=current_app.config["PAGE_SIZE"])
    return render_page("community/audit_log.html", "community/_audit_events.html", page=page,
                       community=community)
