"""A paper ballot, in a real browser on a phone (issue 13): a staff member prints the paper
ballots of a building from the poll page, scans one ballot's code (opens its address)
before signing in, signs in, lands on the entry form for exactly that voter, taps the
choice marked on the paper, submits, and sees the ballot entered.

Elements are found by id, name and value, not by words: the translations change."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.community.models import Building, MemberRole, OrganisationKind
from app.extensions import db, utcnow
from app.proposals.states import Status
from app.voting.matters import Matter
from app.voting.models import ElectorateKind, RollEntry
from app.voting.services import create_poll, open_poll
from tests.e2e.test_journey import log_in, log_out
from tests.e2e.test_proposal_journey import expect_phone_width
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

STAFF_PHONE = "13933330001"
OWNERS = [("101", "100.00", "王建国"), ("201", "80.00", "李秀英"), ("301", "120.00", "张伟")]


def test_staff_print_a_building_s_ballots_scan_one_and_enter_it_with_one_tap(
    browser_page, live_server, make_community, make_unit, make_user, make_org, add_member,
    make_proposal
):
    community = make_community(name="翠湖花园", buildings=("1栋", "2栋"))
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    chair, staff = make_user(name="周主任"), make_user(name="吴干事", phone=STAFF_PHONE)
    add_member(committee, chair, MemberRole.CHAIR)
    add_member(committee, staff, MemberRole.STAFF)
    for number, area, name in OWNERS:
        make_unit(community, number, area, owners=[(name, None)])
    make_unit(community, "101", "90.00", owners=[("赵敏", None)],
              building=community.buildings[1])
    proposal = make_proposal(community, chair, status=Status.DELIBERATION, title="加装电梯")
    now = utcnow()
    poll = create_poll(proposal, actor=chair, question="是否同意在1栋加装电梯？",
                       rule="civil_code_ordinary", electorate=ElectorateKind.OWNERS,
                       matter=Matter.OTHER, opens_at=now - timedelta(minutes=1),
                       closes_at=now + timedelta(days=7), created_at=now - timedelta(days=20))
    open_poll(poll, actor=chair)
    db.session.commit()
    poll_id = poll.id
    first_building = db.session.execute(select(Building.id).where(
        Building.community_id == community.id, Building.name == "1栋")).scalar_one()
    db.session.remove()  # the server's requests use their own sessions

    page, base = browser_page, live_server
    server_errors = []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)

    # The staff member prints the paper ballots of 1栋 from the poll page.
    log_in(page, base, STAFF_PHONE, PASSWORD)
    page.goto(f"{base}/polls/{poll_id}")
    paper = page.locator("#paper")
    expect(paper.locator("#print-ballots")).to_be_visible()
    expect_phone_width(page)
    paper.locator("#paper-where").select_option(f"building-{first_building}")
    paper.locator("#print-ballots").click()
    # The PDF opens in place, as on a phone, under a Chinese name should it be saved.
    expect(page).to_have_url(re.compile(
        rf"/polls/{poll_id}/ballots\.pdf\?where=building-{first_building}$"))
    opened = page.request.get(page.url)
    disposition = opened.headers["content-disposition"]
    assert disposition.startswith("inline;")
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "纸质表决票-1栋.pdf"
    reader = PdfReader(io.BytesIO(opened.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 2  # three ballots of 1栋, two to a sheet; none of 2栋
    assert "李**" in text and "李秀英" not in text and "赵**" not in text
    printed = dict(re.findall(r"(1栋-\d+).*?(http://\S+/offline\?entry=\d+)", text, re.S))
    assert sorted(printed) == ["1栋-101", "1栋-201", "1栋-301"]
    scanned = printed["1栋-201"]
    assert scanned.startswith(f"{base}/polls/{poll_id}/offline?entry=")
    page.goto(f"{base}/polls/{poll_id}")
    log_out(page)

    # Scanning the code opens the address; the phone is not signed in yet.
    page.goto(scanned)
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    page.locator("#phone").fill(STAFF_PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(scanned)
    form = page.locator("#scanned")
    expect(form).to_contain_text("1栋-201")
    expect(form).to_contain_text("80.00")
    expect(form).to_contain_text("李**")
    expect_phone_width(page)

    # One tap on the answer marked on the paper, and submit.
    form.locator("label.ballot-option:has(input[value=oppose])").click()
    expect(form.locator("input[name=choice][value=oppose]")).to_be_checked()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(scanned)
    expect(page.locator(".flashes .flash-success")).to_be_visible()
    expect(page.locator("#already-voted")).to_be_visible()
    expect(page.locator("#scanned input[name=choice]")).to_have_count(0)
    expect(page.locator("#entered")).to_contain_text("1栋-201")
    expect_phone_width(page)

    entry = db.session.execute(select(RollEntry).where(
        RollEntry.poll_id == poll_id, RollEntry.label == "1栋-201")).scalar_one()
    assert (entry.voted_channel, entry.paper_number, entry.area) == (
        "paper", entry.key, Decimal("80.00"))
    assert server_errors == []
