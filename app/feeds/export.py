"""A community's public data as JSON and as one CSV file. Pure: no Flask, no database.

One CSV, not several: every public item is a notice, and the facts of a result notice's
vote (rooms and areas on the roll and among those who voted) are columns of its row, so a
single sheet opens in Excel with nothing to join. It starts with a byte-order mark, without
which Excel on a Chinese Windows reads UTF-8 as GBK and shows garbage.
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from app.core.spreadsheets import csv_text

BOM = "\ufeff"


@dataclass(frozen=True)
class VoteFacts:
    """Counts of a closed owners' vote: how many owners and how much area were on the roll
    and voted. Totals only, never who voted or how."""

    question: str
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    roll_people: int | None
    roll_area: Decimal | None
    voted_people: int
    voted_area: Decimal


@dataclass(frozen=True)
class PublicItem:
    """One notice as the public page lists it and shows it."""

    id: int
    kind: str
    kind_label: str
    title: str
    organisation: str
    published_at: datetime
    expires_at: datetime | None
    url: str
    body: str
    bulletin_url: str = ""
    vote: VoteFacts | None = None


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _plain_dict(data: dict) -> dict:
    return {key: _plain_dict(value) if isinstance(value, dict) else _plain(value)
            for key, value in data.items()}


def to_json(community: dict, items: list[PublicItem]) -> str:
    """``community`` holds the community's public facts (id, name, address, url)."""
    return json.dumps({"community": community,
                       "notices": [_plain_dict(asdict(item)) for item in items]},
                      ensure_ascii=False, indent=2)


def to_csv(headers: list[str], items: list[PublicItem]) -> str:
    """``headers`` are the column titles in the reader's language, one per column below.
    Written by the app's one CSV writer, which keeps a title like ``=HYPERLINK(…)`` text."""
    rows = [headers]
    for item in items:
        vote = item.vote
        rows.append([_plain(value) if value is not None else "" for value in (
            item.id, item.kind_label, item.title, item.organisation, item.published_at,
            item.expires_at, item.url, item.body, item.bulletin_url,
            vote and vote.question, vote and vote.roll_people, vote and vote.roll_area,
            vote and vote.voted_people, vote and vote.voted_area)])
    return BOM + csv_text(rows)

