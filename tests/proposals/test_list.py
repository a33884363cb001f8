"""The list page: filters, search, sorting, paging; and the community settings page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db, utcnow
from app.proposals.models import Follow
from app.proposals.states import Status

ITEM = re.compile(r'<li class="proposal-item">\s*<a href="/p/\d+">([^<]*)</a>')


def titles(client, url: str, **params) -> list[str]:
    return ITEM.findall(client.get(url, query_string=params).get_data(as_text=True))


@pytest.fixture
def listed(place, make_proposal, make_user):
    """Proposals with everything the filters look at, published a day apart."""
    w = place
    now = utcnow()
    resident, staff = w.users["resident"], w.users["oc_staff"]

    def make(title, days_ago, author=staff, **fields):
        proposal = make_proposal(w.community, author, title=title, **fields)
        proposal.published_at = now - timedelta(days=days_ago)
        return proposal

    w.lift = make("加装电梯", 1, author=resident, status=Status.COLLECTING,
                  category="renovation", scope_kind="buildings",
                  scope_buildings=[w.building1], comment_count=3)
    w.parking = make("地下车库停车位", 2, status=Status.DELIBERATION, category="parking",
                     scope_kind="grids", scope_grids=[w.grid2], comment_count=9,
                     deliberation_at=now - timedelta(days=2, hours=3))
    w.answered = make("绿化带改造", 3, status=Status.DELIBERATION, category="environment",
                      comment_count=1, deliberation_at=now - timedelta(days=3),
                      first_official_answer_at=now - timedelta(days=1))
    w.poll = make("更换物业公司", 4, status=Status.VOTING, category="property_company",
                  closes_at=now + timedelta(days=5))
    w.soon = make("50%_的路灯", 5, status=Status.VOTING, category="facilities",
                  closes_at=now + timedelta(days=1))
    w.soon.body = "夜里一半路灯不亮"
    w.draft = make_proposal(w.community, resident, status=Status.DRAFT, title="我的草稿")
    w.elsewhere = make_proposal(w.other_community, staff, title="别的小区的议题")
    db.session.add(Follow(proposal_id=w.parking.id, user_id=resident.id))
    db.session.commit()
    return w


def test_filters(app, listed, login, en):
    w = listed
    login(w.users["resident"])
    url = f"/c/{w.community.id}/proposals"
    everything = ["加装电梯", "地下车库停车位", "绿化带改造", "更换物业公司", "50%_的路灯"]
    assert titles(en, url) == everything, "newest first; no drafts, no other community"
    assert titles(en, url, status="voting") == ["更换物业公司", "50%_的路灯"]
    assert titles(en, url, category="parking") == ["地下车库停车位"]
    assert titles(en, url, scope=f"g{w.grid1.id}") == ["加装电梯"], "1栋 is in grid 1"
    assert titles(en, url, scope=f"g{w.grid2.id}") == ["地下车库停车位"]
    assert titles(en, url, scope=f"b{w.building1.id}") == ["加装电梯"]
    assert titles(en, url, scope=f"b{w.building2.id}") == ["地下车库停车位"], "its grid"
    assert titles(en, url, mine="y") == ["加装电梯"]
    assert titles(en, url, following="y") == ["加装电梯", "地下车库停车位"]
    assert titles(en, url, near_me="y") == ["加装电梯"], "the resident lives in 1栋"
    assert titles(en, url, status="voting", mine="y") == []
    assert titles(en, url, status="nonsense", scope="x1", sort="random") == everything


def test_near_me_without_a_home_says_why(app, listed, login, en):
    login(listed.users["oc_chair"])
    page = en.get(f"/c/{listed.community.id}/proposals?near_me=y").get_data(as_text=True)
    assert "No home of yours is linked in this community yet" in page
    assert "No proposals match." in page


def test_waiting_for_an_official_answer_and_for_how_long(app, listed, login, en):
    login(listed.users["resident"])
    url = f"/c/{listed.community.id}/proposals"
    assert titles(en, url, waiting="y") == ["地下车库停车位"]
    page = en.get(url, query_string={"waiting": "y"}).get_data(as_text=True)
    assert "Waiting for an official answer for 2 days" in page
    assert page.count("Waiting for an official answer for") == 1


def test_search_finds_chinese_substrings_and_treats_wildcards_literally(app, listed, login,
                                                                        en):
    login(listed.users["resident"])
    url = f"/c/{listed.community.id}/proposals"
    assert titles(en, url, q="车库") == ["地下车库停车位"]
    assert titles(en, url, q="一半路灯") == ["50%_的路灯"], "the body is searched too"
    assert titles(en, url, q="50%_") == ["50%_的路灯"]
    assert titles(en, url, q="%") == ["50%_的路灯"]
    assert titles(en, url, q="_") == ["50%_的路灯"]
    assert titles(en, url, q="电梯 ") == ["加装电梯"], "spaces around are ignored"
    assert titles(en, url, q="草稿") == [], "drafts are never listed"
    listed.lift.title = "Add a LIFT"
    db.session.commit()
    assert titles(en, url, q="lift") == ["Add a LIFT"]


def test_sorting(app, listed, login, en):
    login(listed.users["resident"])
    url = f"/c/{listed.community.id}/proposals"
    assert titles(en, url, sort="discussed")[:3] == ["地下车库停车位", "加装电梯", "绿化带改造"]
    assert titles(en, url, sort="closing") == [
        "50%_的路灯", "更换物业公司", "加装电梯", "地下车库停车位", "绿化带改造"]


def test_pages_of_twenty_load_more_in_place_and_by_link(app, place, make_proposal, login,
                                                        en):
    now = utcnow()
    for n in range(45):
        proposal = make_proposal(place.community, place.users["oc_staff"], title=f"议题{n:02d}")
        proposal.published_at = now - timedelta(minutes=n)
    db.session.commit()
    login(place.users["resident"])
    url = f"/c/{place.community.id}/proposals"
    page = en.get(url, query_string={"status": "deliberation"}).get_data(as_text=True)
    assert ITEM.findall(page) == [f"议题{n:02d}" for n in range(20)]
    more = re.search(r'<li class="more"><a class="button" href="([^"]+)" hx-get="([^"]+)" '
                     r'hx-target="closest li" hx-swap="outerHTML">Load more</a></li>', page)
    assert more and more.group(1) == more.group(2)
    next_url = more.group(1).replace("&amp;", "&")
    assert "page=2" in next_url and "status=deliberation" in next_url

    fragment = en.get(next_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith("<li")
    assert ITEM.findall(fragment) == [f"议题{n:02d}" for n in range(20, 40)]
    assert "page=3" in fragment

    plain = en.get(next_url.replace("page=2", "page=3")).get_data(as_text=True)
    assert "<html" in plain and ITEM.findall(plain) == [f"议题{n:02d}" for n in range(40, 45)]
    assert "Load more" not in plain and "No proposals match." not in plain


def test_settings(app, place, make_proposal, neighbours, login, en):
    w = place
    login(w.users["community_admin"])
    url = f"/c/{w.community.id}/settings"
    form = en.get(url).get_data(as_text=True)
    assert 'name="cosponsor_threshold" required type="number" value="5"' in form
    assert ("Suggested, as most communities do: Maintenance fund (维修资金), Hiring or "
            "dismissing the property company (聘用/解聘物业), Rules of procedure") in form
    assert 'value="maintenance_fund" checked' not in form

    bad = [
        ({"cosponsor_threshold": "0", "report_threshold": "3"}, "between 1 and 100"),
        ({"cosponsor_threshold": "101", "report_threshold": "3"}, "between 1 and 100"),
        ({"cosponsor_threshold": "5", "report_threshold": "51"}, "between 1 and 50"),
        ({"cosponsor_threshold": "", "report_threshold": "3"}, "Enter a number."),
        ({"cosponsor_threshold": "5", "report_threshold": "3",
          "party_review_categories": "lottery"}, "Choose only from the list."),
    ]
    for data, message in bad:
        response = en.post(url, data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        assert f'value="{data["cosponsor_threshold"]}"' in response.get_data(as_text=True)
    db.session.refresh(w.community)
    assert (w.community.cosponsor_threshold, w.community.report_threshold) == (5, 3)
    assert db.session.execute(select(AuditEvent)).first() is None

    waiting = make_proposal(w.community, w.users["oc_staff"], status=Status.COLLECTING,
                            cosponsor_count=2)
    en.post(url, data={"cosponsor_threshold": "2", "report_threshold": "4",
                       "party_review_categories": ["maintenance_fund", "property_company"]})
    db.session.refresh(w.community)
    assert w.community.cosponsor_threshold == 2 and w.community.report_threshold == 4
    assert w.community.party_review_categories == ["maintenance_fund", "property_company"]
    event = db.session.execute(select(AuditEvent)).scalar_one()
    assert event.action == "community.settings" and event.details["after"][
        "cosponsor_threshold"] == 2 and event.details["before"]["cosponsor_threshold"] == 5
    db.session.refresh(waiting)
    assert waiting.status == Status.DELIBERATION, "already had enough co-sponsors"
    page = en.get(url).get_data(as_text=True)
    assert 'value="property_company" checked' in page

    en.post(url, data={"cosponsor_threshold": "2", "report_threshold": "4"})
    db.session.refresh(w.community)
    assert w.community.party_review_categories == [], "no box ticked: review off"
