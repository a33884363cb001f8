"""Who may use each proposal route, and who may not: every route, every kind of person."""

from datetime import timedelta

import pytest

from app.discussion.models import Mute
from app.extensions import db, utcnow
from app.proposals.models import Proposal
from app.proposals.states import Status

PEOPLE = {
    "platform_admin", "community_admin", "other_admin", "oc_chair", "oc_staff", "nc_staff",
    "property_staff", "party_chair", "resident", "moderator", "outsider",
}
MANAGE = {"platform_admin", "community_admin"}
VIEW = MANAGE | {"oc_chair", "oc_staff", "nc_staff", "property_staff", "party_chair",
                 "resident", "moderator"}
# Verified residents and organisation members; administrators and moderators as such are
# neither.
CREATE = {"oc_chair", "oc_staff", "nc_staff", "property_staff", "party_chair", "resident"}
CHAIR = MANAGE | {"oc_chair", "party_chair"}
DRAFT_AUTHOR = {"resident"}
OPEN_AUTHOR = {"oc_staff"}  # the author of the open proposal
IN_SCOPE = {"resident"}     # the only verified resident with a home


def _photo(proposal):
    return proposal.photos[0].id


ROUTES = [
    # (method, url builder, who may)
    ("GET", lambda w: f"/c/{w.community.id}/proposals", VIEW),
    ("GET", lambda w: f"/c/{w.community.id}/proposals/new", CREATE),
    ("POST", lambda w: f"/c/{w.community.id}/proposals/new", CREATE),
    ("GET", lambda w: f"/c/{w.community.id}/settings", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/settings", MANAGE),
    ("GET", lambda w: f"/p/{w.draft.id}", DRAFT_AUTHOR),
    ("GET", lambda w: f"/p/{w.draft.id}/edit", DRAFT_AUTHOR),
    ("POST", lambda w: f"/p/{w.draft.id}/edit", DRAFT_AUTHOR),
    ("GET", lambda w: f"/p/{w.draft.id}/photos/{_photo(w.draft)}", DRAFT_AUTHOR),
    ("GET", lambda w: f"/p/{w.draft.id}/photos/{_photo(w.draft)}/thumb", DRAFT_AUTHOR),
    ("POST", lambda w: f"/p/{w.draft.id}/photos/{_photo(w.draft)}/remove", DRAFT_AUTHOR),
    ("POST", lambda w: f"/p/{w.draft.id}/submit", DRAFT_AUTHOR),
    ("GET", lambda w: f"/p/{w.open.id}", VIEW),
    ("GET", lambda w: f"/p/{w.open.id}/photos/{_photo(w.open)}", VIEW),
    ("GET", lambda w: f"/p/{w.open.id}/photos/{_photo(w.open)}/thumb", VIEW),
    ("POST", lambda w: f"/p/{w.open.id}/photos/{_photo(w.open)}/remove", set()),
    ("GET", lambda w: f"/p/{w.open.id}/edit", set()),
    ("POST", lambda w: f"/p/{w.open.id}/cosponsor", IN_SCOPE),
    ("POST", lambda w: f"/p/{w.open.id}/follow", VIEW),
    ("POST", lambda w: f"/p/{w.open.id}/unfollow", VIEW),
    ("GET", lambda w: f"/p/{w.open.id}/withdraw", OPEN_AUTHOR),
    ("POST", lambda w: f"/p/{w.open.id}/withdraw", OPEN_AUTHOR),
    ("POST", lambda w: f"/p/{w.open.id}/merge", CHAIR),
    ("POST", lambda w: f"/p/{w.open.id}/move-back", CHAIR),
    ("POST", lambda w: f"/p/{w.open.id}/withdraw-rights", CHAIR),
    ("POST", lambda w: f"/p/{w.open.id}/rules", CHAIR),
    ("POST", lambda w: f"/p/{w.fund.id}/party-review", {"party_chair"}),
]


def _route_id(route) -> str:
    method, _, _ = route
    return f"{method}#{ROUTES.index(route)}"


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_only_the_right_people_may_use_the_route(route, app, proposals, login):
    method, build, allowed = route
    assert allowed <= PEOPLE
    for key in sorted(PEOPLE, key=lambda k: k in allowed):  # refused ones first
        client = login(proposals.users[key], app.test_client())
        url = build(proposals)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        response.close()  # a photo is streamed from its file
        if key in allowed:
            assert response.status_code in (200, 302), (key, url, response.status_code)
            assert "/auth/login" not in response.headers.get("Location", ""), (key, url)
        else:
            assert response.status_code == 403, (key, url, response.status_code)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_strangers_are_sent_to_log_in(route, app, proposals):
    method, build, _ = route
    client = app.test_client()
    url = build(proposals)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_proposal_of_another_community_is_not_for_its_administrator(app, proposals,
                                                                      login, make_proposal):
    """other_admin manages the other community only: nothing here, even by id."""
    client = login(proposals.users["other_admin"], app.test_client())
    assert client.get(f"/p/{proposals.fund.id}").status_code == 403
    assert client.post(f"/p/{proposals.fund.id}/merge",
                       data={"into": proposals.open.id}).status_code == 403


def test_a_draft_withdrawn_before_publication_stays_private(app, proposals, login):
    author = login(proposals.users["resident"], app.test_client())
    author.post(f"/p/{proposals.draft.id}/withdraw")
    assert author.get(f"/p/{proposals.draft.id}").status_code == 200
    neighbour = login(proposals.users["oc_chair"], app.test_client())
    assert neighbour.get(f"/p/{proposals.draft.id}").status_code == 403


CHAIR_FORMS = [
    # (path, a valid form, what would show it happened)
    ("merge", lambda w: {"merge-into": w.other_open.id, "merge-note": "重复"},
     lambda p: p.status == Status.MERGED),
    ("move-back", lambda w: {"move_back-reason": "再议"},
     lambda p: p.status != Status.DONE),
    ("withdraw-rights", lambda w: {"rights-reason": "冒用他人名义"},
     lambda p: p.author_rights_withdrawn),
    ("rules", lambda w: {"rules-max_comment_length": "300", "rules-discussion_locked": "y"},
     lambda p: p.discussion_locked or p.max_comment_length == 300),
]


@pytest.mark.parametrize("path, form, happened", CHAIR_FORMS, ids=[f[0] for f in CHAIR_FORMS])
def test_a_chair_form_hidden_on_a_finished_proposal_is_refused_too(
        path, form, happened, app, proposals, login, make_proposal):
    """The page hides the chairs' forms on a finished proposal; posting one anyway changes
    nothing."""
    finished = make_proposal(proposals.community, proposals.users["oc_staff"],
                             status=Status.DONE)
    chair = login(proposals.users["oc_chair"], app.test_client())
    url = f"/p/{finished.id}/{path}"
    assert f'action="{url}"' not in chair.get(f"/p/{finished.id}").get_data(as_text=True)
    response = chair.post(url, data=form(proposals))
    assert response.status_code in (302, 403)
    db.session.expire_all()
    assert not happened(db.session.get(Proposal, finished.id))


def test_a_chair_form_shows_on_a_proposal_still_moving(app, proposals, login):
    """The counterpart of the test above: the same forms are there while they apply."""
    page = login(proposals.users["oc_chair"], app.test_client()).get(
        f"/p/{proposals.open.id}").get_data(as_text=True)
    for path, _, _ in CHAIR_FORMS:
        assert f'action="/p/{proposals.open.id}/{path}"' in page, path


def test_a_muted_neighbour_may_not_cosponsor(app, proposals, login):
    """The resident lives in scope and may co-sponsor, until a moderator mutes them."""
    resident = proposals.users["resident"]
    db.session.add(Mute(community_id=proposals.community.id, user_id=resident.id,
                        until=utcnow() + timedelta(days=3), reason="刷屏",
                        created_by_id=proposals.users["moderator"].id))
    db.session.commit()
    client = login(resident, app.test_client())
    assert client.post(f"/p/{proposals.open.id}/cosponsor").status_code == 403
    db.session.expire_all()
    assert db.session.get(Proposal, proposals.open.id).cosponsor_count == 0
