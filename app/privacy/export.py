"""Everything the site keeps about one person, as they may ask for it (PIPL art. 45).

One zip: ``data.json`` with every section, and one CSV per section for a spreadsheet.
Ballots appear by receipt; the choice only for polls that were not secret, so the export
never becomes a record of a secret vote that someone could be made to show.
"""

import csv
import io
import json
import zipfile
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.community.models import (
    Membership,
    Owner,
    Ownership,
    Residency,
    RoleGrant,
    VerificationRequest,
)
from app.community.services import units_lived_in_by, units_owned_by
from app.discussion.models import Comment
from app.extensions import db
from app.notices.models import Notification
from app.proposals.models import Cosponsorship, Proposal
from app.voting.models import Ballot, Poll, Secrecy

# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(instance, leave_out: frozenset = frozenset()) -> dict:
    return {column.key: _plain(getattr(instance, column.key))
            for column in instance.__table__.columns if column.key not in leave_out}


def _rows(query, **options) -> list[dict]:
    return [_row(instance, **options) for instance in db.session.execute(query).scalars()]


def _ballots(user: User) -> list[dict]:
    rows = []
    for ballot, poll in db.session.execute(
            select(Ballot, Poll).join(Poll, Poll.id == Ballot.poll_id)
            .where(Ballot.cast_by_id == user.id).order_by(Ballot.id)):
        rows.append({
            "poll_id": poll.id, "question": poll.question, "receipt": ballot.receipt,
            "channel": ballot.channel, "cast_at": _plain(ballot.cast_at),
            "changed_at": _plain(ballot.changed_at),
            "choices": None if poll.secrecy == Secrecy.SECRET else ballot.choices,
        })
    return rows


def _homes(user: User) -> list[dict]:
    return [{"community": unit.building.community.name, "building": unit.building.name,
             "unit": unit.number, "area_m2": _plain(unit.area), "as": relation}
            for relation, units in (("owner", units_owned_by(user)),
                                    ("resident", units_lived_in_by(user)))
            for unit in units]


def personal_data(user: User) -> dict[str, list[dict]]:
    """Every section of the export, each a list of flat records."""
    owner_ids = select(Owner.id).where(Owner.user_id == user.id)
    return {
        "account": [_row(user, leave_out=frozenset({"password_hash"}))],
        "homes": _homes(user),
        "roster_entries": _rows(select(Owner).where(Owner.user_id == user.id)),
        "ownerships": _rows(select(Ownership).where(Ownership.owner_id.in_(owner_ids))),
        "homes_lived_in": _rows(select(Residency).where(Residency.user_id == user.id)),
        "link_requests": _rows(select(VerificationRequest)
                               .where(VerificationRequest.user_id == user.id)),
        "community_roles": _rows(select(RoleGrant).where(RoleGrant.user_id == user.id)),
        "memberships": _rows(select(Membership).where(Membership.user_id == user.id)),
        "proposals": _rows(select(Proposal).where(Proposal.author_id == user.id)),
        "cosponsorships": _rows(select(Cosponsorship).where(Cosponsorship.user_id == user.id)),
        "comments": _rows(select(Comment).where(Comment.author_id == user.id)),
        "ballot_receipts": _ballots(user),
        "notifications": _rows(select(Notification).where(Notification.user_id == user.id)),
        "audit_events": _rows(
            select(AuditEvent).where(or_(AuditEvent.actor_id == user.id,
                                         AuditEvent.target == f"user:{user.id}"))
            .order_by(AuditEvent.seq),
            leave_out=frozenset({"prev_hash", "hash"})),
    }


def _safe_cell(value) -> str:
    text = "" if value is None else (
        json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value))
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            writer.writerow({key: _safe_cell(value) for key, value in record.items()})
    return "\ufeff" + buffer.getvalue()  # the BOM makes Excel read UTF-8 as UTF-8


def export_zip(sections: dict[str, list[dict]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(sections, ensure_ascii=False, indent=2))
        for name, records in sections.items():
            archive.writestr(f"{name}.csv", _csv(records))
    return buffer.getvalue()
