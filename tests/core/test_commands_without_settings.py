"""Commands that sign nothing run as a new user types them, with no settings at all."""

import sqlite3
import subprocess
import sys

from config import PROJECT_ROOT


def test_db_upgrade_needs_no_secret_key(tmp_path):
    # Only where the database goes is set, so that the test leaves the project's instance alone.
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT),
             "GONGZHI_INSTANCE_PATH": str(tmp_path)}

    finished = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
                              cwd=tmp_path, env=clean, capture_output=True)

    assert finished.returncode == 0, finished.stderr.decode()
    with sqlite3.connect(tmp_path / "gongzhi.db") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert {"users", "polls", "communities"} <= tables
