"""The dashboard, its CSV tables, hot topics and the street office's summary, as users get
them: who may, what they see, bad input, query counts."""

import pytest
from sqlalchemy import select

from app.community.models import MemberRole, Membership, OrganisationKind, Role
from app.extensions import db
from app.insights import cache
from tests.insights.conftest import add_comment


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def dashboard_url(town, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/c/{town.community.id}/insights" + (f"?{query}" if query else "")


@pytest.mark.parametrize("who", ["admin", "chair"])
def test_the_community_sees_the_figures(town, english, login, who):
    login(getattr(town, who))
    page = english.get(dashboard_url(town)).get_data(as_text=True)
    assert "6 of 15 households took part (40.0 %)" in page
    assert '<th scope="row">A栋</th>' in page and "<td>50.0</td>" in page
    assert 'role="img"' in page and "<title>Participation by building</title>" in page
    # C栋 has three households: its figure is withheld, with the reason.
    assert "Fewer than 5 households: withheld to protect privacy." in page
    # No names in any aggregate.
    assert "业主" not in page.split("<main", 1)[1]


@pytest.mark.parametrize("kind", [OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
                                  OrganisationKind.PARTY_BRANCH,
                                  OrganisationKind.STREET_OFFICE])
def test_staff_of_governing_organisations_see_it(town, client, login, make_user, make_org,
                                                 add_member, kind):
    staff = make_user(name="干部")
    add_member(make_org(town.community, kind), staff, MemberRole.STAFF)
    login(staff)
    assert client.get(dashboard_url(town)).status_code == 200


def test_others_may_not(town, client, login, make_user, make_org, add_member, give_role):
    property_staff = make_user(name="物业员工")
    add_member(town.property, property_staff, MemberRole.STAFF)
    moderator = make_user(name="版主")
    give_role(moderator, Role.MODERATOR, town.community)
    committee_member = make_user(name="委员")
    add_member(town.committee, committee_member, MemberRole.MEMBER)
    for user in (town.tenant, town.people["A栋101"], property_staff, moderator,
                 committee_member, make_user(name="路人")):
        login(user)
        for path in (dashboard_url(town), dashboard_url(town) + "/polls.csv",
                     dashboard_url(town) + "/topics"):
            assert client.get(path).status_code == 403, (user.name, path)


def test_strangers_are_sent_to_log_in(town, client):
    response = client.get(dashboard_url(town))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_grid_branch_sees_only_its_grid(town, english, login, make_user, make_org,
                                          add_member):
    first, second = town.community.grids
    worker = make_user(name="网格员")
    add_member(make_org(town.community, OrganisationKind.GRID_PARTY_BRANCH, grid=first),
               worker, MemberRole.STAFF)
    login(worker)
    page = english.get(dashboard_url(town)).get_data(as_text=True)
    assert "5 of 12 households took part" in page and "Your grid only." in page
    assert '<th scope="row">C栋</th>' not in page
    assert "Whole community" not in page
    # Another grid is refused.
    refused = english.get(dashboard_url(town, grid=second.id)).get_data(as_text=True)
    assert "Choose only from the list." in refused and "households took part" not in refused
    assert english.get(dashboard_url(town) + f"/polls.csv?grid={second.id}").status_code == 400
    csv = english.get(dashboard_url(town) + "/participation_buildings.csv").get_data(
        as_text=True)
    assert "A栋" in csv and "C栋" not in csv


def test_a_grid_branch_member_without_a_staff_role_may_not(town, client, login, make_user,
                                                           make_org, add_member):
    member = make_user(name="党员")
    add_member(make_org(town.community, OrganisationKind.GRID_PARTY_BRANCH,
                        grid=town.community.grids[0]), member, MemberRole.MEMBER)
    login(member)
    assert client.get(dashboard_url(town)).status_code == 403


def test_a_custom_period_needs_its_dates(town, english, login):
    login(town.admin)
    response = english.get(dashboard_url(town, period="custom", start="2026-03-01"))
    page = response.get_data(as_text=True)
    assert "Enter the last day of the period." in page
    assert 'value="2026-03-01"' in page  # what was typed stays
    assert "households took part" not in page
    backwards = english.get(dashboard_url(town, period="custom", start="2026-03-01",
                                          end="2026-02-01"))
    assert "The last day cannot be before the first." in backwards.get_data(as_text=True)
    unknown = english.get(dashboard_url(town, period="forever")).get_data(as_text=True)
    assert "Choose only from the list." in unknown and "households took part" not in unknown


def test_a_custom_period_counts_only_its_days(town, english, login):
    login(town.admin)
    page = english.get(dashboard_url(town, period="custom", start="2020-01-01",
                                     end="2020-12-31")).get_data(as_text=True)
    assert "0 of 15 households took part" in page


def test_htmx_gets_the_fragment(town, client, login):
    login(town.admin)
    page = client.get(dashboard_url(town, period="30d"), headers={"HX-Request": "true"})
    text = page.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="insights">') and "<html" not in text


def test_csv_tables_are_excel_friendly(town, english, login):
    login(town.admin)
    response = english.get(dashboard_url(town) + "/participation_buildings.csv?period=30d")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="insights-{town.community.id}-participation_buildings-')
    assert "filename*=UTF-8''Insights-" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffBuilding,Grid,Households,Took part,Households taking part (%)")
    assert "A栋,一网格,6,3,50.0" in text
    assert "C栋,二网格,3,—,—" in text
    assert english.get(dashboard_url(town) + "/nonsense.csv").status_code == 404
    assert english.get(dashboard_url(town) + "/polls.csv?period=custom").status_code == 400


def test_every_table_downloads(town, client, login):
    from app.insights.tables import TABLES

    login(town.admin)
    for name in [*TABLES, "topics"]:
        response = client.get(dashboard_url(town) + f"/{name}.csv")
        assert response.status_code == 200, name
        assert response.data.startswith("\ufeff".encode())


def test_hot_topics_page(town, english, login):
    for n, user in enumerate([town.people["A栋101"], town.tenant, town.people["C栋101"]]):
        add_comment(town.proposal, user, 2 + n, body="电梯噪音太大，电梯维护要加强")
    login(town.admin)
    page = english.get(dashboard_url(town) + "/topics").get_data(as_text=True)
    assert '<th scope="row">电梯</th>' in page
    csv = english.get(dashboard_url(town) + "/topics.csv").get_data(as_text=True)
    assert "电梯,4,50.0,0,0.0" in csv  # 4 of the 8 recent texts


def test_query_count_does_not_grow_with_rows(town, client, login, count_queries,
                                             make_proposal, make_community):
    login(town.admin)
    url = dashboard_url(town)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        proposal = make_proposal(town.community, town.chair, category="safety")
        add_comment(proposal, town.people["A栋101"], n + 1)
    with count_queries() as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_the_cache_serves_recent_figures(town, app, english, login):
    login(town.admin)
    app.config["INSIGHTS_CACHE_SECONDS"] = 60
    cache.clear()  # another backend's run may have left the same key in Redis
    try:
        english.get(dashboard_url(town))
        add_comment(town.proposal, town.people["B栋101"], 1)
        add_comment(town.proposal, town.people["A栋103"], 1)
        add_comment(town.proposal, town.people["A栋105"], 1)
        stale = english.get(dashboard_url(town)).get_data(as_text=True)
        assert "6 of 15 households took part" in stale
        cache.clear()
        fresh = english.get(dashboard_url(town)).get_data(as_text=True)
        assert "7 of 15 households took part" in fresh
    finally:
        app.config["INSIGHTS_CACHE_SECONDS"] = 0
        cache.clear()


# --- The street office ------------------------------------------------------------------------


@pytest.fixture
def street_officer(town, make_user, make_org, add_member, make_community):
    officer = make_user(name="街道干部")
    add_member(make_org(town.community, OrganisationKind.STREET_OFFICE, "街道办"), officer,
               MemberRole.STAFF)
    second = make_community(name="第二小区")
    add_member(make_org(second, OrganisationKind.STREET_OFFICE, "街道办"), officer,
               MemberRole.CHAIR)
    make_community(name="不管的小区")
    return officer


def test_the_street_office_sees_its_communities_side_by_side(town, street_officer, english,
                                                             login):
    login(street_officer)
    page = english.get("/insights?period=90d").get_data(as_text=True)
    assert "测试花园" in page and "第二小区" in page and "不管的小区" not in page
    assert "<td>15</td><td>6</td><td>40.0</td>" in page.replace("\n", "").replace(" ", "")
    assert f'href="/c/{town.community.id}/insights?period=90d"' in page
    response = english.get("/insights/communities.csv")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="insights-communities-')
    assert "filename*=UTF-8''Insights%20across%20communities-" in \
        response.headers["Content-Disposition"]
    csv = response.get_data(as_text=True)
    assert csv.startswith("\ufeffCommunity,Households") and "测试花园,15,6,40.0" in csv
    assert english.get(f"/c/{town.community.id}/insights").status_code == 200


def test_a_street_office_member_without_a_staff_role_sees_no_summary(
        town, street_officer, client, login):
    membership = db.session.execute(select(Membership).where(
        Membership.user_id == street_officer.id)).scalars().all()
    for row in membership:
        row.role = MemberRole.MEMBER
    db.session.commit()
    login(street_officer)
    assert client.get("/insights").status_code == 403
    assert client.get(f"/c/{town.community.id}/insights").status_code == 403


def test_others_see_no_summary(town, client, login):
    for user in (town.admin, town.chair, town.tenant):
        login(user)
        assert client.get("/insights").status_code == 403
        assert client.get("/insights/communities.csv").status_code == 403
    client.get("/logout")


def test_the_summary_validates_its_period(street_officer, english, login):
    login(street_officer)
    response = english.get("/insights?period=custom&start=2026-01-05&end=2026-01-01")
    page = response.get_data(as_text=True)
    assert "The last day cannot be before the first." in page
    assert 'value="2026-01-05"' in page and "Community-level figures" not in page


def test_summary_query_count_does_not_grow_with_communities(town, street_officer, client,
                                                            login, count_queries,
                                                            make_community, make_org,
                                                            add_member):
    login(street_officer)
    client.get("/insights")
    with count_queries() as few:
        client.get("/insights")
    for n in range(3):
        add_member(make_org(make_community(name=f"新小区{n}"), OrganisationKind.STREET_OFFICE,
                            "街道办"), street_officer, MemberRole.STAFF)
    with count_queries() as more:
        assert client.get("/insights").status_code == 200
    assert len(more) == len(few)



@pytest.mark.parametrize("path", ["/polls.csv", "/warnings_opposed.csv", "/topics",
                                  "/topics.csv"])
def test_tables_and_topics_queries_do_not_grow_with_rows(town, client, login, count_queries,
                                                         make_proposal, path):
    login(town.admin)
    url = dashboard_url(town) + path
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        proposal = make_proposal(town.community, town.chair, category="safety")
        add_comment(proposal, town.people["A栋101"], n + 1, stance="oppose")
    with count_queries() as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_topics_and_summary_csv_refuse_a_bad_period(town, street_officer, client, login):
    login(street_officer)
    assert client.get(dashboard_url(town) + "/topics?period=custom").status_code == 400
    assert client.get("/insights/communities.csv?period=custom&start=x").status_code == 400
