"""A poll's result notices reach the board by themselves, signed by the right organisation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.community.models import Organisation, OrganisationKind
from app.extensions import db, utcnow
from app.notices.models import Notice, NoticeKind
from app.voting.services import close_poll, finalise
from tests.voting.conftest import cast_all, make_estate, make_poll  # noqa: F401  (fixtures)


def _notices() -> list[Notice]:
    db.session.expire_all()
    return db.session.execute(select(Notice).order_by(Notice.id)).scalars().all()


def test_closing_and_finalising_a_poll_put_both_result_notices_on_the_board(
        make_estate, client, login):  # noqa: F811
    estate = make_estate()
    poll = make_poll(estate, allow_early_close=True)
    cast_all(poll, estate.owners, ["approve", "approve", "oppose"])
    login(estate.chair)
    client.set_cookie("lang", "en")
    assert client.post(f"/polls/{poll.id}/close").status_code == 302
    (preliminary,) = _notices()
    committee = db.session.execute(select(Organisation.id).where(
        Organisation.kind == OrganisationKind.OWNERS_COMMITTEE)).scalar_one()
    assert (preliminary.kind, preliminary.poll_id, preliminary.organisation_id,
            preliminary.scope_kind) == (NoticeKind.RESULT_NOTICE, poll.id, committee,
                                        "community")
    # In the community's language, whoever closed it; the heading is the notice's own title.
    assert "Preliminary" not in preliminary.title
    assert estate.proposal.title in preliminary.title
    assert preliminary.published_at == poll.closed_at
    assert not preliminary.body.startswith("#")
    assert "<table>" in preliminary.body_html

    db.session.expire_all()
    poll.objection_until = utcnow() - timedelta(minutes=1)
    finalise(poll)
    db.session.commit()
    preliminary, final = _notices()
    assert (final.kind, final.poll_id) == (NoticeKind.RESULT_NOTICE, poll.id)
    assert final.title != preliminary.title
    # Only the final result stays current; the preliminary one moves to "Expired".
    assert final.expires_at is None and preliminary.expires_at <= utcnow()

    login(estate.owners[1])
    page = client.get(f"/notices/{final.id}").get_data(as_text=True)
    assert "Result of a vote" in page and "Issued by 业委会" in page


@pytest.mark.parametrize(("kinds", "for_proposal", "issuer"), [
    ((), False, None),
    ((OrganisationKind.PROPERTY_COMPANY,), False, None),
    ((OrganisationKind.PROPERTY_COMPANY,), True, OrganisationKind.PROPERTY_COMPANY),
    ((OrganisationKind.NEIGHBOURHOOD_COMMITTEE,), False,
     OrganisationKind.NEIGHBOURHOOD_COMMITTEE),
])
def test_without_an_owners_committee_another_organisation_signs_or_nobody(
        kinds, for_proposal, issuer, make_estate, make_org):  # noqa: F811
    estate = make_estate()
    poll = make_poll(estate)
    cast_all(poll, estate.owners, ["approve", "approve", "oppose"])
    db.session.execute(select(Organisation)).scalar_one().kind = OrganisationKind.STREET_OFFICE
    for kind in kinds:
        organisation = make_org(estate.community, kind)
        if for_proposal:
            estate.proposal.organisation_id = organisation.id
    db.session.commit()
    close_poll(poll)
    db.session.commit()
    notices = _notices()
    if issuer is None:
        assert notices == []
    else:
        (notice,) = notices
        assert db.session.get(Organisation, notice.organisation_id).kind == issuer
