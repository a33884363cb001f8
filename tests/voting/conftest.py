"""Fixtures for the poll pages: an estate of owners, a chair and a verifying staff member."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.community.models import MemberRole, OrganisationKind, Owner, Role
from app.extensions import db, utcnow
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import ElectorateKind, Poll
from app.voting.services import cast, close_poll, create_poll, entry_for, open_poll


class Estate:
    """Owners of units 101, 201, 301… in one building, a chair and a verifying staff member
    of the owners' committee, a resident who owns nothing and an outsider."""


@pytest.fixture
def make_estate(make_community, make_unit, make_user, make_org, add_member, give_role,
                make_proposal):
    def make(owners: int = 3) -> Estate:
        e = Estate()
        e.community = make_community()
        committee = make_org(e.community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
        e.chair, e.staff = make_user(name="主任"), make_user(name="干事")
        add_member(committee, e.chair, MemberRole.CHAIR)
        add_member(committee, e.staff, MemberRole.STAFF)
        areas = ["100.00", "80.00", "120.00"] + ["90.00"] * max(0, owners - 3)
        e.owners = [make_user(name=f"业主{n}") for n in range(owners)]
        for number, (user, area) in enumerate(zip(e.owners, areas, strict=False), start=1):
            make_unit(e.community, f"{number}01", area, owners=[(user.name, None)])
        by_name = {u.name: u for u in e.owners}
        for owner in db.session.execute(select(Owner)).scalars():
            owner.user_id = by_name[owner.name].id
        e.tenant = make_user(name="租户")
        give_role(e.tenant, Role.RESIDENT, e.community)
        e.outsider = make_user(name="路人")
        db.session.commit()
        for user in e.owners:
            give_role(user, Role.VERIFIED_OWNER, e.community)
        e.proposal = make_proposal(e.community, e.owners[0], status=Status.DELIBERATION)
        return e

    return make


@pytest.fixture
def estate(make_estate) -> Estate:
    return make_estate()


ANNOUNCED_DAYS_AGO = 20  # longer than the default notice period of 15 days


def make_poll(e, open_now=True, **settings) -> Poll:
    """A poll announced long enough ago to open now; owners decide an ordinary matter."""
    now = utcnow()
    fields = dict(question="是否同意加装电梯？", rule="civil_code_ordinary",
                  electorate=ElectorateKind.OWNERS, opens_at=now - timedelta(minutes=1),
                  closes_at=now + timedelta(days=7), matter=Matter.OTHER,
                  created_at=now - timedelta(days=ANNOUNCED_DAYS_AGO))
    poll = create_poll(e.proposal, actor=e.chair, **{**fields, **settings})
    if open_now:
        open_poll(poll, actor=e.chair)
    db.session.commit()
    return poll


def cast_all(poll: Poll, voters, choices) -> None:
    for user, choice in zip(voters, choices, strict=True):
        cast(poll, entry_for(poll, user), choice if isinstance(choice, list) else [choice],
             user=user)
    db.session.commit()


def closed_poll(e, choices=("approve", "approve", "oppose"), **settings) -> Poll:
    poll = make_poll(e, **settings)
    cast_all(poll, e.owners, choices)
    close_poll(poll)
    db.session.commit()
    return poll


@pytest.fixture
def en(client):
    """A client that reads the site in English, for assertions on visible text."""
    client.set_cookie("lang", "en")
    return client
