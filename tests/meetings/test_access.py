"""Who may use each meeting route: strangers are sent to log in, outsiders get 403."""

import pytest

from app.community.models import MemberRole, OrganisationKind, Role

# (method, path, who may) — paths are formatted with the meeting, its community and item.
ROUTES = [
    ("get", "/c/{c}/meetings", "member"),
    ("get", "/c/{c}/meetings/new", "staff"),
    ("get", "/meetings/{m}", "member"),
    ("get", "/meetings/{m}/quorum", "member"),
    ("get", "/meetings/{m}/code", "recorder"),
    ("get", "/meetings/{m}/edit", "manager"),
    ("get", "/meetings/{m}/poster.pdf", "manager"),
    ("get", "/meetings/{m}/poster.html", "manager"),
    ("post", "/meetings/{m}/cancel", "manager"),
    ("post", "/meetings/{m}/invitees", "manager"),
    ("post", "/meetings/{m}/attendees/{a}", "manager"),
    ("post", "/meetings/{m}/agenda", "manager"),
    ("post", "/meetings/{m}/agenda/{i}", "manager"),
    ("post", "/meetings/{m}/check-in", "invitee"),
    ("post", "/meetings/{m}/attendees/{a}/presence", "recorder"),
    ("post", "/meetings/{m}/guests", "recorder"),
    ("get", "/meetings/{m}/items/{i}", "recorder"),
    ("post", "/meetings/{m}/items/{i}", "recorder"),
]


def _url(path, meeting):
    return path.format(c=meeting.community_id, m=meeting.id, i=meeting.items[0].id,
                       a=meeting.attendees[-1].id)


@pytest.mark.parametrize("method, path, _who", ROUTES)
def test_strangers_are_sent_to_log_in(method, path, _who, client, meeting):
    response = getattr(client, method)(_url(path, meeting))
    assert response.status_code == 302
    assert "/auth/login" in response.location


@pytest.fixture
def people(meeting, make_user, make_org, add_member, give_role, make_community):
    """A resident of the community (may view), the staff of another organisation (may
    schedule, not manage this meeting), the community admin and an outsider."""
    community = meeting.community
    resident = make_user(name="居民")
    give_role(resident, Role.RESIDENT, community)
    other_staff = make_user(name="物业干事")
    add_member(make_org(community, OrganisationKind.PROPERTY_COMPANY, "物业"), other_staff,
               MemberRole.STAFF)
    admin = make_user(name="社区管理员")
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    other_admin = make_user(name="别处管理员")
    give_role(other_admin, Role.COMMUNITY_ADMIN, make_community(name="别的小区"))
    member = next(a.user for a in meeting.attendees if a.user.name == "委员1")
    observer = next(a.user for a in meeting.attendees if not a.voting)
    return {"resident": resident, "other_staff": other_staff, "admin": admin,
            "other_admin": other_admin, "outsider": make_user(name="路人"),
            "member": member, "observer": observer, "chair": meeting.chair,
            "recorder": meeting.recorder}


# Who is allowed for each level; everyone else in ``people`` gets 403.
ALLOWED = {
    "member": {"resident", "other_staff", "admin", "member", "observer", "chair", "recorder"},
    "staff": {"other_staff", "admin", "chair", "recorder"},
    "manager": {"admin", "chair", "recorder"},  # the recorder is staff of the convener
    "recorder": {"admin", "chair", "recorder"},
    "invitee": {"member", "observer", "chair", "recorder"},
}


@pytest.mark.parametrize("method, path, who", ROUTES)
def test_who_may_and_who_may_not(method, path, who, client, login, meeting, people):
    url = _url(path, meeting)
    headers = {"HX-Request": "true"} if path.endswith("/quorum") else {}
    for key, user in people.items():
        login(user)
        response = getattr(client, method)(url, headers=headers)
        if key in ALLOWED[who]:
            assert response.status_code != 403, (key, url)
        else:
            assert response.status_code == 403, (key, url)


def test_plain_staff_of_the_convener_who_neither_chairs_nor_records_may_manage(
        client, login, meeting, make_user, add_member):
    staff = make_user(name="干事")
    add_member(meeting.organisation, staff, MemberRole.STAFF)
    login(staff)
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 200
    assert client.get(f"/meetings/{meeting.id}/code").status_code == 403
