"""Text messages (短信) to a mobile phone, through the provider the settings name.

Chinese SMS services send only templates approved in advance, under a registered
signature: a message is a template name and its parameters, never free text. Each template
has a text here (what the console backend prints and a printed slip shows) and, in the
settings, the provider's code for it (``SMS_TEMPLATE_CODES``).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from string import Template
from typing import Protocol

from flask import current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sms:
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)


# Template texts by name, with ${param} placeholders as Aliyun writes them; the signature
# (【共治】) is the provider's to add. Names are the notification kinds that cause them.
TEMPLATES = {
    "poll_opened": "表决“${title}”已开始，请于${closes}前登录共治投票。",
    "poll_closing": ("表决“${title}”还有${days}天截止（${closes}），"
                     "您尚未投票，请尽快登录共治投票。"),
    "poll_reminder": "表决“${title}”将于${closes}截止，您尚未投票，请登录共治投票。",
    "poll_result": "表决“${title}”${stage}结果：${outcome}。详情请登录共治查看。",
    "ballot_entered": ("工作人员已为您录入表决“${title}”的纸质或委托选票。"
                       "如非本人意愿，请登录共治提出。"),
    "meeting_invitation": "您受邀参加会议“${title}”，时间${starts}。详情请登录共治查看。",
    "meeting_moved": "会议“${title}”的时间或地点已变更，现定于${starts}。详情请登录共治查看。",
    "meeting_cancelled": "会议“${title}”（原定${starts}）已取消。",
    "link_decided": "您关联房屋${unit}的申请${decision}。${reason}",
    "link_replaced": ("您与房屋${unit}的关联已被工作人员更换，原因：${reason}。"
                      "如有疑问请联系业委会或居委会。"),
    "notice_reminder": "有一则与您房屋有关的公告“${title}”，请登录共治阅读。",
    "reply": "您在议题“${title}”下的评论有了新回复。",
    "official_answer": "您关注的议题“${title}”有了正式答复。",
    "status_change": "您关注的议题“${title}”状态已更新。",
    "threshold_reached": "您的议题“${title}”已获得足够联署。",
    "party_review": "议题“${title}”有了党组织意见。",
    "moderation": "社区管理员对您发布的内容或账号作出了一项决定，请登录共治查看。",
    "follow_up": "您的组织收到议题“${title}”的一项跟进任务。",
}


def render(template: str, params: dict[str, str]) -> str:
    """The text a template gives with its parameters, as the phone would show it."""
    return Template(TEMPLATES[template]).safe_substitute(params)


class SmsProvider(Protocol):
    def send(self, sms: Sms) -> str:
        """Hand the message to the service; returns the service's id for it. Raises
        ``SmsFailed`` when the service refuses or cannot be reached."""


class SmsFailed(Exception):
    """The service did not take the message; ``permanent`` when a retry cannot help (a
    number the service rejects, a template it does not know)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class ConsoleSms:
    """Development and tests: log each message and keep it in ``sent``."""

    def __init__(self) -> None:
        self.sent: list[Sms] = []

    def send(self, sms: Sms) -> str:
        self.sent.append(sms)
        logger.info("SMS to %s: %s %s", sms.phone, sms.template, sms.params)
        return f"console-{len(self.sent)}"

    def delivery_status(self, sms_id: str, phone: str, sent_at: datetime) -> str:
        """A console message reaches its (imaginary) phone at once."""
        return "delivered"


BACKENDS = {"console": ConsoleSms}


def provider() -> SmsProvider:
    """The app's provider, built once from ``SMS_BACKEND``."""
    extensions = current_app.extensions
    if "gongzhi_sms" not in extensions:
        extensions["gongzhi_sms"] = BACKENDS[current_app.config["SMS_BACKEND"]]()
    return extensions["gongzhi_sms"]


def send_sms(phone: str, template: str, **params: str) -> str:
    """Send one templated message now; returns the provider's id."""
    return provider().send(Sms(phone=phone, template=template,
                               params={k: str(v) for k, v in params.items()}))
