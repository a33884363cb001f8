"""Insights: participation, proposals, answers and early warnings, as figures and charts."""


from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.community.models import Community, Grid
from app.core.downloads import file_name, send_document
from app.core.rendering import render_page
from app.core.spreadsheets import csv_text
from app.extensions import beijing_today, db, utcnow
from app.insights import services
from app.insights.cache import cached
from app.insights.charts import bar_chart, line_chart
from app.insights.forms import PeriodForm
from app.insights.permissions import (  # importing it registers the insights rules
    sees_whole_community,
    street_office_communities,
    visible_grids,
)
from app.insights.services import Scope
from app.insights.tables import TABLES, overview_table, topics_table
from app.insights.topics import hot_topics
from app.permissions import load_standing, require

bp = Blueprint("insights", __name__)


def _choice(community: Community) -> tuple[PeriodForm, bool]:
    """The period form for what this user may see; whether it is valid."""
    standing = load_standing(current_user)
    grids = visible_grids(standing, community.id)
    names = db.session.execute(select(Grid.id, Grid.name).where(
        Grid.community_id == community.id).order_by(Grid.id)).all()
    allowed = [(gid, name) for gid, name in names if grids is None or gid in grids]
    form = PeriodForm(request.args, allowed, whole_community=grids is None,
                      today=beijing_today())
    return form, form.validate()


def _figures(community: Community, form: PeriodForm) -> dict:
    period, grid_id = form.chosen_period(), form.chosen_grid()
    scope = Scope((community.id,), grid_id)
    key = f"{community.id}:{grid_id or '-'}:{period.start}:{period.end}"
    return cached(key, lambda: services.dashboard(community, scope, period))


def _topics(community: Community, form: PeriodForm) -> dict:
    grid_id = form.chosen_grid()
    return cached(f"topics:{community.id}:{grid_id or '-'}",
                  lambda: hot_topics(Scope((community.id,), grid_id), utcnow()))


def _charts(figures: dict) -> dict:
    taking_part = figures["participation"]
    return {
        "trend": line_chart(
            "chart-trend", _("Households that took part, over time"),
            _("Share of households that commented, co-sponsored or voted, per period."),
            [(row["label"], row["share"]) for row in taking_part["trend"]], unit="%",
            maximum=100.0),
        "buildings": bar_chart(
            "chart-buildings", _("Participation by building"),
            _("Share of households of each building that took part."),
            [(row["name"], row["share"]) for row in taking_part["buildings"]], unit="%",
            maximum=100.0),
        "polls": bar_chart(
            "chart-polls", _("Turnout of each poll"),
            _("Share of the people on each poll's roll who voted."),
            [(row["question"], row["share"]) for row in figures["polls"]], unit="%",
            maximum=100.0),
        "proposals": line_chart(
            "chart-proposals", _("Proposals published, over time"),
            _("Number of proposals published per period."),
            [(row["label"], row["count"]) for row in figures["proposals_trend"]]),
    }


@bp.route("/c/<int:community_id>/insights")
@login_required
def dashboard(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("insights.view", community)
    form, valid = _choice(community)
    if not valid:
        # 200, so that htmx swaps the form in with its errors.
        return render_page("insights/dashboard.html", "insights/_dashboard.html",
                           community=community, form=form, figures=None)
    figures = _figures(community, form)
    links = {kind: [url_for("proposals.view_proposal", proposal_id=row["id"])
                    for row in figures["warnings"][kind]]
             for kind in ("reported", "opposed", "waiting")}
    return render_page("insights/dashboard.html", "insights/_dashboard.html",
                       community=community, form=form, figures=figures, charts=_charts(figures),
                       tables={name: table(figures) for name, table in TABLES.items()},
                       links=links,
                       period=form.chosen_period(), query=form.query(),
                       whole=sees_whole_community(load_standing(current_user), community.id),
                       wait_days=community.answer_wait_days)


@bp.route("/c/<int:community_id>/insights/topics")
@login_required
def topics(community_id: int):
    community = db.get_or_404(Community, community_id)
    require("insights.view", community)
    form, valid = _choice(community)
    if not valid:
        abort(400)
    found = _topics(community, form)
    return render_page("insights/topics.html", "insights/_topics.html", community=community,
                       topics=found, table=topics_table(found), query=form.query())


def _csv(name: str, ascii_name: str, header: list[str], rows: list[list]) -> Response:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese correctly."""
    text = csv_text([header, *(["—" if value is None else value for value in row]
                                for row in rows)])
    return send_document("\ufeff" + text, name, "text/csv", inline=False,
                         ascii_name=f"{ascii_name}.csv")


@bp.route("/c/<int:community_id>/insights/<table>.csv")
@login_required
def table_csv(community_id: int, table: str):
    community = db.get_or_404(Community, community_id)
    require("insights.view", community)
    if table not in TABLES and table != "topics":
        abort(404)
    form, valid = _choice(community)
    if not valid:
        abort(400)
    if table == "topics":
        header, rows = topics_table(_topics(community, form))
    else:
        header, rows = TABLES[table](_figures(community, form))
    period = form.chosen_period()
    return _csv(file_name(_("Insights"), community.name, table, period.start, period.end,
                          suffix="csv"),
                f"insights-{community.id}-{table}-{period.start}-{period.end}", header, rows)


def _overview_choice() -> tuple[PeriodForm, list[Community], bool]:
    require("insights.overview")
    communities = street_office_communities(load_standing(current_user))
    form = PeriodForm(request.args, [], whole_community=True, today=beijing_today())
    return form, communities, form.validate()


def _overview_rows(communities: list[Community], period) -> list[dict]:
    ids = ",".join(str(c.id) for c in communities)
    return cached(f"overview:{ids}:{period.start}:{period.end}",
                  lambda: services.overview(communities, period))


@bp.route("/insights")
@login_required
def overview():
    """A street office's summary: community-level figures, one row per community."""
    form, communities, valid = _overview_choice()
    if not valid:
        return render_template("insights/overview.html", form=form, rows=None)
    period = form.chosen_period()
    rows = _overview_rows(communities, period)
    return render_template(
        "insights/overview.html", form=form, rows=rows, period=period,
        table=overview_table(rows),
        links=[url_for("insights.dashboard", community_id=row["id"], **form.query())
               for row in rows],
        chart=bar_chart("chart-communities", _("Participation by community"),
                        _("Share of households of each community that took part."),
                        [(row["name"], row["share"]) for row in rows], unit="%",
                        maximum=100.0),
        csv_url=url_for("insights.overview_csv", **form.query()))


@bp.route("/insights/communities.csv")
@login_required
def overview_csv():
    form, communities, valid = _overview_choice()
    if not valid:
        abort(400)
    period = form.chosen_period()
    header, rows = overview_table(_overview_rows(communities, period))
    return _csv(file_name(_("Insights across communities"), period.start, period.end,
                          suffix="csv"),
                f"insights-communities-{period.start}-{period.end}", header, rows)
