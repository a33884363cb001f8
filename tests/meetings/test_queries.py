"""The meeting pages cost a fixed number of queries, however many invitees and items."""

from datetime import timedelta

import pytest

from app.community.models import Role
from app.extensions import db
from app.meetings.kinds import MeetingKind
from tests.meetings.conftest import invite_organisations

# Every page: the user, the meeting with its organisations, attendees and items (four),
# the viewer's standing (one). Whole pages add the notification badge; the item page the
# item's polls. The meeting page also holds the minutes and the follow-up actions, which
# other packages build, so only its constancy is asserted here (expected: None).
HTMX = {"HX-Request": "true"}
PAGES = {
    ("meeting", "recorder"): (lambda m: f"/meetings/{m.id}", None, None),
    ("meeting", "observer"): (lambda m: f"/meetings/{m.id}", None, None),
    ("quorum", "observer"): (lambda m: f"/meetings/{m.id}/quorum", HTMX, 6),
    ("item", "recorder"): (lambda m: f"/meetings/{m.id}/items/{m.items[0].id}", None, 8),
    ("code", "recorder"): (lambda m: f"/meetings/{m.id}/code", None, 7),
}


def _measure(client, url, count_queries, headers=None):
    client.get(url, headers=headers)
    with count_queries() as statements:
        assert client.get(url, headers=headers).status_code == 200
    return statements


def _meeting(make_meeting, make_proposal, make_community, make_user, make_org, size):
    """``size`` items proposed by different people, and invitees of ``size`` organisations
    besides the convener's."""
    community = make_community()
    proposals = [make_proposal(community, make_user(name=f"作者{n}")) for n in range(size)]
    meeting = make_meeting(community=community, kind=MeetingKind.JOINT, members=size,
                           observers=size, proposals=proposals)
    invite_organisations(meeting, make_org, make_user, size)
    for attendee in meeting.attendees[::2]:
        attendee.checked_in_at = meeting.starts_at
    for item in meeting.items:
        item.notes, item.hands_for, item.hands_against, item.hands_abstain = "讨论", 1, 0, 0
    db.session.commit()
    return meeting


@pytest.mark.parametrize("page, viewer", list(PAGES))
def test_meeting_pages(page, viewer, make_meeting, make_proposal, make_community, make_user,
                       make_org, login, client, count_queries):
    path, headers, expected = PAGES[page, viewer]
    counts = []
    for size in (1, 5):
        meeting = _meeting(make_meeting, make_proposal, make_community, make_user, make_org,
                           size)
        user = (meeting.recorder if viewer == "recorder"
                else next(a.user for a in meeting.attendees if not a.voting))
        login(user)
        counts.append(_measure(client, path(meeting), count_queries, headers))
    few, many = counts
    assert len(few) == len(many), "\n".join(many)
    if expected is not None:
        assert len(few) == expected, "\n".join(few)


def test_the_list(make_meeting, make_community, make_user, give_role, login, client,
                  count_queries):
    community = make_community()
    resident = make_user(name="居民")
    give_role(resident, Role.RESIDENT, community)
    login(resident)
    make_meeting(community=community, starts_in=timedelta(days=1))
    few = _measure(client, f"/c/{community.id}/meetings", count_queries)
    for days in (-3, -2, 2, 3):
        make_meeting(community=community, starts_in=timedelta(days=days))
    many = _measure(client, f"/c/{community.id}/meetings", count_queries)
    assert len(few) == len(many) == 5, "\n".join(many)
