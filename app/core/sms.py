"""Text messages (短信) to a mobile phone, through the provider the settings name.

Chinese SMS services send only templates approved in advance, under a registered
signature: a message is a template name and its parameters, never free text. Each template
has a text here (what the console backend prints and a printed slip shows) and, in the
settings, the provider's code for it (``SMS_TEMPLATE_CODES``).

Backends (``SMS_BACKEND``): "console" logs and keeps messages (tests), "file" appends them
to a JSON-lines file (development), "aliyun" sends through Alibaba Cloud SMS (production).
"""

import base64
import hashlib
import hmac
import json
import logging
import string
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from flask import current_app

from app.extensions import local_zone, utcnow

logger = logging.getLogger(__name__)

DeliveryStatus = Literal["delivered", "failed", "pending"]

# Template name -> text, with ${param} placeholders as Alibaba Cloud writes them. The text
# registered with the service must say the same, so that a printed slip matches the SMS.
TEMPLATES: dict[str, str] = {
    "recovery_code": "您的验证码为${code}，${minutes}分钟内有效。如非本人操作，请忽略。",
    # The notification kinds that cause them (app/messaging); the signature (【共治】) is the
    # service's to add.
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


@dataclass(frozen=True)
class Sms:
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)


class SmsFailed(Exception):
    """The service did not take the message; ``permanent`` when a retry cannot help (a
    number the service rejects, a template it does not know)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsProvider(Protocol):
    def send(self, sms: Sms) -> str:
        """Hand the message to the service; returns the service's id for it. Raises
        ``SmsFailed`` when the service refuses or cannot be reached."""

    def delivery_status(self, sms_id: str, phone: str, sent_at: datetime) -> DeliveryStatus:
        """What the carrier reported for a message sent at ``sent_at`` (UTC)."""


def render(template: str, params: dict[str, str]) -> str:
    """The message's text, as the phone shows it (without the signature). Refuses, as the
    service would, a template without a text or a placeholder without its parameter."""
    if template not in TEMPLATES:
        raise SmsFailed(f"no SMS template named {template!r}", permanent=True)
    try:
        return string.Template(TEMPLATES[template]).substitute(params)
    except KeyError as missing:
        raise SmsFailed(f"SMS template {template!r} needs the parameter {missing}",
                        permanent=True) from None


class ConsoleSms:
    """Development and tests: log each message and keep it in ``sent``."""

    def __init__(self) -> None:
        self.sent: list[Sms] = []

    def send(self, sms: Sms) -> str:
        text = render(sms.template, sms.params)
        self.sent.append(sms)
        logger.info("SMS to %s: %s", sms.phone, text)
        return f"console-{len(self.sent)}"

    def delivery_status(self, sms_id: str, phone: str, sent_at: datetime) -> DeliveryStatus:
        return "delivered"


class FileSms:
    """Development without a service: each message becomes a JSON line in a file
    (``SMS_FILE``, by default instance/sms-outbox.jsonl) that one can read or ``tail -f``.
    A message in the file counts as delivered; an id the file does not hold, as failed."""

    def __init__(self) -> None:
        configured = current_app.config.get("SMS_FILE") or "sms-outbox.jsonl"
        self.path = Path(current_app.instance_path) / configured

    def send(self, sms: Sms) -> str:
        sms_id = f"file-{uuid.uuid4().hex}"
        line = {"id": sms_id, "phone": sms.phone, "template": sms.template,
                "params": sms.params, "text": render(sms.template, sms.params),
                "sent_at": utcnow().isoformat()}
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(json.dumps(line, ensure_ascii=False) + "\n")
        return sms_id

    def delivery_status(self, sms_id: str, phone: str, sent_at: datetime) -> DeliveryStatus:
        if self.path.exists():
            with self.path.open(encoding="utf-8") as outbox:
                for line in outbox:
                    if json.loads(line)["id"] == sms_id:
                        return "delivered"
        return "failed"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud signs it: only A-Z a-z 0-9 - _ . ~ stay as
    they are; a space is %20, never +."""
    return urllib.parse.quote(value, safe="~")


def rpc_signature(secret: str, params: dict[str, str], method: str = "GET") -> str:
    """Signature version 1.0 of Alibaba Cloud's RPC APIs: HMAC-SHA1, keyed with the
    AccessKey secret and "&", of the method, "/" and the sorted, encoded query."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()))
    string_to_sign = "&".join([method, percent_encode("/"), percent_encode(canonical)])
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Error codes of SendSms that concern the message itself: sending it again cannot help.
# Others (throttling such as isv.BUSINESS_LIMIT_CONTROL, isp.SYSTEM_ERROR, an exhausted
# balance, a key being rotated) may pass, so a retry later is worth it.
ALIYUN_PERMANENT_ERRORS = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL", "isv.INVALID_JSON_PARAM", "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT", "isv.PARAM_NOT_SUPPORT_URL", "isv.SMS_CONTENT_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL", "isv.DENY_IP_RANGE",
})
# QuerySendDetails' SendStatus: 1 waiting for the carrier's receipt, 2 failed, 3 delivered.
ALIYUN_SEND_STATUS: dict[int, DeliveryStatus] = {1: "pending", 2: "failed", 3: "delivered"}


class AliyunSms:
    """Alibaba Cloud SMS (阿里云短信服务, dysmsapi 2017-05-25) over its HTTP RPC API, signed
    with the AccessKey (signature version 1.0). The stdlib is enough for two GET calls; the
    official SDK would bring a dozen packages for them."""

    VERSION = "2017-05-25"

    def __init__(self) -> None:
        config = current_app.config
        self.key_id = config["SMS_ALIYUN_ACCESS_KEY_ID"]
        self.secret = config["SMS_ALIYUN_ACCESS_KEY_SECRET"]
        self.sign_name = config["SMS_SIGN_NAME"]
        self.endpoint = config["SMS_ALIYUN_ENDPOINT"].rstrip("/")
        self.template_codes = config["SMS_TEMPLATE_CODES"]
        self.timeout = config["SMS_TIMEOUT_SECONDS"]
        if not (self.key_id and self.secret and self.sign_name):
            raise RuntimeError("SMS_BACKEND 'aliyun' needs SMS_ALIYUN_ACCESS_KEY_ID, "
                               "SMS_ALIYUN_ACCESS_KEY_SECRET and SMS_SIGN_NAME.")

    def send(self, sms: Sms) -> str:
        render(sms.template, sms.params)  # the service would refuse it too, later and vaguer
        code = self.template_codes.get(sms.template)
        if not code:
            raise SmsFailed(f"SMS_TEMPLATE_CODES has no code for {sms.template!r}",
                            permanent=True)
        answer = self._call("SendSms", {
            "PhoneNumbers": sms.phone, "SignName": self.sign_name, "TemplateCode": code,
            "TemplateParam": json.dumps(sms.params, ensure_ascii=False),
        })
        return answer["BizId"]

    def delivery_status(self, sms_id: str, phone: str, sent_at: datetime) -> DeliveryStatus:
        answer = self._call("QuerySendDetails", {
            "PhoneNumber": phone, "BizId": sms_id, "PageSize": "10", "CurrentPage": "1",
            "SendDate": sent_at.astimezone(local_zone()).strftime("%Y%m%d"),
        })
        details = answer.get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", [])
        if not details:
            return "pending"  # the service lists a message a little after taking it
        return ALIYUN_SEND_STATUS.get(int(details[0]["SendStatus"]), "pending")

    def _call(self, action: str, params: dict[str, str]) -> dict:
        query = {
            "AccessKeyId": self.key_id, "Action": action, "Format": "JSON",
            "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": self.VERSION,
            **params,
        }
        query["Signature"] = rpc_signature(self.secret, query)
        url = f"{self.endpoint}/?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:  # signature and key errors come as 4xx
            try:
                answer = json.load(error)
            except ValueError:
                raise SmsFailed(f"Aliyun {action}: HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise SmsFailed(f"Aliyun {action}: {error}") from error
        code = answer.get("Code")
        if code != "OK":
            raise SmsFailed(f"Aliyun {action}: {code} {answer.get('Message', '')}".strip(),
                            permanent=code in ALIYUN_PERMANENT_ERRORS)
        return answer


BACKENDS = {"console": ConsoleSms, "file": FileSms, "aliyun": AliyunSms}


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
