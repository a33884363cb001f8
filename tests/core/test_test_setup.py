"""The test setup tells the truth about what it ran, and CI runs Hypothesis without deadlines."""

import os

import pytest
from hypothesis import settings

from tests import conftest


class Reporter:
    def __init__(self):
        self.lines: list[str] = []

    def write_line(self, line: str, **markup):
        self.lines.append(line)


def test_a_run_without_postgresql_says_so(monkeypatch):
    reporter = Reporter()
    monkeypatch.setattr(conftest, "POSTGRES_URL", None)
    conftest.pytest_terminal_summary(reporter)
    assert reporter.lines and reporter.lines[0].startswith("PostgreSQL: not run")
    assert "TEST_DATABASE_URL" in reporter.lines[0]


def test_a_run_with_postgresql_says_nothing_about_it(monkeypatch):
    reporter = Reporter()
    monkeypatch.setattr(conftest, "POSTGRES_URL", "postgresql+psycopg://somewhere/test")
    conftest.pytest_terminal_summary(reporter)
    assert reporter.lines == []


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, "default"),
        ({"CI": "true"}, "ci"),
        ({"GONGZHI_REQUIRE_ALL": "1"}, "ci"),
        ({"GONGZHI_REQUIRE_ALL": "1", "HYPOTHESIS_PROFILE": "default"}, "default"),
        ({"HYPOTHESIS_PROFILE": "ci"}, "ci"),
    ],
)
def test_the_hypothesis_profile_follows_the_environment(environ, profile):
    assert conftest.hypothesis_profile(environ) == profile


def test_the_ci_profile_has_no_deadline_and_the_selected_profile_is_in_force():
    assert settings.get_profile("ci").deadline is None
    selected = settings.get_profile(conftest.hypothesis_profile(os.environ))
    assert settings.default.deadline == selected.deadline
