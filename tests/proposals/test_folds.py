"""Long sections of a proposal page fold (issue 15, item 2): the timeline past a few events
and the party branch's opinions past a couple show their start and a "Show …" button that
unfolds them without JavaScript; short ones stay open. Everything stays in the page."""

from datetime import timedelta

from app.extensions import db
from app.proposals.models import PartyReview, ProposalEvent


def _section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"')[1].split("</section>")[0]


def _add_events(proposal, actors, count: int) -> None:
    start = proposal.created_at
    for number in range(count):
        db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=actors[number % 2].id,
                                     kind="rules_of_order", note=f"第{number}条记录",
                                     created_at=start + timedelta(hours=number)))
    db.session.commit()


def test_a_long_timeline_folds_and_a_short_one_stays_open(proposals, login, en):
    w = proposals
    actors = [w.users["oc_chair"], w.users["moderator"]]
    _add_events(w.other_open, actors, 2)
    _add_events(w.open, actors, 12)
    login(w.users["resident"])
    short = _section(en.get(f"/p/{w.other_open.id}").text, "timeline")
    assert 'class="unfold"' not in short and "第1条记录" in short
    long = _section(en.get(f"/p/{w.open.id}").text, "timeline")
    assert '<input type="checkbox" class="unfold" id="unfold-timeline">' in long
    assert 'for="unfold-timeline">Show the whole timeline</label>' in long
    assert "第0条记录" in long and "第11条记录" in long  # folded, not cut


def test_many_opinions_of_the_party_branch_fold_and_one_stays_open(proposals, login, en):
    w = proposals
    login(w.users["resident"])

    def opinions(count: int) -> str:
        for number in range(count):
            db.session.add(PartyReview(proposal_id=w.fund.id, organisation_id=w.party_branch.id,
                                       opinion="proceed", text=f"意见{number}",
                                       author_id=w.users["party_chair"].id))
        db.session.commit()
        return _section(en.get(f"/p/{w.fund.id}").text, "party-review")

    one = opinions(1)
    assert 'class="unfold"' not in one and "意见0" in one
    many = opinions(3)
    assert 'id="unfold-party-review"' in many and "Show every opinion" in many
    assert many.count("意见0") == 2
