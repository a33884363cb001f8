"""Who may use each route, and who may not: every protected route, every kind of person."""

import ast
import inspect
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.api.models import ApiToken
from app.api.tokens import issue_token
from app.community.models import MemberRole, Membership, Role, RoleGrant
from app.extensions import db, utcnow
from app.messaging.models import OutboxMessage
from app.privacy.models import DeletionRequest
from app.webhooks.models import Webhook, WebhookDelivery
from app.webhooks.services import register

PEOPLE = {
    "platform_admin", "community_admin", "other_admin", "oc_chair", "oc_staff", "nc_staff",
    "property_staff", "party_chair", "resident", "moderator", "outsider",
}
MANAGE = {"platform_admin", "community_admin"}
VERIFY = MANAGE | {"oc_chair", "oc_staff", "nc_staff"}
VIEW = VERIFY | {"property_staff", "party_chair", "resident", "moderator"}
PLATFORM = {"platform_admin"}


def _membership_to_revoke(w) -> str:
    membership = db.session.execute(select(Membership).where(
        Membership.organisation_id == w.owners_committee.id,
        Membership.user_id == w.applicant.id)).scalar_one_or_none()
    if membership is None:
        membership = Membership(organisation=w.owners_committee, user=w.applicant,
                                role=MemberRole.MEMBER)
        db.session.add(membership)
        db.session.commit()
    return f"/o/{w.owners_committee.id}/members/{membership.id}/revoke"


def _deletion_to_carry_out(w) -> str:
    deletion = db.session.execute(select(DeletionRequest).where(
        DeletionRequest.user_id == w.applicant.id)).scalar_one_or_none()
    if deletion is None:
        deletion = DeletionRequest(user=w.applicant, community_id=w.community.id)
        db.session.add(deletion)
        db.session.commit()
    return f"/c/{w.community.id}/deletion-requests/{deletion.id}"


def _party_standing(w) -> str:
    membership = db.session.execute(select(Membership).where(
        Membership.organisation_id == w.party_branch.id,
        Membership.user_id == w.users["party_chair"].id)).scalar_one()
    return f"/o/{w.party_branch.id}/members/{membership.id}/standing"


def _grant_to_revoke(w, community) -> int:
    role = Role.MODERATOR if community else Role.PLATFORM_ADMIN
    community_id = community.id if community else None
    grant = db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == w.applicant.id, RoleGrant.role == role,
        RoleGrant.community_id == community_id if community else RoleGrant.community_id.is_(None)
    )).scalar_one_or_none()
    if grant is None:
        grant = RoleGrant(user=w.applicant, community_id=community_id, role=role)
        db.session.add(grant)
        db.session.commit()
    return grant.id


def _failed_message(w) -> str:
    message = db.session.execute(select(OutboxMessage).where(
        OutboxMessage.user_id == w.applicant.id)).scalar_one_or_none()
    if message is None:
        message = OutboxMessage(user_id=w.applicant.id, community_id=w.community.id,
                                channel="sms", template="poll_opened", params={},
                                phone=w.applicant.phone, status="failed", last_error="timeout")
        db.session.add(message)
        db.session.commit()
    return f"/c/{w.community.id}/messages/{message.id}/retry"


def _token_to_revoke(w) -> str:
    token = db.session.execute(select(ApiToken)).scalars().first()
    if token is None:
        token, _ = issue_token(w.owners_committee, actor=w.users["oc_chair"], name="t",
                               resources=["notices"], days=30, now=utcnow())
        db.session.commit()
    return f"/o/{w.owners_committee.id}/api-tokens/{token.id}/revoke"


def _hook_id(w) -> int:
    """A webhook of the community, with a failed delivery to send again."""
    hook = db.session.execute(select(Webhook)).scalars().first()
    if hook is None:
        hook, _ = register(w.community, actor=w.users["community_admin"],
                           url="http://127.0.0.1:9/hook", events=["notice.posted"])
        db.session.add(WebhookDelivery(webhook_id=hook.id, event_id="e1",
                                       event_type="notice.posted", body="{}",
                                       status="failed", attempts=4))
        db.session.commit()
    return hook.id


def _webhook_delivery(w) -> str:
    hook_id = _hook_id(w)
    delivery = db.session.execute(select(WebhookDelivery)).scalars().first()
    if delivery is None:  # sent again by an earlier person: fail it again
        delivery = WebhookDelivery(webhook_id=hook_id, event_id="e1",
                                   event_type="notice.posted", body="{}", status="failed")
        db.session.add(delivery)
        db.session.commit()
    return f"/c/{w.community.id}/webhooks/{delivery.webhook_id}/deliveries/{delivery.id}/again"


ROUTES = [
    # (method, url builder, who may)
    ("GET", lambda w: "/me", PEOPLE),
    ("GET", lambda w: "/me/link", PEOPLE),
    ("GET", lambda w: "/me/data", PEOPLE),
    ("GET", lambda w: "/me/data/export", PEOPLE),
    ("POST", lambda w: "/me/data/deletion", PEOPLE),
    ("GET", lambda w: f"/c/{w.community.id}/deletion-requests", MANAGE),
    ("POST", _deletion_to_carry_out, MANAGE),
    ("POST", lambda w: "/me/link", PEOPLE),
    ("GET", lambda w: "/auth/password", PEOPLE),
    ("POST", lambda w: "/auth/password", PEOPLE),
    ("POST", lambda w: "/auth/sessions/logout-others", PEOPLE),
    ("GET", lambda w: "/communities", PEOPLE),
    ("GET", lambda w: "/communities/new", PLATFORM),
    ("POST", lambda w: "/communities/new", PLATFORM),
    ("GET", lambda w: f"/c/{w.community.id}", VIEW),
    ("POST", lambda w: f"/c/{w.community.id}/grids", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/buildings", MANAGE),
    ("GET", lambda w: f"/c/{w.community.id}/roster/import", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roster/import", MANAGE),
    ("GET", lambda w: f"/c/{w.community.id}/units", VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/verifications", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/verifications/{w.link_request.id}", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/verifications/{w.link_request.id}/phone", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/owners/{w.unit.ownerships[0].owner_id}/phone",
     VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/organisations/new", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/organisations", MANAGE),
    ("GET", lambda w: f"/o/{w.owners_committee.id}", VIEW),
    ("POST", lambda w: f"/o/{w.owners_committee.id}/members", MANAGE | {"oc_chair"}),
    ("POST", _membership_to_revoke, MANAGE | {"oc_chair"}),
    ("POST", _party_standing, MANAGE | {"party_chair"}),
    ("GET", lambda w: f"/c/{w.community.id}/roles", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roles", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/roles/{_grant_to_revoke(w, w.community)}/revoke",
     MANAGE),
    ("GET", lambda w: "/platform/roles", PLATFORM),
    ("POST", lambda w: "/platform/roles", PLATFORM),
    ("POST", lambda w: f"/platform/roles/{_grant_to_revoke(w, None)}/revoke", PLATFORM),
    ("GET", lambda w: "/audit/", PLATFORM),
    ("GET", lambda w: f"/audit/?community={w.community.id}", MANAGE),
    ("GET", lambda w: "/notifications", PEOPLE),
    ("GET", lambda w: "/notifications/count", PEOPLE),
    ("POST", lambda w: "/notifications/read-all", PEOPLE),
    ("GET", lambda w: f"/c/{w.community.id}/password-help", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/password-help", VERIFY),
    ("GET", lambda w: "/me/messages", PEOPLE),
    ("POST", lambda w: "/me/messages", PEOPLE),
    ("GET", lambda w: f"/c/{w.community.id}/messages", VERIFY),
    ("POST", _failed_message, VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/messages/slips.pdf", VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/messages/slips.html", VERIFY),
    ("POST", lambda w: f"/c/{w.community.id}/messages/slips/printed", VERIFY),
    ("GET", lambda w: f"/c/{w.community.id}/public-settings", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/public-settings", MANAGE),
    ("GET", lambda w: f"/o/{w.owners_committee.id}/api-tokens", MANAGE | {"oc_chair"}),
    ("POST", lambda w: f"/o/{w.owners_committee.id}/api-tokens", MANAGE | {"oc_chair"}),
    ("POST", _token_to_revoke, MANAGE | {"oc_chair"}),
    ("GET", lambda w: "/me/feeds", PEOPLE),
    ("POST", lambda w: "/me/feeds/new", PEOPLE),
    ("POST", lambda w: "/me/feeds/revoke", PEOPLE),
    ("GET", lambda w: f"/c/{w.community.id}/webhooks", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/webhooks", MANAGE),
    ("GET", lambda w: f"/c/{w.community.id}/webhooks/{_hook_id(w)}", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/webhooks/{_hook_id(w)}/disable", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/webhooks/{_hook_id(w)}/enable", MANAGE),
    ("POST", lambda w: f"/c/{w.community.id}/webhooks/{_hook_id(w)}/delete", MANAGE),
    ("POST", _webhook_delivery, MANAGE),
]


def _route_id(route) -> str:
    method, build, _ = route
    return f"{method} {build.__name__ if build.__name__ != '<lambda>' else ''}".strip() + \
        f"#{ROUTES.index(route)}"


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_only_the_right_people_may_use_the_route(route, app, world, login):
    method, build, allowed = route
    assert allowed <= PEOPLE
    for key in sorted(PEOPLE, key=lambda k: k in allowed):  # refused ones first
        client = app.test_client()
        login(world.users[key], client)
        url = build(world)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        if key in allowed:
            assert response.status_code in (200, 302), (key, url, response.status_code)
            assert "/auth/login" not in response.headers.get("Location", ""), (key, url)
        else:
            assert response.status_code == 403, (key, url, response.status_code)
            assert "You do not have permission" in response.get_data(as_text=True) or \
                "没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=_route_id)
def test_strangers_are_sent_to_log_in(route, app, world):
    method, build, _ = route
    client = app.test_client()
    url = build(world)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# --- Every route is covered -------------------------------------------------------------------

# Routes anyone may use, signed in or not, and why nothing there needs a permission.
PUBLIC_ENDPOINTS = {
    "static": "stylesheets, scripts and icons carry nothing private",
    "auth.login": "where strangers are sent to sign in",
    "auth.register": "where strangers open an account",
    "auth.logout": "ends the session there is; a stranger has none to end",
    "home.home": "strangers see the welcome page, the signed in their own summary",
    "home.privacy": "the privacy notice must be readable before registering",
    "home.set_language": "the language is a cookie of the browser, a stranger's too",
    "home.toggle_elder_mode": "large type is a cookie of the browser, a stranger's too",
    "recovery.forgot": "who forgot their password cannot sign in; the answer is the same for "
                       "every number, and codes are rate-limited per number and address",
    "recovery.reset": "a one-time code, not a session, proves the right to set the password",
    "public.community": "lists only what the community made public (issue 16); tested in "
                        "tests/public/test_public_pages.py",
    "public.notice": "owners' result notices, minutes and notices marked public, as the "
                     "community's settings allow; anything else is not found",
    "public.poll_bulletin": "the bulletin of a closed owners' vote by receipt: rooms and areas, "
                            "never names, and only where the community publishes results",
    "public.notice_attachment": "a file of a notice the public page shows, under the same "
                                "condition; tested in tests/public/test_public_pages.py",
    "public.notice_attachment_thumb": "the thumbnail of such a file, under the same condition",
    "api-docs.openapi_json": "the API's OpenAPI document describes it and holds no data",
    "api_docs": "the OpenAPI document as a page for people; no data",
    "feeds.public_notices": "the public page's notices as Atom: the same condition as the "
                            "page; tested in tests/feeds/test_feeds.py",
    "feeds.export_json": "the public page's notices and their votes' counts, no names",
    "feeds.export_csv": "the same as export_json, as a spreadsheet",
}

# Routes whose who-may and who-may-not are tested next to their feature, by the test named.
TESTED_ELSEWHERE = {
    "home.read_group": "tests/notices/test_grouped_notifications.py::"
                       "test_nobody_marks_another_persons_notifications_read",
    "voting.voting_settings": "tests/voting/test_voting_settings.py::"
                              "test_only_the_community_admin_sets_the_rules",
    "auth.end_one_session": "tests/auth/test_sessions.py::"
                            "test_nobody_ends_another_persons_session",
    "discussion.answer": "tests/discussion/test_comments.py::"
                         "test_an_official_answer_only_in_the_name_of_ones_own_organisation",
    "discussion.comments": "tests/discussion/test_comments.py::"
                           "test_reading_needs_a_login_and_the_right_to_see_the_proposal",
    "discussion.decide_items": "tests/discussion/test_moderation.py::"
                               "test_strangers_and_muted_members_are_kept_out_of_moderation",
    "discussion.delete": "tests/discussion/test_comments.py::test_only_the_author_edits_or_deletes",
    "discussion.edit": "tests/discussion/test_comments.py::test_only_the_author_edits_or_deletes",
    "discussion.hide_all_content": "tests/discussion/test_moderation.py::"
                                   "test_who_may_mute_and_hide_all",
    "discussion.lift": "tests/discussion/test_mutes.py::test_who_may_lift_a_mute",
    "discussion.mute_member": "tests/discussion/test_moderation.py::"
                              "test_who_may_mute_and_hide_all",
    "discussion.post": "tests/discussion/test_comments.py::test_who_may_post_a_comment",
    "discussion.queue": "tests/discussion/test_moderation.py::"
                        "test_strangers_and_muted_members_are_kept_out_of_moderation",
    "discussion.reply": "tests/discussion/test_comments.py::test_who_may_reply",
    "discussion.report_comment": "tests/discussion/test_moderation.py::"
                                 "test_who_may_report_a_comment",
    "discussion.report_proposal": "tests/discussion/test_moderation.py::"
                                  "test_reporting_a_proposal",
    "discussion.show_comment": "tests/discussion/test_comments.py::"
                               "test_a_stable_link_leads_to_the_page_that_shows_a_comment",
    "meetings.add_action_for_item": "tests/followups/test_pages.py::"
                              "test_only_the_recorder_the_chair_and_the_admin_record",
    "followups.mark_action_done": "tests/followups/test_pages.py::"
                                  "test_a_stranger_cannot_mark_done",
    "followups.organisation_actions": "tests/followups/test_pages.py::"
                                      "test_the_organisation_page_needs_a_member_of_the_community",
    "followups.photo": "tests/followups/test_pages.py::"
                       "test_a_photo_alone_will_do_and_is_served_to_those_who_see_the_proposal",
    "followups.photo_thumb": "tests/followups/test_pages.py::"
                             "test_a_photo_alone_will_do_and_is_served_to_those_who_see_the_proposal",
    "insights.dashboard": "tests/insights/test_pages.py::test_others_may_not",
    "insights.table_csv": "tests/insights/test_pages.py::test_others_may_not",
    "insights.topics": "tests/insights/test_pages.py::test_others_may_not",
    "insights.overview": "tests/insights/test_pages.py::test_others_see_no_summary",
    "insights.overview_csv": "tests/insights/test_pages.py::test_others_see_no_summary",
    "meetings.minutes": "tests/meetings/test_minutes.py::"
                        "test_who_may_publish_download_and_see_the_draft",
    "meetings.minutes_draft": "tests/meetings/test_minutes.py::"
                              "test_who_may_publish_download_and_see_the_draft",
    "meetings.minutes_file": "tests/meetings/test_minutes.py::"
                             "test_who_may_publish_download_and_see_the_draft",
    "notices.attachment": "tests/notices/test_notices.py::"
                          "test_attachments_are_served_only_to_those_who_may_read_the_notice",
    "notices.attachment_thumb": "tests/notices/test_notices.py::"
                                "test_attachments_are_served_only_to_those_who_may_read_the_notice",
    "notices.board": "tests/notices/test_notices.py::test_the_board_is_for_the_community",
    "notices.new_notice": "tests/notices/test_notices.py::test_only_organisation_staff_may_post",
    "notices.view": "tests/notices/test_notices.py::test_a_notice_is_public_within_its_community",
    "notices.pin": "tests/notices/test_notices.py::test_only_the_issuers_staff_manage_a_notice",
    "notices.reads": "tests/notices/test_notices.py::test_only_the_issuers_staff_manage_a_notice",
    "notices.remind_unread": "tests/notices/test_notices.py::"
                             "test_only_the_issuers_staff_manage_a_notice",
    "notices.withdraw_notice": "tests/notices/test_notices.py::"
                               "test_only_the_issuers_staff_manage_a_notice",
    "api.communities": "tests/api/test_api.py::"
                       "test_every_endpoint_as_every_caller_shows_only_the_classes_it_may",
    "api.community": "tests/api/test_api.py::test_staff_read_staff_fields_and_residents_do_not",
    "api.notices": "tests/api/test_api.py::"
                   "test_strangers_read_only_what_the_community_made_public",
    "api.polls": "tests/api/test_api.py::test_strangers_read_only_what_the_community_made_public",
    "api.meetings": "tests/api/test_api.py::test_meetings_are_for_members_with_their_agenda",
    "api.insights": "tests/api/test_api.py::"
                    "test_insights_withhold_small_buildings_and_reach_the_street_offices_token",
    "api.actions": "tests/api/test_api.py::"
                   "test_actions_are_for_members_and_say_when_they_are_overdue",
    "api.proposals": "tests/api/test_api.py::"
                     "test_proposals_are_for_members_with_their_stances_and_answers",
    "api.poll": "tests/api/test_api.py::test_strangers_read_only_what_the_community_made_public",
    "feeds.calendar": "tests/feeds/test_feeds.py::"
                      "test_each_person_s_calendar_holds_what_they_may_see",
    "feeds.community_calendar": "tests/feeds/test_feeds.py::"
                                "test_each_person_s_calendar_holds_what_they_may_see",
    "feeds.notices": "tests/feeds/test_feeds.py::"
                     "test_the_person_s_notices_feed_holds_what_they_may_read",
    "voting.answer": "tests/voting/test_pages.py::"
                     "test_objections_are_filed_by_voters_and_answered_by_the_organiser",
    "voting.not_mine": "tests/voting/test_offline_entries.py::"
                       "test_only_an_owner_with_an_entered_ballot_can_disown_it",
    "voting.object_to": "tests/voting/test_pages.py::"
                        "test_objections_are_filed_by_voters_and_answered_by_the_organiser",
    "voting.audit_zip": "tests/voting/test_pages.py::"
                        "test_the_organiser_downloads_the_audit_package",
    "voting.close": "tests/voting/test_pages.py::test_close_extend_and_remind_belong_to_the_chair",
    "voting.remind": "tests/voting/test_pages.py::test_close_extend_and_remind_belong_to_the_chair",
    "voting.extend_poll": "tests/voting/test_pages.py::"
                          "test_only_the_chair_extends_a_poll_and_only_to_later",
    "voting.confirm_vote": "tests/voting/test_pages.py::"
                           "test_a_non_owner_cannot_vote_in_an_owners_poll",
    "voting.vote": "tests/voting/test_pages.py::test_a_non_owner_cannot_vote_in_an_owners_poll",
    "voting.view_poll": "tests/voting/test_pages.py::"
                        "test_a_non_owner_cannot_vote_in_an_owners_poll",
    "voting.new_poll": "tests/voting/test_pages.py::test_only_chairs_create_polls",
    "voting.offline": "tests/voting/test_pages.py::"
                      "test_a_party_branch_chair_enters_offline_ballots_but_not_its_staff",
    "voting.poll_bulletin": "tests/voting/test_pages.py::"
                            "test_the_bulletin_lists_receipts_and_finds_mine",
    "voting.poll_bulletin_csv": "tests/voting/test_results_stored.py::"
                                "test_the_whole_bulletin_downloads_as_csv",
    "voting.poll_turnout": "tests/voting/test_pages.py::"
                           "test_the_turnout_piece_is_for_those_who_see_the_proposal",
    "voting.result_notice_file": "tests/voting/test_notice_export.py::"
                                 "test_the_notice_downloads_from_the_poll_page_once_closed",
    "voting.service": "tests/voting/test_service.py::test_only_staff_see_and_record_service",
    "voting.poll_poster_file": "tests/voting/test_paper.py::"
                               "test_the_poster_is_for_those_who_manage_the_poll",
    "voting.paper_ballots": "tests/voting/test_paper.py::"
                            "test_ballots_and_lists_are_for_those_who_enter_paper_ballots",
    "voting.canvass": "tests/voting/test_paper.py::"
                      "test_ballots_and_lists_are_for_those_who_enter_paper_ballots",
    "notices.poster": "tests/notices/test_poster.py::"
                      "test_only_the_issuers_staff_print_the_poster",
    "notices.poster_page": "tests/notices/test_poster_page.py::"
                           "test_only_the_issuers_staff_open_the_poster_page",
    "voting.poll_poster_page": "tests/voting/test_paper_pages.py::"
                               "test_the_poster_page_is_for_those_who_manage_the_poll",
    "voting.paper_ballots_page": "tests/voting/test_paper_pages.py::"
                                 "test_ballot_and_list_pages_are_for_those_who_enter_paper_ballots",
    "voting.canvass_page": "tests/voting/test_paper_pages.py::"
                           "test_ballot_and_list_pages_are_for_those_who_enter_paper_ballots",
    "voting.service_posting": "tests/voting/test_service.py::"
                              "test_only_staff_see_and_record_service",
}

TESTS_DIR = Path(__file__).parent


def _matrix_endpoints(app) -> dict[str, str]:
    """The endpoint of each row of the route matrices, found by matching a sample of its
    URL (every placeholder set to 1) against the app's URL map."""
    from tests.meetings import test_access as meeting_access
    from tests.proposals import test_permissions as proposal_access

    adapter = app.url_map.bind("localhost")
    covered = {}
    for module in (sys.modules[__name__], proposal_access, meeting_access):
        for method, path, _ in module.ROUTES:
            if not isinstance(path, str):  # a URL builder: the first path in its source
                path = re.search(r'"(/[^"]*)"', inspect.getsource(path)).group(1)
            sample = re.sub(r"\{[^{}]*\}", "1", path)
            endpoint, _ = adapter.match(sample.split("?")[0], method=method.upper())
            covered[endpoint] = module.__name__
    return covered


def _test_exists(reference: str) -> bool:
    path, name = reference.split("::")
    tree = ast.parse((TESTS_DIR.parent / path).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def test_every_route_has_an_authorisation_test_or_is_public(app):
    """A new route must join a matrix above, name the test that refuses the wrong people,
    or be declared public with a reason."""
    matrices = _matrix_endpoints(app)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    uncovered = endpoints - set(matrices) - set(TESTED_ELSEWHERE) - set(PUBLIC_ENDPOINTS)
    assert not uncovered, f"routes without an authorisation test: {sorted(uncovered)}"
    declared = set(TESTED_ELSEWHERE) | set(PUBLIC_ENDPOINTS)
    assert declared <= endpoints, f"no such routes: {sorted(declared - endpoints)}"
    assert not set(matrices) & declared, "a route is both in a matrix and declared elsewhere"
    missing = [ref for ref in TESTED_ELSEWHERE.values() if not _test_exists(ref)]
    assert not missing, f"named tests that do not exist: {missing}"


def test_public_routes_need_no_sign_in(app):
    """What the allow-list calls public is reachable by a stranger."""
    client = app.test_client()
    for path in ("/", "/privacy", "/auth/login", "/auth/register", "/auth/forgot",
                 "/auth/reset"):
        assert client.get(path).status_code == 200, path


# --- The permission modules --------------------------------------------------------------------

APP_DIR = TESTS_DIR.parent / "app"


def test_the_permission_table_imports_no_feature_but_community():
    """Features import app.permissions; were it to import them back, a cycle would follow."""
    tree = ast.parse((APP_DIR / "permissions.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    packages = {name.split(".")[1] for name in imported if name.startswith("app.")}
    assert packages <= {"community", "extensions"}, packages


ACTION_NAME = re.compile(r"""\b(?:can|require)\((?:[\w.]+, )?["']([a-z_]+\.[a-z_]+)["']""")


def test_every_action_asked_for_is_a_rule_once_the_app_has_started(app):
    """Every can(...) and require(...) in the code and templates names a registered rule:
    a misspelt or unregistered name would only fail on the page that asks for it."""
    from app.permissions import RULES

    sources = [*APP_DIR.rglob("*.py"), *(TESTS_DIR.parent / "templates").rglob("*.html")]
    asked = {name for path in sources
             for name in ACTION_NAME.findall(path.read_text(encoding="utf-8"))}
    assert len(asked) > 40
    assert asked <= set(RULES), sorted(asked - set(RULES))
