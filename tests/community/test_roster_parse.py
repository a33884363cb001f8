"""The roster reader on its own: no app, no database."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from app.community.models import Building, Owner, Unit
from app.community.roster import TEXT_LIMITS, RosterFileError, parse_roster

HEADER = "building,unit,area_m2,owner_name,phone,grid\n"


def parse(text: str, filename="roster.csv", encoding="utf-8", **kwargs):
    options = {"known_grids": {"第一网格", "第二网格"}, "building_grids": {}, **kwargs}
    return parse_roster(text.encode(encoding), filename, **options)


def test_good_rows_are_read_with_exact_areas():
    result = parse(HEADER + "1栋,101,89.50,王伟,13800001111,第一网格\n"
                            "1栋,102,120,李娜,,第一网格\n")
    assert result.errors == []
    first, second = result.rows
    assert (first.building, first.unit, first.area, first.phone) == (
        "1栋", "101", Decimal("89.50"), "13800001111")
    assert second.area == Decimal("120") and second.phone is None


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("1栋,101,,王伟,13800001111,第一网格", "missing_area"),
        ("1栋,101,-5,王伟,13800001111,第一网格", "bad_area"),
        ("1栋,101,0,王伟,13800001111,第一网格", "bad_area"),
        ("1栋,101,89.555,王伟,13800001111,第一网格", "bad_area"),
        ("1栋,101,八十,王伟,13800001111,第一网格", "bad_area"),
        ("1栋,101,89.5,王伟,1380000111,第一网格", "bad_phone"),
        ("1栋,101,89.5,王伟,23800001111,第一网格", "bad_phone"),
        ("1栋,101,89.5,王伟,13800001111,第九网格", "unknown_grid"),
        (",101,89.5,王伟,13800001111,第一网格", "missing_building"),
        ("1栋,,89.5,王伟,13800001111,第一网格", "missing_unit"),
        ("1栋,101,89.5,,13800001111,第一网格", "missing_owner"),
    ],
)
def test_each_kind_of_bad_row_is_named_with_its_line(row, code):
    result = parse(HEADER + "2栋,201,70,赵敏,13800002222,第二网格\n" + row + "\n")
    assert [(e.line, e.code) for e in result.errors] == [(3, code)]
    assert len(result.rows) == 1


def test_every_bad_row_is_reported_not_just_the_first():
    result = parse(HEADER + "1栋,101,,王伟,13800001111,\n"
                            "1栋,102,70,李娜,123,\n"
                            "1栋,103,70,张三,13800003333,不存在\n")
    assert [(e.line, e.code) for e in result.errors] == [
        (2, "missing_area"), (3, "bad_phone"), (4, "unknown_grid")]
    assert result.rows == []


def test_the_same_unit_with_two_areas_is_refused():
    result = parse(HEADER + "1栋,101,89.50,王伟,13800001111,\n"
                            "1栋,101,90.00,李娜,13800002222,\n")
    assert [(e.line, e.code, e.params["first_line"]) for e in result.errors] == [
        (3, "duplicate_unit_area", 2)]


def test_co_owners_and_owners_of_several_units_are_fine():
    result = parse(HEADER + "1栋,101,89.50,王伟,13800001111,\n"
                            "1栋,101,89.50,李娜,13800002222,\n"
                            "1栋,102,60.00,王伟,13800001111,\n")
    assert result.errors == [] and len(result.rows) == 3


def test_an_exact_repeat_is_refused():
    result = parse(HEADER + "1栋,101,89.50,王伟,13800001111,\n" * 2)
    assert [e.code for e in result.errors] == ["duplicate_row"]


def test_a_building_cannot_move_to_another_grid():
    result = parse(HEADER + "1栋,101,89.50,王伟,13800001111,第二网格\n",
                   building_grids={"1栋": "第一网格"})
    assert [e.code for e in result.errors] == ["building_in_other_grid"]


def test_developer_rows_by_option_or_by_mark():
    by_option = parse(HEADER + "6栋,901,100,某某置业,,\n6栋,902,100,某某置业,,\n",
                      developer_name="某某置业")
    assert all(row.is_developer for row in by_option.rows)
    marked = parse("building,unit,area_m2,owner_name,phone,developer\n"
                   "6栋,901,100,某某置业,,是\n6栋,902,100,王伟,13800001111,\n")
    assert [row.is_developer for row in marked.rows] == [True, False]
    two = parse("building,unit,area_m2,owner_name,phone,developer\n"
                "6栋,901,100,甲置业,,1\n6栋,902,100,乙置业,,1\n")
    assert [e.code for e in two.errors] == ["several_developers"]


def test_chinese_headers_and_gbk_files_from_excel():
    text = "楼栋,房号,面积,业主姓名,手机号\n1栋,101,89.5,王伟,138 0000 1111\n"
    result = parse(text, encoding="gb18030")
    assert result.errors == [] and result.rows[0].phone == "13800001111"


def test_xlsx_numbers_become_the_text_people_see():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["building", "unit", "area_m2", "owner_name", "phone", "grid"])
    sheet.append(["1栋", 101, 89.57, "王伟", 13800001111, "第一网格"])
    sheet.append(["1栋", 102, None, "李娜", 13800002222, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_roster(buffer.getvalue(), "roster.xlsx", known_grids={"第一网格"},
                          building_grids={})
    assert result.rows[0].unit == "101" and result.rows[0].area == Decimal("89.57")
    assert result.rows[0].phone == "13800001111"
    assert [(e.line, e.code) for e in result.errors] == [(3, "missing_area")]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"building,unit\n1,2\n", "r.csv", "missing_columns"),
        (b"", "r.csv", "empty"),
        (HEADER.encode(), "r.csv", "empty"),
        (b"not a zip", "r.xlsx", "unreadable"),
        (b"x", "r.pdf", "unsupported_type"),
    ],
)
def test_files_that_cannot_be_read_are_refused_whole(data, filename, code):
    with pytest.raises(RosterFileError) as raised:
        parse_roster(data, filename, known_grids=set(), building_grids={})
    assert raised.value.code == code


def test_too_many_rows():
    text = HEADER + "".join(f"1栋,{n},50,业主{n},,\n" for n in range(5))
    with pytest.raises(RosterFileError) as raised:
        parse(text, max_rows=4)
    assert raised.value.code == "too_many_rows"


@pytest.mark.parametrize(("row", "column", "length"), [
    ("楼" * 51 + ",101,89.5,王伟,13800001111,", "building", 51),
    ("1栋," + "1" * 21 + ",89.5,王伟,13800001111,", "unit", 21),
    ("1栋,101,89.5," + "王" * 101 + ",13800001111,", "owner_name", 101),
])
def test_text_longer_than_its_column_is_a_line_error(row, column, length):
    result = parse(HEADER + row + "\n")
    assert [(e.line, e.code, e.params) for e in result.errors] == [
        (2, "too_long", {"column": column, "length": length,
                         "limit": TEXT_LIMITS[column]})]


def test_text_as_long_as_its_column_is_read():
    result = parse(HEADER + "楼" * 50 + "," + "1" * 20 + ",89.5," + "王" * 100 + ",,\n")
    assert result.errors == [] and len(result.rows) == 1


@pytest.mark.parametrize(("column", "model_column"), [
    ("building", Building.__table__.c.name),
    ("unit", Unit.__table__.c.number),
    ("owner_name", Owner.__table__.c.name),
])
def test_the_limits_are_the_lengths_of_the_columns(column, model_column):
    assert TEXT_LIMITS[column] == model_column.type.length


def test_a_control_character_in_any_cell_is_a_line_error():
    result = parse(HEADER + "1栋,101,89.5,王\x1b伟,13800001111,第一网格\n")
    assert [(e.line, e.code) for e in result.errors] == [(2, "control_characters")]
