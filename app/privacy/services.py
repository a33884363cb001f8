"""Asking for one's account to be erased, and carrying it out (PIPL art. 47).

Erasing keeps what the law and the community's records need: ballots stay counted (they
point at the anonymised account, and secret ones never named anyone), comments and
proposals stay in the deliberation under "deleted user", the roster keeps the property's
owner as the committee registered them, and the audit log keeps every entry. What goes:
the name and number on the account, its password, its sessions, its roles, homes lived
in, follows, notifications and read receipts. The caller commits.
"""

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import User
from app.community.models import (
    Building,
    Community,
    Membership,
    Owner,
    Residency,
    RoleGrant,
    Unit,
    VerificationRequest,
    VerificationStatus,
)
from app.core.refusals import Refused
from app.extensions import db, utcnow
from app.messaging.models import OutboxMessage
from app.notices.models import NoticeRead, Notification
from app.privacy.models import DeletionRequest, DeletionStatus
from app.proposals.models import Follow

ERASED_NAME = "已注销用户"
# No password hash has this form, so no password ever matches it.
UNUSABLE_PASSWORD = "!erased"


def home_community_id(user: User) -> int | None:
    """The community whose admins handle the person's request: where they own, live,
    hold a role or asked to be linked to a home, in that order."""
    for query in (
        select(Owner.community_id).where(Owner.user_id == user.id),
        select(Building.community_id).join(Unit).join(Residency)
        .where(Residency.user_id == user.id),
        select(RoleGrant.community_id).where(RoleGrant.user_id == user.id,
                                             RoleGrant.community_id.is_not(None)),
        select(Building.community_id).join(Unit).join(VerificationRequest)
        .where(VerificationRequest.user_id == user.id),
    ):
        found = db.session.execute(query.limit(1)).scalar_one_or_none()
        if found is not None:
            return found
    return None


def pending_request_of(user: User) -> DeletionRequest | None:
    return db.session.execute(select(DeletionRequest).where(
        DeletionRequest.user_id == user.id,
        DeletionRequest.status == DeletionStatus.PENDING)).scalar_one_or_none()


def request_deletion(user: User, *, reason: str) -> DeletionRequest:
    if pending_request_of(user) is not None:
        raise Refused("privacy.already_requested")
    deletion = DeletionRequest(user=user, community_id=home_community_id(user), reason=reason)
    db.session.add(deletion)
    db.session.flush()
    record("privacy.deletion_request", actor=user, community_id=deletion.community_id,
           target=f"user:{user.id}", details={"request": deletion.id})
    return deletion


def pending_deletions(community: Community, *, with_no_community: bool) -> list[DeletionRequest]:
    """The community's waiting requests, oldest first; with those of people who belong to
    no community when a platform administrator looks."""
    where = DeletionRequest.community_id == community.id
    if with_no_community:
        where = where | DeletionRequest.community_id.is_(None)
    return list(db.session.execute(
        select(DeletionRequest).where(where, DeletionRequest.status == DeletionStatus.PENDING)
        .options(joinedload(DeletionRequest.user))
        .order_by(DeletionRequest.created_at)).scalars())


def carry_out(deletion: DeletionRequest, *, actor: User) -> None:
    """Anonymise the account; the person is logged out everywhere (an erased account is
    inactive, and Flask-Login treats an inactive user as not logged in)."""
    if deletion.status != DeletionStatus.PENDING:
        raise Refused("privacy.already_erased")
    if deletion.user_id == actor.id:
        raise Refused("privacy.not_your_own")
    user = deletion.user
    user.name = ERASED_NAME
    user.phone = f"erased-{user.id}"
    user.password_hash = UNUSABLE_PASSWORD
    user.locale = None
    user.erased_at = utcnow()
    db.session.execute(update(Owner).where(Owner.user_id == user.id).values(user_id=None))
    # Decided requests stay as the record of who linked whom; waiting ones are withdrawn,
    # or staff would be asked to link an account that no longer exists.
    db.session.execute(delete(VerificationRequest).where(
        VerificationRequest.user_id == user.id,
        VerificationRequest.status == VerificationStatus.PENDING))
    db.session.execute(update(VerificationRequest).where(VerificationRequest.user_id == user.id)
                       .values(note=""))
    for model in (Residency, RoleGrant, Membership, Follow, OutboxMessage, Notification,
                  NoticeRead):
        db.session.execute(delete(model).where(model.user_id == user.id))
    deletion.status = DeletionStatus.DONE
    deletion.carried_out_at = utcnow()
    deletion.carried_out_by_id = actor.id
    deletion.reason = ""
    record("privacy.erase", actor=actor, community_id=deletion.community_id,
           target=f"user:{user.id}", details={"request": deletion.id})
