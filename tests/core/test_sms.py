"""The SMS contract every feature sends through."""

from app.core.sms import Sms, provider, send_sms


def test_console_backend_keeps_what_it_sends(app):
    message_id = send_sms("13700000001", "recovery_code", code=123456, minutes=10)
    assert message_id.startswith("console-")
    assert provider().sent == [Sms("13700000001", "recovery_code",
                                   {"code": "123456", "minutes": "10"})]
