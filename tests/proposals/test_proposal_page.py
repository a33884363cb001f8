"""The proposal page: co-sponsoring, following, withdrawing, chairs' decisions, the party
branch's opinion and moderation placeholders."""

from html import unescape

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notices.models import Notification
from app.proposals.models import Follow, PartyReview, Proposal, ProposalEvent
from app.proposals.services import cosponsor
from app.proposals.states import Status
from tests.proposals.conftest import post_multipart


def _reload(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _follower_ids(proposal) -> set[int]:
    return set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == proposal.id)).scalars())


def test_draft_submit_cosponsor_deliberation_through_the_pages(app, place, neighbours, login):
    """The journey of issue 3: a resident drafts, two neighbours co-sponsor, it moves on."""
    w = place
    w.community.cosponsor_threshold = 2
    db.session.commit()
    author = login(w.users["resident"], app.test_client())
    author.set_cookie("lang", "en")
    post_multipart(author, f"/c/{w.community.id}/proposals/new", {
        "title": "加装电梯", "body": "1栋老人多，希望加装电梯。", "category": "renovation",
        "scope_kind": "buildings", "buildings": str(w.building1.id)})
    proposal = db.session.execute(select(Proposal)).scalar_one()
    author.post(f"/p/{proposal.id}/submit")
    assert _reload(proposal).status == Status.COLLECTING

    first, second, far = neighbours
    outsider = login(far, app.test_client())
    assert outsider.post(f"/p/{proposal.id}/cosponsor").status_code == 403, "not in scope"
    assert author.post(f"/p/{proposal.id}/cosponsor").status_code == 403, "own proposal"

    one = login(first, app.test_client())
    one.set_cookie("lang", "en")
    page = one.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert "0 of 2 co-sponsors" in page and "Co-sponsor this proposal" in page
    fragment = one.post(f"/p/{proposal.id}/cosponsor",
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "1 of 2 co-sponsors" in fragment
    assert "You co-sponsor this proposal." in fragment
    twice = one.post(f"/p/{proposal.id}/cosponsor", follow_redirects=True)
    assert "You already co-sponsor this proposal." in twice.get_data(as_text=True)
    assert _reload(proposal).cosponsor_count == 1

    two = login(second, app.test_client())
    response = two.post(f"/p/{proposal.id}/cosponsor", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/p/{proposal.id}"
    proposal = _reload(proposal)
    assert proposal.status == Status.DELIBERATION and proposal.cosponsor_count == 2
    assert {first.id, second.id, w.users["resident"].id} <= _follower_ids(proposal)
    assert "threshold_reached" in db.session.execute(select(Notification.kind).where(
        Notification.user_id == w.users["resident"].id)).scalars().all()
    timeline = author.get(f"/p/{proposal.id}").get_data(as_text=True)
    assert "Submitted; collecting support" in timeline
    assert "Reached its co-sponsor threshold" in timeline and "automatically" in timeline
    late = one.post(f"/p/{proposal.id}/cosponsor", follow_redirects=True)
    assert "This proposal is not collecting support now." in late.get_data(as_text=True)


def test_follow_and_unfollow_in_place(app, proposals, login, en):
    resident = proposals.users["resident"]
    login(resident)
    url = f"/p/{proposals.open.id}"
    assert "Follow</button>" in en.get(url).get_data(as_text=True)
    fragment = en.post(f"{url}/follow", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Stop following" in fragment
    assert f"{url}/unfollow" in fragment
    assert resident.id in _follower_ids(proposals.open)
    en.post(f"{url}/follow")  # twice is harmless
    assert db.session.execute(select(func.count(Follow.id)).where(
        Follow.proposal_id == proposals.open.id, Follow.user_id == resident.id)
    ).scalar_one() == 1
    response = en.post(f"{url}/unfollow")
    assert response.status_code == 302
    assert resident.id not in _follower_ids(proposals.open)
    assert "Follow</button>" in en.get(url).get_data(as_text=True)


def test_the_author_withdraws_after_confirming(app, proposals, login, en):
    login(proposals.users["oc_staff"])
    url = f"/p/{proposals.open.id}"
    page = en.get(url).get_data(as_text=True)
    assert f'href="{url}/withdraw"' in page
    confirm = en.get(f"{url}/withdraw").get_data(as_text=True)
    assert "Withdraw this proposal?" in confirm and "Yes, withdraw it" in confirm
    assert _reload(proposals.open).status == Status.COLLECTING, "asking changes nothing"
    en.post(f"{url}/withdraw")
    assert _reload(proposals.open).status == Status.WITHDRAWN
    again = en.post(f"{url}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "This cannot be done while the proposal is “Withdrawn”." in again
    assert "Withdrawn by the author" in again


def test_merging_through_the_page(app, proposals, login, en, neighbours, make_proposal):
    w = proposals
    login(w.users["oc_chair"])
    first, *_ = neighbours
    cosponsor(w.other_open, first)
    db.session.commit()
    url = f"/p/{w.other_open.id}"
    invalid = en.post(f"{url}/merge", data={"merge-into": ""})
    assert invalid.status_code == 200
    assert "Choose an open proposal of this community." in invalid.get_data(as_text=True)
    itself = en.post(f"{url}/merge", data={"merge-into": str(w.other_open.id)})
    assert "Choose an open proposal of this community." in itself.get_data(as_text=True)
    foreign = make_proposal(w.other_community, w.users["other_admin"], status=Status.COLLECTING)
    elsewhere = en.post(f"{url}/merge", data={"merge-into": str(foreign.id)})
    assert "Choose an open proposal of this community." in elsewhere.get_data(as_text=True)
    assert _reload(w.other_open).status == Status.COLLECTING

    en.post(f"{url}/merge", data={"merge-into": str(w.open.id), "merge-note": "同一件事"})
    merged, survivor = _reload(w.other_open), db.session.get(Proposal, w.open.id)
    assert merged.status == Status.MERGED and merged.merged_into_id == survivor.id
    assert survivor.cosponsor_count == 1 and first.id in _follower_ids(survivor)
    page = en.get(url).get_data(as_text=True)
    assert f'Merged into <a href="/p/{survivor.id}">#{survivor.id} 修路灯</a>' in page
    assert "同一件事" in page
    assert "A duplicate was merged into this proposal" in en.get(
        f"/p/{survivor.id}").get_data(as_text=True)
    assert db.session.execute(select(AuditEvent.action)).scalars().all() == ["proposal.merge"]

    refused = en.post(f"{url}/merge", data={"merge-into": str(w.fund.id)},
                      follow_redirects=True).get_data(as_text=True)
    assert "This cannot be done while the proposal is “Merged”." in refused
    assert _reload(w.other_open).merged_into_id == survivor.id


def test_moving_back_needs_a_reason(app, proposals, login, en):
    login(proposals.users["community_admin"])
    url = f"/p/{proposals.fund.id}"
    invalid = en.post(f"{url}/move-back", data={"move_back-reason": "  "})
    assert invalid.status_code == 200 and "Give a reason." in invalid.get_data(as_text=True)
    assert "Nothing was changed. Please correct the marked field below." in \
        invalid.get_data(as_text=True)
    assert _reload(proposals.fund).status == Status.DELIBERATION
    en.post(f"{url}/move-back", data={"move_back-reason": "范围写错了"})
    assert _reload(proposals.fund).status == Status.COLLECTING
    page = en.get(url).get_data(as_text=True)
    assert "Moved back by a chair" in page and "范围写错了" in page
    assert "community_admin" in page
    en.post(f"{url}/move-back", data={"move_back-reason": "再退"})
    assert _reload(proposals.fund).status == Status.DRAFT
    assert en.get(url).status_code == 403, "a draft is its author's alone again"


def test_a_chair_withdraws_the_authors_rights(app, proposals, login, en):
    w = proposals
    chair = login(w.users["oc_chair"], app.test_client())
    url = f"/p/{w.open.id}"
    invalid = chair.post(f"{url}/withdraw-rights", data={"rights-reason": ""})
    assert invalid.status_code == 200
    assert not _reload(w.open).author_rights_withdrawn
    chair.post(f"{url}/withdraw-rights", data={"rights-reason": "冒用他人名义"})
    assert _reload(w.open).author_rights_withdrawn
    assert db.session.execute(select(AuditEvent.action)).scalars().all() == [
        "proposal.withdraw_author_rights"]

    login(w.users["oc_staff"])  # the author
    page = en.get(url).get_data(as_text=True)
    assert "A chair withdrew the author's rights" in page and "冒用他人名义" in page
    assert f"{url}/withdraw\"" not in page
    refused = en.post(f"{url}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "A chair withdrew your author rights on this proposal." in refused
    assert _reload(w.open).status == Status.COLLECTING


def test_rules_of_order(app, proposals, login, en):
    login(proposals.users["party_chair"])
    url = f"/p/{proposals.open.id}"
    for data, message in (({"rules-max_comment_length": "abc"}, "Not a valid integer value."),
                          ({"rules-max_comment_length": "10"}, "Number must be between"),
                          ({"rules-max_comment_length": "500",
                            "rules-max_comments_per_person": "0"}, "Number must be between")):
        response = en.post(f"{url}/rules", data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    proposal = _reload(proposals.open)
    assert proposal.max_comment_length == 500 and not proposal.discussion_locked
    en.post(f"{url}/rules", data={"rules-max_comment_length": "300",
                                  "rules-max_comments_per_person": "3",
                                  "rules-discussion_locked": "y"})
    proposal = _reload(proposals.open)
    assert (proposal.max_comment_length, proposal.max_comments_per_person,
            proposal.discussion_locked) == (300, 3, True)
    en.post(f"{url}/rules", data={"rules-max_comment_length": "500",
                                  "rules-max_comments_per_person": ""})
    proposal = _reload(proposals.open)
    assert proposal.max_comments_per_person is None and not proposal.discussion_locked
    page = en.get(url).get_data(as_text=True)
    assert page.count("A chair changed the rules of order") == 2
    assert [e for e in db.session.execute(select(AuditEvent.action)).scalars()] == [
        "proposal.rules_of_order"] * 2


def test_the_party_branch_gives_its_opinion(app, proposals, login, en):
    w = proposals
    login(w.users["resident"])
    page = en.get(f"/p/{w.fund.id}").get_data(as_text=True)
    assert "Party branch's opinion" in page and "Not given yet." in page
    assert "Record the branch's opinion" not in page
    assert "Party branch's opinion" not in en.get(f"/p/{w.open.id}").get_data(as_text=True)

    login(w.users["party_chair"])
    invalid = en.post(f"/p/{w.fund.id}/party-review",
                      data={"review-opinion": "proceed", "review-text": ""})
    assert "Write the opinion." in invalid.get_data(as_text=True)
    wrong = en.post(f"/p/{w.fund.id}/party-review",
                    data={"review-opinion": "maybe", "review-text": "再议"})
    assert wrong.status_code == 200 and "再议" in wrong.get_data(as_text=True)
    assert db.session.execute(select(func.count(PartyReview.id))).scalar_one() == 0

    en.post(f"/p/{w.fund.id}/party-review",
            data={"review-opinion": "proceed_with_suggestions", "review-text": "先公示账目"})
    review = db.session.execute(select(PartyReview)).scalar_one()
    assert review.organisation_id == w.party_branch.id and review.opinion == \
        "proceed_with_suggestions"
    page = en.get(f"/p/{w.fund.id}").get_data(as_text=True)
    assert "Proceed, with suggestions" in page and "先公示账目" in page
    assert "The party branch gave its opinion" in page
    assert (w.users["oc_staff"].id, "party_review") in db.session.execute(
        select(Notification.user_id, Notification.kind)).all()

    not_needed = en.post(f"/p/{w.open.id}/party-review",
                         data={"review-opinion": "proceed", "review-text": "可以"},
                         follow_redirects=True)
    assert "This proposal does not wait for the party branch's opinion." in \
        unescape(not_needed.get_data(as_text=True))
    assert db.session.execute(select(func.count(PartyReview.id))).scalar_one() == 1


def test_hidden_proposals_show_a_placeholder_except_to_author_and_moderators(
        app, proposals, login):
    w = proposals
    w.open.moderation_state = "hidden"
    w.open.moderation_reason = "含有他人电话号码"
    db.session.commit()
    url = f"/p/{w.open.id}"
    photo_url = f"{url}/photos/{w.open.photos[0].id}"

    def page_for(key):
        client = login(w.users[key], app.test_client())
        client.set_cookie("lang", "en")
        return client, client.get(url).get_data(as_text=True)

    client, page = page_for("resident")
    assert "Hidden by a moderator" in page and "修路灯" not in page and "正文" not in page
    assert "含有他人电话号码" not in page and "/thumb" not in page
    assert client.get(photo_url).status_code == 403
    listing = client.get(f"/c/{w.community.id}/proposals").get_data(as_text=True)
    assert "Hidden by a moderator" in listing and "修路灯" not in listing
    assert "修路灯" not in client.get(
        f"/c/{w.community.id}/proposals?q=修路").get_data(as_text=True)

    for key in ("oc_staff", "moderator"):  # the author, a moderator
        client, page = page_for(key)
        assert "修路灯" in page and "含有他人电话号码" in page and "Hidden by a moderator" in page
        response = client.get(photo_url)
        assert response.status_code == 200
        response.close()

    w.open.moderation_state = "pending"
    db.session.commit()
    _, page = page_for("resident")
    assert "Hidden pending review" in page and "修路灯" not in page


def test_events_on_the_timeline_say_who_and_when(app, proposals, login, en):
    login(proposals.users["resident"])
    en.post(f"/p/{proposals.draft.id}/submit")
    event = db.session.execute(select(ProposalEvent)).scalar_one()
    page = en.get(f"/p/{proposals.draft.id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):]
    assert "Submitted; collecting support" in timeline and "Draft → Collecting support" in \
        timeline
    assert "resident" in timeline and event.created_at.isoformat() in timeline
