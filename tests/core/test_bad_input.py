"""NUL bytes and control characters are refused with one clear error before any view."""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.community.models import Unit
from app.core.input import refuses_input
from app.discussion.models import Comment
from app.extensions import db
from tests.auth.test_auth import GOOD

ENGLISH_REFUSAL = "invisible control characters"


def _count(model) -> int:
    return db.session.execute(select(func.count(model.id))).scalar_one()


def _refused(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 400 and "不可见的控制字符" in page and "<html" in page


def test_registration_with_a_nul_byte_is_refused_before_anything_is_stored(client):
    response = client.post("/auth/register", data={**GOOD, "name": "李\x00秀英"})
    assert _refused(response)
    assert _count(User) == 0


def test_the_refusal_is_translated(client):
    client.set_cookie("lang", "en")
    response = client.post("/auth/register", data={**GOOD, "name": "李\x00秀英"})
    assert response.status_code == 400 and ENGLISH_REFUSAL in response.get_data(as_text=True)


def test_a_comment_with_a_nul_byte_is_refused(client, world, make_proposal, login):
    proposal = make_proposal(world.community, world.users["resident"])
    login(world.users["resident"])
    response = client.post(f"/p/{proposal.id}/comments",
                           data={"comment-stance": "support", "comment-body": "同意\x00"})
    assert _refused(response)
    assert _count(Comment) == 0


def test_a_comment_keeps_its_line_breaks_and_tabs(client, world, make_proposal, login):
    proposal = make_proposal(world.community, world.users["resident"])
    login(world.users["resident"])
    response = client.post(f"/p/{proposal.id}/comments",
                           data={"comment-stance": "support",
                                 "comment-body": "第一行\r\n\t第二行"})
    assert response.status_code == 302
    assert _count(Comment) == 1


@pytest.mark.parametrize("query", ["车库\x00", "车库\x1b[31m", "车库\n"])
def test_a_search_with_a_control_character_is_refused(client, world, login, query):
    login(world.users["resident"])
    response = client.get(f"/c/{world.community.id}/proposals", query_string={"q": query})
    assert _refused(response)


def test_a_nul_byte_is_refused_before_login_too(client):
    assert _refused(client.get("/auth/login", query_string={"next": "/\x00"}))


def test_the_roster_form_with_a_nul_byte_is_refused(client, world, login):
    login(world.users["community_admin"])
    response = client.post(
        f"/c/{world.community.id}/roster/import",
        data={"file": (io.BytesIO(b"building,unit\n"), "roster.csv"), "developer": "某\x00"},
        content_type="multipart/form-data")
    assert _refused(response)


def test_a_nul_byte_inside_a_roster_file_is_a_line_error(client, world, login):
    login(world.users["community_admin"])
    before = _count(Unit)
    text = "building,unit,area_m2,owner_name,phone\n1栋,109,70,王\x00伟,13800001111\n"
    response = client.post(
        f"/c/{world.community.id}/roster/import",
        data={"file": (io.BytesIO(text.encode()), "roster.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>2</td><td>该行含有不可见的控制字符" in page
    assert _count(Unit) == before


def test_binary_uploads_are_not_looked_at():
    """A photo's bytes hold NULs; only the text around them is checked."""
    assert not refuses_input(path="/p/1/photos", args=MultiDict(),
                             form=MultiDict({"caption": "照片"}), file_names=["photo.png"])


@pytest.mark.parametrize(("where", "parts"), [
    ("path", {"path": "/p/1\x00"}),
    ("second value of a query key", {"args": MultiDict([("q", "a"), ("q", "b\x07")])}),
    ("form key", {"form": MultiDict({"na\x00me": "x"})}),
    ("form value", {"form": MultiDict({"name": "x\x7f"})}),
    ("second form value", {"form": MultiDict([("tag", "a"), ("tag", "b\x00")])}),
    ("file name", {"file_names": ["photo\x00.png"]}),
    ("JSON value", {"json": {"items": [{"title": "a\x00"}]}}),
    ("JSON key", {"json": {"ti\x01tle": "a"}}),
])
def test_every_part_of_a_request_is_checked(where, parts):
    request = {"path": "/", "args": MultiDict(), "form": MultiDict(), **parts}
    assert refuses_input(**request), where


def test_a_json_body_with_a_nul_byte_is_refused(client):
    assert _refused(client.get("/privacy", json={"phone": "1\x00"}))
