"""A page's number of SQL queries does not grow with the rows it shows."""

import pytest

from app.audit.services import record
from app.community.models import (
    Building,
    Grid,
    LinkKind,
    MemberRole,
    Membership,
    Organisation,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    VerificationRequest,
)
from app.extensions import db
from app.notices.models import Notification, NotificationKind
from app.privacy.models import DeletionRequest

PAGES = [
    # (who looks, url builder, queries expected). Every page's header adds one COUNT of
    # unread notifications, and the standing (one statement) where the page itself did not
    # load it, for the "Proposals" link.
    ("oc_staff", lambda w: "/", 8),  # with what waits: open votes, meetings today
    ("resident", lambda w: "/me", 9),  # with the list of where one is logged in
    ("resident", lambda w: "/me/link", 5),
    ("platform_admin", lambda w: "/communities", 4),
    ("community_admin", lambda w: f"/c/{w.community.id}", 9),
    # These two record the read in the audit log (its head, the insert) and commit it
    # before loading the page, so the user and the community are loaded again.
    ("oc_staff", lambda w: f"/c/{w.community.id}/units", 12),
    ("oc_staff", lambda w: f"/c/{w.community.id}/verifications", 13),  # with link risks
    ("community_admin", lambda w: f"/c/{w.community.id}/roles", 5),
    ("resident", lambda w: f"/o/{w.owners_committee.id}", 6),
    ("platform_admin", lambda w: "/platform/roles", 4),
    ("platform_admin", lambda w: "/audit/", 5),
    ("community_admin", lambda w: f"/c/{w.community.id}/roster/import", 4),
    ("resident", lambda w: "/notifications", 6),  # groups: their number, page, newest rows
    ("resident", lambda w: "/notifications/count", 2),
    ("resident", lambda w: "/me/data", 4),
    ("community_admin", lambda w: f"/c/{w.community.id}/deletion-requests", 9),
    ("resident", lambda w: "/me/feeds", 4),  # whether the person has feed addresses
]


def _more_of_everything(w, make_community, make_unit, make_user, count=15):
    """Rows of every kind the pages list, each in its own building, grid, organisation or
    community and by its own person, so that no page can lean on one already loaded."""
    resident = w.users["resident"]
    for index in range(count):
        grid = Grid(community=w.community, name=f"加网格{index}")
        building = Building(community=w.community, name=f"加{index}栋", grid=grid)
        db.session.add_all([grid, building])
        unit = make_unit(w.community, f"9{index:02d}", building=building,
                         owners=[(f"业主{index}", None), (f"共有人{index}", None)])
        person = make_user(name=f"居民{index}")
        db.session.add(VerificationRequest(user=person, unit=unit, kind=LinkKind.OWNER))
        db.session.add(Membership(organisation=w.owners_committee, user=person,
                                  role=MemberRole.MEMBER))
        db.session.add(RoleGrant(user=person, community_id=w.community.id, role=Role.RESIDENT))
        db.session.add(RoleGrant(user=person, community_id=None, role=Role.PLATFORM_ADMIN))
        association = Organisation(community=w.community, kind="social_organisation",
                                   name=f"协会{index}")
        db.session.add(association)
        db.session.add(Membership(organisation=association, user=resident,
                                  role=MemberRole.MEMBER))
        _a_home_of(resident, index, make_community(name=f"邻近小区{index}"), make_unit)
        record("test.event", actor=person, community_id=w.community.id)
        db.session.add(DeletionRequest(user=person, community_id=w.community.id))
        for user in w.users.values():
            db.session.add(Notification(user_id=user.id, actor_id=person.id,
                                        kind=NotificationKind.OFFICIAL_ANSWER,
                                        details={"title": f"议题{index}"}))
    db.session.commit()


def _a_home_of(resident, index, community, make_unit):
    """A unit in another community that the resident owns, lives in or asked to be linked
    to, in turn."""
    home = make_unit(community, f"8{index:02d}")
    if index % 3 == 0:
        owner = Owner(community_id=community.id, name=resident.name, user_id=resident.id)
        db.session.add(Ownership(unit=home, owner=owner))
    elif index % 3 == 1:
        db.session.add(Residency(unit=home, user=resident))
    else:
        db.session.add(VerificationRequest(user=resident, unit=home, kind=LinkKind.RESIDENT))


@pytest.mark.parametrize(("who", "build", "expected"), PAGES,
                         ids=[f"{who}:{i}" for i, (who, _, _) in enumerate(PAGES)])
def test_queries_stay_fixed_as_rows_grow(who, build, expected, app, world, login, make_community,
                                         make_unit, make_user, count_queries):
    client = login(world.users[who], app.test_client())
    url = build(world)
    client.get(url)  # warm up: the CSRF token, caches
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _more_of_everything(world, make_community, make_unit, make_user)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert (len(small), len(large)) == (expected, expected), "\n".join(large)
