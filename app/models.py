"""Imports every model so that Flask-Migrate and the tests see the whole schema."""

from app.audit.models import AuditEvent
from app.auth.models import User
from app.community.models import (
    Building,
    Community,
    Grid,
    Membership,
    Organisation,
    Owner,
    Ownership,
    Residency,
    RoleGrant,
    Unit,
    VerificationRequest,
)

__all__ = [
    "AuditEvent",
    "Building",
    "Community",
    "Grid",
    "Membership",
    "Organisation",
    "Owner",
    "Ownership",
    "Residency",
    "RoleGrant",
    "Unit",
    "User",
    "VerificationRequest",
]
