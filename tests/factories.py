"""Factory fixtures: each builds committed rows with sensible defaults."""

import itertools
from decimal import Decimal

import pytest
from werkzeug.security import generate_password_hash

from app.auth.models import PASSWORD_HASH_METHOD, User
from app.community.models import (
    Building,
    Community,
    Grid,
    Membership,
    Organisation,
    Owner,
    Ownership,
    RoleGrant,
    Unit,
)
from app.extensions import db, utcnow

PASSWORD = "correct horse"
# Hashing is slow on purpose; hash once and share it among the test users.
PASSWORD_HASH = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
_serial = itertools.count(1)


@pytest.fixture
def make_user(app):
    def make(name: str = "测试用户", phone: str | None = None, **fields) -> User:
        user = User(
            name=name,
            phone=phone or f"137{next(_serial):08d}",
            **{"password_hash": PASSWORD_HASH, "privacy_accepted_at": utcnow(), **fields},
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_community(app):
    def make(name: str | None = None, grids=("第一网格",), buildings=("1栋",)) -> Community:
        community = Community(name=name or f"小区{next(_serial)}", address="测试路 1 号")
        db.session.add(community)
        grid_objects = [Grid(community=community, name=g) for g in grids]
        db.session.add_all(grid_objects)
        for index, building in enumerate(buildings):
            grid = grid_objects[index % len(grid_objects)] if grid_objects else None
            db.session.add(Building(community=community, name=building, grid=grid))
        db.session.commit()
        return community

    return make


@pytest.fixture
def make_unit(app):
    def make(community: Community, number: str, area="88.50", owners=(), building=None) -> Unit:
        target = building or community.buildings[0]
        unit = Unit(building=target, number=number, area=Decimal(area))
        db.session.add(unit)
        for owner_name, phone in owners:
            owner = Owner(community_id=community.id, name=owner_name, phone=phone)
            db.session.add(Ownership(unit=unit, owner=owner))
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_org(app):
    def make(community: Community, kind: str, name: str | None = None, grid=None):
        organisation = Organisation(
            community=community, kind=kind, name=name or f"{kind}-{next(_serial)}", grid=grid)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


@pytest.fixture
def add_member(app):
    def add(organisation: Organisation, user: User, role: str) -> Membership:
        membership = Membership(organisation=organisation, user=user, role=role)
        db.session.add(membership)
        db.session.commit()
        return membership

    return add


@pytest.fixture
def give_role(app):
    def give(user: User, role: str, community: Community | None = None) -> RoleGrant:
        grant = RoleGrant(user=user, community_id=community.id if community else None, role=role)
        db.session.add(grant)
        db.session.commit()
        return grant

    return give


@pytest.fixture
def login(client):
    """Log a user in without the cost of a password check (auth tests use the real form)."""

    def log_in(user: User, test_client=None):
        from flask import current_app

        from app.auth.sessions import Lifetimes, open_session

        target = test_client or client
        open_session(user, remember=False, user_agent="", address="127.0.0.1", now=utcnow(),
                     lifetimes=Lifetimes.from_config(current_app.config))
        db.session.commit()
        with target.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return target

    return log_in


class World:
    """One community with every kind of person in it, for permission tests."""


@pytest.fixture
def world(make_user, make_community, make_unit, make_org, add_member, give_role):
    from app.community.models import (
        LinkKind,
        MemberRole,
        OrganisationKind,
        Role,
        VerificationRequest,
    )

    w = World()
    w.community = make_community(name="翠湖花园", grids=("第一网格", "第二网格"),
                                 buildings=("1栋", "2栋"))
    w.other_community = make_community(name="别的小区")
    w.unit = make_unit(w.community, "101", "95.20", owners=[("王伟", "13900000001")])
    w.owners_committee = make_org(w.community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    w.neighbourhood_committee = make_org(
        w.community, OrganisationKind.NEIGHBOURHOOD_COMMITTEE, "居委会")
    w.property_company = make_org(w.community, OrganisationKind.PROPERTY_COMPANY, "物业")
    w.party_branch = make_org(w.community, OrganisationKind.PARTY_BRANCH, "党支部")

    w.users = {}

    def person(key, *roles):
        user = make_user(name=key)
        w.users[key] = user
        for grant in roles:
            grant(user)
        return user

    person("platform_admin", lambda u: give_role(u, Role.PLATFORM_ADMIN))
    person("community_admin", lambda u: give_role(u, Role.COMMUNITY_ADMIN, w.community))
    person("other_admin", lambda u: give_role(u, Role.COMMUNITY_ADMIN, w.other_community))
    person("oc_chair", lambda u: add_member(w.owners_committee, u, MemberRole.CHAIR))
    person("oc_staff", lambda u: add_member(w.owners_committee, u, MemberRole.STAFF))
    person("nc_staff", lambda u: add_member(w.neighbourhood_committee, u, MemberRole.STAFF))
    person("property_staff", lambda u: add_member(w.property_company, u, MemberRole.STAFF))
    person("party_chair", lambda u: add_member(w.party_branch, u, MemberRole.CHAIR))
    person("resident", lambda u: give_role(u, Role.RESIDENT, w.community))
    person("moderator", lambda u: give_role(u, Role.MODERATOR, w.community))
    person("outsider")

    w.applicant = make_user(name="申请人", phone="13900000001")
    w.link_request = VerificationRequest(user=w.applicant, unit=w.unit, kind=LinkKind.OWNER)
    db.session.add(w.link_request)
    db.session.commit()
    return w


@pytest.fixture
def make_proposal(app):
    """A proposal in any status, written directly (the services have their own tests)."""
    from app.proposals.models import Follow, Proposal
    from app.proposals.states import Status

    def make(community: Community, author: User, status: str = Status.DELIBERATION,
             title: str | None = None, category: str = "facilities", organisation=None,
             **fields):
        proposal = Proposal(
            community=community, author=author, organisation=organisation,
            title=title or f"议题{next(_serial)}", body="正文", body_html="<p>正文</p>",
            category=category, status=status,
            published_at=None if status == Status.DRAFT else utcnow(), **fields)
        db.session.add(proposal)
        db.session.flush()
        db.session.add(Follow(proposal_id=proposal.id, user_id=author.id))
        db.session.commit()
        return proposal

    return make


@pytest.fixture
def resident_of(make_user, give_role):
    """A verified resident who lives in ``unit`` (a Residency and the resident role)."""
    from app.community.models import Residency, Role

    def make(unit: Unit, name: str = "居民", **fields) -> User:
        user = make_user(name=name, **fields)
        db.session.add(Residency(unit=unit, user=user))
        db.session.commit()
        give_role(user, Role.RESIDENT, unit.building.community)
        return user

    return make
