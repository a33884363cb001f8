"""Every ``next`` a form or link carries leads back into the site, never off it."""

from urllib.parse import quote

import pytest

from app.community.models import Role
from app.proposals.states import Status
from tests.factories import PASSWORD

# What browsers turn into another site, and what would break the Location header. Those with
# control characters the input hook (app/core/input.py) already refuses with 400 where they
# may not stand; where they pass it, safe_next must still keep the user on the site.
HOSTILE = [
    "https://evil.example/",
    "//evil.example",
    "/\t/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\r\nSet-Cookie: x=1",
    "/\n/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\x7f/evil.example",
]


def _stays_on_site(response, expected: str, *, prefix: bool = False) -> bool:
    """Refused outright as bad input, or sent to the expected page of this site."""
    if response.status_code == 400:
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(expected) if prefix else location == expected)


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_leads_off_the_site(client, make_user, target):
    make_user(phone="13911112222")
    response = client.post(f"/auth/login?next={quote(target, safe='')}",
                           data={"phone": "13911112222", "password": PASSWORD})
    assert _stays_on_site(response, "/")


def test_login_goes_back_to_the_page_that_asked(client, make_user):
    make_user(phone="13911112222")
    response = client.post("/auth/login?next=/me%3Ftab%3D1",
                           data={"phone": "13911112222", "password": PASSWORD})
    assert response.headers["Location"] == "/me?tab=1"


@pytest.mark.parametrize("target", HOSTILE)
@pytest.mark.parametrize("form", [{"language": "en"}, {"enabled": "1"}],
                         ids=["language", "elder-mode"])
def test_preferences_never_lead_off_the_site(client, form, target):
    url = "/preferences/language" if "language" in form else "/preferences/elder-mode"
    response = client.post(url, data={**form, "next": target})
    assert _stays_on_site(response, "/")


def test_preferences_go_back_to_the_page(client):
    response = client.post("/preferences/elder-mode", data={"enabled": "1", "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_comment_never_leads_off_the_site(client, world, make_proposal, make_user,
                                            give_role, login, target):
    author = make_user(name="邻居")
    give_role(author, Role.RESIDENT, world.community)
    proposal = make_proposal(world.community, world.users["resident"],
                             status=Status.DELIBERATION)
    login(author)
    response = client.post(f"/p/{proposal.id}/comments", data={
        "comment-stance": "support", "comment-body": "同意加装电梯。", "next": target})
    assert _stays_on_site(response, f"/p/{proposal.id}/comments#comment-", prefix=True)
