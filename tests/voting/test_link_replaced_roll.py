"""A replaced home link leaves the rolls of open polls as they were frozen at opening."""

from sqlalchemy import select

from app.community.models import LinkKind, Owner, Unit, VerificationRequest
from app.community.services import approve_request
from app.extensions import db
from app.voting.models import RollEntry
from app.voting.services import entry_for
from tests.voting.conftest import make_poll


def test_the_displaced_owner_stays_on_an_open_polls_roll(estate, make_user):
    poll = make_poll(estate)
    displaced = estate.owners[0]
    before = {e.key: list(e.user_ids) for e in db.session.execute(
        select(RollEntry).where(RollEntry.poll_id == poll.id)).scalars()}
    unit = db.session.execute(select(Unit).where(Unit.number == "101")).scalar_one()
    owner = db.session.execute(select(Owner).where(Owner.user_id == displaced.id)).scalar_one()
    claimant = make_user(name=displaced.name)
    link_request = VerificationRequest(user=claimant, unit=unit, kind=LinkKind.OWNER)
    db.session.add(link_request)
    db.session.commit()
    approve_request(link_request, actor=estate.staff, owner=owner,
                    replace_reason="房屋已过户，经核对房产证")
    db.session.commit()
    assert db.session.get(Owner, owner.id).user_id == claimant.id
    after = {e.key: list(e.user_ids) for e in db.session.execute(
        select(RollEntry).where(RollEntry.poll_id == poll.id)).scalars()}
    assert after == before
    assert entry_for(poll, displaced) is not None and entry_for(poll, claimant) is None
