"""Everything the site keeps about one person, as they may ask for it (PIPL art. 45).

One zip: ``data.json`` with every section, and one CSV per section for a spreadsheet.
Ballots appear by receipt; the choice only for polls that were not secret, so the export
never becomes a record of a secret vote that someone could be made to show.
"""

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
from app.core.spreadsheets import csv_text
from app.discussion.models import Comment
from app.extensions import db
from app.notices.models import Notification
from app.proposals.models import Cosponsorship, Proposal
from app.voting.models import Poll, RollEntry, Secrecy
from app.voting.services import current_ballot

# Spreadsheet programs run a cell that starts with one of these as a formula.


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
    """The ballots I cast online, found through my roll entries' seals (a secret poll's
    ballot row does not name its voter); a secret poll's choice stays out."""
    rows = []
    for entry, poll in db.session.execute(
            select(RollEntry, Poll).join(Poll, Poll.id == RollEntry.poll_id)
            .where(RollEntry.voted_by_id == user.id).order_by(RollEntry.id)):
        ballot = current_ballot(poll, entry)
        if ballot is None:
            continue
        rows.append({
            "poll_id": poll.id, "question": poll.question, "receipt": ballot.receipt,
            "channel": entry.voted_channel, "voted_at": _plain(entry.voted_at),
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


def _cell(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _csv(records: list[dict]) -> str:
    rows = [list(records[0]), *([_cell(v) for v in r.values()] for r in records)] if records \
        else []
    return "\ufeff" + csv_text(rows)  # the BOM makes Excel read UTF-8 as UTF-8


def export_zip(sections: dict[str, list[dict]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(sections, ensure_ascii=False, indent=2))
        for name, records in sections.items():
            archive.writestr(f"{name}.csv", _csv(records))
    return buffer.getvalue()
