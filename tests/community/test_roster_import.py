import io
from decimal import Decimal

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import Building, Owner, Ownership, Role, Unit
from app.extensions import db

HEADER = "building,unit,area_m2,owner_name,phone,grid\n"
ROSTER = HEADER + (
    "1栋,101,89.50,王伟,13800001111,第一网格\n"
    "1栋,101,89.50,李娜,13800002222,第一网格\n"   # co-owners
    "1栋,102,60.00,王伟,13800001111,第一网格\n"   # one owner, two units
    "3栋,301,120.25,某某置业,,第一网格\n"          # a new building, the developer's unit
)


def _counts():
    return tuple(db.session.execute(select(func.count(model.id))).scalar_one()
                 for model in (Building, Unit, Owner, Ownership))


def _upload(client, community, text, developer=""):
    return client.post(
        f"/c/{community.id}/roster/import",
        data={"file": (io.BytesIO(text.encode()), "roster.csv"), "developer": developer},
        content_type="multipart/form-data",
    )


def test_an_administrator_imports_a_roster(client, make_community, make_user, give_role,
                                           login):
    community = make_community()
    admin = make_user()
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    login(admin)
    response = _upload(client, community, ROSTER, developer="某某置业")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "名册已导入" in page
    assert _counts() == (2, 3, 3, 4)
    wang = db.session.execute(select(Owner).where(Owner.name == "王伟")).scalar_one()
    assert len(wang.ownerships) == 2
    developer = db.session.execute(select(Owner).where(Owner.name == "某某置业")).scalar_one()
    assert developer.is_developer
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "roster.import")).scalar_one()
    assert event.actor_id == admin.id and event.details["units_created"] == 3


def test_a_file_with_bad_rows_changes_nothing_and_names_every_line(
        client, make_community, make_user, give_role, login):
    community = make_community()
    admin = make_user()
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    login(admin)
    before = _counts()
    bad = ROSTER + "1栋,103,,张三,13800003333,\n1栋,104,70,赵六,12345,第九网格\n"
    page = _upload(client, community, bad).get_data(as_text=True)
    assert "发现 3 处问题" in page and "未导入任何数据" in page
    for line in ("<td>6</td>", "<td>7</td>"):
        assert line in page
    assert "第九网格" in page and "12345" in page
    assert _counts() == before
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == 0


def test_reimporting_updates_units_in_place_and_reports_the_changes(
        client, make_community, make_user, give_role, login):
    community = make_community()
    admin = make_user()
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    login(admin)
    _upload(client, community, ROSTER)
    unit_ids = set(db.session.execute(select(Unit.id)).scalars())
    updated = HEADER + (
        "1栋,101,89.80,王伟,13800001111,第一网格\n"   # area corrected, 李娜 sold her share
        "1栋,102,60.00,王伟,13800001111,第一网格\n"
        "3栋,301,120.25,陈静,13800004444,第一网格\n"  # the developer sold it
    )
    page = _upload(client, community, updated).get_data(as_text=True)
    assert "89.50" in page and "89.80" in page and "陈静" in page
    db.session.expire_all()
    assert set(db.session.execute(select(Unit.id)).scalars()) == unit_ids
    unit = db.session.execute(select(Unit).where(Unit.number == "101")).scalar_one()
    assert unit.area == Decimal("89.80")
    assert [o.owner.name for o in unit.ownerships] == ["王伟"]
    again = _upload(client, community, updated).get_data(as_text=True)
    assert "与现有名册一致" in again


def test_the_command_line_import(runner, make_community, tmp_path):
    community = make_community(name="翠湖花园")
    good = tmp_path / "roster.csv"
    good.write_text(ROSTER, encoding="utf-8")
    result = runner.invoke(args=["roster", "import", "翠湖花园", str(good),
                                 "--developer", "某某置业"])
    assert result.exit_code == 0, result.output
    assert "units created: 3" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1栋,105,abc,王伟,13800001111,\n", encoding="utf-8")
    before = _counts()
    result = runner.invoke(args=["roster", "import", str(community.id), str(bad)])
    assert result.exit_code != 0
    assert "line 2:" in result.output and "abc" in result.output
    assert "nothing was imported" in result.output
    assert _counts() == before
    missing = runner.invoke(args=["roster", "import", "没有这个小区", str(good)])
    assert missing.exit_code != 0 and "No community" in missing.output


def test_two_thousand_rows_import_in_one_go(runner, make_community, tmp_path):
    make_community(name="大社区", grids=(), buildings=())
    rows = [f"{b}栋,{f}{r:02d},{60 + (b * f * r) % 120}.25,业主{b}-{f}-{r},"
            f"139{b:02d}{f:02d}{r:04d}," for b in range(1, 11) for f in range(1, 21)
            for r in range(1, 11)]
    path = tmp_path / "big.csv"
    path.write_text("building,unit,area_m2,owner_name,phone,grid\n" + "\n".join(rows),
                    encoding="utf-8")
    result = runner.invoke(args=["roster", "import", "大社区", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count(Unit.id))).scalar_one() == 2000


def test_an_empty_upload_is_refused_with_a_message(client, make_community, make_user,
                                                   give_role, login):
    community = make_community()
    admin = make_user()
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    login(admin)
    page = client.post(f"/c/{community.id}/roster/import", data={},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "请选择要导入的文件" in page
    wrong_type = client.post(
        f"/c/{community.id}/roster/import",
        data={"file": (io.BytesIO(b"x"), "roster.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "CSV" in wrong_type and _counts() == (1, 0, 0, 0)


def test_an_over_long_owner_name_is_a_line_error_not_a_server_error(
        client, make_community, make_user, give_role, login):
    community = make_community()
    admin = make_user()
    give_role(admin, Role.COMMUNITY_ADMIN, community)
    login(admin)
    before = _counts()
    response = _upload(client, community, ROSTER + "1栋,105,70," + "王" * 101 + ",,\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>6</td><td>业主姓名有 101 个字符，最多只能有 100 个。" in page
    assert _counts() == before
