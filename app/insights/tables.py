"""Each table of the dashboard as (header, rows): the page and its CSV show the same cells.

``None`` is a figure withheld for privacy (fewer than five households); the page shows it as
"—" with the reason, the CSV as "—".
"""

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.proposals.labels import CATEGORY_LABELS, STATUS_LABELS
from app.voting.labels import RULE_LABELS


def _when(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso), "yyyy-MM-dd HH:mm")


def _poll_status(status: str) -> str:
    return {"open": _("Open"), "closed": _("Closed: preliminary result"),
            "final": _("Final result")}.get(status, status)


def participation_grids(figures: dict):
    return ([_("Grid"), _("Households"), _("Took part"), _("Households taking part (%)")],
            [[r["name"] or _("No grid"), r["households"], r["took_part"], r["share"]]
             for r in figures["participation"]["grids"]])


def participation_buildings(figures: dict):
    return ([_("Building"), _("Grid"), _("Households"), _("Took part"),
             _("Households taking part (%)")],
            [[r["name"], r["grid"], r["households"], r["took_part"], r["share"]]
             for r in figures["participation"]["buildings"]])


def participation_trend(figures: dict):
    return ([_("Period starting"), _("Households"), _("Took part"),
             _("Households taking part (%)")],
            [[row["label"], row["households"], row["took_part"], row["share"]]
             for row in figures["participation"]["trend"]])


def polls(figures: dict):
    return ([_("Proposal"), _("Question put to the vote"), _("Counting rule"), _("Status"),
             _("On the roll"), _("Voted"), _("Turnout (%)"), _("Turnout by area (%)"), _("Closes")],
            [[p["title"], p["question"], str(RULE_LABELS.get(p["rule"], p["rule"])),
              _poll_status(p["status"]), p["people"], p["voted"], p["share"],
              p["area_share"] if p["area_share"] is not None else "", _when(p["closes_at"])]
             for p in figures["polls"]])


def proposals(figures: dict):
    return ([_("Category"), _("Status"), _("Proposals")],
            [[str(CATEGORY_LABELS.get(r["category"], r["category"])),
              str(STATUS_LABELS.get(r["status"], r["status"])), r["count"]]
             for r in figures["proposals"]])


def proposals_trend(figures: dict):
    return ([_("Period starting"), _("Proposals published")],
            [[r["label"], r["count"]] for r in figures["proposals_trend"]])


def answer_times(figures: dict):
    return ([_("Organisation"), _("Proposals answered"), _("Median days to the first answer")],
            [[r["organisation"], r["answered"], r["median_days"]]
             for r in figures["answer_times"]])


def follow_ups(figures: dict):
    return ([_("Organisation"), _("Open actions"), _("Overdue")],
            [[r["organisation"], r["open"], r["overdue"]] for r in figures["follow_ups"]])


def warnings_reported(figures: dict):
    return ([_("Proposal"), _("Open reports")],
            [[r["title"], r["reports"]] for r in figures["warnings"]["reported"]])


def warnings_opposed(figures: dict):
    return ([_("Proposal"), _("Against"), _("In favour")],
            [[r["title"], r["oppose"], r["support"]] for r in figures["warnings"]["opposed"]])


def warnings_waiting(figures: dict):
    return ([_("Proposal"), _("Days waiting")],
            [[r["title"], r["days"]] for r in figures["warnings"]["waiting"]])


def warnings_falling(figures: dict):
    return ([_("Building"), _("Taking part before (%)"), _("Taking part now (%)")],
            [[r["name"], r["before"], r["now"]] for r in figures["warnings"]["falling"]])


def warnings_quorum(figures: dict):
    return ([_("Proposal"), _("Question put to the vote"), _("Turnout so far (%)"),
             _("Projected at the deadline (%)"), _("Quorum (%)"), _("Closes")],
            [[r["title"], r["question"], r["share"], r["projected"], r["quorum"],
              _when(r["closes_at"])] for r in figures["warnings"]["quorum"]])


TABLES = {
    "participation_grids": participation_grids,
    "participation_buildings": participation_buildings,
    "participation_trend": participation_trend,
    "polls": polls,
    "proposals": proposals,
    "proposals_trend": proposals_trend,
    "answer_times": answer_times,
    "follow_ups": follow_ups,
    "warnings_reported": warnings_reported,
    "warnings_opposed": warnings_opposed,
    "warnings_waiting": warnings_waiting,
    "warnings_falling": warnings_falling,
    "warnings_quorum": warnings_quorum,
}


def topics_table(topics: dict):
    return ([_("Word"), _("Proposals and comments, last 30 days"), _("Share (%)"),
             _("Proposals and comments, 30 days before"), _("Share before (%)")],
            [[w["word"], w["recent"], w["recent_share"], w["earlier"], w["earlier_share"]]
             for w in topics["words"]])


def overview_table(rows: list[dict]):
    return ([_("Community"), _("Households"), _("Took part"), _("Households taking part (%)"),
             _("Proposals published"), _("Waiting for an answer"), _("Overdue actions")],
            [[r["name"], r["households"], r["took_part"], r["share"], r["proposals"],
              r["waiting"], r["overdue"]] for r in rows])
