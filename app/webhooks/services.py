"""Registering webhooks, turning domain events into deliveries, and delivering them.

Each event that a hook of the event's community subscribes to becomes one delivery row in
the transaction of the event itself, and nothing more: the POST (up to
``WEBHOOK_TIMEOUT_SECONDS``) never runs inside that transaction, which may hold a poll's row
and the audit chain's lock, and an event that is rolled back is never sent. On the queue
(app/core/jobs.py) the delivery is a job that the queue takes only once the transaction
commits. With ``JOBS_EAGER`` (development, tests) the rows committed in a request are sent
when the request ends (``send_committed``, a teardown of the request rather than of the
session: a session's commit hook may not use the session, and the request knows that its
work is done); those committed outside a request (``flask polls close-due``) wait for
``flask webhooks send-due``. An attempt is recorded on the row: delivered; waiting for a
retry (timeouts, connection errors, 408, 429 and 5xx), after the waits of
``JOBS_RETRY_INTERVALS``, the queue's own schedule; or failed for good (any other answer, or
the last retry). The attempt is recorded instead of raised, so that the row keeps every
attempt (a raised job is rolled back) and so that eager deliveries retry the same way;
``flask webhooks send-due`` (cron, every minute) sends the deliveries whose wait is over
again, as ``flask messages send-due`` does for SMS.
"""
import base64
import hashlib
import hmac
import json
import logging
import secrets
import ssl
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session

from app.audit.services import record
from app.core.jobs import enqueue
from app.core.refusals import REFUSALS, Refused
from app.core.signals import (
    notice_posted,
    poll_closed,
    poll_finalised,
    poll_opened,
    proposal_status_changed,
)
from app.extensions import db, utcnow
from app.proposals.models import ModerationState
from app.proposals.states import Status
from app.webhooks.models import DeliveryStatus, EventType, Webhook, WebhookDelivery
from app.webhooks.payloads import notice_data, poll_data, proposal_data
from app.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature
from app.webhooks.targets import target_refusal, vetted_address
from app.webhooks.transport import BadAnswer, post

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
USER_AGENT = "Gongzhi-Webhooks/1"
PUBLISHED_FROM_DRAFT = (Status.COLLECTING, Status.DELIBERATION)
# Keys in Session.info (eager mode): deliveries of the open transaction, and those committed.
WAITING, COMMITTED = "gongzhi_webhooks_waiting", "gongzhi_webhooks_committed"
# How long an eager delivery committed outside a request waits for send-due, which leaves
# younger ones to the request that is about to send them.
EAGER_GRACE = timedelta(minutes=1)


class WebhookRefused(Refused):
    """A URL a webhook may not use, or a delivery that cannot be sent again."""


REFUSALS.register_all({
    "webhook.url_too_long": _l("The address is too long (at most 500 characters)."),
    "webhook.url_malformed": _l("Enter a full web address, such as "
                                "https://example.org/gongzhi-events."),
    "webhook.https_only": _l("The address must start with https:// so that deliveries are "
                             "encrypted on the way."),
    "webhook.url_credentials": _l("Do not put a user name or password in the address; the "
                                  "signature proves that deliveries come from this site."),
    "webhook.url_fragment": _l("Remove the part after # from the address: it is never sent "
                               "to the server."),
    "webhook.host_unknown": _l("The server in this address cannot be found. Check the "
                               "spelling of the address."),
    "webhook.private_target": _l("This address leads into a private or local network, which "
                                 "this site does not send to. Use the receiving system's "
                                 "public address."),
    "webhook.not_failed": _l("Only a delivery that failed can be sent again."),
})


# --- The secret ------------------------------------------------------------------------------


def _box() -> Fernet:
    """WEBHOOK_SECRETS_KEY, or else a key derived from SECRET_KEY: a setting, never a value
    in the database, so that a copy of the database alone cannot sign as this site."""
    setting = current_app.config["WEBHOOK_SECRETS_KEY"] or current_app.config["SECRET_KEY"]
    key = hmac.new(setting.encode(), b"gongzhi webhook secrets", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_of(hook: Webhook) -> str | None:
    """The hook's signing secret, or None if the key that encrypted it has changed."""
    try:
        return _box().decrypt(hook.secret_encrypted.encode()).decode()
    except InvalidToken:
        return None


# --- Managing hooks --------------------------------------------------------------------------


def check_target(url: str) -> None:
    config = current_app.config
    code = target_refusal(url, https_only=config["WEBHOOK_HTTPS_ONLY"],
                          allow_private=config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
    if code is not None:
        raise WebhookRefused(code)


def register(community, *, actor, url: str, events: list[str]) -> tuple[Webhook, str]:
    """A new hook and its secret, which the caller shows once."""
    check_target(url)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    hook = Webhook(community_id=community.id, url=url,
                   events=[e.value for e in EventType if e.value in events],
                   secret_encrypted=_box().encrypt(secret.encode()).decode(),
                   created_by_id=actor.id, created_at=utcnow())
    db.session.add(hook)
    db.session.flush()
    record("webhook.register", actor=actor, community_id=community.id,
           target=f"webhook:{hook.id}", details={"url": url, "events": hook.events})
    return hook, secret


def set_enabled(hook: Webhook, enabled: bool, *, actor) -> None:
    if hook.enabled == enabled:
        return
    hook.enabled = enabled
    record("webhook.enable" if enabled else "webhook.disable", actor=actor,
           community_id=hook.community_id, target=f"webhook:{hook.id}")
    db.session.flush()


def delete(hook: Webhook, *, actor) -> None:
    """The hook and its deliveries go; the audit log keeps that it existed."""
    record("webhook.delete", actor=actor, community_id=hook.community_id,
           target=f"webhook:{hook.id}", details={"url": hook.url, "events": hook.events})
    db.session.execute(WebhookDelivery.__table__.delete().where(
        WebhookDelivery.webhook_id == hook.id))
    db.session.delete(hook)
    db.session.flush()


def redeliver(delivery: WebhookDelivery, *, actor) -> None:
    """Send a failed delivery again, with the same body and a fresh run of retries."""
    if delivery.status != DeliveryStatus.FAILED:
        raise WebhookRefused("webhook.not_failed")
    record("webhook.redeliver", actor=actor, community_id=delivery.webhook.community_id,
           target=f"webhook_delivery:{delivery.id}",
           details={"attempts": delivery.attempts, "last_error": delivery.last_error,
                    "last_status_code": delivery.last_status_code})
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.QUEUED, 0, None
    db.session.flush()
    _dispatch([delivery.id])


def hooks_of(community) -> list[tuple[Webhook, dict[str, int]]]:
    """The community's hooks, each with its deliveries counted by status: two queries."""
    hooks = db.session.execute(select(Webhook).where(Webhook.community_id == community.id)
                               .order_by(Webhook.id)).scalars().all()
    counts: dict[int, dict[str, int]] = {h.id: dict.fromkeys(DeliveryStatus, 0) for h in hooks}
    if hooks:
        for hook_id, status, count in db.session.execute(
                select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count())
                .where(WebhookDelivery.webhook_id.in_(counts))
                .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)).all():
            counts[hook_id][status] = count
    return [(h, counts[h.id]) for h in hooks]


def hook_in(community, hook_id: int) -> Webhook | None:
    hook = db.session.get(Webhook, hook_id)
    return hook if hook is not None and hook.community_id == community.id else None


def delivery_in(hook: Webhook, delivery_id: int) -> WebhookDelivery | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.webhook_id == hook.id else None


def deliveries_page(hook: Webhook, page: int, per_page: int):
    return db.paginate(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
                       .order_by(WebhookDelivery.id.desc()),
                       page=page, per_page=per_page, error_out=False)


# --- Events ----------------------------------------------------------------------------------


def emit(community_id: int, event_type: EventType, payload: Callable[[], dict],
         occurred_at: datetime | None = None) -> list[WebhookDelivery]:
    """One delivery per enabled hook of the community that subscribes to the event. The
    payload is built only when some hook takes the event: an event nobody listens to costs
    one query."""
    hooks = [hook for hook in db.session.execute(select(Webhook).where(
        Webhook.community_id == community_id, Webhook.enabled.is_(True))).scalars()
        if event_type.value in hook.events]
    if not hooks:
        return []
    event_id = uuid.uuid4().hex
    body = json.dumps({"id": event_id, "type": event_type.value,
                       "occurred_at": (occurred_at or utcnow()).isoformat(),
                       "community_id": community_id, "data": payload()},
                      ensure_ascii=False, separators=(",", ":"))
    deliveries = [WebhookDelivery(webhook_id=hook.id, event_id=event_id,
                                  event_type=event_type.value, body=body,
                                  status=DeliveryStatus.QUEUED, created_at=utcnow())
                  for hook in hooks]
    db.session.add_all(deliveries)
    db.session.flush()
    _dispatch([delivery.id for delivery in deliveries])
    return deliveries


def _dispatch(delivery_ids: list[int]) -> None:
    """Have the deliveries sent once the current transaction commits: a job each on the
    queue, or (eager) noted for ``send_committed``."""
    if not current_app.config["JOBS_EAGER"]:
        for delivery_id in delivery_ids:
            enqueue(deliver, delivery_id)
        return
    db.session.info.setdefault(WAITING, []).extend(delivery_ids)


@event.listens_for(Session, "after_commit")
def _note_committed_deliveries(session: Session) -> None:
    """Bookkeeping only: a commit hook may not use the session. A delivery whose savepoint
    was rolled back is still listed; ``send_committed`` finds no row for it."""
    if session.in_nested_transaction():
        return
    if waiting := session.info.pop(WAITING, None):
        session.info.setdefault(COMMITTED, []).extend(waiting)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted_deliveries(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WAITING, None)


def send_committed() -> int:
    """Send the eager deliveries whose transaction has committed, each attempt committed on
    its own; call it with no work of one's own open. How many were attempted."""
    delivery_ids = db.session.info.pop(COMMITTED, [])
    for delivery_id in delivery_ids:
        try:
            deliver(delivery_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("webhook delivery %s could not be attempted", delivery_id)
    return len(delivery_ids)


@proposal_status_changed.connect
def _proposal_published(proposal, *, source, target, action):
    if (source == Status.DRAFT and target in PUBLISHED_FROM_DRAFT
            and proposal.moderation_state == ModerationState.VISIBLE):
        emit(proposal.community_id, EventType.PROPOSAL_PUBLISHED,
             lambda: proposal_data(proposal), proposal.published_at)


@poll_opened.connect
def _poll_opened(poll):
    emit(poll.community_id, EventType.POLL_OPENED,
         lambda: poll_data(poll, with_results=False), poll.opened_at)


@poll_closed.connect
def _poll_closed(poll):
    emit(poll.community_id, EventType.POLL_CLOSED,
         lambda: poll_data(poll, with_results=True), poll.closed_at)


@poll_finalised.connect
def _poll_result_final(poll):
    emit(poll.community_id, EventType.POLL_RESULT_FINAL,
         lambda: poll_data(poll, with_results=True), poll.finalised_at)


@notice_posted.connect
def _notice_posted(notice):
    emit(notice.community_id, EventType.NOTICE_POSTED, lambda: notice_data(notice),
         notice.published_at)


# --- Delivering ------------------------------------------------------------------------------


def _retryable(status_code: int | None) -> bool:
    """Timeouts and connection errors (no code), 408, 429 and 5xx may pass; any other
    answer will not change by asking again."""
    return status_code is None or status_code in (408, 429) or status_code >= 500


def _error_code(error: OSError) -> str:
    if isinstance(error, TimeoutError):
        return "webhook.timeout"
    if isinstance(error, ssl.SSLError):
        return "webhook.tls_failed"
    if isinstance(error, BadAnswer):
        return "webhook.bad_answer"
    return "webhook.no_connection"


def _post(hook: Webhook, delivery: WebhookDelivery, secret: str,
          address: str) -> tuple[int | None, str]:
    """One attempt, to the vetted ``address``: the HTTP status, or None and the code of
    what went wrong (the page shows it in the reader's language)."""
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               EVENT_HEADER: delivery.event_type, DELIVERY_HEADER: str(delivery.id),
               SIGNATURE_HEADER: signature(secret, int(utcnow().timestamp()), body)}
    try:
        return post(hook.url, address, body, headers,
                    current_app.config["WEBHOOK_TIMEOUT_SECONDS"]), ""
    except OSError as error:
        logger.info("webhook delivery %s: %r", delivery.id, error)
        return None, _error_code(error)


def deliver(delivery_id: int) -> None:
    """The job that makes one attempt at a delivery and records how it went."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status not in (DeliveryStatus.QUEUED,
                                                   DeliveryStatus.RETRYING):
        return
    hook = delivery.webhook
    now = utcnow()
    delivery.next_attempt_at = None
    secret = secret_of(hook)
    problem = None
    if not hook.enabled:
        problem = "webhook.disabled"
    elif secret is None:
        problem = "webhook.secret_unreadable"
    else:
        config = current_app.config
        code, address = vetted_address(hook.url, https_only=config["WEBHOOK_HTTPS_ONLY"],
                                       allow_private=config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
        if code is not None:  # the host's addresses may have changed since it was checked
            problem = code
    if problem is not None:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, problem
        db.session.flush()
        return
    delivery.attempts += 1
    delivery.last_attempt_at = now
    status_code, error = _post(hook, delivery, secret, address)
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    elif _retryable(status_code) and (wait := _retry_wait(delivery.attempts)) is not None:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.RETRYING, now + wait
    else:
        delivery.status = DeliveryStatus.FAILED
    db.session.flush()


def _retry_wait(attempts: int) -> timedelta | None:
    """The wait after ``attempts`` failed attempts, or None when the retries are spent."""
    waits = list(current_app.config["JOBS_RETRY_INTERVALS"])
    return timedelta(seconds=waits[attempts - 1]) if attempts <= len(waits) else None


def send_due(now: datetime | None = None) -> int:
    """Have the deliveries whose retry is due sent once the caller commits (eager: also
    those committed outside a request, which nobody else sends); run every minute."""
    now = now or utcnow()
    due_now = (WebhookDelivery.status == DeliveryStatus.RETRYING) & (
        WebhookDelivery.next_attempt_at <= now)
    if current_app.config["JOBS_EAGER"]:
        due_now = or_(due_now, (WebhookDelivery.status == DeliveryStatus.QUEUED) & (
            WebhookDelivery.created_at <= now - EAGER_GRACE))
    due = list(db.session.execute(select(WebhookDelivery.id).where(due_now)
                                  .order_by(WebhookDelivery.id)).scalars())
    if due:
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(due))
                           .values(status=DeliveryStatus.QUEUED, next_attempt_at=None))
        _dispatch(due)
    return len(due)
