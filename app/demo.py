"""The demo community that ``flask seed-demo`` loads: fictional people, plausible numbers."""

import csv
import hashlib
import io
import random
from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import register_user
from app.community.models import (
    Community,
    LinkKind,
    MemberRole,
    OrganisationKind,
    Role,
    Unit,
)
from app.community.roster import parse_roster
from app.community.services import (
    add_grid,
    approve_request,
    create_community,
    create_organisation,
    find_unit,
    grant_membership,
    grant_role,
    import_roster,
    request_link,
    roster_context,
)
from app.extensions import db

COMMUNITY_NAME = "翠湖花园"
DEMO_PASSWORD = "gongzhi-demo"
DEVELOPER = "翠湖置业有限公司"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀英", "华", "慧", "建国", "桂兰", "志强", "淑珍", "海燕", "晓东"]


@dataclass(frozen=True)
class DemoLogin:
    phone: str
    name: str
    role: str


def _roster_csv(rng: random.Random) -> str:
    """6 buildings x 10 floors x 5 rooms = 300 units in 3 grids, with every ownership case."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["building", "unit", "area_m2", "owner_name", "phone", "grid"])
    phone_serial = 1000
    multi_owner = ("郑国强", "13900009999")
    for b in range(1, 7):
        grid = ["第一网格", "第二网格", "第三网格"][(b - 1) // 2]
        for floor in range(1, 11):
            for room in range(1, 6):
                unit = f"{floor}{room:02d}"
                area = f"{rng.uniform(60, 180):.2f}"
                building = f"{b}栋"
                if b == 6 and floor >= 9:  # the developer's unsold top floors
                    writer.writerow([building, unit, area, DEVELOPER, "", grid])
                    continue
                if (b, unit) in {(1, "101"), (3, "502"), (5, "1003")}:
                    writer.writerow([building, unit, area, *multi_owner, grid])
                    continue
                phone_serial += 1
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                writer.writerow([building, unit, area, name, f"1390000{phone_serial:04d}", grid])
                if room == 5 and floor % 3 == 0:  # co-owned, typically a married couple
                    phone_serial += 1
                    partner = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    writer.writerow(
                        [building, unit, area, partner, f"1390000{phone_serial:04d}", grid])
    return out.getvalue()


def _account(phone: str, name: str) -> User:
    user = db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()
    return user or register_user(name=name, phone=phone, password=DEMO_PASSWORD)


def seed_demo() -> tuple[bool, list[DemoLogin]]:
    """Load the demo community unless it is there; return (created, the demo logins)."""
    logins = [
        DemoLogin("13800000001", "平台管理员", "Platform administrator"),
        DemoLogin("13800000002", "社区管理员 周敏", "Community administrator"),
        DemoLogin("13800000003", "业委会主任 陈建国", "Owners' committee chair"),
        DemoLogin("13800000004", "业委会委员 林慧", "Owners' committee staff"),
        DemoLogin("13800000005", "居委会主任 黄桂兰", "Neighbourhood committee chair"),
        DemoLogin("13800000006", "物业经理 马超", "Property company staff"),
        DemoLogin("13800000007", "党支部书记 宋志强", "Party branch secretary (chair)"),
        DemoLogin("13800000008", "党员 曾海燕", "Party branch member"),
        DemoLogin("13800000009", "网格员 彭晓东", "Grid party branch staff"),
        DemoLogin("13800000010", "志愿者 袁丽", "Social organisation chair"),
        DemoLogin("13800000011", "街道干部 潘勇", "Street office staff"),
        DemoLogin("13800000012", "版主 谢娜", "Moderator"),
        DemoLogin("13900009999", "郑国强", "Verified owner of three units"),
        DemoLogin("13800000013", "租户 韩磊", "Resident (tenant)"),
        DemoLogin("13800000014", "新用户 唐静", "Waiting for verification (not on the roster)"),
        DemoLogin("13900001001", "业主 许芳", "Waiting for verification (phone on the roster)"),
    ]
    if db.session.execute(select(Community.id).where(Community.name == COMMUNITY_NAME)).first():
        return False, logins

    rng = random.Random(20261128)
    users = {login.phone: _account(login.phone, login.name.split()[-1]) for login in logins}
    admin = users["13800000001"]
    grant_role(admin, None, Role.PLATFORM_ADMIN, actor=admin)

    community = create_community(name=COMMUNITY_NAME, address="青松街道翠湖路 88 号", actor=admin)
    grids = [add_grid(community, name=n, actor=admin) for n in ("第一网格", "第二网格", "第三网格")]
    data = _roster_csv(rng).encode()
    known_grids, building_grids = roster_context(community)
    parsed = parse_roster(data, "demo-roster.csv", known_grids=known_grids,
                          building_grids=building_grids, developer_name=DEVELOPER)
    assert not parsed.errors, parsed.errors
    import_roster(community, parsed, actor=admin, source="demo-roster.csv",
                  digest=hashlib.sha256(data).hexdigest())

    grant_role(users["13800000002"], community, Role.COMMUNITY_ADMIN, actor=admin)
    grant_role(users["13800000012"], community, Role.MODERATOR, actor=admin)

    def organisation(kind, name, grid=None):
        return create_organisation(community, kind=kind, name=name, grid=grid, actor=admin)

    orgs = {
        "property": organisation(OrganisationKind.PROPERTY_COMPANY, "安居物业服务有限公司"),
        "owners": organisation(OrganisationKind.OWNERS_COMMITTEE, "翠湖花园业主委员会"),
        "neighbourhood": organisation(OrganisationKind.NEIGHBOURHOOD_COMMITTEE,
                                      "翠湖社区居民委员会"),
        "party": organisation(OrganisationKind.PARTY_BRANCH, "翠湖社区党支部"),
        "social": organisation(OrganisationKind.SOCIAL_ORGANISATION, "翠湖志愿者协会"),
        "street": organisation(OrganisationKind.STREET_OFFICE, "青松街道办事处"),
    }
    grid_branches = [
        organisation(OrganisationKind.GRID_PARTY_BRANCH, f"{grid.name}党支部", grid)
        for grid in grids
    ]
    for org_key, phone, role in [
        ("owners", "13800000003", MemberRole.CHAIR),
        ("owners", "13800000004", MemberRole.STAFF),
        ("neighbourhood", "13800000005", MemberRole.CHAIR),
        ("property", "13800000006", MemberRole.STAFF),
        ("party", "13800000007", MemberRole.CHAIR),
        ("party", "13800000008", MemberRole.MEMBER),
        ("party", "13800000009", MemberRole.MEMBER),
        ("party", "13800000004", MemberRole.MEMBER),
        ("social", "13800000010", MemberRole.CHAIR),
        ("street", "13800000011", MemberRole.STAFF),
    ]:
        grant_membership(orgs[org_key], users[phone], role, actor=admin)
    grant_membership(grid_branches[0], users["13800000009"], MemberRole.STAFF, actor=admin)

    staff = users["13800000004"]
    owner_request = request_link(users["13900009999"], _unit(community, "1栋", "101"),
                                 kind=LinkKind.OWNER, note="")
    owner = owner_request.unit.ownerships[0].owner
    approve_request(owner_request, actor=staff, owner=owner)
    tenant_request = request_link(users["13800000013"], _unit(community, "2栋", "303"),
                                  kind=LinkKind.RESIDENT, note="租住两年")
    approve_request(tenant_request, actor=staff, owner=None)
    request_link(users["13800000014"], _unit(community, "4栋", "702"), kind=LinkKind.OWNER,
                 note="新买的房子，房产证还在办理")
    request_link(users["13900001001"], _unit(community, "1栋", "102"), kind=LinkKind.OWNER,
                 note="")
    return True, logins


def _unit(community: Community, building_name: str, number: str) -> Unit:
    building = next(b for b in community.buildings if b.name == building_name)
    unit = find_unit(community.id, building.id, number)
    assert unit is not None
    return unit
