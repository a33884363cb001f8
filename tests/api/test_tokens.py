"""Organisations' API tokens: issued by the chair, shown once, stored hashed, scoped,
expiring, revocable, audited at every use and rate-limited per token."""

from datetime import timedelta

from sqlalchemy import select

from app.api.models import ApiToken
from app.api.tokens import issue_token
from app.audit.models import AuditEvent
from app.extensions import db, utcnow
from tests.notices.conftest import make_notice  # noqa: F401  (fixture)


def _issue(world, resources=("notices",), days=30):
    token, secret = issue_token(world.owners_committee, actor=world.users["oc_chair"],
                                name="物业系统", resources=list(resources), days=days,
                                now=utcnow())
    db.session.commit()
    return token, secret


def _audited(action: str) -> list[AuditEvent]:
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)
                              ).scalars().all()


def test_the_chair_issues_a_token_shown_once_and_stored_hashed(world, login, client):
    login(world.users["oc_chair"])
    client.set_cookie("lang", "en")
    page = client.post(f"/o/{world.owners_committee.id}/api-tokens", data={
        "name": "物业系统", "resources": ["notices", "polls"], "days": "30"}
    ).get_data(as_text=True)
    token = db.session.execute(select(ApiToken)).scalar_one()
    secret = page.split("<code>")[1].split("</code>")[0]
    assert secret.startswith("gz_") and "shown only once" in page
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.resources == ["notices", "polls"]
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert secret not in client.get(f"/o/{world.owners_committee.id}/api-tokens").get_data(
        as_text=True)
    assert [e.target for e in _audited("api.token_issue")] == [f"api_token:{token.id}"]


def test_a_bad_form_says_why_and_issues_nothing(world, login, client):
    login(world.users["oc_chair"])
    client.set_cookie("lang", "en")
    page = client.post(f"/o/{world.owners_committee.id}/api-tokens", data={
        "name": "物业系统", "days": "0"}).get_data(as_text=True)
    assert "Choose at least one." in page and "from 1 to 365" in page
    assert 'value="物业系统"' in page
    assert db.session.execute(select(ApiToken)).scalar_one_or_none() is None


def test_a_token_reads_its_community_as_a_member_within_its_scope(world, client,
                                                                  make_notice):  # noqa: F811
    private = make_notice(world.owners_committee, "内部通知")
    token, secret = _issue(world)
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/communities/{world.community.id}/notices"
    titles = [n["title"] for n in client.get(url, headers=headers).get_json()["items"]]
    assert titles == [private.title]
    assert client.get(url).get_json()["items"] == []  # without the token: nothing public
    refused = client.get(f"/api/v1/communities/{world.community.id}", headers=headers)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    db.session.expire_all()
    assert token.last_used_at is not None
    assert [e.details["path"] for e in _audited("api.token_use")] == [url]


def test_revoked_expired_and_unknown_tokens_are_refused(world, login, client):
    token, secret = _issue(world)
    _old, expired = _issue(world, days=1)
    _old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    url = f"/api/v1/communities/{world.community.id}/notices"
    assert client.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    login(world.users["oc_chair"])
    client.post(f"/o/{world.owners_committee.id}/api-tokens/{token.id}/revoke")
    stranger = client.application.test_client()
    for sent in (secret, expired, "gz_not-a-token"):
        response = stranger.get(url, headers={"Authorization": f"Bearer {sent}"})
        assert response.status_code == 401, sent
        assert response.get_json()["status"] == 401
    assert len(_audited("api.token_revoke")) == 1


def test_each_token_has_its_own_rate_limit(app, world, client):
    app.config["API_TOKEN_LIMIT"] = "2/hour"
    try:
        _first, first = _issue(world)
        _second, second = _issue(world)
        url = f"/api/v1/communities/{world.community.id}/notices"
        codes = [client.get(url, headers={"Authorization": f"Bearer {first}"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.get(url, headers={"Authorization": f"Bearer {second}"}
                          ).status_code == 200
    finally:
        app.config["API_TOKEN_LIMIT"] = "600/hour"


def test_the_token_page_costs_the_same_with_many_tokens(world, login, client, count_queries):
    login(world.users["oc_chair"])
    url = f"/o/{world.owners_committee.id}/api-tokens"
    _issue(world)
    with count_queries() as before:
        client.get(url)
    for _ in range(8):
        _issue(world)
    with count_queries() as after:
        client.get(url)
    assert len(after) == len(before)
