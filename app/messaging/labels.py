"""The words for the outbox's values on the staff page."""

from flask_babel import lazy_gettext as _l

from app.messaging.rules import Channel, Status

STATUS_LABELS = {
    Status.QUEUED: _l("Waiting"),
    Status.SENT: _l("Sent"),
    Status.DELIVERED: _l("Delivered"),
    Status.FAILED: _l("Failed"),
}
CHANNEL_LABELS = {Channel.SMS: _l("SMS"), Channel.SLIP: _l("Printed slip")}
# The reasons the outbox itself gives; a provider's own reason is shown as it came.
ERROR_LABELS = {
    "cap reached": _l("Not sent: the poll's SMS cap was reached"),
    "not delivered (provider report)": _l("The provider reports it did not reach the phone"),
}
