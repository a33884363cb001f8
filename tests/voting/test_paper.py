"""A poll on paper (issue 13): the lobby poster, paper ballots whose code opens the entry
form for exactly their voter, and canvass lists that say who voted, never how, with names
masked and every printing of names audited."""

import io
import itertools
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import app.core.paper as paper_module
from app.audit.models import AuditEvent
from app.community.models import Building, MemberRole, OrganisationKind, Owner, Ownership, Unit
from app.extensions import db, utcnow
from app.proposals.states import Status
from app.voting import paper_views
from app.voting.models import Channel, RollEntry
from app.voting.services import (
    close_poll,
    enter_offline,
    entry_for,
    record_paper_service,
)
from tests.voting.conftest import cast_all, make_poll

QUESTION = "Lift for every building?"
SURNAMES = "王李张刘陈杨"
GIVEN = [a + b for a, b in itertools.permutations("建国秀英明华伟芳军", 2)]


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages(response) -> int:
    return len(PdfReader(io.BytesIO(response.data)).pages)


class Estate:
    """Six buildings of fifty flats in two grids, 300 owners on the roll: 1栋-101 is
    co-owned, and the owner of 6栋-5001 also owns 1栋-9901, which makes one entry of the
    two, in the building of its first room."""


@pytest.fixture
def big_estate(make_community, make_user, make_org, add_member, give_role, make_proposal):
    e = Estate()
    e.community = make_community(grids=("第一网格", "第二网格"),
                                 buildings=tuple(f"{n}栋" for n in range(1, 7)))
    committee = make_org(e.community, OrganisationKind.OWNERS_COMMITTEE, "业委会")
    e.chair, e.staff = make_user(name="主任"), make_user(name="干事")
    add_member(committee, e.chair, MemberRole.CHAIR)
    add_member(committee, e.staff, MemberRole.STAFF)
    names = (surname + given for surname in SURNAMES for given in GIVEN)
    e.names, owner = [], None
    for building in e.community.buildings:
        for floor in range(1, 51):
            unit = Unit(building=building, number=f"{floor}01", area=Decimal("90.50"))
            owner = Owner(community_id=e.community.id, name=next(names))
            e.names.append(owner.name)
            db.session.add(Ownership(unit=unit, owner=owner))
    db.session.flush()
    first = db.session.execute(select(Unit).join(Building).where(
        Building.name == "1栋", Unit.number == "101")).scalar_one()
    co_owner = Owner(community_id=e.community.id, name="欧阳娜娜")
    e.names.append(co_owner.name)
    db.session.add(Ownership(unit=first, owner=co_owner))
    db.session.add(Ownership(owner=owner, unit=Unit(building=e.community.buildings[0],
                                                   number="9901", area=Decimal("12.00"))))
    db.session.commit()
    e.proposal = make_proposal(e.community, e.chair, status=Status.DELIBERATION)
    e.poll = make_poll(e, question=QUESTION)
    e.buildings = {b.name: b for b in e.community.buildings}
    e.grids = {g.name: g for g in e.community.grids}
    return e


@pytest.fixture
def sheets_printed(monkeypatch):
    """The ballots each print would set, without setting them: hundreds of ballots take
    seconds, and what is counted here is who gets one."""
    printed = []

    def record(poll, sheets, choices, font_path=None):
        printed.append(sheets)
        return b"%PDF-1.4"

    monkeypatch.setattr(paper_views, "ballots_pdf", record)
    return printed


def building(e, name: str) -> str:
    return f"building-{e.buildings[name].id}"


def entries(poll) -> list[RollEntry]:
    return db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                              .order_by(RollEntry.key)).scalars().all()


def audit_actions() -> list[tuple[str, dict]]:
    return [(event.action, event.details) for event in db.session.execute(
        select(AuditEvent).where(AuditEvent.action.like("poll.print%"))
        .order_by(AuditEvent.seq)).scalars()]


# --- Paper ballots --------------------------------------------------------------------------


def test_ballots_print_a_building_two_to_a_page_with_rooms_and_masked_names(
        big_estate, client, login):
    e = big_estate
    login(e.staff)
    response = client.get(f"/polls/{e.poll.id}/ballots.pdf?where={building(e, '3栋')}")
    text = pdf_text(response)
    assert pages(response) == 25  # fifty ballots, two to a sheet
    assert "3栋-101" in text and "3栋-5001" in text and "2栋-101" not in text
    assert QUESTION in text and "90.50 平方米" in text
    assert re.search(r"[王李张刘陈杨]\*\*", text)
    assert not [name for name in e.names if name in text]
    assert "R00" in text  # the ballot numbers the entry form proposes


def test_printing_every_building_prints_each_voter_once(big_estate, client, login,
                                                      sheets_printed):
    """An owner of rooms in two buildings is one ballot, in the building of the first."""
    e = big_estate
    login(e.chair)
    for name in e.buildings:
        client.get(f"/polls/{e.poll.id}/ballots.pdf?where={building(e, name)}")
    by_building = [[sheet.number for sheet in sheets] for sheets in sheets_printed]
    assert [len(numbers) for numbers in by_building] == [50] * 6
    everyone = sorted(number for numbers in by_building for number in numbers)
    assert everyone == [entry.key for entry in entries(e.poll)]
    last = sheets_printed[-1][-1]
    assert last.rooms == "6栋-5001、1栋-9901" and last.area == Decimal("102.50")
    first = sheets_printed[0][0]
    assert first.rooms == "1栋-101" and first.holders == "王**、欧***"


def test_a_grid_prints_its_buildings(big_estate, client, login, sheets_printed):
    e = big_estate
    login(e.staff)
    client.get(f"/polls/{e.poll.id}/ballots.pdf?where=grid-{e.grids['第二网格'].id}")
    buildings = {sheet.rooms.split("-")[0] for sheet in sheets_printed[0]}
    assert buildings == {"2栋", "4栋", "6栋"} and len(sheets_printed[0]) == 150


def test_each_ballot_code_opens_the_entry_form_for_its_voter(big_estate, client, login,
                                                             monkeypatch, app):
    """There is no QR decoder here: the test reads what is handed to the QR widget."""
    e = big_estate
    encoded = []

    class Recording(paper_module.QrCode):
        def __init__(self, value, **kwargs):
            encoded.append(value)
            super().__init__(value, **kwargs)

    monkeypatch.setattr(paper_module, "QrCode", Recording)
    login(e.staff)
    client.get(f"/polls/{e.poll.id}/ballots.pdf?where={building(e, '4栋')}")
    in_building = [entry for entry in entries(e.poll) if entry.units[0][0] == "4栋"]
    assert encoded == [f"http://localhost/polls/{e.poll.id}/offline?entry={entry.id}"
                       for entry in in_building]
    encoded.clear()
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://gongzhi.example.org/")
    client.get(f"/polls/{e.poll.id}/ballots.pdf?where={building(e, '4栋')}")
    assert encoded[0] == (f"https://gongzhi.example.org/polls/{e.poll.id}/offline"
                          f"?entry={in_building[0].id}")


def test_a_poll_of_many_options_prints_one_ballot_to_a_page(estate, client, login):
    poll = make_poll(estate, kind="choice", rule="advisory", electorate="owners",
                     options=[f"方案{n}" for n in range(1, 7)], max_choices=2)
    login(estate.staff)
    response = client.get(f"/polls/{poll.id}/ballots.pdf")
    text = pdf_text(response)
    assert pages(response) == 3
    assert "□ 方案6" in text and "最多 2 个" in text


# --- The canvass list -----------------------------------------------------------------------


def test_the_canvass_list_says_who_voted_and_who_was_served_never_how(
        estate, en, login):
    poll = make_poll(estate, visibility="live", secrecy="open_roll")
    cast_all(poll, estate.owners[:1], ["oppose"])
    enter_offline(poll, entry_for(poll, estate.owners[1]), ["approve"], staff=estate.staff,
                  channel=Channel.PAPER, paper_number="R9", reference="档案盒")
    record_paper_service(poll, entry_for(poll, estate.owners[2]), staff=estate.staff,
                         handed_at=utcnow())
    db.session.commit()
    login(estate.staff)
    text = pdf_text(en.get(f"/polls/{poll.id}/canvass.pdf"))
    assert "1栋-101" in text and "1栋-201" in text and "1栋-301" in text
    assert text.count("Voted already") == 2 and text.count("Not voted yet") == 1
    assert text.count("Served on paper") == 1 and text.count("Not served") == 2
    assert "3 on this list: 2 voted, 1 not yet." in text
    assert "业**" in text and not [o.name for o in estate.owners if o.name in text]
    assert not {"In favour", "Against", "Abstain", "Oppose", "oppose", "approve"} & set(
        text.split())
    assert "In favour" not in text and "Against" not in text
    assert "Printed on" in text


def test_printing_names_is_audited(big_estate, client, login, sheets_printed):
    e = big_estate
    login(e.staff)
    client.get(f"/polls/{e.poll.id}/canvass.pdf?where={building(e, '5栋')}")
    client.get(f"/polls/{e.poll.id}/ballots.pdf")
    assert audit_actions() == [("poll.print_canvass", {"where": "5栋", "entries": 50}),
                               ("poll.print_ballots", {"where": "", "entries": 300})]


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ballots", "canvass"])
@pytest.mark.parametrize("where, message", [
    ("building-999999", "There is no such building or grid in this community"),
    ("grid-999999", "There is no such building or grid in this community"),
    ("street-1", "There is no such building or grid in this community"),
])
def test_an_unknown_place_is_said_so_and_nothing_is_printed(kind, where, message, estate, en,
                                                           login):
    poll = make_poll(estate)
    login(estate.staff)
    response = en.get(f"/polls/{poll.id}/{kind}.pdf?where={where}")
    assert response.status_code == 302 and response.location.endswith(
        f"/polls/{poll.id}#paper")
    assert message in en.get(response.location).text
    assert audit_actions() == []


def test_a_building_of_another_community_is_unknown(estate, en, login, make_community):
    elsewhere = make_community(buildings=("9栋",)).buildings[0]
    poll = make_poll(estate)
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}/ballots.pdf?where=building-{elsewhere.id}",
                  follow_redirects=True).text
    assert "There is no such building or grid in this community" in page


def test_a_building_with_nobody_on_the_roll_is_said_so(estate, en, login):
    empty = Building(community=estate.community, name="9栋")
    db.session.add(empty)
    db.session.commit()
    poll = make_poll(estate)
    login(estate.staff)
    page = en.get(f"/polls/{poll.id}/canvass.pdf?where=building-{empty.id}",
                  follow_redirects=True).text
    assert "Nobody on this poll&#39;s roll is in 9栋." in page


def test_ballots_and_lists_are_printed_while_the_poll_is_open(estate, en, login):
    poll = make_poll(estate, open_now=False, opens_at=utcnow() + timedelta(days=1))
    login(estate.staff)
    for kind in ("ballots", "canvass"):
        page = en.get(f"/polls/{poll.id}/{kind}.pdf", follow_redirects=True).text
        assert "Paper ballots and canvass lists are printed while the poll is open." in page
    assert audit_actions() == []


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ballots", "canvass"])
def test_ballots_and_lists_are_for_those_who_enter_paper_ballots(kind, estate, client, login,
                                                                 app):
    poll = make_poll(estate)
    url = f"/polls/{poll.id}/{kind}.pdf"
    assert "/auth/login" in client.get(url).location
    for user in (estate.owners[0], estate.tenant, estate.outsider):
        login(user)
        assert client.get(url).status_code == 403
    for user in (estate.staff, estate.chair):
        login(user)
        assert client.get(url).status_code == 200
    assert len(audit_actions()) == 2


def test_the_poster_is_for_those_who_manage_the_poll(estate, client, login):
    poll = make_poll(estate)
    url = f"/polls/{poll.id}/poster.pdf"
    assert "/auth/login" in client.get(url).location
    for user in (estate.staff, estate.owners[0], estate.outsider):
        login(user)
        assert client.get(url).status_code == 403
    login(estate.chair)
    assert client.get(url).status_code == 200


def test_the_poll_page_offers_each_print_to_whom_it_is_for(big_estate, en, login):
    e = big_estate
    login(e.staff)
    page = en.get(f"/polls/{e.poll.id}").text
    assert "Print paper ballots" in page and "Print the canvass list" in page
    assert "Print the poster" not in page
    assert f'value="{building(e, "6栋")}"' in page
    assert f'value="grid-{e.grids["第一网格"].id}"' in page
    login(e.chair)
    assert "Print the poster" in en.get(f"/polls/{e.poll.id}").text
    login(e.staff)
    close_poll(e.poll)
    db.session.commit()
    assert "Print paper ballots" not in en.get(f"/polls/{e.poll.id}").text


# --- The poster -----------------------------------------------------------------------------


def test_the_poster_shows_the_question_the_window_and_the_way_to_vote(estate, en, login):
    poll = make_poll(estate, open_now=False, opens_at=utcnow() + timedelta(days=1))
    login(estate.chair)
    response = en.get(f"/polls/{poll.id}/poster.pdf")
    text = " ".join(pdf_text(response).split())
    assert pages(response) == 1
    assert "是否同意加装电梯？" in text and "Beijing time" in text
    assert "Scan to open the vote" in text
    assert f"http://localhost/polls/{poll.id}" in text


def test_a_closed_poll_has_no_poster(estate, en, login):
    poll = make_poll(estate)
    close_poll(poll)
    db.session.commit()
    login(estate.chair)
    page = en.get(f"/polls/{poll.id}/poster.pdf", follow_redirects=True).text
    assert "The poll is not open." in page


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler) missing")
def test_the_ballots_embed_their_font(estate, client, login, tmp_path):
    poll = make_poll(estate)
    login(estate.staff)
    path = tmp_path / "ballots.pdf"
    path.write_bytes(client.get(f"/polls/{poll.id}/ballots.pdf").data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts), fonts


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ballots", "canvass"])
def test_printing_costs_the_same_queries_for_one_building_or_six(kind, big_estate, client,
                                                                 login, count_queries,
                                                                 sheets_printed):
    """The session, the poll and its options, the standing (one), the buildings, the roll,
    the audit head and event, and the owners' names."""
    e = big_estate
    login(e.staff)
    url = f"/polls/{e.poll.id}/{kind}.pdf"
    one_building = f"{url}?where={building(e, '2栋')}"
    client.get(url)
    with count_queries() as one:
        client.get(one_building)
    with count_queries() as six:
        client.get(url)
    assert (len(one), len(six)) == (8, 8), "\n".join(one)
