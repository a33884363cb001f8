"""The words for the discussion's values, for pages, documents and exports alike."""

from flask_babel import lazy_gettext as _l

from app.core.refusals import REFUSALS
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


GOVERNING_ROLE_LABELS = {
    "platform_admin": _l("a platform administrator"),
    "community_admin": _l("an administrator of this community"),
    "staff": _l("staff or chair of one of its organisations"),
}

REFUSALS.register(
    "moderation.governing_member",
    _l("%(name)s is %(role)s: moderators cannot mute the people who run the community. Hide "
       "a comment that breaks the rules instead, or raise the matter with the platform "
       "administrator."),
    role=lambda role: GOVERNING_ROLE_LABELS[role])
REFUSALS.register("moderation.mute_too_long",
                  _l("A mute lasts at most %(max_days)d days."))
