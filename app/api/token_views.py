"""The chair's page of an organisation's API tokens: issue (the secret shown once), revoke."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api.forms import RESOURCE_LABELS, TokenForm
from app.api.models import ApiToken
from app.api.tokens import issue_token, revoke_token, tokens_of
from app.community.models import Organisation
from app.extensions import db, utcnow
from app.permissions import require

bp = Blueprint("api_tokens", __name__)


def _page(organisation, form, secret=None):
    return render_template("api/tokens.html", organisation=organisation, form=form,
                           tokens=tokens_of(organisation), secret=secret, now=utcnow(),
                           resource_labels=RESOURCE_LABELS)


@bp.route("/o/<int:organisation_id>/api-tokens", methods=["GET", "POST"])
@login_required
def tokens(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    require("api.manage_tokens", organisation)
    form = TokenForm()
    if form.validate_on_submit():
        _token, secret = issue_token(organisation, actor=current_user, name=form.name.data,
                                     resources=form.resources.data, days=form.days.data,
                                     now=utcnow())
        db.session.commit()
        # Rendered, not redirected: the secret is on this one page and stored nowhere.
        return _page(organisation, TokenForm(formdata=None), secret=secret)
    return _page(organisation, form)


@bp.route("/o/<int:organisation_id>/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(organisation_id: int, token_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    require("api.manage_tokens", organisation)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation.id:
        abort(404)
    if token.revoked_at is None:
        revoke_token(token, actor=current_user, now=utcnow())
        db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("api_tokens.tokens", organisation_id=organisation.id))
