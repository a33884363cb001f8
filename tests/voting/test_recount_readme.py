"""The README's recount example, run exactly as written by someone with no settings at all."""

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib

import pytest

from config import PROJECT_ROOT


def _readme_recount_commands() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The recount command", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip()]


def _program(name: str) -> list[str]:
    """How this test starts the README's program: ``flask`` from this interpreter, and a
    console script through its entry point in pyproject.toml (it is not installed here)."""
    if name == "flask":
        return [sys.executable, "-m", "flask"]
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, attribute = scripts[name].split(":")
    starter = f"import sys; from {module} import {attribute} as main; sys.exit(main())"
    return [sys.executable, "-c", starter]


@pytest.mark.parametrize("command", _readme_recount_commands())
def test_the_readme_recount_example_runs_with_no_settings(command, tmp_path):
    shutil.copytree(PROJECT_ROOT / "examples", tmp_path / "examples")
    name, *arguments = shlex.split(command)
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}  # as if installed

    finished = subprocess.run([*_program(name), *arguments], cwd=tmp_path, env=clean,
                              capture_output=True)

    assert finished.returncode == 0, finished.stderr.decode()
    data = json.loads(finished.stdout.decode("utf-8"))
    assert data["eligible_owners"] == 4 and data["eligible_area"] == "545.50"
    assert data["participating_owners"] == 3 and data["approve_area"] == "249.75"
    assert data["conditions"][0]["explanation"] == (
        "Area taking part: 345.50 m² of 545.50 m² = 63.34 % ≥ 2/3 ✗ does not hold")
    assert data["quorum_met"] is False and data["outcome"] == "no_quorum"


def test_the_readme_names_both_ways_to_recount():
    programs = {shlex.split(command)[0] for command in _readme_recount_commands()}
    assert programs == {"flask", "gongzhi-tally"}
