"""An estate with a poll, borrowed from the voting tests."""

from tests.voting.conftest import estate, make_estate  # noqa: F401
