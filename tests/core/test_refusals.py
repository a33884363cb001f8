"""One registry of refusal messages: every code raised has words in both languages, and a
code without them fails loudly instead of showing a blank or a code to a resident."""

import ast
import re
from datetime import date

import pytest
from flask_babel import force_locale

from app.core.refusals import REFUSALS, RefusalRegistry, Refused, UnknownRefusal
from config import PROJECT_ROOT

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z_]+\.[a-z_]+")


def _codes_returned_by_pure_checks() -> dict[str, dict[str, str]]:
    """By package: the codes a pure module (no Flask, so no ``Refused``) returns literally,
    alone or first in a tuple, for its package's services to raise."""
    from tests.test_structure import PURE_MODULES

    returned: dict[str, dict[str, str]] = {}
    for relative in PURE_MODULES:
        path = PROJECT_ROOT / relative
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Return) or node.value is None:
                continue
            value = node.value
            if isinstance(value, ast.Tuple):
                value = value.elts[0] if value.elts else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                    and CODE.fullmatch(value.value):
                returned.setdefault(path.parent.name, {})[value.value] = f"{relative}:{node.lineno}"
    return returned


def _raised_codes() -> dict[str, str]:
    """Every code the app passes to a ``…Refused(…)`` call, with where. A code that is not a
    literal would escape this check, so it fails here, unless a pure check of the same
    package returns it literally (then its codes are the ones counted)."""
    from_pure_checks = _codes_returned_by_pure_checks()
    codes = {}
    for path in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", ""))
                    .endswith("Refused")):
                continue
            where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
            first = node.args[0]
            choices = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for choice in choices:
                if isinstance(choice, ast.Name) and path.parent.name in from_pure_checks:
                    codes.update(from_pure_checks[path.parent.name])
                    continue
                assert isinstance(choice, ast.Constant), f"{where}: give the code literally"
                codes[choice.value] = where
    return codes


def test_a_message_fills_its_placeholders_through_the_registered_formatters():
    registry = RefusalRegistry()
    registry.register("test.too_late", "Too late: it closed on %(day)s after %(hours)s h.",
                      day=lambda day: day.strftime("%d.%m.%Y"))
    assert (registry.message("test.too_late", day=date(2026, 3, 1), hours=3)
            == "Too late: it closed on 01.03.2026 after 3 h.")


def test_an_unknown_code_fails_loudly():
    registry = RefusalRegistry()
    with pytest.raises(UnknownRefusal, match="test.nowhere"):
        registry.message("test.nowhere")
    with pytest.raises(UnknownRefusal, match="test.nowhere"):
        Refused("test.nowhere").message  # noqa: B018


def test_a_code_cannot_be_registered_twice():
    registry = RefusalRegistry()
    registry.register("test.closed", "Closed.")
    with pytest.raises(ValueError, match="test.closed"):
        registry.register("test.closed", "Shut.")
    assert registry.message("test.closed") == "Closed."


def test_every_code_the_app_raises_is_registered_and_every_registered_one_is_raised(app):
    raised = _raised_codes()
    unknown = {code: where for code, where in raised.items() if code not in REFUSALS}
    assert not unknown, f"register a message for these codes: {unknown}"
    assert not set(REFUSALS) - raised.keys(), "a registered message nobody raises"


def test_every_refusal_is_shown_in_the_readers_language(app):
    for code, message in REFUSALS.items():
        with force_locale("zh_Hans"):
            chinese = str(message)
        with force_locale("en"):
            english = str(message)
        assert CHINESE.search(chinese), f"{code}: no Chinese translation"
        assert not CHINESE.search(english), f"{code}: fixed in one language at import"


def test_a_refusal_shows_its_registered_message_with_its_params(app):
    with force_locale("en"):
        assert Refused("poll.too_many_choices", max=2).message == "Choose at most 2 options."
