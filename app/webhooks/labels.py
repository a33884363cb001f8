"""The words the pages show for event types and delivery statuses."""

from flask_babel import lazy_gettext as _l

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
