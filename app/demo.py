"""The demo community that ``flask seed-demo`` loads: fictional people, plausible numbers."""

import csv
import hashlib
import io
import random
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import selectinload

from app.audit.chain import compute_hash, hashed_fields
from app.auth.models import User
from app.auth.services import register_user
from app.community.models import (
    Building,
    Community,
    LinkKind,
    MemberRole,
    Organisation,
    OrganisationKind,
    Ownership,
    Role,
    Unit,
)
from app.community.roster import parse_roster
from app.community.scope import ScopeKind
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
from app.discussion.models import Comment, Report, ReportReason, Stance
from app.discussion.services import (
    decide,
    post_comment,
    post_official_answer,
    post_reply,
    report,
)
from app.extensions import db, utcnow
from app.notices.models import Notification
from app.proposals.models import (
    DEFAULT_REVIEW_CATEGORIES,
    Category,
    Cosponsorship,
    Follow,
    PartyReview,
    Proposal,
    ProposalEvent,
    ReviewOpinion,
)
from app.proposals.services import (
    add_party_review,
    cosponsor,
    follow,
    merge,
    save_draft,
    submit,
    transition,
)
from app.proposals.states import Action, Status
from app.voting.matters import Matter
from app.voting.models import (
    BallotEvent,
    Channel,
    ElectorateKind,
    Poll,
    QuestionKind,
    ResultsVisibility,
    RollEntry,
    Secrecy,
)
from app.voting.rules import ABSTAIN, APPROVE, DeemedSide, Rule
from app.voting.rules import OPPOSE as AGAINST  # _tell's OPPOSE is the comment stance
from app.voting.services import (
    cast,
    close_poll,
    create_poll,
    enter_offline,
    finalise,
    open_poll,
    record_paper_service,
    record_sms_delivered,
)

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
    existing = db.session.execute(
        select(Community).where(Community.name == COMMUNITY_NAME)).scalar_one_or_none()
    if existing is not None:
        # A database seeded before proposals existed gains them; otherwise nothing changes.
        return seed_proposals(existing), logins

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
    seed_proposals(community)
    seed_meetings(community)
    seed_insights_history(community)
    seed_notices(community)
    return True, logins


# --- Notices: a board with a pinned, an expired, a one-building and a well-read notice ---

NOTICES = [
    # (days ago, expires in days, organisation kind, author phone, title, body, pinned,
    #  buildings in scope, how many verified residents have read it)
    (12, None, OrganisationKind.OWNERS_COMMITTEE, "13800000004",
     "2026年第三季度维修资金使用情况公示",
     "本季度共动用维修资金 **38,600.00 元**，明细如下：\n\n"
     "| 项目 | 金额（元） |\n|---|---|\n| 2栋屋面防水 | 26,400.00 |\n"
     "| 5栋单元门禁更换 | 12,200.00 |\n\n对以上支出有疑问的业主，请在公示期内联系业委会。",
     True, (), 0),
    (20, -6, OrganisationKind.PROPERTY_COMPANY, "13800000006", "11月15日全小区停水通知",
     "因市政管网检修，11月15日 8:00–16:00 全小区停水，请提前储水。", False, (), 0),
    (2, 5, OrganisationKind.PROPERTY_COMPANY, "13800000006", "3栋电梯年检停运通知",
     "3栋两部电梯将于本周四 9:00–15:00 进行年度检验，期间停运，请走楼梯，注意安全。",
     False, ("3栋",), 0),
    (6, 30, OrganisationKind.NEIGHBOURHOOD_COMMITTEE, "13800000005", "冬季防火安全提示",
     "- 楼道内不要堆放杂物\n- 电动自行车不得进楼入户充电\n- 出门前检查燃气阀门\n\n"
     "如发现消防隐患，请及时联系居委会或物业。", False, (), 9),
]


def seed_notices(community: Community) -> None:
    """Four notices as staff would post them, one of them already read by nine residents,
    so that the board, the home page and the read rate (知晓率) have something to show."""
    from app.community.models import RoleGrant
    from app.notices.models import Notice, NoticeRead
    from app.notices.services import post_notice

    # The site posted result notices as the story closed its polls, at the real time; date
    # them as the story dates the polls: the preliminary at close, the final after it.
    dated = set()
    for notice in db.session.execute(select(Notice).where(
            Notice.community_id == community.id, Notice.poll_id.is_not(None))
            .order_by(Notice.id)).scalars():
        poll = db.session.get(Poll, notice.poll_id)
        moment = poll.finalised_at if notice.poll_id in dated else poll.closed_at
        notice.created_at = notice.published_at = moment
        dated.add(notice.poll_id)

    now = utcnow()
    readers = db.session.execute(
        select(RoleGrant.user_id).where(RoleGrant.community_id == community.id,
                                        RoleGrant.role == Role.VERIFIED_OWNER)
        .order_by(RoleGrant.user_id)).scalars().all()
    for (days_ago, expires_in, kind, phone, title, body, pinned, building_names,
         read_by) in NOTICES:
        organisation = db.session.execute(select(Organisation).where(
            Organisation.community_id == community.id, Organisation.kind == kind)
        ).scalar_one()
        author = db.session.execute(select(User).where(User.phone == phone)).scalar_one()
        notice = post_notice(
            community=community, organisation=organisation, author=author, title=title,
            body=body, scope_kind=ScopeKind.BUILDINGS if building_names else ScopeKind.COMMUNITY,
            grids=[], buildings=[b for b in community.buildings if b.name in building_names],
            expires_at=now + timedelta(days=expires_in) if expires_in is not None else None,
            pinned=pinned, attachments=[])
        notice.created_at = notice.published_at = now - timedelta(days=days_ago)
        db.session.add_all(
            NoticeRead(notice_id=notice.id, user_id=user_id,
                       read_at=notice.published_at + timedelta(hours=3 + index))
            for index, user_id in enumerate(readers[:read_by]))
    db.session.flush()


def _unit(community: Community, building_name: str, number: str) -> Unit:
    building = next(b for b in community.buildings if b.name == building_name)
    unit = find_unit(community.id, building.id, number)
    assert unit is not None
    return unit


# --- Proposals and their discussions --------------------------------------------------------

# Neighbours who take part in the demo discussions: roster owners who have accounts and were
# verified, keyed by their home.
NEIGHBOUR_UNITS = [
    ("1栋", "202"), ("1栋", "503"), ("2栋", "101"), ("2栋", "404"), ("2栋", "801"),
    ("3栋", "301"), ("3栋", "604"), ("3栋", "902"), ("4栋", "203"), ("4栋", "705"),
    ("5栋", "302"), ("6栋", "504"),
]
# The demo logins who take part, by the part they play.
CAST = {
    "oc_chair": "13800000003", "oc_staff": "13800000004", "nc_chair": "13800000005",
    "property": "13800000006", "party_secretary": "13800000007", "volunteer": "13800000010",
    "moderator": "13800000012", "owner": "13900009999", "tenant": "13800000013",
}
# Party branch members who vote in the branch's poll, besides the secretary and committee staff.
PARTY_MEMBERS = {"party_member": "13800000008", "grid_staff": "13800000009"}
STAMPED = (Proposal, ProposalEvent, Cosponsorship, Follow, PartyReview, Comment, Report,
           Notification, Poll)


class _Story:
    """Writes proposals through the services as if it happened over the last two months:
    every row the services add is stamped with the story's clock instead of now."""

    def __init__(self, community: Community, people: dict[str, User], orgs: dict):
        self.community = community
        self.people = people
        self.orgs = orgs
        self.start = utcnow()
        self.now = self.start
        self.proposals: list[Proposal] = []

    def at(self, days_ago: float) -> None:
        db.session.flush()  # what was added so far keeps the time it was added at
        self.now = self.start - timedelta(days=days_ago)

    def stamp(self, session, _context, _instances) -> None:
        for row in session.new:
            if isinstance(row, STAMPED) and row.created_at is None:
                row.created_at = self.now
            elif isinstance(row, BallotEvent):
                # Hashed with the time it happened at; the next event links to this hash.
                row.created_at = self.now
                row.hash = compute_hash(**hashed_fields(row))

    def draft(self, days_ago: float, author: str, title: str, body: str, category: str, *,
              org: str | None = None, grids=(), buildings=()) -> Proposal:
        self.at(days_ago)
        scope = (ScopeKind.GRIDS if grids else ScopeKind.BUILDINGS if buildings
                 else ScopeKind.COMMUNITY)
        proposal = save_draft(
            None, community=self.community, author=self.people[author],
            organisation=self.orgs[org] if org else None, title=title, body=body,
            category=category, scope_kind=scope,
            grids=[g for g in self.community.grids if g.name in grids],
            buildings=[b for b in self.community.buildings if b.name in buildings])
        self.proposals.append(proposal)
        return proposal

    def submit(self, proposal: Proposal, days_ago: float) -> None:
        self.at(days_ago)
        submit(proposal, actor=proposal.author)

    def cosponsor(self, proposal: Proposal, days_ago: float, *keys: str) -> None:
        for index, key in enumerate(keys):
            self.at(days_ago - index * 0.4)
            cosponsor(proposal, self.people[key])

    def follow(self, proposal: Proposal, days_ago: float, *keys: str) -> None:
        self.at(days_ago)
        for key in keys:
            follow(proposal, self.people[key])

    def move(self, proposal: Proposal, action: Action, days_ago: float,
             actor: str | None = None, note: str = "") -> None:
        self.at(days_ago)
        transition(proposal, action, actor=self.people[actor] if actor else None, note=note)

    def comment(self, proposal: Proposal, days_ago: float, author: str, body: str,
                stance: str | None = None, *, reply_to: Comment | None = None,
                org: str | None = None) -> Comment:
        """A comment with its stance, a reply, or an official answer for ``org``."""
        self.at(days_ago)
        person = self.people[author]
        if reply_to is not None:
            return post_reply(reply_to, person, body=body)
        if org is not None:
            return post_official_answer(proposal, person, organisation=self.orgs[org],
                                        body=body)
        return post_comment(proposal, person, stance=stance, body=body)

    def report(self, comment: Comment, days_ago: float, reporter: str, reason: str) -> None:
        self.at(days_ago)
        report(comment, self.people[reporter], reason=reason, note="")

    def hide(self, comment: Comment, days_ago: float, moderator: str, reason: str) -> None:
        self.at(days_ago)
        decide([comment], action="hide", reason=reason, actor=self.people[moderator],
               community=self.community)
        db.session.execute(update(Report).where(Report.comment_id == comment.id)
                           .values(resolved_at=self.now))

    def review(self, proposal: Proposal, days_ago: float, opinion: str, text: str) -> None:
        self.at(days_ago)
        add_party_review(proposal, organisation=self.orgs["party"], opinion=opinion, text=text,
                         actor=self.people["party_secretary"])

    def merge(self, proposal: Proposal, into: Proposal, days_ago: float, actor: str,
              note: str) -> None:
        self.at(days_ago)
        merge(proposal, into, actor=self.people[actor], note=note)

    def poll(self, proposal: Proposal, days_ago: float, organiser: str, *, opens: float,
             closes: float, **settings) -> Poll:
        """A poll created (announced) ``days_ago`` that opens and closes ``opens`` /
        ``closes`` days ago (negative: in the future)."""
        self.at(days_ago)
        return create_poll(proposal, actor=self.people[organiser],
                           opens_at=self.start - timedelta(days=opens),
                           closes_at=self.start - timedelta(days=closes), created_at=self.now,
                           **settings)

    def serve(self, poll: Poll, entries: list[RollEntry], days_ago: float) -> None:
        """Service of the notice: every other owner by SMS reported delivered, the others on
        paper handed over by committee staff."""
        self.at(days_ago)
        for n, entry in enumerate(entries):
            if n % 2:
                record_paper_service(poll, entry, staff=self.people["oc_staff"],
                                     handed_at=self.now)
            else:
                record_sms_delivered(poll, entry, self.now)

    def open(self, poll: Poll) -> list[RollEntry]:
        """Open at ``opens_at``, by the clock: the roll freezes then."""
        self.at((self.start - poll.opens_at) / timedelta(days=1))
        open_poll(poll)
        poll.opened_at = self.now
        return db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                                  .order_by(RollEntry.key)).scalars().all()

    def vote(self, poll: Poll, entry: RollEntry, choices: list[str], days_ago: float,
             serial: int, proxy_holder: str = "") -> None:
        """Online for a voter with an account, otherwise a paper ballot (or a proxy) that
        committee staff enter with the reference to the signed original."""
        self.at(days_ago)
        first = entry.voted_at is None
        if entry.user_ids:
            cast(poll, entry, choices, user=db.session.get(User, entry.user_ids[0]))
        elif proxy_holder:
            enter_offline(poll, entry, choices, staff=self.people["oc_staff"],
                          channel=Channel.PROXY, proxy_id_number=proxy_holder,
                          reference=f"授权委托书 WT-{poll.id}-{serial:03d}，原件存业委会")
        else:
            enter_offline(poll, entry, choices, staff=self.people["oc_staff"],
                          channel=Channel.PAPER, paper_number=f"{serial:03d}",
                          reference=f"纸质表决票第 {serial} 号，签字原件存业委会")
        if first:  # the voted mark, to the hour, by the story's clock
            entry.voted_at = self.now.replace(minute=0, second=0, microsecond=0)

    def close(self, poll: Poll) -> None:
        """Close at the deadline, by the clock."""
        self.at((self.start - poll.closes_at) / timedelta(days=1))
        close_poll(poll)
        poll.closed_at = self.now
        poll.objection_until = self.now + timedelta(days=poll.objection_days)

    def finalise(self, poll: Poll) -> None:
        """Final once the objection period is over; the proposal closes with it."""
        self.at((self.start - poll.objection_until) / timedelta(days=1) - 0.1)
        finalise(poll)
        poll.finalised_at = self.now

    def settle(self) -> None:
        """The services stamped published, deliberation and update times with now: take
        them from the timeline instead; older notices have been read."""
        db.session.flush()
        for proposal in self.proposals:
            events = db.session.execute(
                select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
                .order_by(ProposalEvent.id)).scalars().all()
            published = [e.created_at for e in events
                         if e.to_status in (Status.COLLECTING, Status.DELIBERATION)]
            deliberation = [e.created_at for e in events if e.to_status == Status.DELIBERATION]
            proposal.published_at = published[0] if published else None
            proposal.deliberation_at = deliberation[-1] if deliberation else None
            proposal.updated_at = max([proposal.created_at, *(e.created_at for e in events)])
            proposal.first_official_answer_at = db.session.execute(
                select(func.min(Comment.created_at)).where(
                    Comment.proposal_id == proposal.id, Comment.organisation_id.is_not(None))
            ).scalar_one()
        for notification in db.session.execute(select(Notification).where(
                Notification.created_at < self.start - timedelta(days=7))).scalars():
            notification.read_at = notification.created_at + timedelta(hours=3)


def seed_meetings(community: Community) -> None:
    """A committee meeting held five weeks ago, with its attendance, resolutions, follow-up
    actions and published minutes, and a residents' council next week: so that a first run
    can open a real-looking meeting page and export its minutes at once."""
    from app.followups.services import add_action, mark_done
    from app.meetings.kinds import MeetingKind
    from app.meetings.minutes import publish
    from app.meetings.services import mark_presence, record_item, schedule
    from app.notices.models import Notice

    def user(phone: str) -> User:
        return db.session.execute(select(User).where(User.phone == phone)).scalar_one()

    def organisation(kind: str) -> Organisation:
        return db.session.execute(select(Organisation).where(
            Organisation.community_id == community.id, Organisation.kind == kind)
        ).scalar_one()

    def proposal(title: str) -> Proposal:
        return db.session.execute(select(Proposal).where(
            Proposal.community_id == community.id, Proposal.title == title)).scalar_one()

    committee, chair, recorder = (organisation(OrganisationKind.OWNERS_COMMITTEE),
                                  user(CAST["oc_chair"]), user(CAST["oc_staff"]))
    # Three owners sit on the committee with the chair and the staff member: five members.
    for building_name, number in (("1栋", "503"), ("3栋", "604"), ("4栋", "203")):
        member = _unit(community, building_name, number).ownerships[0].owner.user
        grant_membership(committee, member, MemberRole.MEMBER, actor=chair)
    lighting = proposal("地下车库照明更换为LED节能灯")
    parking = proposal("地面停车位重新规划及收费标准调整")
    face = proposal("小区主入口改为人脸识别门禁")
    held = utcnow().replace(hour=11, minute=0, second=0, microsecond=0) - timedelta(days=36)
    property_company = organisation(OrganisationKind.PROPERTY_COMPANY)
    meeting = schedule(
        community, actor=chair, kind=MeetingKind.COMMITTEE, title="业委会2026年第十二次会议",
        starts_at=held, ends_at=held + timedelta(hours=2), place="物业服务中心二楼会议室",
        online_link="", organisation=committee, chair=chair, recorder=recorder,
        organisations=[committee],
        observers=[property_company, organisation(OrganisationKind.NEIGHBOURHOOD_COMMITTEE)],
        proposals=[lighting, parking, face])
    absent = {_unit(community, "4栋", "203").ownerships[0].owner.user_id}
    for attendee in meeting.attendees:
        if attendee.user_id not in absent:
            mark_presence(meeting, attendee, True, actor=recorder)
    gate_poll = db.session.execute(select(Poll).where(Poll.proposal_id == face.id)).scalar_one()
    first, second, third = meeting.items
    record_item(meeting, first, actor=recorder, poll=None, hands=(4, 0, 0),
                notes="物业汇报：A 区已完工，B 区灯具到货延迟；委员们反映 B 区仍有多处不亮，"
                      "夜间存在安全隐患。",
                resolution="同意按原方案继续施工；B 区须在一个月内完工，完工后由业委会组织"
                           "验收。")
    record_item(meeting, second, actor=recorder, poll=None, hands=(3, 0, 1),
                notes="多位委员认为 240 元涨幅过大；物业同意补充近三年停车收支明细。",
                resolution="请物业对 180 元、210 元、240 元三档方案分别测算后，提交业主大会表决。")
    record_item(meeting, third, actor=recorder, poll=gate_poll, hands=None,
                notes="表决结果：参与表决的专有面积未达四分之三，未通过。委员们提出继续整治门卡"
                      "复制问题。",
                resolution="门禁改造暂不实施；请物业一个月内清理失效门卡并加强门岗登记。")
    add_action(first.proposal, agenda_item_id=first.id, organisation=property_company,
               description="完成地下车库 B 区 LED 灯具更换，并提交验收申请",
               due_on=(held + timedelta(days=30)).date(), actor=recorder)
    costs = add_action(second.proposal, agenda_item_id=second.id, organisation=property_company,
                       description="公示近三年停车收入与支出明细及三档收费测算",
                       due_on=(held + timedelta(days=14)).date(), actor=recorder)
    add_action(third.proposal, agenda_item_id=third.id, organisation=property_company,
               description="清理失效门卡，门岗对外来人员逐一登记",
               due_on=(held + timedelta(days=45)).date(), actor=recorder)
    mark_done(costs, actor=user(CAST["property"]), photo=None,
              note="明细已张贴在物业服务中心公告栏，并上传至小区公告。")
    minutes = publish(meeting, actor=recorder)
    # Published two days after the meeting, as a recorder would, on the board at that time.
    minutes.published_at = held + timedelta(days=2)
    db.session.execute(update(Notice).where(Notice.minutes_id == minutes.id).values(
        created_at=minutes.published_at, published_at=minutes.published_at))

    council_day = utcnow().replace(hour=11, minute=30, second=0, microsecond=0)
    schedule(
        community, actor=user(CAST["nc_chair"]), kind=MeetingKind.RESIDENTS_COUNCIL,
        title="翠湖社区居民议事会（十二月）", starts_at=council_day + timedelta(days=6),
        ends_at=council_day + timedelta(days=6, hours=2), place="社区党群服务中心一楼议事厅",
        online_link="", organisation=organisation(OrganisationKind.NEIGHBOURHOOD_COMMITTEE),
        chair=user(CAST["nc_chair"]), recorder=user(CAST["volunteer"]),
        organisations=[organisation(OrganisationKind.NEIGHBOURHOOD_COMMITTEE), committee],
        observers=[property_company],
        proposals=[proposal("在2号门附近建设电动自行车集中充电棚"),
                   proposal("垃圾分类定时定点投放试点")])


def _neighbours(community: Community, staff: User) -> dict[str, User]:
    """Give a dozen roster owners accounts and verify them, as committee staff would."""
    neighbours = {}
    for building_name, number in NEIGHBOUR_UNITS:
        unit = _unit(community, building_name, number)
        owner = unit.ownerships[0].owner
        user = _account(owner.phone, owner.name)
        if owner.user_id is None:
            approve_request(request_link(user, unit, kind=LinkKind.OWNER, note=""),
                            actor=staff, owner=owner)
        neighbours[f"{building_name}-{number}"] = user
    return neighbours


# Units whose owners' verification the demo leaves pending (see seed_demo).
PENDING_UNITS = {("1栋", "102"), ("4栋", "702")}


def _more_verified_owners(community: Community, staff: User, template: User) -> None:
    """Forty more roster owners with accounts, verified by committee staff, so that polls
    have online voters. They share the demo password's hash: hashing it forty times over
    would take four seconds."""
    taken = set(db.session.execute(select(User.phone)).scalars())
    units = db.session.execute(
        select(Unit).join(Building).where(Building.community_id == community.id)
        .options(selectinload(Unit.building),
                 selectinload(Unit.ownerships).selectinload(Ownership.owner))
        .order_by(Unit.id)).scalars().all()
    chosen = 0
    for index, unit in enumerate(units):
        owner = unit.ownerships[0].owner
        if index % 6 != 3 or owner.is_developer or owner.user_id is not None \
                or owner.phone in taken or (unit.building.name, unit.number) in PENDING_UNITS:
            continue
        user = User(name=owner.name, phone=owner.phone, password_hash=template.password_hash,
                    privacy_accepted_at=utcnow())
        db.session.add(user)
        approve_request(request_link(user, unit, kind=LinkKind.OWNER, note=""), actor=staff,
                        owner=owner)
        taken.add(owner.phone)
        chosen += 1
        if chosen == 40:
            break


def seed_proposals(community: Community) -> bool:
    """A dozen proposals in every status, with discussions, unless the community has some."""
    if db.session.execute(
            select(Proposal.id).where(Proposal.community_id == community.id)).first():
        return False
    people = {key: db.session.execute(select(User).where(User.phone == phone)).scalar_one()
              for key, phone in CAST.items()}
    people.update(_neighbours(community, people["oc_staff"]))
    _more_verified_owners(community, people["oc_staff"], people["owner"])
    people.update({key: db.session.execute(select(User).where(User.phone == phone))
                   .scalar_one() for key, phone in PARTY_MEMBERS.items()})
    orgs = {
        key: db.session.execute(select(Organisation).where(
            Organisation.community_id == community.id, Organisation.kind == kind)).scalar_one()
        for key, kind in [
            ("property", OrganisationKind.PROPERTY_COMPANY),
            ("owners", OrganisationKind.OWNERS_COMMITTEE),
            ("neighbourhood", OrganisationKind.NEIGHBOURHOOD_COMMITTEE),
            ("party", OrganisationKind.PARTY_BRANCH),
            ("social", OrganisationKind.SOCIAL_ORGANISATION),
        ]
    }
    community.party_review_categories = [str(c) for c in DEFAULT_REVIEW_CATEGORIES]
    story = _Story(community, people, orgs)
    session = db.session()
    event.listen(session, "before_flush", story.stamp)
    try:
        _tell(story)
        story.settle()
    finally:
        event.remove(session, "before_flush", story.stamp)
    return True


# --- Insights: weeks of discussion by owners across the buildings, so that the dashboard's
# charts show a trend ---

HISTORY_REMARKS = [
    (Stance.SUPPORT, "支持，希望尽快落实，并在群里通报进度。"),
    (Stance.SUPPORT, "这件事拖了很久了，赞成。"),
    (Stance.QUESTION, "请问费用从哪里出？会不会影响物业费？"),
    (Stance.NEUTRAL, "建议先在一个楼栋试点，看看效果再推广。"),
    (Stance.OPPOSE, "时间安排不合适，上班族参加不了。"),
    (Stance.SUPPORT, "老人孩子都受益，同意。"),
]


def seed_insights_history(community: Community) -> None:
    """Comments by the owners with accounts on the proposals still under discussion, more
    of them week after week since each was published, except in 6栋, where fewer have
    spoken in the last month: the insights dashboard then shows a rising trend and a
    building whose participation falls."""
    from app.community.models import Owner
    from app.proposals.states import DISCUSSABLE

    accounts = db.session.execute(
        select(Owner.user_id, func.min(Building.name))
        .join(Ownership, Ownership.owner_id == Owner.id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Owner.community_id == community.id, Owner.user_id.is_not(None))
        .group_by(Owner.user_id).order_by(Owner.user_id)).all()
    proposals = db.session.execute(
        select(Proposal).where(Proposal.community_id == community.id,
                               Proposal.status.in_(DISCUSSABLE),
                               Proposal.discussion_locked.is_(False))
        .order_by(Proposal.published_at)).scalars().all()
    rng = random.Random(20261129)
    now = utcnow()
    rows = []
    for days_ago in range(60, 0, -3):
        when = now - timedelta(days=days_ago, hours=rng.uniform(0, 12))
        open_then = [p for p in proposals if p.published_at < when]
        chance = 0.03 + 0.12 * (60 - days_ago) / 60
        for user_id, building in accounts:
            lately = chance * 0.2 if building == "6栋" and days_ago <= 30 else chance
            if open_then and rng.random() < lately:
                stance, body = rng.choice(HISTORY_REMARKS)
                rows.append(dict(proposal_id=rng.choice(open_then).id, author_id=user_id,
                                 stance=stance, body=body, created_at=when))
    if rows:
        db.session.execute(Comment.__table__.insert(), rows)
    for proposal in proposals:
        proposal.comment_count += sum(1 for row in rows if row["proposal_id"] == proposal.id)
    db.session.flush()


def _narrowly_failing_on_area(entries: list[RollEntry], fixed: dict[int, str],
                              rng: random.Random) -> dict[int, str]:
    """Choices for a civil-code-major vote that reaches the quorum and passes on headcount
    (about 78 % of the voters approve) but fails on area: the owners who do not approve
    are a run of larger homes just big enough to hold more than a quarter of the voting
    area. ``fixed`` maps entries to the choices they must make."""
    others = [e for e in entries if e.id not in fixed]
    rng.shuffle(others)
    voters = [e for e in entries if e.id in fixed] + others[:round(len(entries) * 0.74)]
    total = sum(e.area for e in voters)
    assert Fraction(len(voters), len(entries)) >= Fraction(2, 3)
    assert Fraction(total) >= Fraction(sum(e.area for e in entries)) * Fraction(2, 3)
    free = sorted((e for e in voters if e.id not in fixed), key=lambda e: (e.area, e.key))
    fixed_against = [e for e in voters if fixed.get(e.id, APPROVE) != APPROVE]
    count = len(voters) * 22 // 100 - len(fixed_against)
    needed = Fraction(total) / 4 - Fraction(sum(e.area for e in fixed_against))
    start = next(s for s in range(len(free) - count + 1)
                 if Fraction(sum(e.area for e in free[s:s + count])) > needed)
    against = free[start:start + count]
    choices = {e.id: APPROVE for e in voters} | fixed
    choices.update({e.id: ABSTAIN if n % 4 == 3 else AGAINST for n, e in enumerate(against)})
    return choices


def _ballots(story: _Story, poll: Poll, entries: list[RollEntry], choices: dict[int, str], *,
             first: float, last: float, paper: int = 0) -> int:
    """Cast ``choices`` (roll entry id: choice) spread between ``first`` and ``last`` days
    ago, in a shuffled order; every twentieth offline ballot comes by proxy, its holder named
    by ID number. ``paper`` is
    the number of offline ballots entered so far; returns it."""
    voters = [e for e in entries if e.id in choices]
    random.Random(len(voters)).shuffle(voters)
    holders = ["310104196503120428", "310104197208051639", "310105195809172847",
               "310106198011233153", "310107196702280466"]  # ID numbers, made up
    offline = paper
    for n, entry in enumerate(voters):
        days_ago = first - (first - last) * n / len(voters)
        holder = ""
        if not entry.user_ids:
            offline += 1
            if offline % 20 == 0:
                holder = holders[offline // 20 % len(holders)]
        story.vote(poll, entry, [choices[entry.id]], days_ago, offline, proxy_holder=holder)
    return offline


DEEMED_CLAUSE = ("第二十三条", "业主大会会议以书面征求意见形式召开的，表决票已依法送达，业主在"
                 "规定期限内未参与表决的，视为同意参与表决的多数业主的意见。")


def _covenant_vote(story: _Story, covenant: Proposal) -> None:
    """The owners' assembly adopted rules of procedure with a deemed-consent clause (从多数);
    the covenant vote is the first under it. Fewer than half of the owners vote, most of
    them in favour; 40 owners who did not vote were served the ballot by SMS or on paper.
    The raw count has no quorum; the clause adds those 40 to the majority, and the count
    still falls short of two thirds taking part: the difference is visible on the notice,
    and the clause cannot rescue a vote whose notice reached too few."""
    community = story.community
    community.deemed_consent_article = f"《{community.name}业主大会议事规则》{DEEMED_CLAUSE[0]}"
    community.deemed_consent_text = DEEMED_CLAUSE[1]
    community.deemed_consent_side = DeemedSide.MAJORITY
    poll = story.poll(covenant, 45.9, "oc_chair", opens=30.5, closes=23.5,
                      question="是否同意《翠湖花园管理规约》养犬管理条款修订稿？",
                      rule=Rule.CIVIL_CODE_ORDINARY, electorate=ElectorateKind.OWNERS,
                      matter=Matter.COVENANT)
    entries = story.open(poll)
    rng = random.Random(2)
    shuffled = rng.sample(entries, len(entries))
    voters, silent = shuffled[:len(entries) * 45 // 100], shuffled[len(entries) * 45 // 100:]
    leaning = [APPROVE, APPROVE, APPROVE, AGAINST, APPROVE, ABSTAIN, APPROVE]
    story.serve(poll, silent[:40], 30.2)
    _ballots(story, poll, entries, {e.id: leaning[n % len(leaning)]
                                    for n, e in enumerate(voters)}, first=30.0, last=23.7)
    story.close(poll)
    story.finalise(poll)


def _tell(story: _Story) -> None:
    """Fourteen proposals, oldest first, in every status."""
    c = story.comment
    SUPPORT, OPPOSE, NEUTRAL, QUESTION = (Stance.SUPPORT, Stance.OPPOSE, Stance.NEUTRAL,
                                          Stance.QUESTION)

    # Done: the volunteers' replanting of the third grid's green belts.
    greening = story.draft(61, "volunteer", "二期绿化带补种与修剪", GREENING,
                           Category.ENVIRONMENT, org="social", grids=("第三网格",))
    story.submit(greening, 60)
    c(greening, 59, "5栋-302", "支持！5栋楼下那片草坪秃了一大块，下雨全是泥。", SUPPORT)
    c(greening, 58.5, "6栋-504", "修剪的时候注意别碰到一楼住户的窗户，去年剪完树枝没清走。",
      NEUTRAL)
    branch = story.poll(greening, 57.5, "party_secretary", opens=57, closes=54,
                        question="党支部是否同意组织党员志愿者参与二期绿化带补种？",
                        rule=Rule.PARTY_BRANCH, electorate=ElectorateKind.ORGANISATION,
                        organisation=story.orgs["party"],
                        visibility=ResultsVisibility.LIVE, secrecy=Secrecy.OPEN_ROLL)
    members = {e.user_ids[0]: e for e in story.open(branch)}
    for days_ago, key, choice in ((56.5, "party_secretary", APPROVE),
                                  (56, "party_member", APPROVE), (55, "oc_staff", APPROVE)):
        story.vote(branch, members[story.people[key].id], [choice], days_ago, 0)
    story.close(branch)
    story.finalise(branch)
    story.move(greening, Action.START_WORK, 50, "oc_chair", "志愿者协会组织三次周末补种活动")
    story.move(greening, Action.FINISH, 20, "oc_chair", "补种灌木 320 株，修剪乔木 46 棵")

    # In progress: LED lighting in the underground car park.
    lighting = story.draft(60, "property", "地下车库照明更换为LED节能灯", LIGHTING,
                           Category.FACILITIES, org="property")
    story.submit(lighting, 59)
    c(lighting, 57, "2栋-801", "早就该换了，B区好几盏灯一直是坏的，晚上停车很害怕。", SUPPORT)
    question = c(lighting, 56, "owner", "施工期间车库是不是要分区封闭？大概多长时间？",
                 QUESTION)
    c(lighting, 55.5, "property", "分 A、B 两区施工，每区 3 天，施工区域会设临时照明和"
      "引导员，车辆可停到地面临时车位。", reply_to=question)
    story.move(lighting, Action.OPEN_VOTING, 52, "oc_chair")
    story.move(lighting, Action.CLOSE_PASSED, 47)
    story.move(lighting, Action.START_WORK, 40, "oc_chair", "施工单位已进场，A 区已完工")
    lighting.closes_at = story.start - timedelta(days=47)

    # Rejected: face recognition at the main gate.
    face = story.draft(59, "4栋-705", "小区主入口改为人脸识别门禁", FACE_GATE, Category.SAFETY)
    story.submit(face, 58)
    story.cosponsor(face, 57, "4栋-203", "3栋-301", "6栋-504", "5栋-302", "2栋-101")
    c(face, 53, "1栋-503", "人脸是敏感个人信息，数据存在哪里？谁能调取？这些没说清楚之前我"
      "反对。", OPPOSE)
    c(face, 52.5, "4栋-203", "外卖快递天天跟着业主混进来，现在的门卡形同虚设，支持改造。",
      SUPPORT)
    c(face, 52, "tenant", "租户和老人怎么办？家里老人不会用手机，别搞成只能刷脸。", QUESTION)
    c(face, 50, "nc_chair", "按照《个人信息保护法》，人脸识别不得作为进出小区的唯一方式，"
      "必须保留门卡、钥匙等替代方式；采集前需单独书面同意。居委会建议先做隐私影响评估。",
      org="neighbourhood")
    off_topic = c(face, 49, "6栋-504", "顺便说一句，6栋电梯又坏了，物业什么时候修？", NEUTRAL)
    story.report(off_topic, 48, "4栋-705", ReportReason.OFF_TOPIC)
    gate = story.poll(face, 56.9, "oc_chair", opens=41.5, closes=37,
                      question="是否同意将小区主入口改为人脸识别与门卡双模式门禁？",
                      rule=Rule.CIVIL_CODE_MAJOR, electorate=ElectorateKind.OWNERS,
                      matter=Matter.REBUILD)
    entries = story.open(gate)
    by_user = {uid: e for e in entries for uid in e.user_ids}
    fixed = {by_user[story.people[key].id].id: APPROVE
             for key in ("4栋-705", "4栋-203", "3栋-301", "6栋-504", "5栋-302", "2栋-101")}
    fixed[by_user[story.people["1栋-503"].id].id] = AGAINST
    choices = _narrowly_failing_on_area(entries, fixed, random.Random(278))
    _ballots(story, gate, entries, choices, first=41.3, last=37.2)
    story.close(gate)
    story.finalise(gate)

    # Passed: the children's playground in the central garden.
    playground = story.draft(56, "oc_staff", "中心花园儿童游乐设施翻新", PLAYGROUND,
                             Category.FACILITIES, org="owners")
    story.submit(playground, 55)
    c(playground, 54, "2栋-404", "滑梯的塑料板裂了好几处，上周我家孩子手被划破了，强烈支持！",
      SUPPORT)
    c(playground, 53, "3栋-604", "地面一定要换成塑胶软垫，现在的水泥地太危险。", SUPPORT)
    worry = c(playground, 52, "1栋-202", "游乐区紧挨着1栋，晚上九十点还有孩子在玩，能不能"
              "规定开放时间？", QUESTION)
    c(playground, 51.5, "oc_staff", "会在入口立牌：开放时间 7:00–20:30，物业晚间巡逻提醒。",
      reply_to=worry)
    c(playground, 50, "property", "物业已请两家供应商现场勘测，报价分别为 8.6 万元和 9.2 "
      "万元，均含 EPDM 塑胶地面和三年质保，报价单已张贴在物业服务中心。", org="property")
    story.move(playground, Action.OPEN_VOTING, 45, "oc_chair")
    story.move(playground, Action.CLOSE_PASSED, 38)
    playground.closes_at = story.start - timedelta(days=38)

    # No quorum: dog-keeping clauses of the management covenant.
    covenant = story.draft(51, "oc_chair", "修订《翠湖花园管理规约》养犬管理条款", COVENANT,
                           Category.RULES_OF_PROCEDURE, org="owners")
    story.submit(covenant, 50)
    c(covenant, 49, "3栋-902", "支持，电梯里不牵绳的狗太吓人了。", SUPPORT)
    c(covenant, 48, "5栋-302", "大型犬禁止进电梯不现实，住高层的怎么下楼？建议改成高峰时段"
      "错峰乘梯。", OPPOSE)
    c(covenant, 47.5, "2栋-101", "罚则由谁执行？规约里写了也得有人管。", QUESTION)
    story.review(covenant, 46, ReviewOpinion.PROCEED, "条款符合《民法典》及市养犬管理条例，"
                 "同意提交业主大会表决。")
    _covenant_vote(story, covenant)

    # Deliberation, with the party branch's opinion: the maintenance fund for the roofs.
    roofs = story.draft(34, "owner", "使用维修资金更换1栋、2栋屋面防水层", ROOFS,
                        Category.MAINTENANCE_FUND, grids=("第一网格",))
    story.submit(roofs, 33)
    story.cosponsor(roofs, 32, "1栋-202", "1栋-503", "2栋-101", "2栋-404", "2栋-801")
    c(roofs, 27, "1栋-503", "顶楼住户支持！我家次卧天花板已经发霉，墙皮一块块往下掉。",
      SUPPORT)
    c(roofs, 26.5, "2栋-101", "维修资金账户现在还有多少钱？这次要动用多少？", QUESTION)
    c(roofs, 25, "property", "截至上月末，翠湖花园专项维修资金账户余额 312.6 万元，其中"
      "1栋、2栋分户账合计 58.4 万元。初步预算 41.8 万元，按两栋业主专有面积分摊。",
      org="property")
    plan = c(roofs, 24.5, "owner", "谢谢物业的数据。我建议把三家施工单位的报价和资质都"
             "公示出来，大家比较之后再表决。", SUPPORT)
    leaked = c(roofs, 24, "2栋-404", "施工队我推荐老李，电话 139 0000 2468，上次给我家做"
               "防水挺好。", NEUTRAL)
    story.report(leaked, 23.5, "1栋-202", ReportReason.PERSONAL_DATA)
    story.report(leaked, 23.4, "2栋-801", ReportReason.PERSONAL_DATA)
    story.hide(leaked, 23, "moderator", "含有他人手机号码，请通过物业服务中心推荐施工单位。")
    story.review(roofs, 22, ReviewOpinion.PROCEED_WITH_SUGGESTIONS,
                 "同意使用维修资金。建议：一、公开比选不少于三家施工单位；二、施工前请监理"
                 "单位确认工程量；三、完工后将结算明细在公告栏公示十五天。")
    c(roofs, 21, "1栋-202", "我家在1栋顶楼以下，也要分摊吗？按面积分摊是不是不太公平？",
      OPPOSE)
    c(roofs, 20.5, "oc_staff", "按《住宅专项维修资金管理办法》，屋面属于本栋共用部位，"
      "由本栋全体业主按面积分摊，不区分楼层。", org="owners")
    c(roofs, 3, "1栋-503", "同意公示报价。我家愿意作为施工期间的联络户，方便工人进出屋面。",
      reply_to=plan)

    # Deliberation: the property company's parking plan, busy and with a reported comment.
    parking = story.draft(21, "property", "地面停车位重新规划及收费标准调整", PARKING,
                          Category.PARKING, org="property")
    story.submit(parking, 20)
    c(parking, 19, "3栋-604", "消防通道被占的问题终于有人管了，支持重新画线。", SUPPORT)
    fee = c(parking, 18.5, "owner", "月租从 150 涨到 240，涨幅 60%，依据是什么？周边小区"
            "都在 180 左右。", OPPOSE)
    c(parking, 18, "5栋-302", "同问。另外临时停车前 30 分钟免费能不能改成 1 小时？送孩子"
      "上学经常超时。", QUESTION)
    c(parking, 17.5, "property", "240 元是按本小区车位数和维护成本测算的，明细见附件二。"
      "我们愿意再听大家意见。", reply_to=fee)
    rant = c(parking, 17, "6栋-504", "物业就知道收钱，一群吸血鬼，趁早滚出翠湖！", OPPOSE)
    for days, reporter in ((16.8, "3栋-604"), (16.5, "2栋-801"), (16.2, "1栋-202")):
        story.report(rant, days, reporter, ReportReason.ABUSE)
    c(parking, 15, "oc_staff", "业委会意见：同意重新划线，收费标准需经业主大会表决。请物业补充"
      "近三年停车收入和支出明细，并对 180 元、210 元、240 元三档方案分别测算。",
      org="owners")
    c(parking, 12, "2栋-404", "电动车也该规划专门的停放区，别和汽车抢地方。", NEUTRAL)
    c(parking, 6, "tenant", "租户有没有资格租月租车位？", QUESTION)

    # Deliberation: a charging shed, into which a duplicate is merged.
    shed = story.draft(15, "oc_staff", "在2号门附近建设电动自行车集中充电棚", SHED,
                       Category.SAFETY, org="owners")
    story.submit(shed, 14)
    chargers = story.draft(17, "2栋-404", "增设电动车充电桩", CHARGERS, Category.SAFETY)
    story.submit(chargers, 16)
    story.cosponsor(chargers, 15.5, "2栋-801", "3栋-902")
    c(chargers, 15, "3栋-902", "上个月隔壁小区楼道电瓶车着火，太吓人了，支持！", SUPPORT)
    story.merge(chargers, shed, 12, "oc_chair", "与业委会的充电棚议题内容重复，合并讨论。")
    story.follow(shed, 11, "owner")
    c(shed, 10, "1栋-202", "充电棚要有喷淋和监控，不然集中充电反而更危险。", SUPPORT)
    c(shed, 9, "3栋-604", "充电费用怎么算？按次还是按度？", QUESTION)
    c(shed, 6, "property", "拟采用扫码计费，每度电 0.8 元，含棚内喷淋、烟感和 24 小时"
      "监控，设备由供应商投资，物业负责日常巡查。", org="property")

    # Voting: the neighbourhood committee's waste-sorting pilot.
    waste = story.draft(27, "nc_chair", "垃圾分类定时定点投放试点", WASTE,
                        Category.ENVIRONMENT, org="neighbourhood")
    story.submit(waste, 26)
    c(waste, 25, "owner", "支持试点，但晚上 7 点到 9 点太短，上班族赶不上。", SUPPORT)
    c(waste, 24, "4栋-203", "撤桶以后楼道会不会有人乱扔？谁来监督？", QUESTION)
    c(waste, 23, "volunteer", "志愿者协会可以安排每晚两名志愿者在投放点值守，前两周手把手"
      "教大家分类。", NEUTRAL)
    c(waste, 21, "property", "物业将在 3 个投放点加装洗手池和照明，并延长投放时间至晚上 "
      "9 点半；错时投放点设在 6 栋北侧。", org="property")
    pilot = story.poll(waste, 20.5, "oc_chair", opens=5, closes=-5,
                       question="是否同意开展为期三个月的垃圾分类定时定点投放试点？",
                       rule=Rule.CIVIL_CODE_ORDINARY, electorate=ElectorateKind.OWNERS,
                       matter=Matter.OTHER_MAJOR)
    # Residents, tenants included, give their opinion on the hours; it closes an hour
    # after the owners' vote so that the owners' result decides the proposal.
    hours = story.poll(waste, 5.5, "nc_chair", opens=5, closes=-5 - 1 / 24,
                       question="晚间集中投放时段，您更希望是哪一个？", rule=Rule.ADVISORY,
                       electorate=ElectorateKind.RESIDENTS, kind=QuestionKind.CHOICE,
                       options=["19:00–21:00", "19:00–21:30", "18:30–22:00"],
                       visibility=ResultsVisibility.AFTER_VOTE)
    residents = story.open(hours)
    entries = story.open(pilot)
    waiting = {story.people[key].id for key in ("owner", "tenant")}  # the demo logins try it
    doubter = next(e for e in entries if story.people["4栋-203"].id in e.user_ids)
    rng = random.Random(2026)
    online = [e for e in entries if e.user_ids and not waiting & set(e.user_ids)
              and e is not doubter]
    voters = rng.sample(online, len(online) // 2) + rng.sample(
        [e for e in entries if not e.user_ids], 40)
    leaning = [APPROVE, APPROVE, AGAINST, APPROVE, ABSTAIN, APPROVE, AGAINST, APPROVE, APPROVE,
               AGAINST]  # six in ten approve so far
    choices = {e.id: leaning[n % len(leaning)] for n, e in enumerate(voters)}
    earlier, later = voters[::2], voters[1::2]
    paper = _ballots(story, pilot, entries, {doubter.id: AGAINST} | {
        e.id: choices[e.id] for e in earlier}, first=4.8, last=1.6)
    story.vote(pilot, doubter, [APPROVE], 1.5, 0)  # changed after the property's answer
    _ballots(story, pilot, entries, {e.id: choices[e.id] for e in later}, first=1.4, last=0.3,
             paper=paper)
    options = [str(option.id) for option in hours.options]
    residents = [e for e in residents if not waiting & set(e.user_ids)]
    for n, entry in enumerate(residents):
        if n % 3 != 2:
            story.vote(hours, entry, [options[rng.choice((0, 1, 1, 1, 2, 2))]],
                       4.7 - 4.4 * n / len(residents), 0)

    # Withdrawn: weekend renovation hours.
    renovation = story.draft(19, "5栋-302", "取消周末上午装修禁令", WEEKEND_RENOVATION,
                             Category.OTHER)
    story.submit(renovation, 18)
    c(renovation, 17.5, "5栋-302", "补充：我家工期很紧，周末能施工可以早一个月入住。",
      NEUTRAL)
    c(renovation, 17, "3栋-902", "坚决反对，周末是唯一能休息的时间，家里还有婴儿。", OPPOSE)
    c(renovation, 16.5, "1栋-503", "反对。可以理解工期紧，但电钻声对上夜班的人太折磨了。",
      OPPOSE)
    story.move(renovation, Action.WITHDRAW, 15, "5栋-302", "听取邻居意见后撤回，谢谢大家。")

    # Collecting support: a lift for building 3, and parcel lockers at the east gate.
    lift = story.draft(10, "3栋-301", "3栋加装电梯意向征集", LIFT, Category.RENOVATION,
                       buildings=("3栋",))
    story.submit(lift, 9)
    story.cosponsor(lift, 7, "owner", "3栋-604", "3栋-902")
    c(lift, 6.5, "3栋-902", "家里老人 82 岁，住 9 楼，已经半年没下过楼了，盼电梯！", SUPPORT)
    c(lift, 5, "3栋-604", "一楼、二楼的邻居可能会担心采光和噪音，建议先上门沟通。", NEUTRAL)
    c(lift, 4, "owner", "费用分摊能不能参考隔壁小区的按楼层递增方案？", QUESTION)
    lockers = story.draft(5, "tenant", "东门增设智能快递柜", LOCKERS, Category.FACILITIES)
    story.submit(lockers, 4)
    story.cosponsor(lockers, 3, "2栋-101")
    c(lockers, 2, "2栋-801", "快递堆在门岗经常丢件，支持。柜子别放在消防通道上就行。", SUPPORT)

    # A draft the demo owner has not submitted yet.
    story.draft(1, "owner", "关于公开物业服务费收支明细的建议", SERVICE_FEE,
                Category.PROPERTY_COMPANY)


GREENING = """第三网格（5栋、6栋）之间的绿化带已有三年未补种，部分草坪裸露、乔木遮挡低层住户采光。

### 方案
- 补种耐阴灌木（红叶石楠、金森女贞）约 300 株
- 修剪遮挡 1–3 层窗户的乔木枝条
- 志愿者协会组织三次周末活动，欢迎居民带孩子参加

### 费用
苗木费约 1.2 万元，由公共收益列支；人工由志愿者承担。"""

LIGHTING = """地下车库现有 T8 荧光灯管 420 支，故障率高、耗电大，B 区有十余处长期不亮。

### 方案
1. 全部更换为 LED 灯管，B 区通道加装雷达感应灯
2. 预计每年节约电费约 3.5 万元，两年收回成本

| 项目 | 金额 |
| --- | --- |
| 灯具及安装 | 6.8 万元 |
| 旧灯回收 | -0.3 万元 |

费用从停车公共收益中列支。"""

FACE_GATE = """小区主入口目前使用 IC 门卡，复制门卡的情况很多，外来人员随意进出。

建议将主入口改为**人脸识别 + 门卡**双模式门禁：
- 业主自愿录入人脸，不录入的继续使用门卡
- 访客通过业主手机扫码登记

预算约 4.5 万元，由公共收益支付。"""

PLAYGROUND = """中心花园的儿童游乐设施使用已满八年，滑梯破裂、秋千链条生锈，地面为水泥硬化。

### 翻新内容
- 更换组合滑梯、秋千各一套
- 地面改为 EPDM 塑胶软垫
- 增设家长休息座椅和遮阳棚

预算不超过 9.5 万元，使用公共收益。详见物业张贴的两家供应商报价。"""

COVENANT = """近一年物业接到犬只相关投诉 63 起，主要是不牵绳、电梯内伤人和随地便溺。

### 拟新增条款
1. 犬只出户须牵绳，绳长不超过 1.5 米
2. 大型犬乘梯避开 7:30–9:00、17:30–19:30 高峰
3. 犬只粪便须即时清理，违者由物业劝导并公示

修订需经业主大会表决通过后生效。"""

ROOFS = """1栋、2栋建成已十二年，今年雨季两栋顶楼共有 **14 户**反映渗漏，物业多次局部修补无效。

### 申请事项
申请使用专项维修资金，整体更换 1栋、2栋屋面防水层。

### 预算与分摊
- 初步预算 41.8 万元（以比选结果为准）
- 由两栋业主按专有部分面积分摊

### 程序
按规定需经两栋业主表决同意；本社区要求党支部前置研究。"""

PARKING = """小区地面车位 186 个，业主车辆已超过 300 辆，消防通道和绿地被长期占用。

### 规划调整
- 重新划线，增加 22 个车位，消防通道全部清空
- 设置 12 个临时车位，供访客和送货车辆使用

### 收费标准
| 类型 | 现行 | 拟调整 |
| --- | --- | --- |
| 月租车位 | 150 元/月 | 240 元/月 |
| 临时停车 | 前 30 分钟免费 | 前 30 分钟免费，之后 3 元/小时 |

收费标准调整须经业主大会表决。"""

SHED = """全小区电动自行车约 420 辆，楼道停放、飞线充电屡禁不止，存在严重火灾隐患。

### 建议
在 2 号门西侧空地建设集中充电棚：
- 约 120 个充电位，配喷淋、烟感、监控
- 扫码计费，设备由运营商投资

请大家就位置和收费提出意见。"""

CHARGERS = """楼下没有充电的地方，大家只好把电瓶拎回家充，太危险了。

建议在每栋楼附近装几个充电桩。"""

WASTE = """按照街道统一部署，翠湖社区拟开展为期三个月的垃圾分类定时定点投放试点。

### 试点内容
- 撤除楼道垃圾桶，设 3 个集中投放点
- 投放时间：早 7:00–9:00，晚 19:00–21:30
- 设 1 个错时投放点，供上夜班的居民使用

### 配套
志愿者值守、洗手池、照明，以及每月“分类达人”评选。"""

WEEKEND_RENOVATION = """现行规约规定周六、周日全天禁止产生噪音的装修作业，导致装修工期过长。

建议改为周末上午 9:00–12:00 可以施工，下午和晚上仍然禁止。"""

LIFT = """3栋为 11 层无电梯住宅，60 岁以上老人有 27 位，上下楼非常困难。

### 征集事项
征集 3栋业主对加装电梯的意向，达到联署人数后由业委会组织：
1. 请设计单位现场踏勘
2. 召开 3栋业主协商会，讨论费用分摊和低层补偿

按政策，加装电梯需本栋专有部分面积和人数均达到三分之二以上业主参与表决，并经参与表决者四分之三以上同意。"""

LOCKERS = """东门门岗每天代收快递上百件，丢件、错拿时有发生。

建议在东门内侧增设两组智能快递柜，由快递柜运营商免费安装，小区收取场地费计入公共收益。"""

SERVICE_FEE = """物业服务费已连续三年未公布收支明细。

建议物业按季度在公告栏和本平台公布：
- 服务费收入及收缴率
- 人员工资、保洁、绿化、设备维护等主要支出
- 公共收益（停车、广告）收支情况"""
