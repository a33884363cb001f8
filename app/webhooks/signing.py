"""The signature of a delivery, and its check as a receiver does it (the README shows the
same in a few lines for receivers): ``Gongzhi-Signature: t=<unix time>,v1=<hex>``, where
the hex is HMAC-SHA256 under the hook's secret of ``"<t>.<raw body>"``. The timestamp is
signed with the body, so a receiver that refuses old timestamps refuses replays too."""

import hashlib
import hmac

SIGNATURE_HEADER = "Gongzhi-Signature"
EVENT_HEADER = "Gongzhi-Event"
DELIVERY_HEADER = "Gongzhi-Delivery"
# How old a signature a receiver should still accept, in seconds.
DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int,
           tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """Does ``header`` sign ``body`` under ``secret``, within ``tolerance`` seconds of
    ``now``? Compared in constant time."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, f"t={fields['t']},v1={fields.get('v1', '')}")
