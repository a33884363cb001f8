"""The words for notices' values, for pages and documents alike."""

from flask_babel import lazy_gettext as _l

from app.notices.models import NoticeKind

KIND_LABELS = {
    NoticeKind.ANNOUNCEMENT: _l("Notice"),
    NoticeKind.RESULT_NOTICE: _l("Result of a vote"),
    NoticeKind.MINUTES: _l("Meeting minutes"),
}
