import pytest

from app.core.sms import provider


@pytest.fixture
def sent(app):
    """The text messages sent during the test (the console backend keeps them)."""
    messages = provider().sent
    messages.clear()
    yield messages
    messages.clear()
