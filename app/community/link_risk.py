"""When approving a link to a home would take it from someone, or trust a stranger to the
roster: the facts staff must see, and answer with a reasoned "replace", before they approve.

No Flask and no database: the caller gives the people as plain values.
"""

import re
from dataclasses import dataclass

# A replace ends someone's link or overrides the roster: the reason must say why.
REPLACE_REASON_MIN = 10


@dataclass(frozen=True)
class Person:
    """A name and a mobile number, as an account or the roster gives them."""

    name: str
    phone: str | None


@dataclass(frozen=True)
class LinkRisk:
    """Why approving a request as this roster owner needs a replace, if it does."""

    # The account the roster owner is already linked to, if it is not the requester's.
    linked_user_id: int | None = None
    # Neither the requester's name nor their number is the roster owner's.
    differs_from_roster: bool = False

    @property
    def needs_replace(self) -> bool:
        return self.linked_user_id is not None or self.differs_from_roster


def _name_key(name: str | None) -> str:
    """Names compare without spaces and case: "王 伟" on a form is 王伟 on the roster."""
    return re.sub(r"\s+", "", name or "").casefold()


def _phone_key(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")[-11:]


def same_name(a: str | None, b: str | None) -> bool:
    return bool(_name_key(a)) and _name_key(a) == _name_key(b)


def same_phone(a: str | None, b: str | None) -> bool:
    return bool(_phone_key(a)) and _phone_key(a) == _phone_key(b)


def assess_link(*, requester_id: int, requester: Person, roster: Person,
                roster_user_id: int | None) -> LinkRisk:
    """The risk of linking ``requester`` to the unit as the roster owner ``roster``, who is
    linked to the account ``roster_user_id`` (None: to none)."""
    linked = roster_user_id if roster_user_id not in (None, requester_id) else None
    differs = not same_name(requester.name, roster.name) and not same_phone(
        requester.phone, roster.phone)
    return LinkRisk(linked_user_id=linked, differs_from_roster=differs)


def reason_problem(reason: str | None) -> str | None:
    """"missing" or "too_short" for a replace reason that will not do, else None."""
    text = (reason or "").strip()
    if not text:
        return "missing"
    if len(text) < REPLACE_REASON_MIN:
        return "too_short"
    return None
