"""The words the pages show for event types, delivery statuses and delivery errors."""

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.refusals import REFUSALS
from app.webhooks.models import DeliveryStatus, EventType

EVENT_LABELS = {
    EventType.PROPOSAL_PUBLISHED: _l("A proposal is published"),
    EventType.POLL_OPENED: _l("A poll opens"),
    EventType.POLL_CLOSED: _l("A poll closes (preliminary result)"),
    EventType.POLL_RESULT_FINAL: _l("A poll's result is final"),
    EventType.NOTICE_POSTED: _l("A notice is posted"),
}

STATUS_LABELS = {
    DeliveryStatus.QUEUED: _l("queued"),
    DeliveryStatus.DELIVERED: _l("delivered"),
    DeliveryStatus.RETRYING: _l("retrying"),
    DeliveryStatus.FAILED: _l("failed"),
}

# What went wrong with a delivery, by the code stored on it; a refused target by the
# refusal's own message (REFUSALS), shown when the address was registered.
ERROR_LABELS = {
    "webhook.timeout": _l("The receiving system did not answer in time."),
    "webhook.no_connection": _l("The receiving system could not be reached."),
    "webhook.tls_failed": _l("The receiving system's certificate could not be verified."),
    "webhook.bad_answer": _l("The receiving system's answer could not be read."),
    "webhook.disabled": _l("The webhook was disabled, so nothing was sent."),
    "webhook.secret_unreadable": _l("The signing secret can no longer be read because the "
                                    "site's key changed. Register the webhook again."),
}


def error_label(code: str) -> str:
    """The error in the reader's language; a text stored before errors were codes as is."""
    if code in ERROR_LABELS:
        return str(ERROR_LABELS[code])
    if code in REFUSALS:
        return str(REFUSALS[code])
    return code


def event_list(events: list[str]) -> str:
    """The events' names joined as the reader's language joins a list (、 and 和 in
    Chinese, commas and "and" in English)."""
    return format_list([str(EVENT_LABELS[e]) for e in events], locale=str(get_locale()))
