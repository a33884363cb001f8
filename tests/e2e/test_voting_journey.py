"""An owners' vote, in a real browser on a phone: the chair puts a proposal to a vote,
three owners vote and read their receipt codes, one changes their ballot and keeps the
receipt, nobody sees choices before close, the chair closes early, the preliminary and
then the final result show, and an owner finds their receipt on the bulletin.

Elements are found by id, name, class, value and href, not by words: the translations
change while this is written. Where words must be read, they come from the app's own
catalogue, so they follow the translation."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app.community.models import MemberRole, OrganisationKind, Owner, Role
from app.extensions import db, local_zone, utcnow
from app.proposals.labels import STATUS_LABELS
from app.proposals.states import Status
from app.voting.labels import OUTCOME_LABELS, YES_NO_LABELS
from app.voting.models import Poll
from tests.e2e.test_journey import log_in, log_out
from tests.e2e.test_proposal_journey import expect_phone_width
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

CHAIR_PHONE = "13922220001"
# Room, area and phone of each owner; the fourth owner does not vote.
OWNERS = [("101", "100.00", "13922220101"), ("201", "80.00", "13922220201"),
          ("301", "120.00", "13922220301"), ("401", "90.00", "13922220401")]
QUESTION = "是否同意在1栋加装电梯？"
RECEIPT = re.compile(r"^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$")


def in_chinese(app, message) -> str:
    """A message as the server writes it on a Chinese page."""
    with app.test_request_context(), force_locale("zh_Hans"):
        return str(message) if not isinstance(message, str) else _(message)


def beijing_minutes(moment) -> str:
    """A moment as a datetime-local input takes it: wall-clock time in Beijing."""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def open_poll_page(page: Page, community_id: int, proposal_id: int, poll_id: int) -> None:
    """From anywhere: the header's "Proposals", the proposal, then its poll."""
    page.locator(f".site-header a[href$='/c/{community_id}/proposals']").click()
    page.locator(f"#proposal-list a[href$='/p/{proposal_id}']").click()
    page.locator(f"#vote a[href$='/polls/{poll_id}']").click()
    expect(page).to_have_url(re.compile(rf"/polls/{poll_id}$"))


def vote(page: Page, poll_id: int, choice: str) -> str:
    """Tap an answer, confirm it, and read the receipt code off the page."""
    page.locator(f"#vote form.ballot button.ballot-option[value={choice}]").click()
    expect(page).to_have_url(re.compile(rf"/polls/{poll_id}/confirm$"))
    confirm = page.locator("section.confirm")
    expect(confirm.locator("input[type=hidden][name=choice]")).to_have_value(choice)
    expect_phone_width(page)
    confirm.locator("form[action$='/vote'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/polls/{poll_id}#my-ballot$"))
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    code = page.locator("#my-ballot .receipt-code")
    expect(code).to_have_text(RECEIPT)
    expect(page.locator("#vote button.ballot-option.current")).to_have_attribute(
        "value", choice)
    return code.inner_text().strip()


def test_owners_vote_one_changes_the_chair_closes_and_an_owner_finds_the_receipt(
    browser_page, live_server, app, make_community, make_unit, make_user, make_org,
    add_member, give_role, make_proposal
):
    community = make_community(name="翠湖花园")
    community.notice_days = 0  # the journey opens the vote at once, with no notice period
    chair = make_user(name="周主任", phone=CHAIR_PHONE)
    add_member(make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会"), chair,
               MemberRole.CHAIR)
    owners = []
    for number, area, phone in OWNERS:
        user = make_user(name=f"业主{number}", phone=phone)
        make_unit(community, number, area, owners=[(user.name, phone)])
        owners.append(user)
    by_name = {user.name: user for user in owners}
    for owner in db.session.execute(select(Owner)).scalars():
        owner.user_id = by_name[owner.name].id
    db.session.commit()
    for user in owners:
        give_role(user, Role.VERIFIED_OWNER, community)
    proposal = make_proposal(community, owners[0], status=Status.DELIBERATION,
                             title="1栋加装电梯")
    community_id, proposal_id = community.id, proposal.id
    db.session.remove()  # the server's requests use their own sessions
    preliminary = in_chinese(app, "Preliminary result")
    final = in_chinese(app, "Final result")
    passed = in_chinese(app, OUTCOME_LABELS["passed"])
    approve = in_chinese(app, YES_NO_LABELS["approve"])

    page, base = browser_page, live_server
    server_errors, script_errors = [], []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # The chair puts the proposal to an owners' vote that opens at once and may close early.
    log_in(page, base, CHAIR_PHONE, PASSWORD)
    page.goto(f"{base}/p/{proposal_id}")
    page.locator(f"#vote a[href$='/p/{proposal_id}/polls/new']").click()
    expect(page).to_have_url(re.compile(rf"/p/{proposal_id}/polls/new$"))
    expect_phone_width(page)
    page.locator("#question").fill(QUESTION)
    expect(page.locator("input[name=kind][value=yes_no]")).to_be_checked()
    expect(page.locator("#rule")).to_have_value("civil_code_ordinary")
    expect(page.locator("input[name=electorate][value=owners]")).to_be_checked()
    page.locator("#matter").select_option("0")  # another matter, decided as an ordinary one
    now = utcnow()
    page.locator("#opens_at").fill(beijing_minutes(now - timedelta(minutes=5)))
    page.locator("#closes_at").fill(beijing_minutes(now + timedelta(days=7)))
    expect(page.locator("#allow_change")).to_be_checked()
    page.locator("#allow_early_close").check()
    expect(page.locator("#visibility")).to_have_value("after_close")
    page.locator("main form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/polls/\d+$"))
    poll_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    # The roll is frozen: 4 owners, 390.00 m²; nobody has voted.
    expect(page.locator("section.poll-details")).to_contain_text("390.00")
    expect(page.locator("#turnout")).to_contain_text("0.00 %")
    expect(page.locator("#organiser form[action$='/close'] button")).to_be_visible()
    expect(page.locator("#results")).to_have_count(0)
    expect_phone_width(page)
    log_out(page)

    # Three owners vote on their phones; the second opposes at first.
    receipts = []
    phones = [phone for _room, _area, phone in OWNERS]
    for phone, choice in zip(phones[:3], ("approve", "oppose", "approve"), strict=True):
        log_in(page, base, phone, PASSWORD)
        open_poll_page(page, community_id, proposal_id, poll_id)
        expect(page.locator("#my-ballot")).to_have_count(0)
        buttons = page.locator("#vote form.ballot button.ballot-option")
        expect(buttons).to_have_count(3)
        page.wait_for_load_state("load")  # the stylesheet too, before measuring
        box = buttons.first.bounding_box()
        assert box["height"] >= 60 and box["width"] >= 280, f"a ballot button is {box}"
        expect(page.locator("#vote button.ballot-option.current")).to_have_count(0)
        expect_phone_width(page)
        receipts.append(vote(page, poll_id, choice))
        # Nobody sees choices before close, voters included.
        expect(page.locator("#results")).to_have_count(0)
        expect_phone_width(page)
        log_out(page)
    assert len(set(receipts)) == 3, receipts

    # The second owner comes back, sees the ballot as cast, and changes it to approve.
    log_in(page, base, phones[1], PASSWORD)
    open_poll_page(page, community_id, proposal_id, poll_id)
    expect(page.locator("#my-ballot .receipt-code")).to_have_text(receipts[1])
    expect(page.locator("#vote button.ballot-option.current")).to_have_attribute(
        "value", "oppose")
    assert vote(page, poll_id, "approve") == receipts[1]
    expect(page.locator("#results")).to_have_count(0)
    # Turnout shows who voted, never how: 3 of 4 owners, 300.00 of 390.00 m².
    turnout = page.locator("#turnout")
    expect(turnout).to_contain_text("75.00 %")
    expect(turnout).to_contain_text("300.00")
    expect(turnout).to_contain_text("76.92 %")
    log_out(page)

    # The chair does not see the choices either, and closes the poll early.
    log_in(page, base, CHAIR_PHONE, PASSWORD)
    open_poll_page(page, community_id, proposal_id, poll_id)
    expect(page.locator("#results")).to_have_count(0)
    page.locator(f"#organiser form[action$='/polls/{poll_id}/close'] button").click()
    expect(page).to_have_url(re.compile(rf"/polls/{poll_id}$"))
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator("#organiser")).to_have_count(0)
    expect(page.locator("#results h2")).to_have_text(preliminary)
    log_out(page)

    # The second owner sees the preliminary result, every condition with its figures.
    log_in(page, base, phones[1], PASSWORD)
    open_poll_page(page, community_id, proposal_id, poll_id)
    results = page.locator("#results")
    expect(results.locator("h2")).to_have_text(preliminary)
    expect(results.locator(".outcome strong")).to_have_text(passed)
    # Quorum on people and area, approval on people and area: all four hold.
    expect(results.locator("li.condition")).to_have_count(4)
    expect(results.locator("li.condition.holds")).to_have_count(4)
    quorum = results.locator("ul.conditions").first.locator("li.condition")
    expect(quorum.filter(has_text="300.00 平方米")).to_contain_text("76.92 %")  # of 390.00 平方米
    expect(quorum.filter(has_text="75.00 %")).to_have_class(re.compile(r"\bholds\b"))
    expect(results.locator("li.condition", has_text="100.00 %")).to_have_count(2)
    expect(page.locator("#vote form.ballot")).to_have_count(0)  # voting is closed
    expect(page.locator("#my-ballot .receipt-code")).to_have_text(receipts[1])
    expect(page.locator("#objections form[action$='/objections']")).to_be_visible()
    expect_phone_width(page)

    # The objection period ends without objections: on the next visit the result is final.
    db.session.execute(update(Poll).where(Poll.id == poll_id).values(
        objection_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    db.session.remove()
    page.reload()
    expect(results.locator("h2")).to_have_text(final)
    expect(results.locator(".outcome strong")).to_have_text(passed)
    expect(results.locator("li.condition.holds")).to_have_count(4)
    expect(page.locator("#objections form")).to_have_count(0)
    expect_phone_width(page)

    # On the bulletin the owner finds the receipt, with the changed choice.
    results.locator(f"a[href$='/polls/{poll_id}/bulletin']").click()
    expect(page).to_have_url(re.compile(rf"/polls/{poll_id}/bulletin$"))
    expect(page.locator("table.bulletin tbody tr")).to_have_count(3)
    mine = page.locator("table.bulletin tr.mine")
    expect(mine).to_have_count(1)
    assert mine.evaluate("row => getComputedStyle(row).outlineStyle") != "none"
    expect(mine).to_have_attribute("id", f"receipt-{receipts[1]}")
    expect(mine.locator("code")).to_have_text(receipts[1])
    expect(mine).not_to_contain_text("m²")  # a secret poll: no area names the room
    expect(mine.locator("td").last).to_have_text(approve)
    for receipt in receipts:
        expect(page.locator(f"table.bulletin tr#receipt-{receipt}")).to_have_count(1)
    # "Find my receipt" searches the bulletin for it: one row, the owner's.
    page.locator(f"main a[href$='/bulletin?receipt={receipts[1]}']").click()
    expect(page).to_have_url(re.compile(rf"/bulletin\?receipt={receipts[1]}$"))
    expect(page.locator("table.bulletin tbody tr")).to_have_count(1)
    expect(mine).to_be_in_viewport()
    expect_phone_width(page)

    # The proposal closed with the vote.
    page.goto(f"{base}/p/{proposal_id}")
    expect(page.locator(".proposal-meta .tag")).to_have_text(
        in_chinese(app, STATUS_LABELS[Status.PASSED]))

    assert page.csp_violations == []
    assert server_errors == []
    assert script_errors == []
