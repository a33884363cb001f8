"""A small town with hand-countable participation, for the insights tests.

Grid 一网格 holds buildings A栋 and B栋 (6 households each); grid 二网格 holds C栋 (3
households: too few to show). In the last 90 days:

- A栋: 101's owner commented, 102's owner's comment was hidden (does not count), 103's owner
  co-sponsored, 104's resident commented; 105's owner commented 200 days ago only.
- B栋: 101's owner voted online, 102's owner (no account) voted on paper.
- C栋: 101's owner commented.

So A栋 3 of 6, B栋 2 of 6, C栋 1 of 3 (withheld), the community 6 of 15.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.community.models import (
    Building,
    MemberRole,
    OrganisationKind,
    Owner,
    Residency,
    Role,
)
from app.discussion.models import Comment
from app.extensions import db, utcnow
from app.proposals.models import Cosponsorship, ModerationState
from app.proposals.states import Status
from app.voting.models import Channel, ElectorateKind, RollEntry
from app.voting.services import cast, create_poll, enter_offline, entry_for, open_poll


class Town:
    """See the module docstring."""


def add_comment(proposal, author, days_ago: float, *, stance=None, body="意见",
                organisation=None, hidden=False, parent=None) -> Comment:
    comment = Comment(proposal_id=proposal.id, author_id=author.id, stance=stance, body=body,
                      organisation_id=organisation.id if organisation else None,
                      parent_id=parent.id if parent else None,
                      moderation_state=ModerationState.HIDDEN if hidden
                      else ModerationState.VISIBLE,
                      created_at=utcnow() - timedelta(days=days_ago))
    db.session.add(comment)
    db.session.commit()
    return comment


@pytest.fixture
def make_town(make_community, make_unit, make_user, make_org, add_member, give_role,
              make_proposal):
    def make() -> Town:
        t = Town()
        t.community = make_community(name="测试花园", grids=("一网格", "二网格"),
                                     buildings=("A栋", "C栋"))
        first_grid = t.community.grids[0]
        db.session.add(Building(community=t.community, name="B栋", grid=first_grid))
        db.session.commit()
        t.buildings = {b.name: b for b in t.community.buildings}
        t.units = {}
        for name, count in (("A栋", 6), ("B栋", 6), ("C栋", 3)):
            for n in range(1, count + 1):
                number = f"{n}01" if name != "A栋" else f"10{n}"
                t.units[f"{name}{number}"] = make_unit(
                    t.community, number, "90.00", owners=[(f"{name}{number}业主", None)],
                    building=t.buildings[name])
        t.people = {}
        for key in ("A栋101", "A栋102", "A栋103", "A栋105", "B栋101", "C栋101"):
            user = make_user(name=f"{key}业主")
            owner = db.session.execute(select(Owner).where(
                Owner.name == f"{key}业主")).scalar_one()
            owner.user_id = user.id
            db.session.commit()
            give_role(user, Role.VERIFIED_OWNER, t.community)
            t.people[key] = user
        t.tenant = make_user(name="租户")
        db.session.add(Residency(unit=t.units["A栋104"], user=t.tenant))
        db.session.commit()
        give_role(t.tenant, Role.RESIDENT, t.community)

        t.committee = make_org(t.community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
        t.property = make_org(t.community, OrganisationKind.PROPERTY_COMPANY, "物业")
        t.chair = make_user(name="主任")
        add_member(t.committee, t.chair, MemberRole.CHAIR)
        t.admin = make_user(name="管理员")
        give_role(t.admin, Role.COMMUNITY_ADMIN, t.community)

        t.proposal = make_proposal(t.community, t.chair, status=Status.DELIBERATION,
                                   title="加装电梯", category="renovation")
        t.collecting = make_proposal(t.community, t.people["A栋101"], status=Status.COLLECTING,
                                     title="增设充电桩", category="parking")
        add_comment(t.proposal, t.people["A栋101"], 10)
        add_comment(t.proposal, t.people["A栋102"], 10, hidden=True)
        add_comment(t.proposal, t.tenant, 20)
        add_comment(t.proposal, t.people["A栋105"], 200)
        add_comment(t.proposal, t.people["C栋101"], 5)
        db.session.add(Cosponsorship(proposal_id=t.collecting.id,
                                     user_id=t.people["A栋103"].id,
                                     created_at=utcnow() - timedelta(days=3)))
        db.session.commit()

        now = utcnow()
        t.poll = create_poll(t.proposal, actor=t.chair, question="是否同意？",
                             rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                             matter=0, created_at=now - timedelta(days=20),
                             opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9))
        open_poll(t.poll, actor=t.chair)
        db.session.commit()
        cast(t.poll, entry_for(t.poll, t.people["B栋101"]), ["approve"],
             user=t.people["B栋101"])
        paper_entry = db.session.execute(select(RollEntry).where(
            RollEntry.poll_id == t.poll.id, RollEntry.label == "B栋-201")).scalar_one()
        enter_offline(t.poll, paper_entry, ["oppose"], staff=t.chair, channel=Channel.PAPER,
                      reference="纸质表决票第 1 号", paper_number="1")
        db.session.commit()
        return t

    return make


@pytest.fixture
def town(make_town) -> Town:
    return make_town()
