"""Feeds: a person's secret calendar and notices addresses and the page that manages them;
a community's public notices as Atom and its public data as JSON and CSV."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from app.community.models import Community
from app.core.caching import no_store, shared
from app.core.downloads import file_name, send_document
from app.extensions import db, utcnow
from app.feeds.calendar import build_calendar
from app.feeds.export import to_csv, to_json
from app.feeds.forms import FeedSecretForm
from app.feeds.services import (
    ATOM_ENTRIES,
    calendar_events,
    issue_secret,
    live_secret,
    notice_entry,
    owner_of,
    public_entry,
    public_item,
    public_rows,
    publishes_anything,
    readable_communities,
    readable_notices,
    revoke_secret,
)

bp = Blueprint("feeds", __name__)

CALENDAR = "text/calendar"
ATOM = "application/atom+xml"


# --- The person's page ---------------------------------------------------------------------


def _page(secret: str | None = None):
    communities = readable_communities(current_user) if secret else []
    return render_template("feeds/mine.html", form=FeedSecretForm(),
                           live=live_secret(current_user), secret=secret,
                           communities=communities)


@bp.route("/me/feeds")
@login_required
def mine():
    return _page()


@bp.route("/me/feeds/new", methods=["POST"])
@no_store
@login_required
def issue():
    """Create the secret, or replace it (the old addresses stop at once). The site's form
    token check has run before (a stale page gets its message and changes nothing)."""
    try:
        secret = issue_secret(current_user, utcnow())
        db.session.commit()
    except IntegrityError:  # another tap made or replaced the addresses at the same moment
        db.session.rollback()
        flash(_("Your addresses were just made by another tap. To see them, make new ones."),
              "error")
        return redirect(url_for("feeds.mine"))
    # Rendered, not redirected: the addresses are on this one page and stored nowhere.
    return _page(secret)


@bp.route("/me/feeds/revoke", methods=["POST"])
@login_required
def revoke():
    if revoke_secret(current_user, utcnow()):
        db.session.commit()
        flash(_("Your feed addresses are switched off."), "success")
    return redirect(url_for("feeds.mine"))


# --- The person's feeds ---------------------------------------------------------------------


def _owner_or_404(secret: str):
    user = owner_of(secret)
    if user is None:
        abort(404)
    return user


def _their_language(user) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.route("/feeds/<secret>/calendar.ics")
def calendar(secret: str):
    """Every community the person may see: their meetings and poll windows."""
    user = _owner_or_404(secret)
    with force_locale(_their_language(user)):
        events = calendar_events(user, readable_communities(user), utcnow())
        body = build_calendar(_("Gongzhi: my meetings and votes"), events)
        name = file_name(_("Gongzhi: my meetings and votes"), suffix="ics")
    return send_document(body, name, CALENDAR)


@bp.route("/feeds/<secret>/c/<int:community_id>/calendar.ics")
def community_calendar(secret: str, community_id: int):
    user = _owner_or_404(secret)
    communities = [c for c in readable_communities(user) if c.id == community_id]
    if not communities:
        abort(404)
    with force_locale(_their_language(user)):
        title = _("%(community)s: meetings and votes", community=communities[0].name)
        body = build_calendar(title, calendar_events(user, communities, utcnow()))
    return send_document(body, file_name(title, suffix="ics"), CALENDAR)


@bp.route("/feeds/<secret>/notices.atom")
def notices(secret: str):
    user = _owner_or_404(secret)
    with force_locale(_their_language(user)):
        entries = [notice_entry(n, url_for("notices.view", notice_id=n.id, _external=True),
                                n.body_html)
                   for n in readable_notices(user, readable_communities(user), utcnow())]
        body = render_template(
            "feeds/notices.atom.xml", entries=entries, title=_("Gongzhi: my notices"),
            feed_id=f"tag:gongzhi,2026:notices-of-{user.id}",
            updated=entries[0].published if entries else user.created_at,
            self_url=url_for("feeds.notices", secret=secret, _external=True),
            site_url=url_for("home.home", _external=True), language=_their_language(user))
    return send_document(body, "notices.atom", ATOM)


# --- A community's public feeds ---------------------------------------------------------------
# Public feeds are the same for every reader (they are ``@shared``), so they are written in
# the site's default language whatever the reader's cookie says.


def _publishing_community_or_404(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    if not publishes_anything(community):
        abort(404)
    return community


@bp.route("/public/c/<int:community_id>/notices.atom")
@shared
def public_notices(community_id: int):
    community = _publishing_community_or_404(community_id)
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        entries = [public_entry(notice, poll) for notice, poll
                   in public_rows(community, utcnow(), limit=ATOM_ENTRIES)]
        body = render_template(
            "feeds/notices.atom.xml", entries=entries,
            title=_("%(community)s: public notices", community=community.name),
            feed_id=f"tag:gongzhi,2026:public-notices-{community.id}",
            updated=entries[0].published if entries else community.created_at,
            self_url=url_for("feeds.public_notices", community_id=community.id,
                             _external=True),
            site_url=url_for("public.community", community_id=community.id, _external=True),
            language=language)
    return send_document(body, "notices.atom", ATOM)


def _public_export(community: Community):
    items = [public_item(notice, poll) for notice, poll in public_rows(community, utcnow())]
    facts = {"id": community.id, "name": community.name, "address": community.address,
             "url": url_for("public.community", community_id=community.id, _external=True)}
    return items, facts


@bp.route("/public/c/<int:community_id>/export.json")
@shared
def export_json(community_id: int):
    community = _publishing_community_or_404(community_id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        items, facts = _public_export(community)
        name = file_name(community.name, _("public data"), suffix="json")
    return send_document(to_json(facts, items), name, "application/json", inline=False)


@bp.route("/public/c/<int:community_id>/export.csv")
@shared
def export_csv(community_id: int):
    community = _publishing_community_or_404(community_id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        items, _facts = _public_export(community)
        headers = [_("No."), _("Kind"), _("Title"), _("Issued by"), _("Published"),
                   _("Expires"), _("Web page"), _("Text"), _("Bulletin"), _("Question voted on"),
                   _("Owners on the roll"), _("Area on the roll (m²)"), _("Owners who voted"),
                   _("Area that voted (m²)")]
        name = file_name(community.name, _("public data"), suffix="csv")
    return send_document(to_csv(headers, items), name, "text/csv", inline=False)
