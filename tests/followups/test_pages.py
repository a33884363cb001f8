"""The follow-up routes: recording at an agenda item, the organisation's list, marking done,
the photo, and the section on the proposal page."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.core.storage import storage
from app.core.uploads import PHOTOS, key
from app.extensions import beijing_today, db, utcnow
from app.followups.models import ActionStatus, FollowUpAction
from app.followups.services import mark_done
from app.proposals.states import Status
from tests.proposals.conftest import clean_photo, image_bytes, jpeg_with_gps

HTMX = {"HX-Request": "true", "HX-Target": "x"}


def _count() -> int:
    return db.session.execute(select(func.count(FollowUpAction.id))).scalar_one()


def _form(setting, **values) -> dict:
    prefix = f"item-{setting.item.id}-"
    data = {"description": "更换 3 号路灯灯泡", "organisation": str(setting.w.property_company.id),
            "due_on": (beijing_today() + timedelta(days=14)).isoformat(), **values}
    return {prefix + key: value for key, value in data.items()}


def _add_url(setting) -> str:
    return f"/agenda-items/{setting.item.id}/actions"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


# --- Recording at an agenda item ------------------------------------------------------------


def test_a_stranger_is_sent_to_log_in(setting, client, login):
    assert "/auth/login" in client.post(_add_url(setting), data=_form(setting)).location
    assert _count() == 0
    login(setting.recorder)
    assert client.post("/agenda-items/999999/actions", data=_form(setting)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "resident", "property_staff", "other_admin",
                                 "party_chair"])
def test_only_the_recorder_the_chair_and_the_admin_record(setting, client, login, who):
    login(setting.w.users[who])
    assert client.post(_add_url(setting), data=_form(setting)).status_code == 403
    assert _count() == 0


@pytest.mark.parametrize("who", ["oc_staff", "oc_chair", "community_admin"])
def test_the_recorder_the_chair_and_the_admin_record(setting, en, login, who):
    login(setting.w.users[who])
    response = en.post(_add_url(setting), data=_form(setting))
    assert response.status_code == 302
    assert response.location.endswith(
        f"/meetings/{setting.meeting.id}#item-actions-{setting.item.id}")
    assert _count() == 1
    assert db.session.get(type(setting.proposal), setting.proposal.id).status == "in_progress"


def test_nothing_is_recorded_for_a_cancelled_meeting(setting, client, login):
    setting.meeting.cancelled_at = utcnow()
    db.session.commit()
    login(setting.recorder)
    assert client.post(_add_url(setting), data=_form(setting)).status_code == 403
    assert _count() == 0


def test_htmx_gets_the_item_back_with_the_new_action(setting, en, login):
    login(setting.recorder)
    page = en.post(_add_url(setting), data=_form(setting), headers=HTMX).get_data(as_text=True)
    assert page.lstrip().startswith('<div class="item-actions"')
    assert "Action recorded; 物业 has been told." in page
    assert "更换 3 号路灯灯泡" in page and "物业" in page and "Not done yet" in page
    assert "Due by" in page
    assert f'name="item-{setting.item.id}-description"' in page  # a fresh, empty form
    assert "更换 3 号路灯灯泡</textarea>" not in page


@pytest.mark.parametrize(("values", "message"), [
    ({"description": "  "}, "Say what is to be done."),
    ({"organisation": ""}, "Choose the organisation that is responsible."),
    ({"organisation": "999999"}, "Choose the organisation that is responsible."),
    ({"due_on": ""}, "Give the date by which it is due."),
    ({"due_on": "2020-01-01"}, "The due date cannot be in the past."),
    ({"due_on": "2026-13-45"}, "Give the date as year-month-day, for example 2026-12-31."),
])
@pytest.mark.parametrize("htmx", [True, False])
def test_bad_input_is_explained_and_kept(setting, en, login, values, message, htmx):
    login(setting.recorder)
    data = _form(setting, **{"description": "修剪 5 栋旁的树枝", **values})
    response = en.post(_add_url(setting), data=data, headers=HTMX if htmx else {})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and "Not a valid" not in page
    if "description" not in values:
        assert "修剪 5 栋旁的树枝</textarea>" in page
    if htmx:
        assert page.lstrip().startswith('<div class="item-actions"')
    else:
        assert "Nothing was changed." in page and "<html" in page
    assert _count() == 0
    assert setting.proposal.status == Status.PASSED


def test_an_organisation_of_another_community_cannot_be_chosen(setting, en, login, make_org):
    foreign = make_org(setting.w.other_community, "property_company", "别处物业")
    login(setting.recorder)
    page = en.post(_add_url(setting), data=_form(setting, organisation=str(foreign.id)),
                   headers=HTMX).get_data(as_text=True)
    assert "Choose the organisation that is responsible." in page
    assert _count() == 0


def test_the_form_response_costs_the_same_however_many_actions(
        setting, en, login, give_action, count_queries):
    login(setting.recorder)
    url, data = _add_url(setting), _form(setting, description="")
    give_action("第一件")
    en.post(url, data=data, headers=HTMX)
    counts = []
    for extra in (0, 4):
        for n in range(extra):
            give_action(f"另一件{n}", organisation=setting.w.neighbourhood_committee)
        with count_queries() as queries:
            page = en.post(url, data=data, headers=HTMX).get_data(as_text=True)
        counts.append(len(queries))
    assert page.count('<li class="followup') == 5
    assert counts[0] == counts[1], "\n".join(queries)


# --- The organisation's page ----------------------------------------------------------------


def _org_url(setting) -> str:
    return f"/o/{setting.w.property_company.id}/actions"


def test_the_organisation_page_needs_a_member_of_the_community(setting, client, login):
    assert "/auth/login" in client.get(_org_url(setting)).location
    login(setting.w.users["outsider"])
    assert client.get(_org_url(setting)).status_code == 403
    login(setting.w.users["other_admin"])
    assert client.get(_org_url(setting)).status_code == 403
    assert client.get("/o/999999/actions").status_code == 404


def test_the_organisation_page_is_empty_at_first(setting, en, login):
    login(setting.w.users["resident"])
    page = en.get(_org_url(setting)).get_data(as_text=True)
    assert "Nothing to do: no open follow-up actions." in page
    assert "No action has been reported done yet." in page


def test_open_actions_come_first_the_overdue_ones_flagged_in_words(
        setting, en, login, give_action):
    later = give_action("下月检修", days=30)
    overdue = give_action("上周就该换的灯", days=-3)
    finished = give_action("已经完成的事", days=5)
    mark_done(finished, actor=setting.w.users["property_staff"], note="完成了", photo=None)
    db.session.commit()
    login(setting.w.users["resident"])
    page = en.get(_org_url(setting)).get_data(as_text=True)
    assert page.index("上周就该换的灯") < page.index("下月检修") < page.index("已经完成的事")
    flagged = page[page.index(f'id="action-{overdue.id}"'):page.index(f'id="action-{later.id}"')]
    assert "Overdue" in flagged and "⚠" in flagged
    assert "Overdue" not in page[page.index(f'id="action-{later.id}"'):]
    assert "2 open actions" in page and "1 overdue" in page
    assert "完成了" in page and "Reported done on" in page
    assert f'href="/p/{setting.proposal.id}"' in page and "修复小区路灯" in page
    assert "Mark done" not in page  # a resident only reads


def test_staff_get_a_form_per_open_action(setting, en, login, give_action):
    give_action("一"), give_action("二")
    login(setting.w.users["property_staff"])
    page = en.get(_org_url(setting)).get_data(as_text=True)
    assert page.count("Report done</button>") == 2
    assert 'enctype="multipart/form-data"' in page


def test_the_organisation_page_costs_the_same_however_many_actions(
        setting, en, login, give_action, count_queries, make_proposal):
    staff = setting.w.users["property_staff"]
    login(staff)

    def one_of_each(n):
        """An open and a finished action, each on a proposal of its own."""
        for_open, for_done = (
            make_proposal(setting.w.community, setting.w.users["resident"],
                          status=Status.PASSED, moderation_state="hidden" if n else "visible")
            for _ in range(2))
        give_action(f"未完成{n}", days=-n, on=for_open)
        done = give_action(f"已完成{n}", on=for_done)
        mark_done(done, actor=staff, note="好", photo=None)
        db.session.commit()

    url = _org_url(setting)
    one_of_each(0)
    en.get(url)
    with count_queries() as few:
        assert en.get(url).status_code == 200
    for n in range(1, 5):
        one_of_each(n)
    with count_queries() as many:
        page = en.get(url).get_data(as_text=True)
    assert page.count("Report done</button>") == 5
    assert len(few) == len(many), "\n".join(many)


def test_done_actions_are_paged(setting, en, login, give_action):
    staff = setting.w.users["property_staff"]
    for n in range(21):
        mark_done(give_action(f"第{n:02d}件"), actor=staff, note="好", photo=None)
    db.session.commit()
    login(staff)
    first = en.get(_org_url(setting)).get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = en.get(_org_url(setting) + "?page=2", headers=HTMX).get_data(as_text=True)
    assert second.lstrip().startswith('<section class="card" id="done-actions">')
    assert second.count('<li class="followup') == 1


# --- Marking done ---------------------------------------------------------------------------


def _done_url(action) -> str:
    return f"/actions/{action.id}/done"


def _done_data(action, **values) -> dict:
    return {f"done-{action.id}-{key}": value for key, value in values.items()}


def test_a_stranger_cannot_mark_done(setting, client, login, give_action):
    action = give_action()
    assert "/auth/login" in client.post(_done_url(action), data=_done_data(
        action, note="好")).location
    for who in ("outsider", "resident", "oc_staff", "nc_staff", "other_admin"):
        login(setting.w.users[who])
        assert client.post(_done_url(action), data=_done_data(
            action, note="好")).status_code == 403, who
    assert db.session.get(FollowUpAction, action.id).status == ActionStatus.OPEN
    assert client.post("/actions/999999/done", data={}).status_code == 404


@pytest.mark.parametrize("who", ["property_staff", "community_admin"])
def test_staff_mark_the_last_action_done_and_the_proposal_is_done(
        setting, en, login, give_action, who):
    action = give_action()
    login(setting.w.users[who])
    response = en.post(_done_url(action), data=_done_data(action, note="灯泡已更换"))
    assert response.status_code == 302
    assert response.location.endswith(
        f"/o/{setting.w.property_company.id}/actions#action-{action.id}")
    db.session.expire_all()
    assert db.session.get(FollowUpAction, action.id).done_note == "灯泡已更换"
    assert db.session.get(type(setting.proposal), setting.proposal.id).status == Status.DONE
    assert "Reported done. Thank you." in en.get(response.location).get_data(as_text=True)


def test_htmx_gets_the_action_back_done(setting, en, login, give_action):
    action = give_action()
    login(setting.w.users["property_staff"])
    page = en.post(_done_url(action), data=_done_data(action, note="灯泡已更换"),
                   headers=HTMX).get_data(as_text=True)
    assert page.lstrip().startswith(f'<li class="followup" id="action-{action.id}"')
    assert "Reported done. Thank you." in page and "灯泡已更换" in page
    assert "Report done</button>" not in page


def test_done_twice_is_told_not_repeated(setting, en, login, give_action):
    action = give_action()
    mark_done(action, actor=setting.w.users["property_staff"], note="第一次", photo=None)
    db.session.commit()
    login(setting.w.users["property_staff"])
    response = en.post(_done_url(action), data=_done_data(action, note="第二次"))
    assert response.status_code == 302
    assert "already reported done" in en.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUpAction, action.id).done_note == "第一次"


@pytest.mark.parametrize("htmx", [True, False])
def test_neither_note_nor_photo_is_explained(setting, en, login, give_action, htmx):
    action = give_action()
    login(setting.w.users["property_staff"])
    response = en.post(_done_url(action), data=_done_data(action, note="   "),
                       headers=HTMX if htmx else {})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Write what was done, or add a photo that shows it." in page
    assert ("<html" in page) is not htmx
    db.session.expire_all()
    assert db.session.get(FollowUpAction, action.id).status == ActionStatus.OPEN


@pytest.mark.parametrize("htmx", [True, False])
def test_a_file_that_is_no_photo_is_refused_and_the_note_kept(
        setting, en, login, give_action, uploads, htmx):
    action = give_action()
    login(setting.w.users["property_staff"])
    data = _done_data(action, note="换好了")
    data[f"done-{action.id}-photo"] = (BytesIO(b"GIF89a not really"), "lamp.gif")
    response = en.post(_done_url(action), data=data, content_type="multipart/form-data",
                       headers=HTMX if htmx else {})
    page = response.get_data(as_text=True)
    assert "“lamp.gif” is not a JPEG, PNG or WebP photo." in page
    assert "换好了</textarea>" in page
    assert "<details class=\"followup-done\" open>" in page
    db.session.expire_all()
    assert db.session.get(FollowUpAction, action.id).status == ActionStatus.OPEN
    assert not list(uploads.rglob("*.jpg"))


def test_a_photo_alone_will_do_and_is_served_to_those_who_see_the_proposal(
        setting, en, login, give_action, uploads):
    action = give_action()
    login(setting.w.users["property_staff"])
    data = _done_data(action)
    data[f"done-{action.id}-photo"] = (BytesIO(jpeg_with_gps()), "lamp.jpg")
    response = en.post(_done_url(action), data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(FollowUpAction, action.id).done_photo
    assert stored and storage().exists(key(PHOTOS, stored))
    login(setting.w.users["resident"])
    page = en.get(f"/p/{setting.proposal.id}").get_data(as_text=True)
    assert f'src="/actions/{action.id}/photo/thumb"' in page
    for suffix in ("", "/thumb"):
        photo = en.get(f"/actions/{action.id}/photo{suffix}")
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert b"Test Phone" not in photo.data
        photo.close()
    login(setting.w.users["outsider"])
    for suffix in ("", "/thumb"):
        assert en.get(f"/actions/{action.id}/photo{suffix}").status_code == 403, suffix


def test_no_photo_no_file(setting, en, login, give_action):
    action = give_action()
    login(setting.w.users["resident"])
    assert en.get(f"/actions/{action.id}/photo").status_code == 404
    en.delete_cookie("session")
    assert "/auth/login" in en.get(f"/actions/{action.id}/photo").location


# --- The proposal page ----------------------------------------------------------------------


def test_the_proposal_page_lists_its_actions(setting, en, login, give_action):
    give_action("下月检修", days=30)
    give_action("早该完成", days=-2, organisation=setting.w.neighbourhood_committee)
    login(setting.w.users["resident"])
    page = en.get(f"/p/{setting.proposal.id}").get_data(as_text=True)
    section = page[page.index('id="follow-up-actions"'):page.index('id="timeline"')]
    assert section.index("早该完成") < section.index("下月检修")
    assert "Overdue" in section and "居委会" in section and "物业" in section
    assert "Report it done" not in section
    login(setting.w.users["property_staff"])
    page = en.get(f"/p/{setting.proposal.id}").get_data(as_text=True)
    assert page.count("Report it done") == 1


def test_a_passed_proposal_without_actions_says_so(setting, en, login):
    login(setting.w.users["resident"])
    page = en.get(f"/p/{setting.proposal.id}").get_data(as_text=True)
    assert "No follow-up actions recorded yet." in page


def test_the_proposal_page_costs_the_same_however_many_actions(
        setting, en, login, give_action, count_queries):
    login(setting.w.users["property_staff"])
    give_action("一")
    url = f"/p/{setting.proposal.id}"
    en.get(url)
    with count_queries() as few:
        en.get(url)
    for n in range(4):
        action = give_action(f"更多{n}", organisation=setting.w.neighbourhood_committee)
        if n % 2:
            mark_done(action, actor=setting.w.users["nc_staff"], note="好", photo=None)
            db.session.commit()
    with count_queries() as many:
        page = en.get(url).get_data(as_text=True)
    assert len(re.findall(r'<li class="followup', page)) == 5
    assert len(few) == len(many), "\n".join(many)


def test_the_organisation_page_links_to_its_actions(setting, en, login):
    login(setting.w.users["resident"])
    page = en.get(f"/o/{setting.w.property_company.id}").get_data(as_text=True)
    assert f'href="/o/{setting.w.property_company.id}/actions"' in page


def test_image_bytes_helper_is_a_photo():
    assert clean_photo(image_bytes()).width == 64


# --- The meeting page -----------------------------------------------------------------------


def test_the_meeting_page_shows_each_item_s_actions_and_the_form_to_its_recorder(
        setting, en, login, give_action, count_queries):
    url = f"/meetings/{setting.meeting.id}"
    give_action("更换 3 号路灯灯泡", days=-1)
    login(setting.recorder)
    en.get(url)
    with count_queries() as few:
        page = en.get(url).get_data(as_text=True)
    assert "更换 3 号路灯灯泡" in page and "Overdue" in page
    assert f'hx-post="/agenda-items/{setting.item.id}/actions"' in page
    for n in range(4):
        give_action(f"更多{n}", organisation=setting.w.neighbourhood_committee)
    with count_queries() as many:
        page = en.get(url).get_data(as_text=True)
    assert page.count('<li class="followup') == 5
    assert len(few) == len(many), "\n".join(many)
    login(setting.w.users["resident"])
    page = en.get(url).get_data(as_text=True)
    assert "更换 3 号路灯灯泡" in page and "/agenda-items/" not in page
