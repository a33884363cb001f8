"""The notice board: posting, reading, read receipts and the read rate, reminders."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale, format_datetime
from PIL import ExifTags, Image
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db, utcnow
from app.notices.models import Notice, NoticeRead, Notification, NotificationKind
from app.notices.services import REMIND_EVERY, mark_read
from tests.proposals.conftest import photo, post_multipart

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 5.0)
    out = BytesIO()
    Image.new("RGB", (800, 600), (200, 40, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _file(client, url):
    """A file response, read and closed (it is streamed from its file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def as_user(login, en, world):
    def log_in(key_or_user):
        user = world.users[key_or_user] if isinstance(key_or_user, str) else key_or_user
        login(user)
        return en

    return log_in


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("outsider", 403), ("other_admin", 403), ("resident", 200), ("oc_staff", 200),
])
def test_the_board_is_for_the_community(who, status, client, world, login):
    if who:
        login(world.users[who])
    response = client.get(f"/c/{world.community.id}/notices")
    assert response.status_code == status
    if who is None:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("outsider", 403), ("resident", 403), ("moderator", 403),
    ("community_admin", 403), ("oc_staff", 200), ("oc_chair", 200), ("property_staff", 200),
])
def test_only_organisation_staff_may_post(who, status, client, world, login):
    if who:
        login(world.users[who])
    assert client.get(f"/c/{world.community.id}/notices/new").status_code == status
    if who not in ("oc_staff", "oc_chair", "property_staff"):
        response = client.post(f"/c/{world.community.id}/notices/new",
                               data={"title": "x", "body": "y", "scope_kind": "community"})
        assert response.status_code == status
        assert _count(Notice) == 0


@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("outsider", 403), ("other_admin", 403), ("resident", 200),
    ("property_staff", 200),
])
def test_a_notice_is_public_within_its_community(who, status, client, world, login,
                                                  make_notice, make_unit):
    building = world.community.buildings[1]
    notice = make_notice(world.owners_committee, scope_kind="buildings", buildings=[building])
    if who:
        login(world.users[who])
    assert client.get(f"/notices/{notice.id}").status_code == status


@pytest.mark.parametrize("path", ["reads", "remind", "pin", "withdraw"])
@pytest.mark.parametrize(("who", "status"), [
    (None, 302), ("outsider", 403), ("resident", 403), ("property_staff", 403),
    ("community_admin", 403), ("oc_staff", None),
])
def test_only_the_issuers_staff_manage_a_notice(path, who, status, client, world, login,
                                                make_notice):
    notice = make_notice(world.owners_committee)
    if who:
        login(world.users[who])
    url = f"/notices/{notice.id}/{path}"
    response = (client.get(url) if path == "reads"
                else client.post(url, data={"pinned": "1"}))
    if status is None:
        assert response.status_code in (200, 302)
        assert "/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == status
        db.session.expire_all()
        assert (notice.pinned, notice.withdrawn_at, notice.last_reminded_at) == (
            False, None, None)


# --- Posting ---------------------------------------------------------------------------------


def test_staff_post_a_notice_with_a_photo_and_a_pdf_to_one_building(as_user, world):
    client = as_user("oc_staff")
    building = world.community.buildings[1]
    response = client.post(
        f"/c/{world.community.id}/notices/new", content_type="multipart/form-data",
        data={"organisation": str(world.owners_committee.id), "title": " 2栋电梯检修 ",
              "body": "**周三**停运一天。", "scope_kind": "buildings",
              "buildings": [str(building.id)], "expires_at": "2099-01-01T18:00",
              "pinned": "y",
              "attachments": [(BytesIO(_photo_with_gps()), "IMG_0001.HEIC.jpeg"),
                              (BytesIO(PDF), "../../检修方案.pdf")]})
    notice = db.session.execute(select(Notice)).scalar_one()
    assert response.headers["Location"] == f"/notices/{notice.id}"
    assert (notice.title, notice.organisation_id, notice.author_id, notice.pinned) == (
        "2栋电梯检修", world.owners_committee.id, world.users["oc_staff"].id, True)
    assert notice.body_html == "<p><strong>周三</strong>停运一天。</p>"
    assert [b.name for b in notice.scope_buildings] == ["2栋"]
    assert notice.expires_at.isoformat() == "2099-01-01T10:00:00+00:00"
    assert [(a.original_name, a.content_type) for a in notice.attachments] == [
        ("IMG_0001.HEIC.jpg", "image/jpeg"), ("检修方案.pdf", "application/pdf")]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "notice.post")
                               ).scalar_one()
    assert event.target == f"notice:{notice.id}"

    page = _text(client.get(f"/notices/{notice.id}").get_data(as_text=True))
    assert "Official" in page and "Issued by 业委会" in page
    assert "Chosen buildings: 2栋" in page and "valid until 1/1/99, 6:00 PM" in page
    photo, pdf = notice.attachments
    served = _file(client, f"/notices/{notice.id}/attachments/{photo.id}")
    assert served.mimetype == "image/jpeg"
    with Image.open(BytesIO(served.data)) as image:
        assert not image.getexif(), "the photo must lose its EXIF (GPS) data"
    thumb = _file(client, f"/notices/{notice.id}/attachments/{photo.id}/thumb")
    assert thumb.status_code == 200 and len(thumb.data) < len(served.data)
    served = _file(client, f"/notices/{notice.id}/attachments/{pdf.id}")
    assert served.data == PDF and served.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E6%A3%80%E4%BF%AE%E6%96%B9%E6%A1%88.pdf" in served.headers[
        "Content-Disposition"]
    assert served.headers["Cache-Control"] == "private, max-age=3600"
    assert client.get(f"/notices/{notice.id}/attachments/{pdf.id}/thumb").status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    ({"title": ""}, "This field is required."),
    ({"body": ""}, "This field is required."),
    ({"scope_kind": "buildings"}, "Choose at least one building."),
    ({"scope_kind": "grids"}, "Choose at least one grid."),
    ({"expires_at": "2001-01-01T09:00"}, "Choose a time in the future, or leave it empty."),
    ({"organisation": "PROPERTY"},
     "You can only post for an organisation where you are staff or chair."),
    # Uploads are made afresh for each backend: a posted file is closed afterwards.
    (lambda: {"attachments": (BytesIO(b"MZ not a document"), "setup.exe")},
     "“setup.exe” is neither a PDF nor a JPEG, PNG or WebP photo."),
    (lambda: {"attachments": [(BytesIO(PDF), f"{n}.pdf") for n in range(7)]},
     "A notice can have at most 6 attachments."),
])
def test_bad_input_posts_nothing_and_keeps_what_was_typed(data, message, as_user, world):
    client = as_user("oc_staff")
    form = {"organisation": str(world.owners_committee.id), "title": "停电通知",
            "body": "周五停电。", "scope_kind": "community",
            **(data() if callable(data) else data)}
    if form["organisation"] == "PROPERTY":
        form["organisation"] = str(world.property_company.id)
    response = client.post(f"/c/{world.community.id}/notices/new", data=form,
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "The notice was not posted." in page
    assert _count(Notice) == 0
    if form["title"]:
        assert 'value="停电通知"' in page
    if form["body"]:
        assert "周五停电。</textarea>" in page


def test_the_attachment_limits_are_the_settings(as_user, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTICE_MAX_ATTACHMENTS", 2)
    monkeypatch.setitem(app.config, "PDF_MAX_BYTES", 3 * 1024 * 1024)
    client = as_user("oc_staff")
    url = f"/c/{world.community.id}/notices/new"
    form = {"organisation": str(world.owners_committee.id), "title": "停电通知",
            "body": "周五停电。", "scope_kind": "community"}
    assert ("Up to 2 files: PDFs of at most 3 MB, JPEG, PNG or WebP photos of at most 5 MB."
            in client.get(url).get_data(as_text=True))
    three = [(BytesIO(PDF), f"{n}.pdf") for n in range(3)]
    page = client.post(url, data={**form, "attachments": three},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "A notice can have at most 2 attachments." in page
    big = photo(PDF + b"0" * 3 * 1024 * 1024, "big.pdf")
    page = post_multipart(client, url, {**form, "attachments": big}).get_data(as_text=True)
    assert "“big.pdf” is larger than 3 MB. Choose a smaller file." in page
    assert _count(Notice) == 0


def test_a_too_large_upload_is_refused_with_a_message(as_user, world, app, monkeypatch):
    client = as_user("oc_staff")
    monkeypatch.setitem(app.config, "NOTICE_UPLOAD_LIMIT", 1024)
    response = client.post(
        f"/c/{world.community.id}/notices/new", content_type="multipart/form-data",
        data={"title": "x", "attachments": (BytesIO(PDF + b"0" * 2048), "big.pdf")})
    assert response.status_code == 413
    assert _count(Notice) == 0


# --- The board and the home page ------------------------------------------------------------


def _titles(page: str, section: str) -> list[str]:
    part = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/notices/\d+">([^<]+)</a>', part)


def test_the_board_puts_notices_for_my_home_first_pinned_then_newest(
        world, neighbours, make_notice, login, en):
    first, second = world.community.buildings
    oc = world.owners_committee
    make_notice(oc, "全体：旧通知", minutes_ago=50)
    make_notice(oc, "全体：置顶", pinned=True, minutes_ago=60)
    make_notice(oc, "1栋：新通知", scope_kind="buildings", buildings=[first], minutes_ago=10)
    make_notice(oc, "2栋：停水", scope_kind="buildings", buildings=[second], minutes_ago=5)
    make_notice(oc, "第二网格：活动", scope_kind="grids", grids=[second.grid], pinned=True)
    make_notice(oc, "已过期", expires_in_hours=-1)
    make_notice(oc, "已撤回", withdrawn=True)
    login(neighbours["1栋"][0])

    page = en.get(f"/c/{world.community.id}/notices").get_data(as_text=True)

    assert _titles(page, "notices-for-home") == ["全体：置顶", "1栋：新通知", "全体：旧通知"]
    assert _titles(page, "notices-others") == ["第二网格：活动", "2栋：停水"]
    assert "已过期" not in page and "已撤回" not in page
    assert "1 expired notice" in page
    expired = en.get(f"/c/{world.community.id}/notices?expired=1").get_data(as_text=True)
    assert _titles(expired, "notices-expired") == ["已过期"]


def test_the_issuer_still_sees_a_withdrawn_notice_marked_so(world, make_notice, as_user):
    make_notice(world.owners_committee, "已撤回", withdrawn=True)
    page = as_user("oc_staff").get(f"/c/{world.community.id}/notices").get_data(as_text=True)
    assert _titles(page, "notices-others") == ["已撤回"]
    assert "Withdrawn" in page


def test_an_empty_board_says_so_and_offers_staff_to_post(world, as_user):
    page = as_user("oc_staff").get(f"/c/{world.community.id}/notices").get_data(as_text=True)
    assert "No notices on the board yet." in page
    assert f'href="/c/{world.community.id}/notices/new"' in page
    page = as_user("resident").get(f"/c/{world.community.id}/notices").get_data(as_text=True)
    assert "/notices/new" not in page


def test_the_home_page_shows_current_notices_for_my_home_first(world, neighbours, make_notice,
                                                                login, en):
    first, second = world.community.buildings
    oc = world.owners_committee
    make_notice(oc, "全体：旧通知", minutes_ago=50)
    make_notice(oc, "全体：置顶", pinned=True, minutes_ago=60)
    make_notice(oc, "1栋：新通知", scope_kind="grids", grids=[first.grid], minutes_ago=10)
    make_notice(oc, "2栋：停水", scope_kind="buildings", buildings=[second])
    make_notice(oc, "已过期", expires_in_hours=-1)
    make_notice(oc, "已撤回", withdrawn=True)
    make_notice(world.other_community_org if hasattr(world, "other_community_org") else oc,
                "即将过期", expires_in_hours=1, minutes_ago=100)
    login(neighbours["1栋"][0])
    page = en.get("/").get_data(as_text=True)
    assert page.index('id="home-notices"') < page.index("翠湖花园")
    assert _titles(page, "home-notices") == ["全体：置顶", "1栋：新通知", "全体：旧通知",
                                             "即将过期"]
    assert page.count("Unread") == 4


def test_staff_without_a_home_see_no_notice_section_at_home(world, make_notice, as_user):
    make_notice(world.owners_committee)
    page = as_user("oc_staff").get("/").get_data(as_text=True)
    assert 'id="home-notices"' not in page
    assert f'href="/c/{world.community.id}/notices"' in page


# --- Reading ---------------------------------------------------------------------------------


def test_opening_a_notice_leaves_one_read_receipt(world, neighbours, make_notice, login, en):
    reader = neighbours["2栋"][0]
    notice = make_notice(world.owners_committee)
    login(reader)
    for _ in range(2):
        assert en.get(f"/notices/{notice.id}").status_code == 200
    assert _count(NoticeRead, NoticeRead.notice_id == notice.id) == 1
    page = en.get(f"/c/{world.community.id}/notices").get_data(as_text=True)
    assert "Unread" not in page


def test_a_second_receipt_for_the_same_reader_is_skipped_by_the_database(
        world, neighbours, make_notice):
    reader = neighbours["2栋"][0]
    notice = make_notice(world.owners_committee)
    mark_read(notice, reader)
    mark_read(notice, reader)
    db.session.commit()
    assert _count(NoticeRead) == 1


def test_a_withdrawn_notice_tells_residents_so_and_keeps_its_text_and_files_from_them(
        world, neighbours, make_notice, login, en, as_user):
    notice = make_notice(world.owners_committee, "停水通知", body="秘密正文", withdrawn=True)
    login(neighbours["1栋"][0])
    page = en.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "This notice was withdrawn on" in page
    assert "秘密正文" not in page
    assert _count(NoticeRead) == 0
    page = as_user("oc_staff").get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "秘密正文" in page and "Only your organisation still sees it." in page


def test_an_expired_notice_still_opens_and_says_it_expired(world, make_notice, as_user):
    notice = make_notice(world.owners_committee, expires_in_hours=-2)
    page = as_user("resident").get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "This notice expired on" in page


# --- Read rate and reminders ----------------------------------------------------------------


def _read(notice, users):
    for user in users:
        db.session.add(NoticeRead(notice_id=notice.id, user_id=user.id))
    db.session.commit()


def test_the_read_rate_counts_people_in_scope_by_building_hiding_small_groups(
        world, neighbours, make_notice, make_user, as_user):
    notice = make_notice(world.owners_committee)
    _read(notice, neighbours["1栋"][:3] + neighbours["2栋"][:1])
    # Read by someone outside the scope (staff): not counted.
    _read(notice, [world.users["oc_staff"]])
    page = _text(as_user("oc_staff").get(f"/notices/{notice.id}/reads").get_data(as_text=True))
    assert "4 of 8 people in scope have read it (50.00 %)." in page
    # 2栋's 2 people alone would be the overall figure minus 1栋's: 1栋 joins them.
    assert "Other buildings (fewer than 5 people each) 8 4 50.00 %" in page
    assert "1栋" not in page and "2栋" not in page


def test_a_scope_of_fewer_than_five_people_shows_no_read_rate(
        world, neighbours, make_notice, as_user):
    notice = make_notice(world.owners_committee, "2栋通知", scope_kind="buildings",
                         buildings=[world.community.buildings[1]])
    _read(notice, neighbours["2栋"][:1])
    page = _text(as_user("oc_staff").get(f"/notices/{notice.id}/reads").get_data(as_text=True))
    assert "Fewer than 5 people are in scope: the read rate is not shown" in page
    assert "1 of 2" not in page and "50.00 %" not in page


def test_owners_linked_to_their_unit_count_and_unverified_people_do_not(
        world, make_notice, make_user, resident_of, make_unit, as_user):
    from app.community.models import Owner, Residency, Role, RoleGrant

    owner = make_user(name="王伟")
    db.session.execute(select(Owner)).scalar_one().user_id = owner.id
    db.session.add(RoleGrant(user=owner, community_id=world.community.id,
                             role=Role.VERIFIED_OWNER))
    lodger = make_user(name="未认证")
    db.session.add(Residency(unit=world.unit, user=lodger))
    db.session.commit()
    for index in range(4):
        resident_of(make_unit(world.community, f"{index + 5}01"))
    notice = make_notice(world.owners_committee, scope_kind="grids",
                         grids=[world.community.buildings[0].grid])
    _read(notice, [owner, lodger])
    page = _text(as_user("oc_staff").get(f"/notices/{notice.id}/reads").get_data(as_text=True))
    assert "1 of 5 people in scope have read it (20.00 %)." in page
    assert "1栋 5 1 20.00 %" in page


def test_reminding_notifies_only_those_in_scope_who_have_not_read(
        world, neighbours, make_notice, as_user, login, en):
    first = world.community.buildings[0]
    notice = make_notice(world.owners_committee, "1栋停电", scope_kind="buildings",
                         buildings=[first])
    _read(notice, neighbours["1栋"][:2])
    client = as_user("oc_staff")
    response = client.post(f"/notices/{notice.id}/remind", follow_redirects=True)
    assert "4 people who have not read it were reminded." in response.get_data(as_text=True)
    reminded = set(db.session.execute(select(Notification.user_id).where(
        Notification.kind == NotificationKind.NOTICE_REMINDER,
        Notification.notice_id == notice.id)).scalars())
    assert reminded == {u.id for u in neighbours["1栋"][2:]}
    assert db.session.execute(select(AuditEvent.details).where(
        AuditEvent.action == "notice.remind")).scalar_one() == {"reminded": 4}

    again = client.post(f"/notices/{notice.id}/remind", follow_redirects=True)
    db.session.refresh(notice)
    with force_locale("en"):
        next_at = format_datetime(notice.last_reminded_at + REMIND_EVERY, "short")
    assert "A reminder went out at" in again.get_data(as_text=True)
    assert f"The next one can be sent after {next_at}." in again.get_data(as_text=True)
    assert _count(Notification) == 4

    # The reminded resident follows the notification to the notice, which reads both.
    login(neighbours["1栋"][2])
    page = en.get("/notifications").get_data(as_text=True)
    assert "Please read the notice “1栋停电” for your home." in page
    assert f'href="/notices/{notice.id}"' in page
    en.get(f"/notices/{notice.id}")
    assert _count(Notification, Notification.read_at.is_(None)) == 3


def test_a_day_later_the_issuer_may_remind_again_and_not_when_all_have_read(
        world, neighbours, make_notice, as_user):
    notice = make_notice(world.owners_committee, scope_kind="grids",
                         grids=[world.community.buildings[1].grid])
    notice.last_reminded_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.commit()
    client = as_user("oc_staff")
    page = client.post(f"/notices/{notice.id}/remind", follow_redirects=True
                       ).get_data(as_text=True)
    assert "2 people who have not read it were reminded." in page
    _read(notice, neighbours["2栋"])
    notice.last_reminded_at = utcnow() - timedelta(days=2)
    db.session.commit()
    page = client.post(f"/notices/{notice.id}/remind", follow_redirects=True
                       ).get_data(as_text=True)
    assert "Everyone in scope has read this notice" in page


# --- Pin, withdraw ---------------------------------------------------------------------------


def test_the_issuer_pins_unpins_and_withdraws_and_each_is_audited(world, make_notice, as_user):
    notice = make_notice(world.owners_committee)
    client = as_user("oc_chair")
    page = client.post(f"/notices/{notice.id}/pin", data={"pinned": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The notice is pinned to the top of the board." in page
    db.session.expire_all()
    assert notice.pinned
    client.post(f"/notices/{notice.id}/pin", data={"pinned": "0"})
    db.session.expire_all()
    assert not notice.pinned
    page = client.post(f"/notices/{notice.id}/withdraw", follow_redirects=True
                       ).get_data(as_text=True)
    assert "The notice is withdrawn" in page
    db.session.expire_all()
    assert notice.withdrawn_at is not None
    again = client.post(f"/notices/{notice.id}/withdraw", follow_redirects=True)
    assert "This notice is already withdrawn." in again.get_data(as_text=True)
    assert list(db.session.execute(select(AuditEvent.action).where(
        AuditEvent.target == f"notice:{notice.id}").order_by(AuditEvent.id)).scalars()) == [
        "notice.pin", "notice.unpin", "notice.withdraw"]
    page = client.post(f"/notices/{notice.id}/remind", follow_redirects=True
                       ).get_data(as_text=True)
    assert "This notice is withdrawn or expired: nobody is reminded about it." in page
    assert _count(Notification) == 0


# --- Query counts ----------------------------------------------------------------------------


def _notices(world, make_notice, count, start=0):
    """Notices from each organisation in turn, by its own staff member, for the whole
    community, for one of its buildings or for one of its grids."""
    buildings = world.community.buildings
    senders = [(world.owners_committee, "oc_staff"), (world.property_company, "property_staff"),
               (world.neighbourhood_committee, "nc_staff"), (world.party_branch, "party_chair")]
    for index in range(start, start + count):
        organisation, author = senders[index % len(senders)]
        building = buildings[index % len(buildings)]
        make_notice(organisation, f"通知{index}", pinned=index % 2 == 0,
                    author=world.users[author],
                    scope_kind=("community", "buildings", "grids")[index % 3],
                    buildings=[building] if index % 3 == 1 else [],
                    grids=[building.grid] if index % 3 == 2 else [])


def test_a_notice_for_some_buildings_or_grids_costs_one_query_more(
        world, neighbours, make_notice, login, app, count_queries):
    """Only a notice scoped to buildings or grids loads them; the same notice for the whole
    community does not, and the count does not grow with the places named."""
    reader = neighbours["1栋"][0]
    client = login(reader, app.test_client())
    buildings = list(world.community.buildings)
    notices = {
        "community": make_notice(world.owners_committee, "全体"),
        "one building": make_notice(world.owners_committee, "一栋", scope_kind="buildings",
                                    buildings=buildings[:1]),
        "every building": make_notice(world.owners_committee, "各栋", scope_kind="buildings",
                                      buildings=buildings),
        "every grid": make_notice(world.owners_committee, "各网格", scope_kind="grids",
                                  grids=list(world.community.grids)),
    }
    counts = {}
    for label, notice in notices.items():
        client.get(f"/notices/{notice.id}")
        with count_queries() as queries:
            page = client.get(f"/notices/{notice.id}")
        assert page.status_code == 200 and notice.title in page.text
        counts[label] = len(queries)
    assert len(buildings) > 1
    assert counts == {"community": 7, "one building": 8, "every building": 8, "every grid": 8}


@pytest.mark.parametrize(("who", "url", "expected"), [
    ("reader", lambda w, n: f"/c/{w.community.id}/notices", 10),
    ("reader", lambda w, n: f"/c/{w.community.id}/notices?expired=1", 6),
    ("reader", lambda w, n: "/", 10),  # with what waits: open votes, meetings today
    ("reader", lambda w, n: f"/notices/{n.id}", 7),
    ("oc_staff", lambda w, n: f"/notices/{n.id}/reads", 6),
])
def test_queries_stay_fixed_as_notices_and_readers_grow(who, url, expected, world, neighbours,
                                                       make_notice, login, app,
                                                       count_queries):
    reader = neighbours["1栋"][0]
    client = login(reader if who == "reader" else world.users[who], app.test_client())
    _notices(world, make_notice, 1)
    notice = make_notice(world.owners_committee, "附件通知", expires_in_hours=-1,
                         author=world.users["oc_chair"])
    target = url(world, notice)
    client.get(target)
    with count_queries() as small:
        assert client.get(target).status_code == 200
    _notices(world, make_notice, 5, start=1)
    for index, organisation in enumerate([world.property_company, world.party_branch,
                                          world.neighbourhood_committee, world.owners_committee]):
        make_notice(organisation, f"过期{index}", expires_in_hours=-1)
    _read(notice, neighbours["1栋"][1:] + neighbours["2栋"])
    with count_queries() as large:
        assert client.get(target).status_code == 200
    assert (len(small), len(large)) == (expected, expected), "\n".join(large)


def test_attachments_are_served_only_to_those_who_may_read_the_notice(
        world, make_notice, client, login, uploads):
    from app.core.uploads import ATTACHMENTS, CleanFile, store
    from app.notices.models import NoticeAttachment

    notice = make_notice(world.owners_committee)
    stored = store(ATTACHMENTS, CleanFile(PDF, "application/pdf", "方案.pdf"))
    attachment = NoticeAttachment(notice_id=notice.id, stored_name=stored,
                                  original_name="方案.pdf", content_type="application/pdf",
                                  size=len(PDF))
    db.session.add(attachment)
    db.session.commit()
    url = f"/notices/{notice.id}/attachments/{attachment.id}"
    assert (uploads / stored).read_bytes() == PDF
    assert "/login" in client.get(url).headers["Location"]
    login(world.users["outsider"])
    assert client.get(url).status_code == 403
    assert client.get(f"{url}/thumb").status_code == 403
    login(world.users["resident"])
    assert _file(client, url).data == PDF
    assert client.get(f"/notices/{notice.id}/attachments/{attachment.id + 1}").status_code == 404
    notice.withdrawn_at = utcnow()
    db.session.commit()
    assert client.get(url).status_code == 404
    login(world.users["oc_staff"])
    assert _file(client, url).status_code == 200
