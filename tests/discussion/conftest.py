"""A community with a proposal under discussion, and helpers to fill its discussion."""

from datetime import timedelta

import pytest

from app.auth.models import User
from app.community.models import Role, RoleGrant
from app.discussion.models import Comment, Mute, Stance
from app.extensions import db, utcnow
from app.proposals.states import Status
from tests.factories import PASSWORD_HASH, _serial

COMPANY = "安居物业服务有限公司"


@pytest.fixture
def place(world, make_proposal, make_user, give_role):
    """``world`` plus: the property company's real name, a second resident, a muted
    resident, and a proposal in deliberation written by the first resident."""
    world.property_company.name = COMPANY
    db.session.commit()
    world.neighbour = make_user(name="邻居")
    give_role(world.neighbour, Role.RESIDENT, world.community)
    world.muted = make_user(name="被禁言者")
    give_role(world.muted, Role.RESIDENT, world.community)
    db.session.add(Mute(community_id=world.community.id, user_id=world.muted.id,
                        until=utcnow() + timedelta(days=3), reason="连续发广告",
                        created_by_id=world.users["moderator"].id))
    world.proposal = make_proposal(world.community, world.users["resident"],
                                   status=Status.DELIBERATION, title="加装电梯")
    db.session.commit()
    return world


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def add_comment():
    """Write a comment straight into the database (the services have their own tests)."""

    def add(proposal, author, body="我同意", stance=Stance.SUPPORT, parent=None,
            organisation=None, **fields) -> Comment:
        comment = Comment(proposal_id=proposal.id, author_id=author.id, body=body,
                          stance=None if parent or organisation else stance,
                          parent_id=parent.id if parent else None,
                          organisation_id=organisation.id if organisation else None, **fields)
        db.session.add(comment)
        db.session.commit()
        return comment

    return add


@pytest.fixture
def many_comments():
    """``count`` top-level comments with a reply each, written in bulk. The authors take
    turns; each reply is by the author half the list away, so that with forty authors a
    page of twenty comments and their replies names forty different people."""

    def fill(proposal, authors, count: int) -> None:
        stances = list(Stance)
        half = len(authors) // 2 or 1
        tops = [Comment(proposal_id=proposal.id, author_id=authors[i % len(authors)].id,
                        body=f"第{i}条意见", stance=stances[i % 4]) for i in range(count)]
        db.session.add_all(tops)
        db.session.flush()
        db.session.add_all([
            Comment(proposal_id=proposal.id, author_id=authors[(i + half) % len(authors)].id,
                    parent_id=top.id, body=f"回复{i}") for i, top in enumerate(tops)])
        db.session.commit()

    return fill


@pytest.fixture
def crowd(place):
    """``count`` residents of the community, written in bulk: distinct authors, so that a
    page that loaded each author by itself would cost one query per person."""

    def make(count: int = 40) -> list[User]:
        people = [User(name=f"居民{next(_serial)}", phone=f"136{next(_serial):08d}",
                       password_hash=PASSWORD_HASH, privacy_accepted_at=utcnow())
                  for _ in range(count)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(RoleGrant(user_id=person.id, community_id=place.community.id,
                                     role=Role.RESIDENT) for person in people)
        db.session.commit()
        return people

    return make

