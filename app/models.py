"""Imports every model so that Flask-Migrate and the tests see the whole schema."""

from app.api.models import ApiToken
from app.audit.models import AuditEvent
from app.auth.models import User, UserSession
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
from app.discussion.models import Comment, Mute, Report
from app.feeds.models import FeedSecret
from app.followups.models import FollowUpAction
from app.meetings.models import AgendaItem, Attendee, Meeting, MeetingOrganisation, Minutes
from app.messaging.models import MessagePreference, OutboxMessage
from app.notices.models import (
    Notice,
    NoticeAttachment,
    NoticeBuilding,
    NoticeGrid,
    NoticeRead,
    Notification,
)
from app.privacy.models import DeletionRequest
from app.proposals.models import (
    Cosponsorship,
    Follow,
    PartyReview,
    Proposal,
    ProposalBuilding,
    ProposalEvent,
    ProposalGrid,
    ProposalPhoto,
)
from app.recovery.models import RecoveryCode
from app.voting.models import (
    Ballot,
    BallotEvent,
    BulletinRow,
    Objection,
    Poll,
    PollOption,
    PollResult,
    RollEntry,
)
from app.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "FeedSecret",
    "AgendaItem",
    "Attendee",
    "FollowUpAction",
    "Meeting",
    "MeetingOrganisation",
    "Minutes",
    "MessagePreference",
    "OutboxMessage",
    "Notice",
    "NoticeAttachment",
    "NoticeBuilding",
    "NoticeGrid",
    "NoticeRead",
    "AuditEvent",
    "Ballot",
    "BallotEvent",
    "BulletinRow",
    "Objection",
    "Poll",
    "PollOption",
    "PollResult",
    "RollEntry",
    "Comment",
    "DeletionRequest",
    "Cosponsorship",
    "Follow",
    "Mute",
    "Notification",
    "PartyReview",
    "Proposal",
    "ProposalBuilding",
    "ProposalEvent",
    "ProposalGrid",
    "ProposalPhoto",
    "RecoveryCode",
    "Report",
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
    "UserSession",
    "VerificationRequest",
    "Webhook",
    "WebhookDelivery",
]
