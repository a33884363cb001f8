"""Paper for a poll: its poster for the lift lobby, a paper ballot (表决票) per roll entry
whose QR code opens the staff entry form for exactly that entry, and the canvass list
(未投票名单) that grid workers and building heads carry from door to door.

Names on paper are masked (王**): posters are pinned up, lists are carried round and left
on desks. A canvass list says whether each voter was served the notice and whether they
voted, never how. An entry belongs to the building of its first room, as on the service
page, so that printing building by building prints every ballot exactly once.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    PageTemplate,
    Spacer,
)
from sqlalchemy import select

from app.auth.models import User
from app.community.models import Building, Grid, Owner, Ownership, Unit
from app.core.documents import Document, long_date, long_datetime
from app.core.paper import (
    Poster,
    box,
    one_page,
    paragraph,
    pdf_font,
    printed_url,
    qr_code,
    style,
    table,
)
from app.core.refusals import REFUSALS
from app.core.text import mask_name
from app.extensions import db
from app.voting.labels import ELECTORATE_LABELS, RULE_LABELS, matter_label
from app.voting.models import ElectorateKind, Poll, QuestionKind, RollEntry, ServedVia
from app.voting.services import VotingRefused

REFUSALS.register_all({
    "poll.unknown_place": _l("There is no such building or grid in this community: choose "
                             "one from the list."),
    "poll.nobody_in_place": _l("Nobody on this poll's roll is in %(place)s."),
    "poll.print_while_open": _l("Paper ballots and canvass lists are printed while the poll "
                                "is open."),
})

SERVED_SHORT_LABELS = {
    ServedVia.ONLINE: _l("Served online"),
    ServedVia.SMS: _l("Served by SMS"),
    ServedVia.PAPER: _l("Served on paper"),
    ServedVia.POSTING: _l("Served by posting"),
    "": _l("Not served"),
}
# A ballot with this many answers or fewer takes half a page; longer ones take a page.
HALF_PAGE_CHOICES = 4


# --- Where to print for ---------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The part of the roll a print covers: its label, and its buildings' names (None: the
    whole roll)."""

    label: str
    buildings: frozenset[str] | None = None


def _buildings(poll: Poll) -> list[tuple[int, str, int | None, str | None]]:
    return db.session.execute(
        select(Building.id, Building.name, Grid.id, Grid.name)
        .outerjoin(Grid, Grid.id == Building.grid_id)
        .where(Building.community_id == poll.community_id).order_by(Building.name)).all()


def place_choices(poll: Poll) -> list[tuple[str, str]]:
    """What the print form offers: the whole roll, each grid, each building."""
    rows = _buildings(poll)
    grids = sorted({(grid_id, grid) for _b, _n, grid_id, grid in rows if grid_id})
    return ([("", _("The whole roll"))]
            + [(f"grid-{grid_id}", _("Grid: %(name)s", name=grid)) for grid_id, grid in grids]
            + [(f"building-{building_id}", _("Building: %(name)s", name=name))
               for building_id, name, _g, _gn in rows])


def find_place(poll: Poll, where: str) -> tuple[Place, list[str]]:
    """The place a print form chose, and the names of all the community's buildings
    (which tell a resident's rooms apart); refused if it is not one of the community's."""
    rows = _buildings(poll)
    names = [name for _b, name, _g, _gn in rows]
    kind, _sep, number = (where or "").partition("-")
    if not where:
        return Place(""), names
    if kind == "building":
        chosen = [name for building_id, name, _g, _gn in rows if str(building_id) == number]
        if chosen:
            return Place(chosen[0], frozenset(chosen)), names
    elif kind == "grid":
        chosen = [(name, grid) for _b, name, grid_id, grid in rows if str(grid_id) == number]
        if chosen:
            return Place(chosen[0][1], frozenset(name for name, _grid in chosen)), names
    raise VotingRefused("poll.unknown_place")


def building_of(entry: RollEntry, building_names: list[str]) -> str:
    """The building of an entry's first room: from the frozen units of an owner, else from
    the room label of a resident ("3栋-1201"), matched against the community's buildings."""
    if entry.units:
        return entry.units[0][0]
    first = entry.label.split("、")[0]
    return max((name for name in building_names if first.startswith(f"{name}-")), key=len,
               default="")


def entries_in(poll: Poll, place: Place, building_names: list[str]) -> list[RollEntry]:
    """The roll entries a print covers, building by building, in roll order; refused if
    there are none."""
    entries = db.session.execute(select(RollEntry).where(RollEntry.poll_id == poll.id)
                                 .order_by(RollEntry.key)).scalars().all()
    placed = sorted(((building_of(entry, building_names), entry) for entry in entries),
                    key=lambda pair: (pair[0], pair[1].key))
    chosen = [entry for building, entry in placed
              if place.buildings is None or building in place.buildings]
    if not chosen:
        raise VotingRefused("poll.nobody_in_place", place=place.label or _("The whole roll"))
    return chosen


def masked_holders(poll: Poll, entries: list[RollEntry]) -> dict[int, str]:
    """Who each entry is, masked: for an owners' poll the owners of its rooms on the roster
    as it stands (the roll keeps rooms and areas, not names), else the accounts' names."""
    if poll.electorate == ElectorateKind.OWNERS:
        rooms = {(building, number) for entry in entries for building, number, _a in entry.units}
        rows = db.session.execute(
            select(Building.name, Unit.number, Owner.id, Owner.name)
            .join(Unit, Unit.building_id == Building.id)
            .join(Ownership, Ownership.unit_id == Unit.id)
            .join(Owner, Owner.id == Ownership.owner_id)
            .where(Building.community_id == poll.community_id,
                   Building.name.in_({building for building, _n in rooms}),
                   Unit.number.in_({number for _b, number in rooms}))
            .order_by(Owner.id)).all()
        owners: dict[tuple[str, str], dict[int, str]] = {}
        for building, number, owner_id, name in rows:
            owners.setdefault((building, number), {})[owner_id] = name
        names = {}
        for entry in entries:
            people: dict[int, str] = {}
            for building, number, _area in entry.units:
                people.update(owners.get((building, number), {}))
            names[entry.id] = "、".join(mask_name(name) for name in people.values())
        return names
    user_ids = {user_id for entry in entries for user_id in entry.user_ids}
    accounts = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_(user_ids))).all()) if user_ids else {}
    return {entry.id: "、".join(mask_name(accounts[user_id]) for user_id in entry.user_ids
                                if user_id in accounts) for entry in entries}


# --- The poster -----------------------------------------------------------------------------


def window(poll: Poll) -> str:
    return _("%(opens)s to %(closes)s (Beijing time)", opens=long_datetime(poll.opens_at),
             closes=long_datetime(poll.closes_at))


def poll_poster(poll: Poll, printed_on) -> Poster:
    """The lift-lobby poster: the question, the window, how to vote online, the code."""
    community = poll.proposal.community
    facts = [(_("Proposal"), poll.proposal.title),
             (_("Who votes"), str(ELECTORATE_LABELS[poll.electorate])),
             (_("Voting period"), window(poll)),
             (_("Counting rule"), str(RULE_LABELS[poll.rule]))]
    if poll.matter is not None:
        facts.append((_("Matter decided"), matter_label(poll)))
    return Poster(
        heading=_("%(community)s · Notice of a vote", community=community.name),
        title=poll.question, url=printed_url("voting.view_poll", poll_id=poll.id),
        scan_hint=_("Scan to open the vote"), facts=facts,
        steps=[_("Scan the code below with your phone's camera or WeChat."),
               _("Sign in with your phone number. The first time, register, then link your "
                 "account to your home under “My home”."),
               _("Tap your answer, confirm it, and note your receipt code: after close you "
                 "can find your ballot on the bulletin by it.")],
        text=_("If you cannot vote online, ask the staff for a paper ballot, or give someone "
               "a written proxy."),
        signature=[community.name, long_date(printed_on)])


# --- Paper ballots --------------------------------------------------------------------------


@dataclass
class BallotSheet:
    """One printed ballot: its number (the roll entry's key, which the entry form proposes
    as the paper ballot number), rooms, area, masked holders and the address its code
    opens."""

    number: str
    rooms: str
    area: Decimal | None
    holders: str
    url: str

    def number_line(self) -> str:
        return _("Ballot no. %(number)s", number=self.number)

    def facts(self) -> list[tuple[str, str]]:
        """The voter's label–value lines: rooms, area (an owners' poll) and who holds it."""
        facts = [(_("Rooms"), self.rooms)]
        if self.area is not None:
            facts.append((_("Area"), _("%(area)s m²", area=f"{self.area:,.2f}")))
        facts.append((_("Owners") if self.area is not None else _("Voter's name"), self.holders))
        return facts


def ballot_sheets(poll: Poll, entries: list[RollEntry], holders: dict[int, str]
                  ) -> list[BallotSheet]:
    owners = poll.electorate == ElectorateKind.OWNERS
    return [BallotSheet(number=entry.key, rooms=entry.label, area=entry.area if owners else None,
                        holders=holders.get(entry.id, ""),
                        url=printed_url("voting.offline", poll_id=poll.id, entry=entry.id))
            for entry in entries]


def _instruction(poll: Poll) -> str:
    if poll.kind == QuestionKind.YES_NO or poll.max_choices == 1:
        marks = _("Mark one box with ✓.")
    else:
        marks = ngettext("Mark up to %(num)d box with ✓.", "Mark up to %(num)d boxes with ✓.",
                         poll.max_choices)
    return marks + " " + _("A ballot with no box marked, more boxes marked than allowed, or "
                           "that cannot be read is invalid (废票).")


@dataclass
class BallotFace:
    """What every ballot of a poll says around its voter's lines, in the reader's language:
    the PDF and the page printed from the browser set the same words. Ballots of a few
    answers take half a sheet (``two_to_a_sheet``)."""

    title: str
    heading: str
    proposal: str
    question: str
    instruction: str
    choices: list[str]
    signature: str
    date: str
    period: str
    staff_hint: str
    two_to_a_sheet: bool


def ballot_face(poll: Poll, choices: list[str]) -> BallotFace:
    return BallotFace(
        title=_("Ballot papers: %(question)s", question=poll.question),
        heading=_("%(community)s · Ballot paper", community=poll.proposal.community.name),
        proposal=_("Proposal: %(title)s", title=poll.proposal.title),
        question=_("Question: %(question)s", question=poll.question),
        instruction=_instruction(poll), choices=choices,
        signature=_("Signature of the owner (each co-owner): %(line)s", line="_" * 22),
        date=_("Date: %(line)s", line="_" * 14),
        period=_("Voting period: %(window)s. Hand the signed ballot to the staff, or put it in "
                 "the ballot box, before voting closes.", window=window(poll)),
        staff_hint=_("For staff: scan to enter this ballot"),
        two_to_a_sheet=len(choices) <= HALF_PAGE_CHOICES)


def _ballot(face: BallotFace, sheet: BallotSheet, font: str, width: float) -> list:
    title = style(font, 17, alignment=1)
    text, small = style(font, 11.5), style(font, 9, textColor="#333333")
    head = table([[paragraph(face.heading, title)],
                  [paragraph(sheet.number_line(), style(font, 11, alignment=2))]], [width], font)
    facts_table = table([[paragraph(label, text), paragraph(value, text)]
                         for label, value in sheet.facts()], [22 * mm, width - 22 * mm], font,
                        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"))
    choice_style = style(font, 14, leading=26)
    if face.two_to_a_sheet:
        boxes = table([[box(words, choice_style) for words in face.choices]],
                      [width / len(face.choices)] * len(face.choices), font)
    else:
        boxes = table([[box(words, choice_style)] for words in face.choices],
                      [width], font)
    sign = [paragraph(face.signature, text), Spacer(1, 3 * mm),
            paragraph(face.date, text), Spacer(1, 2 * mm),
            paragraph(face.period, small)]
    staff = [qr_code(sheet.url, 26 * mm),
             paragraph(face.staff_hint, style(font, 8, alignment=1))]
    foot = table([[sign, staff]], [width - 32 * mm, 32 * mm], font,
                 ("VALIGN", (0, 0), (-1, -1), "TOP"))
    return [head, Spacer(1, 1 * mm), paragraph(face.proposal, small),
            paragraph(face.question, style(font, 13)),
            Spacer(1, 2 * mm), facts_table, Spacer(1, 2 * mm),
            paragraph(face.instruction, small), Spacer(1, 1 * mm), boxes, Spacer(1, 3 * mm),
            foot, paragraph(sheet.url, style(font, 6.5, textColor="#555555"))]


def _cut_line(canvas, _document) -> None:
    """A dashed line between the two ballots of a sheet, to cut along."""
    canvas.saveState()
    canvas.setDash(4, 4)
    canvas.setStrokeColor("#888888")
    canvas.line(10 * mm, A4[1] / 2, A4[0] - 10 * mm, A4[1] / 2)
    canvas.restoreState()


def ballots_pdf(poll: Poll, sheets: list[BallotSheet], choices: list[str],
                font_path: str | None = None) -> bytes:
    """The ballots, two to an A4 sheet (cut along the dashed line) when their answers fit
    on half a page, else one to a sheet."""
    font = pdf_font(font_path)
    face = ballot_face(poll, choices)
    per_page = 2 if face.two_to_a_sheet else 1
    margin = 12 * mm
    width, height = A4[0] - 2 * margin, A4[1] / per_page - 2 * margin
    frames = [Frame(margin, A4[1] - (index + 1) * A4[1] / per_page + margin, width, height,
                    leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                    id=f"ballot-{index}") for index in range(per_page)]
    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=A4, initialFontName=font, title=face.title)
    cut = {"onPage": _cut_line} if per_page == 2 else {}
    document.addPageTemplates([PageTemplate(frames=frames, **cut)])
    story = []
    for sheet in sheets:
        if story:
            story.append(FrameBreak())
        story.append(one_page(_ballot(face, sheet, font, width), width, height))
    document.build(story)
    return buffer.getvalue()


# --- The canvass list -----------------------------------------------------------------------


def canvass_list(poll: Poll, place: Place, entries: list[RollEntry], holders: dict[int, str],
                 printed_at) -> Document:
    """Who in a building or grid has voted and who has not, and whether each was served,
    as it stood when printed."""
    owners = poll.electorate == ElectorateKind.OWNERS
    voted = sum(entry.voted_at is not None for entry in entries)
    header = [_("Rooms"), _("Owners") if owners else _("Voter's name")]
    header += [_("Area (m²)")] if owners else []
    header += [_("Notice served?"), _("Voted?")]
    rows = []
    for entry in entries:
        row = [entry.label, holders.get(entry.id, "")]
        row += [f"{entry.area:,.2f}"] if owners else []
        row += [str(SERVED_SHORT_LABELS.get(entry.served_via, entry.served_via)),
                _("Voted already") if entry.voted_at is not None else _("Not voted yet")]
        rows.append(row)
    return Document(
        title=_("Canvass list of those who have not voted"),
        paragraphs=[_("Question: %(question)s", question=poll.question),
                    _("Where: %(place)s", place=place.label or _("The whole roll")),
                    _("Voting period: %(window)s.", window=window(poll)),
                    _("Printed on %(when)s (Beijing time). Who has voted changes all the "
                      "time: print a new list before each round.",
                      when=long_datetime(printed_at)),
                    _("%(total)d on this list: %(voted)d voted, %(waiting)d not yet.",
                      total=len(entries), voted=voted, waiting=len(entries) - voted)],
        table=[header, *rows],
        closing=[_("Never ask anyone how they voted, and do not leave this list where others "
                   "can read it.")])
