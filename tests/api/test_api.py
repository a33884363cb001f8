"""/api/v1: every endpoint as every kind of caller, the data-class gate, the OpenAPI
document, problem details, cursor pages and constant query counts."""

import json
import re
from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import delete as sa_delete
from sqlalchemy import select

from app.api.data_classes import READABLE, RESIDENTS, STAFF, gate
from app.api.tokens import RESOURCES, issue_token
from app.community.models import Organisation, OrganisationKind
from app.extensions import beijing_today, db, utcnow
from app.followups.models import FollowUpAction
from app.notices.models import Notice, NoticeAttachment
from app.voting.models import Secrecy
from tests.meetings.conftest import make_meeting  # noqa: F401  (fixture)
from tests.notices.conftest import make_notice  # noqa: F401  (fixture)
from tests.voting.conftest import closed_poll, make_estate, make_poll  # noqa: F401  (fixtures)


class Scene:
    """An estate with a closed open-roll owners' vote (its result notice is public), an open
    poll, a notice marked public and one that is not."""


@pytest.fixture
def scene(make_estate, make_notice, make_meeting):  # noqa: F811
    s = Scene()
    s.estate = make_estate()
    s.closed = closed_poll(s.estate, secrecy=Secrecy.OPEN_ROLL, allow_early_close=True)
    s.result = db.session.execute(select(Notice).where(Notice.poll_id == s.closed.id)
                                  ).scalar_one()
    s.committee = db.session.get(Organisation, s.result.organisation_id)
    s.public = make_notice(s.committee, "小区开放日")
    s.public.public = True
    s.private = make_notice(s.committee, "内部通知")
    for notice in (s.public, s.private):
        db.session.add(NoticeAttachment(notice_id=notice.id, stored_name=f"file-{notice.id}",
                                        original_name="附件.pdf", content_type="application/pdf",
                                        size=100))
    s.meeting = make_meeting(community=s.estate.community, organisation=s.committee,
                             proposals=[s.estate.proposal])
    for user in [*s.estate.owners, s.estate.chair, s.estate.staff]:
        user.phone = f"1390000{user.id:04d}"
    db.session.commit()
    return s


# Each caller, and the data classes they must be limited to in the estate's community.
CALLERS = {
    "anonymous": "anonymous",
    "outsider": "anonymous",
    "owner": "resident",
    "staff": "staff",
    "token": "resident",
}


def _client(app, login, scene, caller):
    client = app.test_client()
    if caller == "token":
        _token, secret = issue_token(scene.committee, actor=scene.estate.chair, name="物业系统",
                                     resources=list(RESOURCES), days=30, now=utcnow())
        db.session.commit()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    user = {"outsider": scene.estate.outsider, "owner": scene.estate.owners[0],
            "staff": scene.estate.staff}.get(caller)
    if user is not None:
        login(user, client)
    return client


def _urls(scene) -> dict[str, str]:
    """A URL for every path of the OpenAPI document."""
    community = scene.estate.community.id
    return {
        "/api/v1/communities": "/api/v1/communities",
        "/api/v1/communities/{community_id}": f"/api/v1/communities/{community}",
        "/api/v1/communities/{community_id}/notices": f"/api/v1/communities/{community}/notices",
        "/api/v1/communities/{community_id}/polls": f"/api/v1/communities/{community}/polls",
        "/api/v1/communities/{community_id}/proposals":
            f"/api/v1/communities/{community}/proposals",
        "/api/v1/communities/{community_id}/meetings":
            f"/api/v1/communities/{community}/meetings",
        "/api/v1/communities/{community_id}/actions": f"/api/v1/communities/{community}/actions",
        "/api/v1/communities/{community_id}/insights":
            f"/api/v1/communities/{community}/insights",
        "/api/v1/polls/{poll_id}": f"/api/v1/polls/{scene.closed.id}",
    }


def _schema_name(spec, path) -> str:
    ref = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def _classes_seen(spec, schema_name: str, data, seen: list) -> None:
    """Every (field, data class) the response carries, by the document's x-data-class."""
    properties = spec["components"]["schemas"][schema_name]["properties"]
    for name, value in data.items():
        prop = properties[name]
        seen.append((f"{schema_name}.{name}", prop["x-data-class"]))
        inner = prop.get("items", prop)
        refs = [inner["$ref"]] if "$ref" in inner else [
            r["$ref"] for r in inner.get("allOf", []) + inner.get("oneOf", [])]
        if refs and value is not None:
            for item in value if isinstance(value, list) else [value]:
                _classes_seen(spec, _the_one_matching(spec, refs, item), item, seen)


def _the_one_matching(spec, refs: list[str], item: dict) -> str:
    """The name of the only schema among ``refs`` that ``item`` fits (its required fields
    present, no field it does not name): a oneOf holds exactly one."""
    names = [ref.rsplit("/", 1)[1] for ref in refs]
    fitting = [name for name in names
               if set(spec["components"]["schemas"][name].get("required", [])) <= set(item)
               <= set(spec["components"]["schemas"][name]["properties"])]
    assert len(fitting) == 1, (names, item)
    return fitting[0]


@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_every_endpoint_as_every_caller_shows_only_the_classes_it_may(
        caller, app, login, scene):
    client = _client(app, login, scene, caller)
    spec = client.get("/api/v1/openapi.json").get_json()
    urls = _urls(scene)
    assert set(spec["paths"]) == set(urls), "an endpoint without a walk in this test"
    allowed = READABLE[CALLERS[caller]]
    for path, url in urls.items():
        response = client.get(url)
        if path.endswith("/insights") and caller != "staff":  # the dashboard's people only
            assert response.status_code == 404, (caller, url)
            continue
        assert response.status_code == 200, (caller, url, response.status_code)
        text = response.get_data(as_text=True)
        for person in [*scene.estate.owners, scene.estate.chair, scene.estate.staff]:
            assert person.name not in text and person.phone not in text, (caller, url)
        seen = []
        _classes_seen(spec, _schema_name(spec, path), response.get_json(), seen)
        refused = [(field, data_class) for field, data_class in seen if data_class not in allowed]
        assert refused == [], (caller, url)
        if CALLERS[caller] != "anonymous" and path.endswith("{community_id}"):
            assert RESIDENTS in {data_class for _, data_class in seen}


def test_staff_read_staff_fields_and_residents_do_not(app, login, scene):
    staff = _client(app, login, scene, "staff").get(
        f"/api/v1/communities/{scene.estate.community.id}").get_json()
    owner = _client(app, login, scene, "owner").get(
        f"/api/v1/communities/{scene.estate.community.id}").get_json()
    stranger = app.test_client().get(
        f"/api/v1/communities/{scene.estate.community.id}").get_json()
    assert staff["sms_cap_per_poll"] == 5000 and "sms_cap_per_poll" not in owner
    assert "notice_days" in owner and "notice_days" not in stranger
    assert stranger["name"] == scene.estate.community.name


def test_strangers_read_only_what_the_community_made_public(app, login, scene):
    community = scene.estate.community.id
    open_poll = make_poll(_second_proposal(scene))
    stranger, owner = app.test_client(), _client(app, login, scene, "owner")
    titles = {n["title"] for n in stranger.get(
        f"/api/v1/communities/{community}/notices").get_json()["items"]}
    assert titles == {scene.result.title, "小区开放日"}
    assert "内部通知" in {n["title"] for n in owner.get(
        f"/api/v1/communities/{community}/notices").get_json()["items"]}
    assert [p["id"] for p in stranger.get(
        f"/api/v1/communities/{community}/polls").get_json()["items"]] == [scene.closed.id]
    assert stranger.get(f"/api/v1/polls/{open_poll.id}").status_code == 404
    seen = owner.get(f"/api/v1/polls/{open_poll.id}").get_json()
    assert seen["status"] == "open" and seen["results"] is None  # after close only
    closed = stranger.get(f"/api/v1/polls/{scene.closed.id}").get_json()
    assert closed["results"]["outcome"] == "passed"
    assert (closed["voted_people"], closed["roll_people"]) == (3, 3)

    scene.estate.community.public_result_notices = False
    db.session.commit()
    assert stranger.get(f"/api/v1/polls/{scene.closed.id}").status_code == 404


def _second_proposal(scene):
    """The same estate with a proposal in deliberation of its own, for a second poll."""
    from app.proposals.models import Proposal
    from app.proposals.states import Status

    first = scene.estate.proposal
    second = Proposal(community_id=first.community_id, author_id=first.author_id,
                      title="第二个提案", body="", status=Status.DELIBERATION,
                      published_at=first.published_at, category=first.category,
                      scope_kind=first.scope_kind)
    db.session.add(second)
    db.session.commit()
    scene.estate.proposal = second
    return scene.estate


def test_errors_are_problem_details_in_the_callers_language(app, scene):
    client = app.test_client()
    community = scene.estate.community.id
    for url, status, english, chinese in (
            (f"/api/v1/communities/{community}/notices?cursor=bm9wZQ", 400,
             ("Bad request", "The cursor is not one"), ("请求有误", "翻页标记")),
            (f"/api/v1/communities/{community}/notices?limit=0", 422,
             ("Invalid parameters", "not valid: limit."), ("参数有误", "以下参数有误：limit。")),
            ("/api/v1/communities/999999", 404, ("Not found", "No such community."),
             ("未找到", "没有这个社区。"))):
        for headers, (title, words), language in (
                ({}, chinese, "zh-Hans"), ({"Accept-Language": "fr, zh-CN;q=0.8"}, chinese,
                                           "zh-Hans"),
                ({"Accept-Language": "en-GB,en;q=0.9"}, english, "en")):
            response = client.get(url, headers=headers)
            assert response.status_code == status
            assert response.mimetype == "application/problem+json"
            assert response.headers["Content-Language"] == language
            body = response.get_json()
            assert body["status"] == status and body["type"] == "about:blank"
            assert body["title"] == title and words in body["detail"], (url, headers)
    refused = client.get(f"/api/v1/communities/{community}/notices?limit=0").get_json()
    assert "limit" in refused["errors"]
    unknown = client.get("/api/v1/communities", headers={"Authorization": "Bearer gz_nope",
                                                         "Accept-Language": "en"})
    assert unknown.status_code == 401
    assert unknown.get_json()["detail"] == "The token is unknown, expired or revoked."
    # The site's own pages keep their HTML errors.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_cursor_walks_every_notice_once(app, login, scene, make_notice):  # noqa: F811
    for n in range(4):
        make_notice(scene.committee, f"公告{n}")
    client = _client(app, login, scene, "owner")
    url = f"/api/v1/communities/{scene.estate.community.id}/notices?limit=2"
    ids, cursor = [], None
    while True:
        page = client.get(url + (f"&cursor={cursor}" if cursor else "")).get_json()
        ids += [n["id"] for n in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = db.session.execute(select(Notice.id).order_by(Notice.id)).scalars().all()
    assert ids == expected


def test_lists_cost_the_same_with_many_rows(app, login, scene, make_org, make_notice,  # noqa: F811
                                            make_proposal, make_meeting,  # noqa: F811
                                            count_queries):
    from app.discussion.models import Comment

    client = _client(app, login, scene, "owner")
    community = scene.estate.community.id

    def costs():
        result = []
        for url in (f"/api/v1/communities/{community}/notices",
                    f"/api/v1/communities/{community}/polls", "/api/v1/communities",
                    f"/api/v1/communities/{community}/proposals",
                    f"/api/v1/communities/{community}/meetings",
                    f"/api/v1/communities/{community}/actions"):
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = costs()
    for n in range(8):
        organisation = make_org(scene.estate.community, OrganisationKind.PROPERTY_COMPANY)
        make_notice(organisation, f"公告{n}")
        proposal = make_proposal(scene.estate.community, scene.estate.owners[n % 3])
        db.session.add(Comment(proposal_id=proposal.id, author_id=scene.estate.chair.id,
                               body="答复", organisation_id=organisation.id))
        db.session.add(FollowUpAction(
            community_id=scene.estate.community.id, proposal_id=proposal.id,
            organisation_id=organisation.id, description="修路灯", due_on=date(2026, 1, 1),
            created_by_id=scene.estate.chair.id))
        if n < 3:
            make_meeting(community=scene.estate.community, organisation=organisation,
                         proposals=[proposal], members=0, observers=0)
    db.session.commit()
    assert costs() == before


def test_the_openapi_document_validates_and_classes_every_field(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for name, schema in spec["components"]["schemas"].items():
        if name in ("Problem", "PageArgs", "Error", "PaginationMetadata"):  # no resource
            continue
        for field, prop in schema["properties"].items():
            assert prop.get("x-data-class") in ("public", "residents", "staff"), (name, field)
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/polls/{poll_id}" in page
    assert not re.search(r"<script[^>]+src=\"https?://", page)


def test_the_gate_drops_what_the_caller_may_not_read():
    classes = {"a": "public", "b": RESIDENTS, "c": STAFF, "d": "personal",
               "items": ("public", {"x": "public", "y": "personal"})}
    data = {"a": 1, "b": 2, "c": 3, "d": 4, "items": [{"x": 5, "y": 6}]}
    assert gate(classes, data, "anonymous") == {"a": 1, "items": [{"x": 5}]}
    assert gate(classes, data, "resident") == {"a": 1, "b": 2, "items": [{"x": 5}]}
    assert json.dumps(gate(classes, data, "staff")) == json.dumps(
        {"a": 1, "b": 2, "c": 3, "items": [{"x": 5}]})


def _walk(client, url: str, since=None, limit: int = 2) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {}),
                 **({"updated_since": since.isoformat()} if since else {})}
        page = client.get(url, query_string=query).get_json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _may_leave(spec, path) -> bool:
    """Whether the document says an item of this list can be a tombstone: one of the
    schemas its items may take has a ``removed`` field."""
    items = spec["components"]["schemas"][_schema_name(spec, path)]["properties"]["items"]
    refs = [r["$ref"] for r in items["items"].get("oneOf", [items["items"]])]
    return any("removed" in spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
               for ref in refs)


def _sync(client, spec, community_id: int, since=None) -> dict[str, list[int]]:
    """A client that knows only the OpenAPI document: every list that takes updated_since,
    each walked page by page through its cursor; the ids it got, by resource, and under
    "<resource> removed" the tombstones of the lists whose items the document says can
    leave them (a ``removed`` field), each with nothing but its id and when it left."""
    lists = [path for path, item in spec["paths"].items()
             if any(p["name"] == "updated_since" for p in item["get"].get("parameters", []))]
    synced = {}
    for path in lists:
        name = path.rsplit("/", 1)[1]
        items = _walk(client, path.replace("{community_id}", str(community_id)), since)
        _classes_seen(spec, _schema_name(spec, path), {"items": items}, [])  # each fits
        synced[name] = [item["id"] for item in items if not item.get("removed")]
        if _may_leave(spec, path):
            gone = [item for item in items if item.get("removed")]
            assert all(set(item) == {"id", "updated_at", "removed"} for item in gone), gone
            synced[f"{name} removed"] = [item["id"] for item in gone]
    return synced


def test_a_client_from_the_document_syncs_every_resource_and_sees_only_each_change(
        app, login, scene, make_proposal):
    from app.discussion.services import decide, post_comment
    from app.followups.services import mark_done
    from app.meetings.minutes import publish
    from app.notices.services import withdraw
    from app.public.services import update_public_settings
    from app.voting.services import cast, entry_for

    estate, community = scene.estate, scene.estate.community
    action = FollowUpAction(community_id=community.id, proposal_id=estate.proposal.id,
                            organisation_id=scene.committee.id, description="修路灯",
                            due_on=date(2026, 1, 1), created_by_id=estate.chair.id)
    db.session.add(action)
    other = make_proposal(community, estate.owners[1])
    open_poll = make_poll(_second_proposal(scene))
    client = _client(app, login, scene, "token")
    spec = client.get("/api/v1/openapi.json").get_json()
    first = _sync(client, spec, community.id)
    assert set(first) == {"communities", "notices", "polls", "proposals", "meetings",
                          "actions", "notices removed", "proposals removed"}, \
        "a list without updated_since, or one that never reports what left it"
    assert all(ids for name, ids in first.items() if "removed" not in name)
    assert open_poll.id in first["polls"]
    assert first["notices removed"] == first["proposals removed"] == []
    minutes = {}

    def publish_minutes():
        minutes["notice"] = db.session.execute(select(Notice).where(
            Notice.minutes_id == publish(scene.meeting, actor=estate.chair).id)).scalar_one()

    changes = [
        (lambda: cast(open_poll, entry_for(open_poll, estate.owners[2]), ["approve"],
                      user=estate.owners[2]), lambda: {"polls": [open_poll.id]}),
        (lambda: post_comment(other, estate.owners[0], stance="support", body="同意"),
         lambda: {"proposals": [other.id]}),
        (publish_minutes, lambda: {"meetings": [scene.meeting.id],
                                   "notices": [minutes["notice"].id]}),
        (lambda: mark_done(action, actor=estate.chair, note="已修好", photo=None),
         lambda: {"actions": [action.id]}),
        (lambda: update_public_settings(community, actor=estate.chair,
                                        public_result_notices=True, public_minutes=False,
                                        public_notices=True),
         lambda: {"communities": [community.id]}),
        (lambda: withdraw(minutes["notice"], actor=estate.chair),
         lambda: {"meetings": [scene.meeting.id], "notices removed": [minutes["notice"].id]}),
        (lambda: withdraw(scene.private, actor=estate.chair),
         lambda: {"notices removed": [scene.private.id]}),
        (lambda: decide([other], action="hide", reason="广告", actor=estate.chair,
                        community=community),
         lambda: {"proposals removed": [other.id]}),
    ]
    for change, expected in changes:
        since = utcnow()
        change()
        db.session.commit()
        changed = {name: ids for name, ids in _sync(client, spec, community.id, since).items()
                   if ids}
        assert changed == expected(), change


def test_a_sync_tells_only_those_who_could_read_an_item_that_it_left(
        app, login, scene, make_estate, make_notice, make_proposal):  # noqa: F811
    """Strangers learn of the withdrawal of a notice the public page showed, not of one it
    never showed; members learn of nothing of another community, nor of a notice withdrawn
    before it came out."""
    from app.discussion.services import decide
    from app.notices.services import withdraw

    estate, community = scene.estate, scene.estate.community
    elsewhere = make_estate()
    foreign = make_proposal(elsewhere.community, elsewhere.owners[0])
    scheduled = make_notice(scene.committee, "下周停电", minutes_ago=-600)
    early = make_notice(scene.committee, "发错的通知", minutes_ago=5)
    db.session.commit()
    callers = {name: _client(app, login, scene, name) for name in ("anonymous", "owner")}
    spec = callers["owner"].get("/api/v1/openapi.json").get_json()
    since = utcnow()
    for notice in (scene.public, scene.private, scheduled):
        withdraw(notice, actor=estate.chair)
    early.withdrawn_at = early.published_at - timedelta(minutes=1)  # taken back before it came out
    decide([foreign], action="hide", reason="广告", actor=elsewhere.chair,
           community=elsewhere.community)
    db.session.commit()
    removed = {name: {key: ids for key, ids in _sync(client, spec, community.id, since).items()
                      if "removed" in key} for name, client in callers.items()}
    assert removed["anonymous"] == {"notices removed": [scene.public.id],
                                    "proposals removed": []}
    assert removed["owner"] == {"notices removed": [scene.public.id, scene.private.id],
                                "proposals removed": []}
    # Without updated_since nothing that left is listed, tombstone or not.
    plain = _sync(callers["owner"], spec, community.id)
    assert scene.public.id not in plain["notices"] and scene.private.id not in plain["notices"]
    assert not plain["notices removed"]


def test_a_sync_walk_is_stable_when_rows_change_during_it(app, login, scene, make_proposal):
    author = scene.estate.owners[1]
    made = [make_proposal(scene.estate.community, author) for _ in range(4)]
    hidden = make_proposal(scene.estate.community, author, moderation_state="hidden")
    client = _client(app, login, scene, "owner")
    url = f"/api/v1/communities/{scene.estate.community.id}/proposals"
    since = utcnow() - timedelta(days=1)
    query = {"limit": 2, "updated_since": since.isoformat()}
    page = client.get(url, query_string=query).get_json()
    seen = [p["id"] for p in page["items"]]
    # While the client walks, one row it already read and one it has not yet read change.
    for proposal in (db.session.get(type(made[0]), seen[0]), made[3]):
        proposal.title = f"改过的{proposal.id}"
    db.session.commit()
    while page["next_cursor"]:
        page = client.get(url, query_string={**query, "cursor": page["next_cursor"]}
                          ).get_json()
        seen += [p["id"] for p in page["items"]]
    removed = [i for i in seen if i == hidden.id]
    assert removed == [hidden.id], "hidden after since: only its tombstone"
    seen = [i for i in seen if i != hidden.id]
    assert set(seen) == {scene.estate.proposal.id, *(p.id for p in made)}
    assert seen.count(made[3].id) == 1 and seen[-1] in (seen[0], made[3].id)
    # A cursor of a walk without updated_since is refused in a sync, and the other way.
    plain = client.get(url, query_string={"limit": 1}).get_json()["next_cursor"]
    assert client.get(url, query_string={**query, "cursor": plain}).status_code == 400
    assert client.get(url, query_string={"cursor": page["next_cursor"] or "YXQ6eCwx"}
                      ).status_code == 400


def test_proposals_are_for_members_with_their_stances_and_answers(app, login, scene):
    from app.discussion.models import Comment

    proposal = scene.estate.proposal
    db.session.add_all([
        Comment(proposal_id=proposal.id, author_id=scene.estate.owners[1].id, body="赞成",
                stance="support"),
        Comment(proposal_id=proposal.id, author_id=scene.estate.chair.id, body="业委会答复",
                organisation_id=scene.committee.id)])
    db.session.commit()
    url = f"/api/v1/communities/{scene.estate.community.id}/proposals"
    assert app.test_client().get(url).get_json()["items"] == []
    (item,) = _client(app, login, scene, "owner").get(url).get_json()["items"]
    assert item["stances"]["support"] == 1
    assert [(a["organisation"], a["body"]) for a in item["official_answers"]] == [
        (scene.committee.name, "业委会答复")]


def test_an_unchanged_list_answers_not_modified_to_its_etag(app, login, scene, make_notice):  # noqa: F811
    client = _client(app, login, scene, "owner")
    url = f"/api/v1/communities/{scene.estate.community.id}/notices"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    make_notice(scene.committee, "新公告")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_meetings_are_for_members_with_their_agenda(app, login, scene):
    url = f"/api/v1/communities/{scene.estate.community.id}/meetings"
    assert app.test_client().get(url).get_json()["items"] == []
    (item,) = _client(app, login, scene, "owner").get(url).get_json()["items"]
    assert (item["title"], item["place"], item["cancelled"]) == ("业委会第三次会议", "社区活动室",
                                                                 False)
    assert [a["proposal_id"] for a in item["agenda"]] == [scene.estate.proposal.id]
    assert item["minutes_notice_id"] is None


def test_actions_are_for_members_and_say_when_they_are_overdue(app, login, scene):
    for days in (-1, 1):
        db.session.add(FollowUpAction(
            community_id=scene.estate.community.id, proposal_id=scene.estate.proposal.id,
            organisation_id=scene.committee.id, description=f"维修{days}",
            due_on=beijing_today() + timedelta(days=days), created_by_id=scene.estate.chair.id))
    db.session.commit()
    url = f"/api/v1/communities/{scene.estate.community.id}/actions"
    assert app.test_client().get(url).get_json()["items"] == []
    items = _client(app, login, scene, "owner").get(url).get_json()["items"]
    assert [(a["description"], a["overdue"]) for a in items] == [("维修-1", True),
                                                                 ("维修1", False)]


def test_insights_withhold_small_buildings_and_reach_the_street_offices_token(
        app, login, scene, make_org, add_member):
    url = f"/api/v1/communities/{scene.estate.community.id}/insights?days=30"
    figures = _client(app, login, scene, "staff").get(url).get_json()
    assert figures["total"]["households"] == 3
    assert all(b["took_part"] is None and b["share"] is None for b in figures["buildings"])
    street = make_org(scene.estate.community, OrganisationKind.STREET_OFFICE, "街道办")
    _street_token, secret = issue_token(street, actor=scene.estate.chair, name="街道平台",
                                        resources=["insights"], days=30, now=utcnow())
    _committee_token, other = issue_token(scene.committee, actor=scene.estate.chair,
                                          name="物业", resources=["insights"], days=30,
                                          now=utcnow())
    db.session.commit()
    client = app.test_client()
    assert client.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get(url.replace("days=30", "days=1")).status_code == 422


def test_a_street_offices_token_reads_the_insights_of_every_community_of_its_jurisdiction(
        app, make_estate, make_org, make_user, add_member):  # noqa: F811
    """Two street offices over three communities: 白云 looks after the first, 青松 after the
    other two (its officer is staff of its organisation in each)."""
    from app.community.models import MemberRole, Membership

    estates = [make_estate(owners=owners) for owners in (3, 4, 6)]
    qingsong, baiyun = make_user(name="街道干部甲"), make_user(name="街道干部乙")
    offices = []
    for estate, officer, name in zip(estates, (baiyun, qingsong, qingsong),
                                     ("白云街道办事处", "青松街道办事处", "青松街道办事处"),
                                     strict=True):
        office = make_org(estate.community, OrganisationKind.STREET_OFFICE, name)
        add_member(office, officer, MemberRole.CHAIR if estate is not estates[1]
                   else MemberRole.STAFF)
        offices.append(office)
    secrets = {}
    for office, officer in ((offices[2], qingsong), (offices[0], baiyun)):
        _token, secrets[officer.name] = issue_token(
            office, actor=officer, name="街道平台", resources=["insights", "communities"],
            days=30, now=utcnow())
    db.session.commit()
    client = app.test_client()

    def reads(officer) -> dict[int, int]:
        headers = {"Authorization": f"Bearer {secrets[officer.name]}"}
        return {e.community.id: client.get(
            f"/api/v1/communities/{e.community.id}/insights?days=30", headers=headers
        ).status_code for e in estates}

    ids = [e.community.id for e in estates]
    assert reads(qingsong) == {ids[0]: 404, ids[1]: 200, ids[2]: 200}
    assert reads(baiyun) == {ids[0]: 200, ids[1]: 404, ids[2]: 404}
    headers = {"Authorization": f"Bearer {secrets[qingsong.name]}"}
    big, small = (client.get(f"/api/v1/communities/{ids[n]}/insights?days=30",
                             headers=headers) for n in (2, 1))
    assert big.get_json()["buildings"][0]["households"] == 6
    assert big.get_json()["buildings"][0]["took_part"] is not None
    assert [b["took_part"] for b in small.get_json()["buildings"]] == [None]  # 4 households
    for response in (big, small):
        text = response.get_data(as_text=True)
        assert all(person.name not in text and person.phone not in text
                   for e in estates for person in [*e.owners, e.chair, e.staff])
    # The public facts of every community, and no more of those not its own.
    listed = {c["id"]: c for c in client.get("/api/v1/communities", headers=headers)
              .get_json()["items"]}
    assert {listed[i]["name"] for i in ids} == {e.community.name for e in estates}
    assert "notice_days" in listed[ids[2]] and "notice_days" not in listed[ids[1]]
    # The issuer leaves the second community's street office: the token no longer reaches it.
    db.session.execute(sa_delete(Membership).where(Membership.organisation_id == offices[1].id))
    db.session.commit()
    assert reads(qingsong) == {ids[0]: 404, ids[1]: 404, ids[2]: 200}
