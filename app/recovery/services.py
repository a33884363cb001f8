"""Asking for, issuing and using reset codes. Nothing here reads the request or commits:
the views pass the phone number and the time, and commit what the outcome needs."""

from datetime import datetime

from flask import current_app
from sqlalchemy import delete, exists, or_, select

from app.audit.services import record
from app.auth.models import User
from app.community.models import (
    Building,
    Community,
    Membership,
    Organisation,
    Owner,
    Residency,
    Role,
    RoleGrant,
    Unit,
)
from app.core.jobs import enqueue
from app.core.refusals import Refused
from app.core.sms import send_sms
from app.extensions import db
from app.permissions import STAFF_ROLES, VERIFYING_KINDS, load_standing
from app.recovery import codes
from app.recovery.models import RecoveryCode

# How many communities' offices the pages list at most; beyond that people ask their own.
OFFICES_SHOWN = 20


class RecoveryRefused(Refused):
    """A reset code that cannot be issued or used."""


def _key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def _account(phone: str) -> User | None:
    """The account behind a number, unless it was erased."""
    user = db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()
    return user if user is not None and user.is_active else None


def _replace_code(user: User, kind: str, code: str, now: datetime, **issued) -> None:
    """Store ``code`` as the account's only code of its kind."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                  RecoveryCode.kind == kind))
    db.session.add(RecoveryCode(user_id=user.id, kind=kind, created_at=now,
                                expires_at=now + codes.LIFETIMES[kind],
                                code_hash=codes.code_hash(_key(), user.id, kind, code), **issued))
    db.session.flush()


def send_sms_code(phone: str, now: datetime) -> None:
    """Text a fresh code to the number if it has an account; say nothing either way, so
    that nobody learns from the answer which numbers are registered."""
    user = _account(phone)
    if user is None:
        return
    code = codes.new_sms_code()
    _replace_code(user, codes.SMS, code, now)
    minutes = int(codes.LIFETIMES[codes.SMS].total_seconds() // 60)
    enqueue(send_sms, phone, "recovery_code", code=code, minutes=minutes)
    record("recovery.sms_code_sent", target=f"user:{user.id}")


# --- Staff codes ---------------------------------------------------------------------------


def _belongs_to(user_id: int, community_id: int):
    """Whether the person has a role, a seat in an organisation, a home or an entry on the
    roster in the community: one query."""
    return select(or_(
        exists().where(RoleGrant.user_id == user_id, RoleGrant.community_id == community_id),
        exists().where(Membership.user_id == user_id,
                       Membership.organisation_id == Organisation.id,
                       Organisation.community_id == community_id),
        exists().where(Residency.user_id == user_id, Residency.unit_id == Unit.id,
                       Unit.building_id == Building.id, Building.community_id == community_id),
        exists().where(Owner.user_id == user_id, Owner.community_id == community_id),
    ))


def _standing_rank(*, platform_admin: bool, admin: bool, verifier: bool) -> int:
    return 3 if platform_admin else 2 if admin else 1 if verifier else 0


def _issuer_rank(issuer: User, community: Community) -> int:
    """The issuer's standing in this community (already loaded for the permission check)."""
    standing = load_standing(issuer)
    return _standing_rank(platform_admin=standing.is_platform_admin,
                          admin=standing.has_role(community.id, Role.COMMUNITY_ADMIN),
                          verifier=standing.is_staff_of_kind(community.id, VERIFYING_KINDS))


def _person_rank(user_id: int) -> int:
    """The person's highest standing anywhere: a code for them must not open an office
    that the issuer does not hold, in this community or another."""
    roles = set(db.session.execute(
        select(RoleGrant.role).where(RoleGrant.user_id == user_id)).scalars())
    verifier = db.session.execute(select(exists().where(
        Membership.user_id == user_id, Membership.role.in_(STAFF_ROLES),
        Membership.organisation_id == Organisation.id,
        Organisation.kind.in_(VERIFYING_KINDS)))).scalar()
    return _standing_rank(platform_admin=Role.PLATFORM_ADMIN in roles,
                          admin=Role.COMMUNITY_ADMIN in roles, verifier=verifier)


def issue_staff_code(issuer: User, community: Community, phone: str,
                     now: datetime) -> tuple[User, str]:
    """A paper code for a person of the community whose identity the issuer has checked
    face to face; only for people of lower standing than the issuer, never for oneself."""
    user = _account(phone)
    if user is None or not db.session.execute(_belongs_to(user.id, community.id)).scalar():
        raise RecoveryRefused("recovery.not_in_community")
    if user.id == issuer.id or _person_rank(user.id) >= _issuer_rank(issuer, community):
        raise RecoveryRefused("recovery.higher_standing")
    code = codes.new_staff_code()
    _replace_code(user, codes.STAFF, code, now, issued_by_id=issuer.id,
                  community_id=community.id)
    record("recovery.staff_code_issued", actor=issuer, community_id=community.id,
           target=f"user:{user.id}", details={"expires_at": (
               now + codes.LIFETIMES[codes.STAFF]).isoformat()})
    return user, code


# --- Using a code --------------------------------------------------------------------------


def reset_password(phone: str, typed_code: str, password: str, now: datetime) -> User:
    """Set the new password if the code is right; the caller then ends the account's
    sessions. A wrong code counts against that code (the caller must commit the count),
    and after ``MAX_ATTEMPTS`` the code is gone. An unknown number, a missing, expired or
    wrong code: one refusal for all, so the answer tells nothing about the account."""
    kind, code = codes.read_code(typed_code) or (None, None)
    user = _account(phone)
    row = None
    if user is not None and kind is not None:
        row = db.session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.kind == kind)).scalar_one_or_none()
    if row is None or row.expires_at <= now:
        if row is not None:
            db.session.delete(row)
        raise RecoveryRefused("recovery.wrong_code")
    if not codes.matches(_key(), user.id, kind, code, row.code_hash):
        row.attempts += 1
        if row.attempts >= codes.MAX_ATTEMPTS:
            db.session.delete(row)
            record("recovery.code_locked", community_id=row.community_id,
                   target=f"user:{user.id}", details={"kind": kind})
        raise RecoveryRefused("recovery.wrong_code")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.set_password(password)
    record("recovery.password_reset", actor=user, community_id=row.community_id,
           target=f"user:{user.id}", details={"kind": kind})
    return user


def offices() -> list[Community]:
    """Communities that have said where people can come in person, by name."""
    return list(db.session.execute(
        select(Community).where(or_(Community.objection_place != "",
                                    Community.objection_phone != ""))
        .order_by(Community.name).limit(OFFICES_SHOWN)).scalars())
