"""Issuing, checking and revoking API tokens. The secret is shown once and stored only as
its SHA-256; every use is audited."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from app.api.models import ApiToken
from app.audit.services import record
from app.extensions import db

RESOURCES = ("communities", "proposals", "notices", "polls", "meetings", "actions",
             "insights")
PREFIX = "gz_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(organisation, *, actor, name: str, resources: list[str], days: int,
                now: datetime) -> tuple[ApiToken, str]:
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation.id, name=name, token_hash=_hash(secret),
                     resources=sorted(resources), created_by_id=actor.id, created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api.token_issue", actor=actor, community_id=organisation.community_id,
           target=f"api_token:{token.id}",
           details={"organisation_id": organisation.id, "name": name,
                    "resources": token.resources, "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(token: ApiToken, *, actor, now: datetime) -> None:
    token.revoked_at = now
    record("api.token_revoke", actor=actor, community_id=token.organisation.community_id,
           target=f"api_token:{token.id}")


def token_for(secret: str, now: datetime) -> ApiToken | None:
    """The live token with this secret: not revoked, not expired."""
    token = db.session.execute(select(ApiToken).where(ApiToken.token_hash == _hash(secret))
                               ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    return token


def note_use(token: ApiToken, path: str, now: datetime) -> None:
    token.last_used_at = now
    record("api.token_use", community_id=token.organisation.community_id,
           target=f"api_token:{token.id}", details={"path": path})
    db.session.commit()


def tokens_of(organisation) -> list[ApiToken]:
    return db.session.execute(select(ApiToken).where(
        ApiToken.organisation_id == organisation.id).order_by(ApiToken.id.desc())
    ).scalars().all()
