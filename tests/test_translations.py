"""Both catalogues are complete: every string in the code and templates is translated."""

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "app" / "translations"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract",
         "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-o", str(pot), str(PROJECT_ROOT)],
        check=True, cwd=PROJECT_ROOT, capture_output=True,
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_catalogue_is_complete_and_not_fuzzy(locale, extracted):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    entries = {message.id: message for message in catalogue if message.id}
    missing = extracted - entries.keys()
    first = sorted(missing, key=str)[:10]
    assert not missing, f"run `flask translate update` and translate: {first}"
    for message_id in extracted:
        message = entries[message_id]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{locale}: untranslated {message_id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message_id!r}"


def test_chinese_is_really_chinese():
    with (TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    log_in = catalogue.get("Log in")
    assert log_in is not None and log_in.string == "登录"
