"""Feeds: a person's secret calendar and notices addresses, a community's public Atom feed
and its public export. Every feed is read back with a real parser (icalendar, feedparser,
csv, json) and checked for what a calendar app or a feed reader would show."""

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import unquote

import feedparser
import icalendar
import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.community.models import MemberRole, Membership, OrganisationKind, Role, RoleGrant
from app.extensions import db, utcnow
from app.feeds.models import FeedSecret
from app.meetings import services as meetings
from app.notices.models import Notice, NoticeKind
from app.voting.models import Ballot, ElectorateKind, Poll, PollStatus, Secrecy
from app.voting.services import extend
from tests.meetings.conftest import make_meeting  # noqa: F401  (fixture)
from tests.notices.conftest import make_notice  # noqa: F401  (fixture)
from tests.voting.conftest import closed_poll, make_estate  # noqa: F401  (fixtures)


class Scene:
    """Two estates (two communities), each with a meeting, an open poll and notices; the
    first also has a closed open-roll owners' vote whose result notice is public, a notice
    marked public, one that is not, and minutes. Everyone has a phone number of their own."""


@pytest.fixture
def scene(make_estate, make_notice, make_meeting, make_org, make_user, add_member,  # noqa: F811
          make_community, give_role, make_proposal):
    s = Scene()
    s.home = make_estate()
    s.away = Scene()
    s.away.community = make_community(buildings=("5栋", "6栋"))
    s.away.tenant, s.away.chair = make_user(name="别处居民"), make_user(name="别处主任")
    give_role(s.away.tenant, Role.RESIDENT, s.away.community)
    s.away.proposal = make_proposal(s.away.community, s.away.chair, title="更换物业")
    s.closed = closed_poll(s.home, secrecy=Secrecy.OPEN_ROLL, allow_early_close=True)
    s.result = db.session.execute(select(Notice).where(Notice.poll_id == s.closed.id)
                                  ).scalar_one()
    s.committee = s.result.organisation
    s.property = make_org(s.home.community, OrganisationKind.PROPERTY_COMPANY, "物业公司")
    writer = make_user(name="物业干事")
    add_member(s.property, writer, MemberRole.STAFF)
    s.public = make_notice(s.committee, "小区开放日", body="周六上午开放。", minutes_ago=30)
    s.public.public = True
    s.works = make_notice(s.property, "电梯检修", body="二号楼电梯停用。", author=writer,
                          minutes_ago=20)
    s.works.public = True
    s.private = make_notice(s.committee, "内部通知", body="仅限本小区。", minutes_ago=10)
    s.minutes = make_notice(s.committee, "业委会会议纪要", kind=NoticeKind.MINUTES,
                            body="出席：会议主持人、委员1。", minutes_ago=5)
    s.meeting = make_meeting(community=s.home.community, organisation=s.committee,
                             proposals=[s.home.proposal], starts_in=timedelta(days=2),
                             title="业委会例会", place="社区活动室")
    now = utcnow()
    s.open = Poll(proposal_id=s.away.proposal.id, community_id=s.away.community.id,
                  question="是否更换物业？", rule="simple_majority",
                  electorate=ElectorateKind.RESIDENTS, opens_at=now - timedelta(hours=1),
                  closes_at=now + timedelta(days=7), status=PollStatus.OPEN,
                  created_by_id=s.away.chair.id)
    db.session.add(s.open)
    s.away_meeting = make_meeting(community=s.away.community, title="别的小区会议",
                                  proposals=[s.away.proposal], starts_in=timedelta(days=3))
    db.session.commit()
    for user in [*s.home.owners, s.home.chair, s.home.staff, s.home.tenant, s.home.outsider,
                 s.away.tenant, s.away.chair]:
        user.phone = f"1390000{user.id:04d}"
    db.session.commit()
    return s


def _secret_of(app, login, user) -> str:
    """Make the person's addresses on their page, as they would, and read the secret off it."""
    client = app.test_client()
    login(user, client)
    page = client.post("/me/feeds/new").get_data(as_text=True)
    return re.search(r"/feeds/([A-Za-z0-9_-]+)/calendar\.ics", page).group(1)


def _calendar(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(event["UID"]): event
            for event in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


# --- The secret ----------------------------------------------------------------------------------


def test_a_person_makes_rotates_and_revokes_their_addresses(app, login, scene):
    owner = scene.home.owners[0]
    client = app.test_client()
    login(owner, client)
    client.set_cookie("lang", "en")
    assert "You have no feed addresses" in client.get("/me/feeds").get_data(as_text=True)

    made = client.post("/me/feeds/new")
    assert made.headers["Cache-Control"] == "private, no-store"
    first = re.search(r"/feeds/([A-Za-z0-9_-]+)/calendar\.ics", made.get_data(as_text=True)
                      ).group(1)
    page = made.get_data(as_text=True)
    assert f"/feeds/{first}/c/{scene.home.community.id}/calendar.ics" in page
    assert f"/feeds/{first}/notices.atom" in page
    # Shown once: the page after shows that addresses exist, not the addresses.
    assert first not in client.get("/me/feeds").get_data(as_text=True)
    stored = db.session.execute(select(FeedSecret)).scalar_one()
    assert first not in stored.secret_hash and len(stored.secret_hash) == 64
    stranger = app.test_client()
    assert stranger.get(f"/feeds/{first}/calendar.ics").status_code == 200

    rotated = re.search(r"/feeds/([A-Za-z0-9_-]+)/calendar\.ics",
                        client.post("/me/feeds/new").get_data(as_text=True)).group(1)
    assert rotated != first
    assert stranger.get(f"/feeds/{first}/calendar.ics").status_code == 404
    assert stranger.get(f"/feeds/{rotated}/notices.atom").status_code == 200

    assert client.post("/me/feeds/revoke").status_code == 302
    for url in (f"/feeds/{rotated}/calendar.ics", f"/feeds/{rotated}/notices.atom",
                f"/feeds/{rotated}/c/{scene.home.community.id}/calendar.ics",
                "/feeds/not-a-secret/calendar.ics"):
        assert stranger.get(url).status_code == 404, url
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.action.like("feeds.%")).order_by(AuditEvent.seq)).all()
    assert actions == [("feeds.secret_create", owner.id), ("feeds.secret_rotate", owner.id),
                       ("feeds.secret_revoke", owner.id)]


def test_two_taps_at_once_leave_one_live_secret_and_a_working_page(app, login, scene,
                                                                   monkeypatch):
    """The second of two simultaneous taps read "no addresses yet" before the first committed:
    it is refused by the database, says so, and the page keeps working."""
    from app.feeds import services

    owner = scene.home.owners[0]
    client = app.test_client()
    login(owner, client)
    client.set_cookie("lang", "en")
    client.post("/me/feeds/new")
    monkeypatch.setattr(services, "live_secret", lambda user: None)  # as the racing tap saw it
    second = client.post("/me/feeds/new", follow_redirects=True)
    assert "Your addresses were just made by another tap" in second.get_data(as_text=True)
    monkeypatch.undo()
    assert db.session.execute(select(func.count()).select_from(FeedSecret).where(
        FeedSecret.revoked_at.is_(None))).scalar_one() == 1
    assert client.get("/me/feeds").status_code == 200
    assert client.post("/me/feeds/revoke").status_code == 302


def test_a_stale_form_changes_nothing_and_says_so(app, login, scene):
    client = app.test_client()
    login(scene.home.owners[0], client)
    client.set_cookie("lang", "en")
    response = client.post("/me/feeds/new", data={"csrf_token": "stale"}, csrf=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.execute(select(FeedSecret)).first() is None
    _secret_of(app, login, scene.home.owners[0])
    assert client.post("/me/feeds/revoke", data={"csrf_token": "stale"},
                       csrf=False).status_code == 400
    assert db.session.execute(select(FeedSecret.revoked_at)).scalar_one() is None


# --- The calendar -------------------------------------------------------------------------------


def _uids_of(scene, community) -> set[str]:
    if community is scene.home.community:
        return {f"meeting-{scene.meeting.id}@gongzhi", f"poll-{scene.closed.id}@gongzhi"}
    return {f"meeting-{scene.away_meeting.id}@gongzhi", f"poll-{scene.open.id}@gongzhi"}


def test_each_person_s_calendar_holds_what_they_may_see(app, login, scene):
    home, away = scene.home.community, scene.away.community
    stranger = app.test_client()
    sees = {  # who: the communities whose meetings and votes their calendar holds
        "owner": (scene.home.owners[0], [home]),
        "staff": (scene.home.staff, [home]),
        "resident elsewhere": (scene.away.tenant, [away]),
        "outsider": (scene.home.outsider, []),
    }
    for who, (user, communities) in sees.items():
        secret = _secret_of(app, login, user)
        everything = set().union(*(_uids_of(scene, c) for c in communities))
        assert set(_calendar(stranger, f"/feeds/{secret}/calendar.ics")) == everything, who
        for community in (home, away):
            url = f"/feeds/{secret}/c/{community.id}/calendar.ics"
            if community in communities:
                assert set(_calendar(stranger, url)) == _uids_of(scene, community), who
            else:
                assert stranger.get(url).status_code == 404, (who, community.name)


def test_what_a_calendar_app_shows_of_a_meeting_and_a_vote(app, login, scene):
    secret = _secret_of(app, login, scene.home.owners[0])
    events = _calendar(app.test_client(), f"/feeds/{secret}/calendar.ics")
    meeting = events[f"meeting-{scene.meeting.id}@gongzhi"]
    assert str(meeting["SUMMARY"]) == "业委会例会"
    assert str(meeting["LOCATION"]) == "社区活动室"
    assert meeting.decoded("DTSTART") == scene.meeting.starts_at.replace(microsecond=0)
    assert meeting.decoded("DTEND") == scene.meeting.ends_at.replace(microsecond=0)
    assert f"1. {scene.home.proposal.title}" in str(meeting["DESCRIPTION"])
    assert str(meeting["STATUS"]) == "CONFIRMED" and int(meeting["SEQUENCE"]) == 0
    assert str(meeting["URL"]).endswith(f"/meetings/{scene.meeting.id}")
    poll = events[f"poll-{scene.closed.id}@gongzhi"]
    assert str(poll["SUMMARY"]) == "投票：是否同意加装电梯？"
    assert poll.decoded("DTSTART") == scene.closed.opens_at.replace(microsecond=0)
    assert poll.decoded("DTEND") == scene.closed.closes_at.replace(microsecond=0)


def test_a_moved_meeting_and_an_extended_vote_replace_the_old_and_a_cancelled_one_says_so(
        app, login, scene):
    secret = _secret_of(app, login, scene.away.tenant)
    client = app.test_client()
    meeting, poll = scene.away_meeting, scene.open
    uid = f"meeting-{meeting.id}@gongzhi"
    before = _calendar(client, f"/feeds/{secret}/calendar.ics")[uid]
    later = meeting.starts_at + timedelta(days=1)
    meetings.update(meeting, actor=meeting.chair, title=meeting.title, kind=meeting.kind,
                    starts_at=later, ends_at=later + timedelta(hours=2), place="居委会二楼",
                    online_link="", chair=meeting.chair, recorder=meeting.recorder)
    meetings.update(meeting, actor=meeting.chair, title="改名的会议", kind=meeting.kind,
                    starts_at=later, ends_at=later + timedelta(hours=2), place="居委会二楼",
                    online_link="", chair=meeting.chair, recorder=meeting.recorder)
    extend(poll, poll.closes_at + timedelta(days=2), actor=scene.away.chair, reason="延长")
    db.session.commit()
    events = _calendar(client, f"/feeds/{secret}/calendar.ics")
    moved = events[uid]
    assert int(moved["SEQUENCE"]) == int(before["SEQUENCE"]) + 1  # a rename is no move
    assert str(moved["LOCATION"]) == "居委会二楼" and str(moved["SUMMARY"]) == "改名的会议"
    assert moved.decoded("DTSTART") == later.replace(microsecond=0)
    assert int(events[f"poll-{poll.id}@gongzhi"]["SEQUENCE"]) == 1

    meetings.cancel(meeting, actor=meeting.chair, reason="台风")
    db.session.commit()
    cancelled = _calendar(client, f"/feeds/{secret}/calendar.ics")[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 2
    assert "已取消" in str(cancelled["SUMMARY"]) and "台风" in str(cancelled["DESCRIPTION"])


def test_leaving_a_community_empties_its_part_of_the_feed(app, login, scene):
    staff = scene.home.staff
    secret = _secret_of(app, login, staff)
    client = app.test_client()
    assert f"meeting-{scene.meeting.id}@gongzhi" in _calendar(
        client, f"/feeds/{secret}/calendar.ics")
    for membership in db.session.execute(select(Membership).where(
            Membership.user_id == staff.id)).scalars():
        db.session.delete(membership)
    db.session.commit()
    assert _calendar(client, f"/feeds/{secret}/calendar.ics") == {}
    assert client.get(
        f"/feeds/{secret}/c/{scene.home.community.id}/calendar.ics").status_code == 404
    assert feedparser.parse(client.get(f"/feeds/{secret}/notices.atom").data).entries == []


def test_the_calendar_speaks_the_person_s_language(app, login, scene):
    owner = scene.home.owners[0]
    owner.locale = "en"
    db.session.commit()
    secret = _secret_of(app, login, owner)
    events = _calendar(app.test_client(), f"/feeds/{secret}/calendar.ics")
    assert str(events[f"poll-{scene.closed.id}@gongzhi"]["SUMMARY"]) == \
        "Vote: 是否同意加装电梯？"


# --- Notices ----------------------------------------------------------------------------------


def test_the_person_s_notices_feed_holds_what_they_may_read(app, login, scene):
    client = app.test_client()
    owner_feed = feedparser.parse(client.get(
        f"/feeds/{_secret_of(app, login, scene.home.owners[0])}/notices.atom").data)
    assert not owner_feed.bozo
    titles = [entry.title for entry in owner_feed.entries]
    assert titles == [scene.result.title, "业委会会议纪要", "内部通知", "电梯检修", "小区开放日"]
    private = owner_feed.entries[2]
    assert private.link.endswith(f"/notices/{scene.private.id}")
    assert "仅限本小区。" in private.content[0].value
    assert private.author == scene.committee.name
    staff_feed = feedparser.parse(client.get(
        f"/feeds/{_secret_of(app, login, scene.home.staff)}/notices.atom").data)
    assert [entry.title for entry in staff_feed.entries] == titles
    away_feed = feedparser.parse(client.get(
        f"/feeds/{_secret_of(app, login, scene.away.tenant)}/notices.atom").data)
    assert "内部通知" not in [entry.title for entry in away_feed.entries]
    outsider_feed = feedparser.parse(client.get(
        f"/feeds/{_secret_of(app, login, scene.home.outsider)}/notices.atom").data)
    assert outsider_feed.entries == []


def test_the_public_atom_feed_lists_what_the_public_page_lists(app, login, scene):
    url = f"/public/c/{scene.home.community.id}/notices.atom"
    seen = set()
    for who in (None, scene.home.outsider, scene.away.tenant, scene.home.owners[0],
                scene.home.staff):
        client = app.test_client()
        if who is not None:
            login(who, client)
        response = client.get(url)
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        seen.add(response.data)
    assert len(seen) == 1  # the same for everybody
    feed = feedparser.parse(seen.pop())
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == [
        scene.result.title, "业委会会议纪要", "电梯检修", "小区开放日"]
    entries = {entry.title: entry for entry in feed.entries}
    assert entries["电梯检修"].link.endswith(f"/public/notices/{scene.works.id}")
    assert "二号楼电梯停用。" in entries["电梯检修"].content[0].value
    # In the site's language whatever the reader's: a result by its counts, not its text.
    assert entries[scene.result.title].content[0].value == (
        "<p>3 位业主（面积 300.00 平方米）参加了表决；名册上共 3 位业主、面积 300.00 平方米。</p>"
        "<p>全文请看公开页面。</p>")
    # The other community's feed has nothing of this one.
    other = feedparser.parse(app.test_client().get(
        f"/public/c/{scene.away.community.id}/notices.atom").data)
    assert other.entries == []


def test_public_feeds_are_not_found_where_the_community_publishes_nothing(app, scene):
    community = scene.home.community
    community.public_result_notices = community.public_minutes = False
    community.public_notices = False
    db.session.commit()
    client = app.test_client()
    for suffix in ("notices.atom", "export.json", "export.csv"):
        assert client.get(f"/public/c/{community.id}/{suffix}").status_code == 404, suffix
    assert client.get("/public/c/999999/notices.atom").status_code == 404
    community.public_notices = True
    db.session.commit()
    feed = feedparser.parse(client.get(f"/public/c/{community.id}/notices.atom").data)
    assert [entry.title for entry in feed.entries] == ["电梯检修", "小区开放日"]


# --- The export ---------------------------------------------------------------------------------


def test_the_export_holds_the_public_notices_and_the_vote_counts(app, scene):
    client = app.test_client()
    community = scene.home.community
    response = client.get(f"/public/c/{community.id}/export.json")
    assert response.headers["Content-Type"] == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == \
        f"{community.name}-公开数据.json"
    data = json.loads(response.data)
    assert data["community"]["name"] == community.name
    assert [item["title"] for item in data["notices"]] == [
        scene.result.title, "业委会会议纪要", "电梯检修", "小区开放日"]
    result = data["notices"][0]
    assert result["vote"]["roll_people"] == 3 and result["vote"]["voted_area"] == "300.00"
    assert result["bulletin_url"].endswith(f"/public/polls/{scene.closed.id}/bulletin")
    assert data["notices"][2]["body"] == "二号楼电梯停用。"
    assert data["notices"][0]["body"] == data["notices"][1]["body"] == ""

    response = client.get(f"/public/c/{community.id}/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    assert unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1]) \
        == f"{community.name}-公开数据.csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "类型", "标题"]
    assert [row[2] for row in rows[1:]] == [
        scene.result.title, "业委会会议纪要", "电梯检修", "小区开放日"]
    assert rows[1][10:] == ["3", "300.00", "3", "300.00"]


def test_no_name_phone_or_ballot_choice_reaches_a_public_feed(app, scene):
    """Owners, voters, the chair, the meeting's people and the staff who wrote a notice:
    none of their names or numbers, nor any receipt or choice, in any public feed."""
    from app.auth.models import User

    people = db.session.execute(select(User)).scalars().all()
    receipts = db.session.execute(select(Ballot.receipt)).scalars().all()
    assert receipts
    client = app.test_client()
    for community in (scene.home.community, scene.away.community):
        for suffix in ("notices.atom", "export.json", "export.csv"):
            text = client.get(f"/public/c/{community.id}/{suffix}").get_data(as_text=True)
            for person in people:
                assert person.name not in text, (suffix, person.name)
                assert person.phone not in text, (suffix, person.phone)
            for receipt in receipts:
                assert receipt not in text, suffix
            for choice in ("赞成", "反对", "In favour", "approve", "oppose"):
                assert choice not in text, (suffix, choice)


# --- HTTP ---------------------------------------------------------------------------------------


def test_secret_feeds_are_private_and_public_ones_public_and_both_answer_304(app, login,
                                                                             scene):
    secret = _secret_of(app, login, scene.home.owners[0])
    client = app.test_client()
    urls = {f"/feeds/{secret}/calendar.ics": "private, no-cache",
            f"/feeds/{secret}/notices.atom": "private, no-cache",
            f"/public/c/{scene.home.community.id}/notices.atom": "public, no-cache",
            f"/public/c/{scene.home.community.id}/export.json": "public, no-cache",
            f"/public/c/{scene.home.community.id}/export.csv": "public, no-cache"}
    for url, policy in urls.items():
        first = client.get(url)
        assert first.headers["Cache-Control"] == policy, url
        assert "Set-Cookie" not in first.headers, url
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url
    scene.public.title = "小区开放日（改期）"
    db.session.commit()
    url = f"/public/c/{scene.home.community.id}/notices.atom"
    etag = client.get(url).headers["ETag"]
    scene.public.title = "小区开放日（再改期）"
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_public_page_links_its_feeds(app, scene):
    page = app.test_client().get(f"/public/c/{scene.home.community.id}").get_data(as_text=True)
    for suffix in ("notices.atom", "export.csv", "export.json"):
        assert f'href="/public/c/{scene.home.community.id}/{suffix}"' in page


def test_feeds_cost_the_same_queries_with_many_rows(app, login, scene, make_meeting,  # noqa: F811
                                                    make_notice, count_queries):  # noqa: F811
    owner = scene.home.owners[0]
    secret = _secret_of(app, login, owner)
    community = scene.home.community
    urls = [f"/feeds/{secret}/calendar.ics", f"/feeds/{secret}/c/{community.id}/calendar.ics",
            f"/feeds/{secret}/notices.atom", f"/public/c/{community.id}/notices.atom",
            f"/public/c/{community.id}/export.json", f"/public/c/{community.id}/export.csv"]
    client = app.test_client()

    def costs():
        counts = []
        for url in urls:
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    before = costs()
    for index in range(4):
        organisation = scene.committee if index % 2 else scene.property
        make_meeting(community=community, organisation=organisation,
                     title=f"会议{index}", starts_in=timedelta(days=index + 1))
        notice = make_notice(organisation, f"公告{index}")
        notice.public = True
    db.session.commit()
    assert costs() == before
    assert before == [7, 7, 4, 2, 2, 2]


def test_a_resident_whose_role_is_taken_away_stops_seeing_the_community(app, login, scene):
    """The site's rule, not the feed, decides who sees a community."""
    tenant = scene.home.tenant
    secret = _secret_of(app, login, tenant)
    client = app.test_client()
    assert set(_calendar(client, f"/feeds/{secret}/calendar.ics")) == _uids_of(
        scene, scene.home.community)
    grant = db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == tenant.id, RoleGrant.role == Role.RESIDENT)).scalar_one()
    db.session.delete(grant)
    db.session.commit()
    assert _calendar(client, f"/feeds/{secret}/calendar.ics") == {}
