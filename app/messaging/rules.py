"""The outbox's rules, free of Flask and the database: which category a notification falls
in, what a person gets by default, when an SMS may go out (quiet hours in Beijing), what
parameters an SMS template takes from a notification, how long a retry waits."""

import enum
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
# No SMS between these hours, Beijing time: an SMS created then waits until the morning.
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


class Channel(enum.StrEnum):
    SMS = "sms"
    SLIP = "slip"  # printed by staff and put in the letterbox


class Status(enum.StrEnum):
    QUEUED = "queued"        # waiting to go out (with ``not_before``: for the morning, a retry)
    SENT = "sent"            # the provider took it, or staff printed the slip
    DELIVERED = "delivered"  # the provider reported it reached the phone
    FAILED = "failed"        # a dead letter: the reason is in ``last_error``


class Category(enum.StrEnum):
    VOTES = "votes"
    MEETINGS = "meetings"
    HOME = "home"              # my home and account
    DISCUSSION = "discussion"  # discussion and proposals


# Every notification kind that may go beyond the site, by the category a person chooses.
CATEGORY_OF_KIND = {
    "poll_opened": Category.VOTES,
    "poll_closing": Category.VOTES,
    "poll_result": Category.VOTES,
    "poll_reminder": Category.VOTES,
    "ballot_entered": Category.VOTES,
    "meeting_invitation": Category.MEETINGS,
    "meeting_moved": Category.MEETINGS,
    "meeting_cancelled": Category.MEETINGS,
    "link_decided": Category.HOME,
    "link_replaced": Category.HOME,
    "notice_reminder": Category.HOME,
    "reply": Category.DISCUSSION,
    "official_answer": Category.DISCUSSION,
    "status_change": Category.DISCUSSION,
    "threshold_reached": Category.DISCUSSION,
    "party_review": Category.DISCUSSION,
    "moderation": Category.DISCUSSION,
    "follow_up": Category.DISCUSSION,
}

# What someone who never chose gets: what touches their vote, their meetings and their
# home comes by SMS; the daily back and forth of discussion stays on the site. Slips are
# asked for, never assumed (staff walk them to the door).
DEFAULT_CHOICES = {Channel.SMS: {Category.VOTES, Category.MEETINGS, Category.HOME},
                   Channel.SLIP: set()}

# A transient failure is tried again after these waits; after the last, the message fails.
RETRY_WAITS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_WAITS) + 1

# Aliyun refuses a template parameter longer than this.
PARAM_LIMIT = 35
TITLE_LIMIT = 20


def channels_for(kind: str, sms: set[str] | None, slip: set[str] | None) -> list[Channel]:
    """The channels beyond the site for a notification of ``kind``, given the person's
    chosen categories per channel (None: never chosen, the defaults apply)."""
    category = CATEGORY_OF_KIND.get(kind)
    if category is None:
        return []
    chosen = {Channel.SMS: DEFAULT_CHOICES[Channel.SMS] if sms is None else sms,
              Channel.SLIP: DEFAULT_CHOICES[Channel.SLIP] if slip is None else slip}
    return [channel for channel in Channel if category in chosen[channel]]


def is_quiet(moment: datetime) -> bool:
    local = moment.astimezone(BEIJING).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_allowed(moment: datetime) -> datetime:
    """The first instant at or after ``moment`` (aware, any zone) when an SMS may go out,
    in UTC: ``moment`` itself outside quiet hours, else the next 08:00 in Beijing."""
    if not is_quiet(moment):
        return moment
    local = moment.astimezone(BEIJING)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=BEIJING).astimezone(moment.tzinfo)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed tries, or None: no more tries."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return next_allowed(now + RETRY_WAITS[attempts - 1])


def masked_name(name: str) -> str:
    """A name as a slip shows it to whoever carries it: the surname, the rest starred."""
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _short(text: str, limit: int = TITLE_LIMIT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _beijing(iso: str | None) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(BEIJING)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


STAGES = {"preliminary": "初步", "final": "最终"}
# The count's own outcome words (app/voting/rules.py), as a short Chinese phrase.
OUTCOMES = {"passed": "通过", "rejected": "未通过", "no_quorum": "参与人数或面积未达法定要求",
            "advisory": "征询结果已出", "tie": "得票相同，尚未决出"}


def sms_params(kind: str, details: dict) -> dict[str, str]:
    """The parameters of the template named ``kind`` (app/core/sms.py TEMPLATES), from a
    notification's details; each short enough for the provider."""
    title = _short(details.get("title", ""))
    params = {"title": title}
    if kind in ("poll_opened", "poll_closing", "poll_reminder"):
        params["closes"] = _beijing(details.get("closes_at"))
    if kind == "poll_closing":
        params["days"] = str(details.get("days_left", ""))
    if kind == "poll_result":
        params["stage"] = STAGES.get(details.get("stage", ""), "")
        params["outcome"] = OUTCOMES.get(details.get("outcome", ""), "")
    if kind.startswith("meeting_"):
        params["starts"] = _beijing(details.get("starts_at"))
    if kind in ("link_decided", "link_replaced"):
        params = {"unit": _short(details.get("unit", ""))}
        reason = _short(details.get("reason") or "", PARAM_LIMIT - 3)
        if kind == "link_decided":
            params["decision"] = "已通过" if details.get("approved") else "未通过"
            params["reason"] = f"原因：{reason}" if reason else ""
        else:
            params["reason"] = reason or "未说明"
    return {name: value[:PARAM_LIMIT] for name, value in params.items()}
