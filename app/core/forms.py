"""Form pieces shared by every feature."""

from collections.abc import Iterable

from wtforms import SelectChoice


def options(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]
