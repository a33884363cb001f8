"""Reading and checking a unit roster (CSV or XLSX), with no Flask and no database.

Committees keep their roster in a spreadsheet. This module turns one into rows and finds
every bad row at once, so that the person importing can fix the file in one go.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.core.input import has_control_characters
from app.phones import normalise_phone

COLUMN_ALIASES = {
    "building": {"building", "楼栋", "楼号", "楼栋号"},
    "unit": {"unit", "房号", "房屋", "室号"},
    "area_m2": {"area_m2", "area", "面积", "专有面积", "建筑面积"},
    "owner_name": {"owner_name", "owner", "业主", "业主姓名", "姓名"},
    "phone": {"phone", "电话", "手机", "手机号", "联系电话"},
    "grid": {"grid", "网格"},
    "developer": {"developer", "开发商"},
}
REQUIRED_COLUMNS = ("building", "unit", "area_m2", "owner_name", "phone")
TRUE_MARKS = {"1", "y", "yes", "true", "x", "是", "√", "✓"}

# The longest text each column may hold: the lengths of the columns it is stored in
# (buildings.name, units.number, owners.name); tests compare them with the models.
TEXT_LIMITS = {"building": 50, "unit": 20, "owner_name": 100}

_AREA_RE = re.compile(r"^\d+(\.\d{1,2})?$")


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class RowError:
    line: int
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RosterRow:
    line: int
    building: str
    unit: str
    area: Decimal
    owner_name: str
    phone: str | None
    grid: str | None
    is_developer: bool


@dataclass
class ParsedRoster:
    rows: list[RosterRow]
    errors: list[RowError]


def _cell_text(value) -> str:
    """Spreadsheet cells come as numbers too: 101.0 is the room "101", not "101.0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """Return (line number, cells) for every line of the file, header first."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise RosterFileError("unsupported_type")


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    # Excel on a Chinese Windows saves CSV in GB18030 (GBK); everything else sends UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("bad_encoding")
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(reader.line_num, [c.strip() for c in cells]) for cells in reader]


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RosterFileError("unreadable") from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except zipfile.BadZipFile as exc:
        raise RosterFileError("unreadable") from exc
    finally:
        workbook.close()


def _header_positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title.strip().lower()
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in positions:
                positions[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise RosterFileError("missing_columns", columns=", ".join(missing))
    return positions


def parse_roster(
    data: bytes,
    filename: str,
    *,
    known_grids: set[str],
    building_grids: dict[str, str | None],
    developer_name: str | None = None,
    max_rows: int = 20000,
) -> ParsedRoster:
    """Read and check every row.

    ``known_grids`` are the community's grid names; ``building_grids`` maps the names of
    existing buildings to their grid, so that a row cannot silently move a building.
    """
    table = read_table(data, filename)
    if not table:
        raise RosterFileError("empty")
    (_, header), body = table[0], table[1:]
    positions = _header_positions(header)
    body = [(line, cells) for line, cells in body if any(cells)]
    if not body:
        raise RosterFileError("empty")
    if len(body) > max_rows:
        raise RosterFileError("too_many_rows", max_rows=max_rows)

    def cell(cells: list[str], column: str) -> str:
        index = positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    rows: list[RosterRow] = []
    errors: list[RowError] = []
    first_area: dict[tuple[str, str], tuple[int, Decimal]] = {}
    seen_pairs: dict[tuple[str, str, str, str | None], int] = {}
    grid_of_building: dict[str, tuple[int, str | None]] = {}
    developer_names: set[str] = {developer_name} if developer_name else set()

    for line, cells in body:
        row_errors: list[RowError] = []
        building, unit = cell(cells, "building"), cell(cells, "unit")
        owner_name, raw_area = cell(cells, "owner_name"), cell(cells, "area_m2")
        grid = cell(cells, "grid") or None
        if not building:
            row_errors.append(RowError(line, "missing_building"))
        if not unit:
            row_errors.append(RowError(line, "missing_unit"))
        if not owner_name:
            row_errors.append(RowError(line, "missing_owner"))
        if any(has_control_characters(text, multi_line=False) for text in cells):
            row_errors.append(RowError(line, "control_characters"))
        for column, text in (("building", building), ("unit", unit),
                             ("owner_name", owner_name)):
            if len(text) > TEXT_LIMITS[column]:
                row_errors.append(RowError(line, "too_long", {
                    "column": column, "length": len(text), "limit": TEXT_LIMITS[column]}))

        area: Decimal | None = None
        if not raw_area:
            row_errors.append(RowError(line, "missing_area"))
        elif not _AREA_RE.match(raw_area) or Decimal(raw_area) <= 0:
            row_errors.append(RowError(line, "bad_area", {"value": raw_area}))
        else:
            area = Decimal(raw_area)

        phone: str | None = None
        raw_phone = cell(cells, "phone")
        try:
            phone = normalise_phone(raw_phone)
        except ValueError:
            row_errors.append(RowError(line, "bad_phone", {"value": raw_phone}))

        if grid is not None and grid not in known_grids:
            row_errors.append(RowError(line, "unknown_grid", {"grid": grid}))
            grid = None  # one mistake, one message: don't also call it a grid conflict

        is_developer = (developer_name is not None and owner_name == developer_name) or (
            cell(cells, "developer").lower() in TRUE_MARKS
        )
        if is_developer and owner_name:
            developer_names.add(owner_name)
            if len(developer_names) > 1:
                names = "、".join(sorted(developer_names))
                row_errors.append(RowError(line, "several_developers", {"names": names}))

        if building and unit:
            if building in building_grids and grid is not None and building_grids[building] != grid:
                row_errors.append(
                    RowError(
                        line,
                        "building_in_other_grid",
                        {"building": building, "grid": building_grids[building] or "—"},
                    )
                )
            earlier = grid_of_building.setdefault(building, (line, grid))
            if grid is not None and earlier[1] is not None and earlier[1] != grid:
                row_errors.append(RowError(
                    line, "grid_conflict", {"building": building, "first_line": earlier[0]}))
            if area is not None:
                first = first_area.setdefault((building, unit), (line, area))
                if first[1] != area:
                    row_errors.append(
                        RowError(
                            line,
                            "duplicate_unit_area",
                            {"first_line": first[0], "first_area": str(first[1])},
                        )
                    )
            if owner_name:
                pair = (building, unit, owner_name, phone)
                repeated = seen_pairs.setdefault(pair, line)
                if repeated != line:
                    row_errors.append(RowError(line, "duplicate_row", {"first_line": repeated}))

        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(
                RosterRow(line, building, unit, area, owner_name, phone, grid, is_developer)
            )
    return ParsedRoster(rows=rows, errors=errors)
