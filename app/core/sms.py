"""Text messages (短信) to a mobile phone, through the provider the settings name.

Chinese SMS services send only templates approved in advance, under a registered
signature: a message is a template name and its parameters, never free text. Each template
has a text here (what the console backend prints and a printed slip shows) and, in the
settings, the provider's code for it (``SMS_TEMPLATE_CODES``).
"""

import logging
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sms:
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)


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
