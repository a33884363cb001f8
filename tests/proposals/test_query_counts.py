"""The proposal pages run a fixed number of SQL queries, however many rows they show."""

from datetime import timedelta

import pytest

from app.community.models import Building, Grid, Organisation, Residency
from app.core.uploads import PHOTOS, store
from app.extensions import db, utcnow
from app.proposals.models import (
    Cosponsorship,
    Follow,
    PartyReview,
    ProposalEvent,
    ProposalPhoto,
)
from app.proposals.states import Status
from tests.proposals.conftest import clean_photo, image_bytes


def _grow_the_community(w, make_user, count=60):
    """More grids, buildings, organisations and residents, which forms list."""
    for n in range(count // 10):
        grid = Grid(community=w.community, name=f"加网格{n}")
        db.session.add_all([grid, Building(community=w.community, name=f"加{n}栋", grid=grid),
                            Organisation(community=w.community, kind="social_organisation",
                                         name=f"协会{n}")])
    db.session.commit()


def _many_proposals(w, make_proposal, make_user, count=60):
    """Proposals by six people or, one in four, for one of three organisations, scoped in
    turn to each of the community's buildings or to a pair of its grids."""
    now = utcnow()
    authors = [make_user(name=f"作者{n}") for n in range(6)]
    organisations = [w.property_company, w.owners_committee, w.neighbourhood_committee]
    buildings, grids = list(w.community.buildings), list(w.community.grids)
    for n in range(count):
        proposal = make_proposal(
            w.community, authors[n % 6], title=f"议题{n}", status=[
                Status.COLLECTING, Status.DELIBERATION, Status.VOTING][n % 3],
            organisation=organisations[n // 4 % 3] if n % 4 == 0 else None,
            scope_kind="buildings" if n % 2 else "grids",
            scope_buildings=[buildings[n % len(buildings)]] if n % 2 else [],
            scope_grids=[] if n % 2 else [grids[n % len(grids)], grids[(n + 1) % len(grids)]],
            moderation_state="hidden" if n % 7 == 0 else "visible",
            deliberation_at=now - timedelta(hours=n), closes_at=now + timedelta(days=n))
        db.session.add(Follow(proposal_id=proposal.id, user_id=w.users["resident"].id))
    db.session.commit()


LIST_QUERIES = {
    "": 9,
    "?q=议题&sort=discussed": 9,
    "?near_me=y&following=y&status=deliberation&sort=closing": 10,  # the user's homes
    "?scope=g1&mine=y&category=facilities&waiting=y&page=2": 8,  # no drafts after page 1
}


@pytest.mark.parametrize("query", list(LIST_QUERIES))
def test_the_list(query, app, place, make_proposal, make_user, login, count_queries):
    w = place
    client = login(w.users["resident"], app.test_client())
    url = f"/c/{w.community.id}/proposals{query}"
    client.get(url)
    with count_queries() as none:
        assert client.get(url).status_code == 200
    _grow_the_community(w, make_user)
    _many_proposals(w, make_proposal, make_user)
    make_proposal(w.community, w.users["resident"], status=Status.DRAFT)
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200
    assert (len(none), len(many)) == (LIST_QUERIES[query],) * 2, "\n".join(many)
    if not query:
        assert page.get_data(as_text=True).count('class="proposal-item"') == 20


def _crowd(w, proposal, make_user, uploads, count=30):
    """Co-sponsors, followers, photos, a long timeline and many party reviews; and the
    proposal is now posted for an organisation."""
    clean = clean_photo(image_bytes())
    for n in range(count):
        person = make_user(name=f"邻居{n}")
        db.session.add(Residency(unit=w.unit, user=person))
        db.session.add_all([
            Cosponsorship(proposal_id=proposal.id, user_id=person.id),
            Follow(proposal_id=proposal.id, user_id=person.id),
            ProposalEvent(proposal_id=proposal.id, actor_id=person.id, kind="rules_of_order"),
            PartyReview(proposal_id=proposal.id, organisation_id=w.party_branch.id,
                        opinion="proceed", text="同意", author_id=w.users["party_chair"].id),
        ])
    for n in range(6):
        db.session.add(ProposalPhoto(proposal_id=proposal.id, stored_name=store(PHOTOS, clean),
                                     width=64, height=48, position=n))
    proposal.cosponsor_count = count
    proposal.organisation_id = w.neighbourhood_committee.id
    proposal.scope_kind = "grids"
    proposal.scope_grids = list(w.community.grids)
    db.session.commit()


# The page includes the discussion's own queries (app.discussion.services): this number
# changes with them, but never with the number of rows.
PAGE_QUERIES = {"resident": 17, "oc_chair": 19, "party_chair": 19}


@pytest.mark.parametrize("who", list(PAGE_QUERIES))
def test_the_proposal_page(who, app, proposals, make_proposal, make_user, login, uploads,
                           count_queries):
    w = proposals
    client = login(w.users[who], app.test_client())
    for proposal in (w.open, w.fund):
        url = f"/p/{proposal.id}"
        client.get(url)
        with count_queries() as few:
            assert client.get(url).status_code == 200
        _crowd(w, proposal, make_user, uploads)
        _many_proposals(w, make_proposal, make_user, count=10)  # merge candidates
        with count_queries() as many:
            assert client.get(url).status_code == 200
        assert len(few) == len(many), "\n".join(many)
    assert len(many) == PAGE_QUERIES[who], "\n".join(many)


FORM_PAGES = [
    ("resident", lambda w: f"/c/{w.community.id}/proposals/new", 8),
    ("property_staff", lambda w: f"/c/{w.community.id}/proposals/new", 8),
    ("resident", lambda w: f"/p/{w.draft.id}/edit", 10),
    ("community_admin", lambda w: f"/c/{w.community.id}/settings", 4),
]


@pytest.mark.parametrize(("who", "build", "expected"), FORM_PAGES,
                         ids=[f"{who}:{i}" for i, (who, _, _) in enumerate(FORM_PAGES)])
def test_the_forms(who, build, expected, app, proposals, make_user, login, count_queries):
    client = login(proposals.users[who], app.test_client())
    url = build(proposals)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _grow_the_community(proposals, make_user)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert (len(few), len(many)) == (expected, expected), "\n".join(many)
