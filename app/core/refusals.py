"""Why a service said no: one exception for every refusal, and one registry of what each says.

A service raises ``Refused(code, **params)`` (or its feature's thin subclass, to keep the
views' ``except`` clauses readable) with a dotted code such as ``poll.not_open``. Each feature
registers its codes' lazily translated messages in ``REFUSALS``, so a view shows
``refused.message`` in the reader's language instead of keeping a table of its own. Pure
modules raise refusals too, so this module imports neither Flask nor the database, and no
feature package either: the features come to it.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass


class UnknownRefusal(KeyError):
    """A code raised or looked up without a registered message: a programming error."""


@dataclass(frozen=True)
class _Entry:
    message: object  # a lazy string, translated each time it is shown
    formatters: Mapping[str, Callable[[object], object]]


class RefusalRegistry(Mapping):
    """Codes to their messages. Read like a dict (``REFUSALS[code]`` is the lazy message);
    ``message`` gives the text shown, with its placeholders filled."""

    def __init__(self):
        self._entries: dict[str, _Entry] = {}

    def register(self, code: str, message, **formatters: Callable[[object], object]) -> None:
        """``formatters`` turn a param into the words shown, such as a status into its
        label. A code registered twice is a clash between two features, so it fails."""
        if code in self._entries:
            raise ValueError(f"the refusal code {code!r} is registered twice")
        self._entries[code] = _Entry(message, formatters)

    def register_all(self, messages: Mapping[str, object]) -> None:
        for code, message in messages.items():
            self.register(code, message)

    def message(self, code: str, **params) -> str:
        entry = self._entry(code)
        shown = {name: entry.formatters.get(name, _as_is)(value)
                 for name, value in params.items()}
        return str(entry.message) % shown

    def _entry(self, code: str) -> _Entry:
        try:
            return self._entries[code]
        except KeyError:
            raise UnknownRefusal(code) from None

    def __getitem__(self, code: str):
        return self._entry(code).message

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _as_is(value):
    return value


REFUSALS = RefusalRegistry()


class Refused(Exception):
    """Something a person tried that the rules do not allow; ``code`` says which rule, and
    ``params`` fill its message. ``str()`` stays the code and params, for logs."""

    def __init__(self, code: str, **params):
        super().__init__(*((code, params) if params else (code,)))
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        """The registered message in the reader's language, its placeholders filled."""
        return REFUSALS.message(self.code, **self.params)
