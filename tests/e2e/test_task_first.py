"""The task first (issue 15), in a real browser at 360×740 on the demo community: on a
proposal with a long text and an open poll, an owner who has not voted sees "去投票" and the
official answer on the first screen; on a meeting with published minutes, the minutes
downloads are on the first screen too."""

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app.auth.models import User
from app.community.models import Organisation
from app.demo import seed_demo
from app.discussion.models import Comment
from app.extensions import db
from app.meetings.models import Meeting, Minutes
from app.voting.models import Poll, PollStatus, RollEntry
from tests.e2e.test_phone_bar import CHAIR, SCREEN, sign_in

pytestmark = pytest.mark.e2e

LONG_TEXT = [f"第{n}段：加装电梯的方案、费用分摊和施工安排的详细说明。" + "说明文字" * 30
             for n in range(1, 13)]


def _open_poll_for_a_voter(app):
    """An open poll of the demo, a voter of it who has not voted yet with an account, and
    its proposal made long and answered officially."""
    with app.app_context():
        seed_demo()
        poll = db.session.execute(select(Poll).where(Poll.status == PollStatus.OPEN)
                                  .order_by(Poll.id).limit(1)).scalar_one()
        entry = next(e for e in db.session.execute(select(RollEntry).where(
            RollEntry.poll_id == poll.id).order_by(RollEntry.key)).scalars()
            if e.user_ids and e.ballot_seal is None)
        voter = db.session.get(User, entry.user_ids[0])
        proposal = poll.proposal
        proposal.body = "\n\n".join(LONG_TEXT)
        proposal.body_html = "".join(f"<p>{p}</p>" for p in LONG_TEXT)
        organisation = db.session.execute(select(Organisation).where(
            Organisation.community_id == proposal.community_id).order_by(Organisation.id)
            .limit(1)).scalar_one()
        db.session.add(Comment(proposal_id=proposal.id, author_id=proposal.author_id,
                               organisation_id=organisation.id,
                               body="物业答复：维修资金可以列支，下周公示预算。"))
        meeting = db.session.execute(select(Meeting).where(Meeting.id.in_(
            select(Minutes.meeting_id))).order_by(Meeting.id).limit(1)).scalar_one()
        db.session.commit()
        return proposal.id, poll.id, voter.phone, meeting.id


def _on_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"no {selector} on {page.url}"
    bottom = box["y"] + box["height"]
    assert bottom <= SCREEN["height"], f"{selector} ends at y={bottom:.0f}"


def test_the_vote_the_answer_and_the_minutes_are_on_the_first_screen(
        browser_page, live_server, app):
    proposal_id, poll_id, phone, meeting_id = _open_poll_for_a_voter(app)
    page = browser_page
    page.set_viewport_size(SCREEN)
    sign_in(page, live_server, phone)
    page.goto(f"{live_server}/p/{proposal_id}")
    vote = f"#task a[href='/polls/{poll_id}#vote']"
    _on_first_screen(page, vote)
    assert page.locator(vote).inner_text().strip() == "去投票"
    _on_first_screen(page, ".task-answer a[href^='#comment-']")
    # The long text folds, and unfolds without JavaScript's help.
    body = page.locator(".proposal-body")
    folded = body.bounding_box()["height"]
    page.locator("label[for=unfold-body]").click()
    assert body.bounding_box()["height"] > folded * 2
    page.locator(vote).click()
    page.wait_for_url(f"**/polls/{poll_id}#vote")

    page.context.clear_cookies()
    sign_in(page, live_server, CHAIR)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    _on_first_screen(page, "#minutes-links a[href*='minutes.pdf']")
    assert page.evaluate("document.documentElement.scrollHeight") > SCREEN["height"]
