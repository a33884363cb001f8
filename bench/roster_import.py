"""How long a 2,000-row roster takes to check and import, from CSV and from XLSX.

Run by hand (not part of the suite):

    .venv/bin/python bench/roster_import.py                       # SQLite in a temp dir
    .venv/bin/python bench/roster_import.py postgresql+psycopg://postgres@127.0.0.1/bench

Each run builds a fresh database, imports the file once (everything new), then imports it
again with 100 areas changed (the "update in place" path). It prints the best of 3 runs.
"""

import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import text

from app import create_app
from app.community.roster import parse_roster
from app.community.services import import_roster, roster_context
from app.extensions import db
from app.models import Community, Grid

COLUMNS = ["building", "unit", "area_m2", "owner_name", "phone", "grid"]


def rows(changed: int = 0) -> list[list[str]]:
    out = []
    for n in range(2000):
        building, floor, room = n // 200 + 1, (n % 200) // 10 + 1, n % 10 + 1
        area = 60 + (n * 37) % 120 + (0.5 if n < changed else 0.25)
        owner = n // 3 if n % 50 else n  # some owners hold up to three units
        out.append([f"{building}栋", f"{floor}{room:02d}", f"{area:.2f}", f"业主{owner}",
                    f"139{owner:08d}", f"第{building % 3 + 1}网格"])
    return out


def as_csv(table) -> bytes:
    return ("\n".join(",".join(r) for r in [COLUMNS, *table]) + "\n").encode()


def as_xlsx(table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [COLUMNS, *table]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def one_run(url: str, data: bytes, filename: str, update: bytes) -> tuple[float, float, float]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        db.create_all()
        community = Community(name="基准小区")
        db.session.add(community)
        db.session.add_all(Grid(community=community, name=f"第{i}网格") for i in (1, 2, 3))
        db.session.commit()

        started = time.perf_counter()
        grids, buildings = roster_context(community)
        parsed = parse_roster(data, filename, known_grids=grids, building_grids=buildings)
        parsed_at = time.perf_counter()
        import_roster(community, parsed, actor=None, source=filename,
                      digest=hashlib.sha256(data).hexdigest())
        db.session.commit()
        imported_at = time.perf_counter()

        grids, buildings = roster_context(community)
        parsed = parse_roster(update, filename, known_grids=grids, building_grids=buildings)
        report = import_roster(community, parsed, actor=None, source=filename,
                               digest=hashlib.sha256(update).hexdigest())
        db.session.commit()
        updated_at = time.perf_counter()
        assert len(report.area_changes) == 100, report.summary()
        db.engine.dispose()
    return parsed_at - started, imported_at - parsed_at, updated_at - imported_at


def main() -> None:
    given = sys.argv[1] if len(sys.argv) > 1 else None
    for kind, encode in (("csv", as_csv), ("xlsx", as_xlsx)):
        data, update = encode(rows()), encode(rows(changed=100))
        best = None
        for _ in range(3):
            with tempfile.TemporaryDirectory() as folder:
                url = given or f"sqlite:///{Path(folder) / 'bench.db'}"
                timings = one_run(url, data, f"roster.{kind}", update)
            best = timings if best is None else tuple(map(min, best, timings))
        database = (given or "sqlite").split(":")[0]
        print(f"{kind:4} {database:20} check {best[0]:.2f}s  first import {best[1]:.2f}s  "
              f"re-import with 100 changes {best[2]:.2f}s")


if __name__ == "__main__":
    main()
