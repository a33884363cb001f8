"""Who may use each route, and who may not: every protected route, every kind of person."""

import pytest
from sqlalchemy import select

from app.community.models import MemberRole, Membership, Role, RoleGrant
from app.extensions import db

PEOPLE = {
    "platform_admin", "community_admin", "other_admin", "oc_chair", "oc_staff", "nc_staff",
    "property_staff", "party_chair", "resident", "moderator", "outsider",
}
MANAGE = {"platform_admin", "community_admin"}
VERIFY = MANAGE | {"oc_chair", "oc_staff", "nc_staff"}
VIEW = VERIFY | {"property_staff", "party_chair", "resident", "moderator"}
PLATFORM = {"platform_admin"}


def _membership_to_revoke(w) -> str:
    membership = db.session.execute(select(Membership).where(
        Membership.organisation_id == w.owners_committee.id,
        Membership.user_id == w.applicant.id)).scalar_one_or_none()
    if membership is None:
        membership = Membership(organisation=w.owners_committee, user=w.applicant,
                                role=MemberRole.MEMBER)
        db.session.add(membership)
        db.session.commit()
    return f"/o/{w.owners_committee.id}/members/{membership.id}/revoke"


def _grant_to_revoke(w, community) -> int:
    role = Role.MODERATOR if community else Role.PLATFORM_ADMIN
    community_id = community.id if community else None
    grant = db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == w.applicant.id, RoleGrant.role == role,
        RoleGrant.community_id == community_id if community else RoleGrant.community_id.is_(None)
    )).scalar_one_or_none()
    if grant is None:
        grant = RoleGrant(user=w.applicant, community_id=community_id, role=role)
        db.session.add(grant)
        db.session.commit()
    return grant.id


ROUTES = [
    # (method, url builder, who may)
    ("GET", lambda w: "/me", PEOPLE),
    ("GET", lambda w: "/me/link", PEOPLE),
    ("POST", lambda w: "/me/link", PEOPLE),
    ("GET", lambda w: "/auth/password", PEOPLE),
    ("POST", lambda w: "/auth/password", PEOPLE),
    ("GET", lambda w: "/communities", PEOPLE),
    ("GET", lambda w: "/communities/new", PLATFORM),
    ("POST", lambda w: "/communities/new", PLATFORM),
    ("GET", lambda w: f"/c/{w.community.id}", VIEW),
    ("POST", lambda w: f"/c/{w.community.id}/grids", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/buildings", MANAGE),
    ("GET", lambda w: f"/c/{w.community.id}/roster/import", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roster/import", MANAGE),
    ("GET", lambda w: f"/c/{w.community.id}/units", VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/verifications", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/verifications/{w.link_request.id}", VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/organisations/new", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/organisations", MANAGE),
    ("GET", lambda w: f"/o/{w.owners_committee.id}", VIEW),
    ("POST", lambda w: f"/o/{w.owners_committee.id}/members", MANAGE | {"oc_chair"}),
    ("POST", _membership_to_revoke, MANAGE | {"oc_chair"}),
    ("GET", lambda w: f"/c/{w.community.id}/roles", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roles", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roles/{_grant_to_revoke(w, w.community)}/revoke",
     MANAGE),
    ("GET", lambda w: "/platform/roles", PLATFORM),
    ("POST", lambda w: "/platform/roles", PLATFORM),
    ("POST", lambda w: f"/platform/roles/{_grant_to_revoke(w, None)}/revoke", PLATFORM),
    ("GET", lambda w: "/audit/", PLATFORM),
    ("GET", lambda w: f"/audit/?community={w.community.id}", MANAGE),
    ("GET", lambda w: "/notifications", PEOPLE),
    ("GET", lambda w: "/notifications/count", PEOPLE),
    ("POST", lambda w: "/notifications/read-all", PEOPLE),
]


def _route_id(route) -> str:
    method, build, _ = route
    return f"{method} {build.__name__ if build.__name__ != '<lambda>' else ''}".strip() + \
        f"#{ROUTES.index(route)}"


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_only_the_right_people_may_use_the_route(route, app, world, login):
    method, build, allowed = route
    assert allowed <= PEOPLE
    for key in sorted(PEOPLE, key=lambda k: k in allowed):  # refused ones first
        client = app.test_client()
        login(world.users[key], client)
        url = build(world)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        if key in allowed:
            assert response.status_code in (200, 302), (key, url, response.status_code)
            assert "/auth/login" not in response.headers.get("Location", ""), (key, url)
        else:
            assert response.status_code == 403, (key, url, response.status_code)
            assert "You do not have permission" in response.get_data(as_text=True) or \
                "没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_strangers_are_sent_to_log_in(route, app, world):
    method, build, _ = route
    client = app.test_client()
    url = build(world)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
