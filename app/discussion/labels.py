"""The words for the discussion's values, for pages, documents and exports alike."""

from flask_babel import lazy_gettext as _l

from app.discussion.models import ReportReason, Stance

STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.NEUTRAL: _l("Neutral"),
    Stance.QUESTION: _l("Question"),
}


REPORT_REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.ABUSE: _l("Abuse or insults"),
    ReportReason.PERSONAL_DATA: _l("Personal data exposed"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.OTHER: _l("Other"),
}
