"""The ways into proposals: the header, the home page and the community overview."""

import re

import pytest

from app.community.models import Role


def _header(page: str) -> str:
    return page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def _links(page: str) -> dict[str, str]:
    """Visible link text → href, for the page's main part."""
    main = page.split('<main id="main">', 1)[1]
    return {re.sub(r"<[^>]+>|\s+", " ", text).split("  ")[0].strip(): href
            for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)}


def _proposals_link(page: str) -> str:
    return re.search(r'<a href="([^"]+)">Proposals</a>', _header(page)).group(1)


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def test_the_header_leads_to_the_proposals_of_my_only_community(english, world, login):
    login(world.users["resident"])
    page = english.get("/me").get_data(as_text=True)
    assert _proposals_link(page) == f"/c/{world.community.id}/proposals"


def test_staff_of_one_community_are_led_there_too(english, world, login):
    login(world.users["property_staff"])
    page = english.get("/").get_data(as_text=True)
    assert _proposals_link(page) == f"/c/{world.community.id}/proposals"


def test_people_in_several_or_no_communities_choose_from_the_list(english, world, login,
                                                                  give_role):
    resident = world.users["resident"]
    give_role(resident, Role.RESIDENT, world.other_community)
    login(resident)
    assert _proposals_link(english.get("/me").get_data(as_text=True)) == "/communities"
    login(world.users["outsider"])
    assert _proposals_link(english.get("/me").get_data(as_text=True)) == "/communities"


def test_the_header_keeps_its_account_links_and_strangers_see_none_of_this(english, world,
                                                                           login):
    header = _header(english.get("/").get_data(as_text=True))
    assert "Proposals" not in header and "Notifications" not in header
    assert 'href="/auth/login"' in header
    login(world.users["resident"])
    header = _header(english.get("/").get_data(as_text=True))
    for expected in ("My account", "Communities", "Log out", "Notifications", "Proposals"):
        assert expected in header


@pytest.mark.parametrize("url", ["/", "/c/{id}"])
@pytest.mark.parametrize(("who", "moderation", "settings"), [
    ("resident", False, False),
    ("property_staff", False, False),
    ("moderator", True, False),
    ("oc_chair", True, False),
    ("community_admin", True, True),
])
def test_home_and_overview_lead_to_proposals_and_staff_to_their_tools(
        url, who, moderation, settings, english, world, login):
    login(world.users[who])
    links = _links(english.get(url.format(id=world.community.id)).get_data(as_text=True))
    cid = world.community.id
    assert links.get("Proposals") == f"/c/{cid}/proposals"
    assert (links.get("Moderation queue") == f"/c/{cid}/moderation") is moderation
    assert ("Moderation queue" in links) is moderation
    assert (links.get("Proposal settings") == f"/c/{cid}/settings") is settings
    assert ("Proposal settings" in links) is settings
