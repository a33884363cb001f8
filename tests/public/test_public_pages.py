"""Public pages: strangers read owners' result notices, the bulletin, published minutes and
notices marked public, when the community allows it; never a name or a phone number."""

from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.community.models import Organisation, OrganisationKind
from app.extensions import db, utcnow
from app.notices.models import Notice, NoticeKind
from app.voting.models import ElectorateKind, Secrecy
from tests.notices.conftest import make_notice, uploads  # noqa: F401  (fixtures)
from tests.voting.conftest import closed_poll, make_estate  # noqa: F401  (fixtures)


def _result_notice(poll) -> Notice:
    return db.session.execute(select(Notice).where(Notice.poll_id == poll.id)).scalar_one()


def _open_roll_estate(make_estate):  # noqa: F811
    estate = make_estate()
    poll = closed_poll(estate, secrecy=Secrecy.OPEN_ROLL, allow_early_close=True)
    for user in [*estate.owners, estate.chair]:
        user.phone = f"1390000{user.id:04d}"
    db.session.commit()
    return estate, poll


def test_a_stranger_reads_the_result_notice_and_the_bulletin_with_rooms_but_no_names(
        make_estate, client):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)
    notice = _result_notice(poll)
    client.set_cookie("lang", "en")

    listing = client.get(f"/public/c/{estate.community.id}")
    assert listing.status_code == 200
    assert f'href="/public/notices/{notice.id}"' in listing.get_data(as_text=True)
    page = client.get(f"/public/notices/{notice.id}").get_data(as_text=True)
    assert notice.title in page and "Result of a vote" in page
    bulletin = client.get(f"/public/polls/{poll.id}/bulletin")
    assert bulletin.status_code == 200
    text = bulletin.get_data(as_text=True)
    assert "101" in text and "100.00 m²" in text and "In favour" in text
    for shown in (listing.get_data(as_text=True), page, text):
        for owner in estate.owners:
            assert owner.name not in shown and owner.phone not in shown


def test_nothing_else_becomes_public(make_estate, make_notice, client):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)
    committee = db.session.get(Organisation, _result_notice(poll).organisation_id)
    private = make_notice(committee, "内部通知")
    withdrawn = make_notice(committee, "撤回的公告", withdrawn=True)
    withdrawn.public = True
    db.session.commit()
    listing = client.get(f"/public/c/{estate.community.id}").get_data(as_text=True)
    for notice in (private, withdrawn):
        assert client.get(f"/public/notices/{notice.id}").status_code == 404
        assert notice.title not in listing
    # The sign-in pages of the poll stay closed to strangers.
    assert client.get(f"/polls/{poll.id}/bulletin").status_code == 302


def test_only_an_owners_vote_has_a_public_result(make_estate, client):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)
    notice = _result_notice(poll)
    poll.electorate = ElectorateKind.RESIDENTS
    db.session.commit()
    assert client.get(f"/public/notices/{notice.id}").status_code == 404
    assert client.get(f"/public/polls/{poll.id}/bulletin").status_code == 404


def test_announcements_marked_public_and_minutes_follow_the_community_settings(
        world, make_notice, client):  # noqa: F811
    committee = world.owners_committee
    public = make_notice(committee, "停水通知")
    public.public = True
    minutes = make_notice(committee, "业委会会议纪要", kind=NoticeKind.MINUTES)
    later = make_notice(committee, "明日公告")
    later.public, later.published_at = True, utcnow() + timedelta(hours=1)
    db.session.commit()
    for notice in (public, minutes):
        assert client.get(f"/public/notices/{notice.id}").status_code == 200
    assert client.get(f"/public/notices/{later.id}").status_code == 404

    world.community.public_notices = False
    world.community.public_minutes = False
    db.session.commit()
    for notice in (public, minutes):
        assert client.get(f"/public/notices/{notice.id}").status_code == 404
    assert "停水通知" not in client.get(f"/public/c/{world.community.id}").get_data(as_text=True)


def test_turning_results_off_closes_the_notice_and_the_bulletin(make_estate, client):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)
    notice = _result_notice(poll)
    estate.community.public_result_notices = False
    db.session.commit()
    assert client.get(f"/public/notices/{notice.id}").status_code == 404
    assert client.get(f"/public/polls/{poll.id}/bulletin").status_code == 404
    assert notice.title not in client.get(
        f"/public/c/{estate.community.id}").get_data(as_text=True)


def test_staff_mark_a_notice_public_when_they_post_it(world, login, client):
    login(world.users["oc_staff"])
    client.post(f"/c/{world.community.id}/notices/new", data={
        "organisation": str(world.owners_committee.id), "title": "小区开放日",
        "body": "欢迎参观。", "scope_kind": "community", "public": "y"})
    notice = db.session.execute(select(Notice)).scalar_one()
    assert notice.public
    client.post("/auth/logout")
    stranger = client.application.test_client()
    assert "小区开放日" in stranger.get(
        f"/public/c/{world.community.id}").get_data(as_text=True)


def test_the_admin_changes_the_settings_and_the_change_is_audited(world, login, client):
    login(world.users["community_admin"])
    page = client.get(f"/c/{world.community.id}/public-settings").get_data(as_text=True)
    assert page.count("checked") == 3  # all on by default
    response = client.post(f"/c/{world.community.id}/public-settings",
                           data={"public_result_notices": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    community = world.community
    assert (community.public_result_notices, community.public_minutes,
            community.public_notices) == (True, False, False)
    event = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "community.public_settings")).scalar_one()
    assert event.details["after"] == {"public_result_notices": True, "public_minutes": False,
                                      "public_notices": False}


def test_a_page_number_below_one_is_not_found(world, client):
    assert client.get(f"/public/c/{world.community.id}?page=0").status_code == 404
    assert client.get("/public/c/999999").status_code == 404


def test_the_list_and_the_bulletin_cost_the_same_with_many_rows(
        make_estate, make_org, make_notice, client, count_queries):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)

    def costs():
        with count_queries() as listing:
            client.get(f"/public/c/{estate.community.id}")
        with count_queries() as bulletin:
            client.get(f"/public/polls/{poll.id}/bulletin")
        return len(listing), len(bulletin)

    before = costs()
    for n in range(12):
        organisation = make_org(estate.community, OrganisationKind.PROPERTY_COMPANY)
        notice = make_notice(organisation, f"公告{n}")
        notice.public = True
    db.session.commit()
    assert costs() == before


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _attach(notice, name: str):
    from app.core.uploads import ATTACHMENTS, CleanFile, store
    from app.notices.models import NoticeAttachment

    attachment = NoticeAttachment(
        notice_id=notice.id, stored_name=store(ATTACHMENTS, CleanFile(PDF, "application/pdf",
                                                                      name)),
        original_name=name, content_type="application/pdf", size=len(PDF))
    db.session.add(attachment)
    db.session.commit()
    return attachment


def _download(client, url):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def test_attachments_of_a_public_notice_download_without_login_and_no_others(
        make_estate, make_notice, client, uploads, count_queries):  # noqa: F811
    estate, poll = _open_roll_estate(make_estate)
    committee = db.session.get(Organisation, _result_notice(poll).organisation_id)
    shown = make_notice(committee, "停车场改造公示")
    shown.public = True
    private = make_notice(committee, "内部通知")
    plan, budget = _attach(shown, "改造方案.pdf"), _attach(private, "预算.pdf")
    url = f"/public/notices/{shown.id}/attachments/{plan.id}"
    assert f'href="{url}"' in client.get(f"/public/notices/{shown.id}").get_data(as_text=True)
    with count_queries() as queries:
        download = _download(client, url)
    assert download.status_code == 200 and download.data == PDF
    assert len(queries) == 2  # the notice where it is public, then its files
    assert "filename*=UTF-8''%E6%94%B9" in download.headers["Content-Disposition"]
    assert client.get(f"{url}/thumb").status_code == 404  # a PDF has no thumbnail
    # Another notice's file through the public notice's address, or a private notice's file:
    # not found; the private one still sends a stranger to sign in at its own address.
    assert client.get(f"/public/notices/{shown.id}/attachments/{budget.id}").status_code == 404
    assert client.get(f"/public/notices/{private.id}/attachments/{budget.id}"
                      ).status_code == 404
    inside = client.get(f"/notices/{private.id}/attachments/{budget.id}")
    assert "/login" in inside.headers["Location"]
    # The API gives each notice's files with the address a caller can use.
    listed = {n["id"]: n for n in client.get(
        f"/api/v1/communities/{estate.community.id}/notices").get_json()["items"]}
    assert [(f["name"], f["url"]) for f in listed[shown.id]["attachments"]] == [
        ("改造方案.pdf", f"http://localhost{url}")]
    assert private.id not in listed
    # The community stops making notices public: the file is no longer public either.
    estate.community.public_notices = False
    db.session.commit()
    assert client.get(url).status_code == 404
