"""An estate of residents in several buildings, a poll about their proposal, and a fixed
clock: noon in Beijing unless a test moves it."""

from datetime import UTC, datetime, timedelta

import pytest

from app.community.models import MemberRole, OrganisationKind
from app.core.sms import provider
from app.extensions import db, utcnow
from app.messaging.rules import BEIJING
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import ElectorateKind
from app.voting.services import create_poll

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=BEIJING).astimezone(UTC)
LATE = datetime(2026, 12, 3, 22, 30, tzinfo=BEIJING).astimezone(UTC)


class Estate:
    """Residents of rooms in three buildings, the owners' committee's chair and staff."""


@pytest.fixture
def clock(monkeypatch):
    """Set the outbox's clock: ``clock(moment)``; it starts at noon in Beijing."""

    def set_to(moment: datetime) -> datetime:
        monkeypatch.setattr("app.messaging.services.utcnow", lambda: moment)
        return moment

    set_to(NOON)
    return set_to


@pytest.fixture
def sent():
    """What the console SMS backend sent during the test."""
    outbox = provider().sent
    outbox.clear()
    yield outbox
    outbox.clear()


@pytest.fixture
def make_estate(make_community, make_unit, make_org, make_user, add_member, resident_of,
                make_proposal):
    def make(residents: int = 3) -> Estate:
        e = Estate()
        e.community = make_community(buildings=("1栋", "2栋", "3栋"))
        committee = make_org(e.community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
        e.chair, e.staff = make_user(name="主任"), make_user(name="干事")
        add_member(committee, e.chair, MemberRole.CHAIR)
        add_member(committee, e.staff, MemberRole.STAFF)
        buildings = e.community.buildings
        e.residents = []
        for n in range(residents):
            unit = make_unit(e.community, f"{n // 3 + 1}0{n % 3 + 1}",
                             building=buildings[n % len(buildings)])
            e.residents.append(resident_of(unit, name=f"居民{n:02d}"))
        e.proposal = make_proposal(e.community, e.chair, status=Status.DELIBERATION)
        now = utcnow()
        e.poll = create_poll(e.proposal, actor=e.chair, question="是否同意加装电梯？",
                             rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                             opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=8),
                             matter=Matter.OTHER, created_at=now - timedelta(days=20))
        db.session.commit()
        return e

    return make


@pytest.fixture
def estate(make_estate) -> Estate:
    return make_estate()


def poll_details(e, **extra) -> dict:
    return {"title": e.proposal.title, "poll": e.poll.id, "question": e.poll.question,
            "closes_at": e.poll.closes_at.isoformat(), **extra}
