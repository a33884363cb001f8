"""/api/v1: read-only JSON for communities, notices and polls, with the OpenAPI document at
/api/v1/openapi.json and a page describing it at /api/v1/docs (rendered on the server from
the same document: no script, no CDN)."""

from flask import current_app, g, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Api, Blueprint
from limits import parse
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from app.api.data_classes import STAFF_MEMBER, gate
from app.api.schemas import (
    ActionPageSchema,
    ActionSchema,
    CommunityPageSchema,
    CommunitySchema,
    InsightsArgsSchema,
    InsightsSchema,
    MeetingPageSchema,
    MeetingSchema,
    NoticePageSchema,
    NoticeSchema,
    NoticeTombstoneSchema,
    PageArgsSchema,
    PollPageSchema,
    PollSchema,
    ProblemSchema,
    ProposalPageSchema,
    ProposalSchema,
    ProposalTombstoneSchema,
    data_classes_of,
    document_tombstones,
)
from app.api.services import (
    BadCursor,
    Cursor,
    actions_page,
    caller_in,
    communities_page,
    decode_cursor,
    discussion_facts,
    meeting_facts,
    meetings_page,
    notice_data,
    notice_files,
    notices_page,
    poll_data,
    poll_results,
    polls_page,
    proposal_data,
    proposals_page,
    street_office_reach,
    turnouts,
    visible_poll,
)
from app.api.token_views import bp as token_pages
from app.api.tokens import note_use, token_for
from app.community.models import Community
from app.extensions import beijing_today, db, limiter, utcnow
from app.insights.services import Period, Scope, participation
from app.permissions import can


class GongzhiApi(Api):
    """flask-smorest's Api without its app-wide error handlers: the site's pages keep their
    HTML errors, and the API's blueprint answers its own errors as problem details."""

    def _register_error_handlers(self):
        pass


bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="Read-only data of the communities (issue 16).")

COMMUNITY, NOTICE, POLL = CommunitySchema(), NoticeSchema(), PollSchema()
PROPOSAL, MEETING, ACTION = ProposalSchema(), MeetingSchema(), ActionSchema()
INSIGHTS = InsightsSchema()
GONE = {"notice": NoticeTombstoneSchema(), "proposal": ProposalTombstoneSchema()}
CLASSES = {name: data_classes_of(schema) for name, schema in
           (("community", COMMUNITY), ("notice", NOTICE), ("poll", POLL),
            ("proposal", PROPOSAL), ("meeting", MEETING), ("action", ACTION),
            ("insights", INSIGHTS))}


# Each status's title; the detail says what exactly was wrong. Both follow the caller's
# Accept-Language (Chinese unless it asks for English); ``type`` stays the same URI.
TITLES = {400: _l("Bad request"), 401: _l("Not authenticated"), 403: _l("Not allowed"),
          404: _l("Not found"), 422: _l("Invalid parameters"), 429: _l("Too many requests")}


def _problem_language() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"],
                                               default=current_app.config["BABEL_DEFAULT_LOCALE"])


def problem(status: int, detail, errors: dict | None = None):
    language = _problem_language()
    with force_locale(language):
        body = {"type": "about:blank", "title": str(TITLES.get(status, _l("Error"))),
                "status": status, "detail": str(detail)}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers["Content-Language"] = language.replace("_", "-")
    return response


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    """Every API error, even a refused argument, as RFC 9457 problem details; a refused
    argument's own messages (marshmallow's, in English) under ``errors``."""
    messages = getattr(error, "data", {}).get("messages")
    if messages:
        errors = {name: [str(p) for p in problems]
                  for where in messages.values() for name, problems in where.items()}
        return problem(error.code, _l("These parameters are not valid: %(names)s.",
                                      names=", ".join(sorted(errors))), errors)
    return problem(error.code or 500, error.description or "")


# The token scope each endpoint needs.
RESOURCE_OF = {"api.communities": "communities", "api.community": "communities",
               "api.proposals": "proposals", "api.meetings": "meetings",
               "api.actions": "actions", "api.insights": "insights",
               "api.notices": "notices", "api.polls": "polls", "api.poll": "polls"}


@bp.before_request
def authenticate_token():
    """A bearer token, if sent, must be live and scoped to the resource; each use is
    audited and counted against the token's own rate limit."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    now = utcnow()
    token = token_for(secret.strip(), now) if scheme.lower() == "bearer" else None
    if token is None:
        response = problem(401, _l("The token is unknown, expired or revoked."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if RESOURCE_OF.get(request.endpoint) not in token.resources:
        return problem(403, _l("This token is not scoped to this resource."))
    if not limiter.limiter.hit(parse(current_app.config["API_TOKEN_LIMIT"]),
                               "api-token", str(token.id)):
        return problem(429, _l("This token made too many requests; wait and try again."))
    g.api_token = token
    note_use(token, request.full_path.rstrip("?"), now)
    return None


@bp.after_request
def conditional(response):
    """A strong ETag from the body: a client that sends it back in If-None-Match gets 304
    Not Modified and no body when nothing it may see has changed."""
    if response.status_code == 200 and response.mimetype == "application/json":
        response.add_etag()
        response.make_conditional(request)
    return response


def _cursor(cursor: str | None, updated_since=None) -> Cursor:
    try:
        return decode_cursor(cursor, syncing=updated_since is not None)
    except BadCursor:
        raise BadRequest(_l("The cursor is not one this API handed out; start without it.")) \
            from None


def _community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound(_l("No such community."))
    return community


def _community_data(community: Community, caller: str) -> dict:
    data = COMMUNITY.dump({
        "id": community.id, "name": community.name, "address": community.address,
        "public_page": f"{request.host_url.rstrip('/')}/public/c/{community.id}",
        "notice_days": community.notice_days, "objection_place": community.objection_place,
        "objection_phone": community.objection_phone,
        "sms_cap_per_poll": community.sms_cap_per_poll, "updated_at": community.updated_at})
    return gate(CLASSES["community"], data, caller)


def _tombstone(resource: str, row) -> dict:
    """An item that left the list since the sync's updated_since: its id, when it left, and
    nothing else (the list holds it only for a caller who could read it before it left)."""
    return GONE[resource].dump({"id": row.id, "updated_at": row.updated_at, "removed": True})


ERRORS = {"400": ProblemSchema, "404": ProblemSchema, "422": ProblemSchema}


def _documented(function):
    for status, schema in ERRORS.items():
        function = bp.alt_response(int(status), schema=schema,
                                   content_type="application/problem+json")(function)
    return function


@bp.route("/communities")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, CommunityPageSchema)
@_documented
def communities(limit: int, cursor: str | None = None, updated_since=None):
    """Communities and their public facts; members see more of their own. Every list
    takes ``updated_since`` for an incremental sync."""
    page = communities_page(_cursor(cursor, updated_since), limit, updated_since)
    return jsonify(items=[_community_data(c, caller_in(c)) for c in page.rows],
                   next_cursor=page.next_cursor)


@bp.route("/communities/<int:community_id>")
@bp.response(200, CommunitySchema)
@_documented
def community(community_id: int):
    """One community."""
    found = _community(community_id)
    return jsonify(_community_data(found, caller_in(found)))


@bp.route("/communities/<int:community_id>/notices")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, NoticePageSchema)
@_documented
def notices(community_id: int, limit: int, cursor: str | None = None, updated_since=None):
    """Notices: for strangers those the community made public, for its members all
    current ones. In a sync, a notice withdrawn since comes as a tombstone."""
    found = _community(community_id)
    caller = caller_in(found)
    now = utcnow()
    page = notices_page(found, caller, now, _cursor(cursor, updated_since), limit,
                        updated_since)
    files, public = notice_files(page.rows, now)
    return jsonify(items=[_tombstone("notice", n) if n.id in page.removed
                          else notice_data(n, caller, files[n.id], n.id in public)
                          for n in page.rows], next_cursor=page.next_cursor)


@bp.route("/communities/<int:community_id>/proposals")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ProposalPageSchema)
@_documented
def proposals(community_id: int, limit: int, cursor: str | None = None, updated_since=None):
    """Proposals with their counts and official answers, for the community's members. In a
    sync, a proposal hidden by moderation since comes as a tombstone."""
    found = _community(community_id)
    caller = caller_in(found)
    page = proposals_page(found, caller, _cursor(cursor, updated_since), limit,
                          updated_since)
    stances, answers = discussion_facts([p.id for p in page.rows])
    items = [_tombstone("proposal", p) if p.id in page.removed
             else proposal_data(p, caller, stances, answers) for p in page.rows]
    return jsonify(items=items, next_cursor=page.next_cursor)


@bp.route("/communities/<int:community_id>/meetings")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, MeetingPageSchema)
@_documented
def meetings(community_id: int, limit: int, cursor: str | None = None, updated_since=None):
    """Meetings with their time, place, agenda and published minutes, for members."""
    found = _community(community_id)
    caller = caller_in(found)
    page = meetings_page(found, caller, _cursor(cursor, updated_since), limit, updated_since)
    agendas, minutes = meeting_facts([m.id for m in page.rows])
    items = [gate(CLASSES["meeting"], MEETING.dump({
        "id": m.id, "community_id": m.community_id, "kind": m.kind, "title": m.title,
        "organisation": m.organisation.name, "starts_at": m.starts_at, "ends_at": m.ends_at,
        "place": m.place, "cancelled": m.cancelled_at is not None, "agenda": agendas[m.id],
        "minutes_notice_id": minutes.get(m.id), "updated_at": m.updated_at}), caller)
        for m in page.rows]
    return jsonify(items=items, next_cursor=page.next_cursor)


@bp.route("/communities/<int:community_id>/actions")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, ActionPageSchema)
@_documented
def actions(community_id: int, limit: int, cursor: str | None = None, updated_since=None):
    """Follow-up actions with their status, due day and whether they are overdue."""
    found = _community(community_id)
    caller = caller_in(found)
    page = actions_page(found, caller, _cursor(cursor, updated_since), limit, updated_since)
    today = beijing_today()
    items = [gate(CLASSES["action"], ACTION.dump({
        "id": a.id, "community_id": a.community_id, "proposal_id": a.proposal_id,
        "organisation": a.organisation.name, "description": a.description,
        "status": a.status, "due_on": a.due_on, "overdue": a.is_overdue(today),
        "done_at": a.done_at, "updated_at": a.updated_at}), caller) for a in page.rows]
    return jsonify(items=items, next_cursor=page.next_cursor)


@bp.route("/communities/<int:community_id>/insights")
@bp.arguments(InsightsArgsSchema, location="query", as_kwargs=True)
@bp.response(200, InsightsSchema)
@_documented
def insights(community_id: int, days: int):
    """Participation of the last ``days`` Beijing days, in total, by grid and by building:
    for those who see the whole community's dashboard, and a street office's token for every
    community of its jurisdiction. Households only, never a person; fewer than five
    households are withheld as on the dashboard."""
    found = _community(community_id)
    token = g.get("api_token")
    if token is not None:
        allowed = found.id in street_office_reach(token)
    else:
        allowed = can(current_user, "api.read_insights", found)
    if not allowed:
        raise NotFound(_l("No insights of this community for you."))
    period = Period.last_days(days, beijing_today())
    figures = participation(Scope((found.id,)), period)
    keep = ("name", "households", "took_part", "share")
    return jsonify(gate(CLASSES["insights"], INSIGHTS.dump({
        "community_id": found.id, "start": period.start, "end": period.end,
        "total": {k: figures["total"][k] for k in keep},
        "grids": [{k: row[k] for k in keep} for row in figures["grids"]],
        "buildings": [{k: row[k] for k in keep} for row in figures["buildings"]]}),
        STAFF_MEMBER))


@bp.route("/communities/<int:community_id>/polls")
@bp.arguments(PageArgsSchema, location="query", as_kwargs=True)
@bp.response(200, PollPageSchema)
@_documented
def polls(community_id: int, limit: int, cursor: str | None = None, updated_since=None):
    """Polls with their roll totals and turnout; for strangers only the closed owners' votes
    of a community that publishes results. Results are on each poll's own resource."""
    found = _community(community_id)
    caller = caller_in(found)
    page = polls_page(found, caller, _cursor(cursor, updated_since), limit, updated_since)
    counts = turnouts([p.id for p in page.rows])
    return jsonify(items=[poll_data(p, caller, counts.get(p.id, (0, 0))) for p in page.rows],
                   next_cursor=page.next_cursor)


@bp.route("/polls/<int:poll_id>")
@bp.response(200, PollSchema)
@_documented
def poll(poll_id: int):
    """One poll, with its results where its visibility allows."""
    found = visible_poll(poll_id)
    if found is None:
        raise NotFound(_l("No such poll, or not one you may see."))
    shown, caller = found
    counts = turnouts([shown.id])
    return jsonify(poll_data(shown, caller, counts.get(shown.id, (0, 0)),
                              poll_results(shown)))


def docs():
    """The OpenAPI document as a page, for people."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    return render_template("api/docs.html", spec=spec.to_dict())


def register_api(app) -> None:
    app.config.setdefault("API_TITLE", "Gongzhi open data")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_TOKEN_LIMIT", "600/hour")
    api = GongzhiApi(app)
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{}, {"token": []}]  # anonymous, or an organisation's token
    api.register_blueprint(bp)
    document_tombstones(api.spec)
    app.add_url_rule("/api/v1/docs", "api_docs", docs)
    app.register_blueprint(token_pages)
