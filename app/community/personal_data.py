"""Reading other people's personal data, on the record (PIPL art. 51: access is controlled
and traceable).

Pages that list names of others write one ``personal_data.view`` event per read; phones are
shown masked and each number revealed writes ``personal_data.reveal`` naming whose it was.
The caller commits, so a page read and its audit entry are one transaction.
"""

from sqlalchemy import select

from app.audit.services import record
from app.auth.models import User
from app.community.models import Community, Owner, Unit, VerificationRequest
from app.extensions import db


def record_view(actor: User, community: Community, what: str, **details) -> None:
    """Note that ``actor`` read ``what`` (a page or an export) of ``community``, with the
    filters that chose the rows in ``details``."""
    record("personal_data.view", actor=actor, community_id=community.id, target=what,
           details={"what": what, **details})


def roster_owner(community: Community, owner_id: int) -> Owner | None:
    """A roster owner of this community, or None (another community's owner is not found)."""
    return db.session.execute(
        select(Owner).where(Owner.id == owner_id, Owner.community_id == community.id)
    ).scalar_one_or_none()


def pending_applicant(community: Community, request_id: int) -> User | None:
    """The person behind a link request to a unit of this community, or None."""
    link_request = db.session.get(VerificationRequest, request_id)
    if link_request is None or db.session.get(Unit, link_request.unit_id).building.community_id \
            != community.id:
        return None
    return link_request.user


def reveal_phone(actor: User, community: Community, *, whose: str, phone: str | None) -> str:
    """Return the full number and record who saw whose (``owner:ID`` or ``user:ID``)."""
    record("personal_data.reveal", actor=actor, community_id=community.id, target=whose,
           details={"field": "phone"})
    return phone or ""
