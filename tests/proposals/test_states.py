"""The lifecycle state machine, exhaustively: every status x every action x every actor."""

import itertools

import pytest

from app.proposals.states import (
    FINAL,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    TransitionRefused,
    available_actions,
    next_status,
)

# The lifecycle as DESIGN.md section 3 states it, written out independently of the table.
EXPECTED = {
    # (status, action, organisation proposal?): (target, who may)
    (Status.DRAFT, Action.SUBMIT, False): (Status.COLLECTING, {Actor.AUTHOR}),
    (Status.DRAFT, Action.PUBLISH, True): (Status.DELIBERATION, {Actor.AUTHOR}),
    (Status.COLLECTING, Action.REACH_THRESHOLD, False): (Status.DELIBERATION, {Actor.SYSTEM}),
    **{(s, Action.WITHDRAW, org): (Status.WITHDRAWN, {Actor.AUTHOR})
       for s in (Status.DRAFT, Status.COLLECTING, Status.DELIBERATION) for org in (True, False)},
    **{(s, Action.MERGE, org): (Status.MERGED, {Actor.CHAIR})
       for s in (Status.COLLECTING, Status.DELIBERATION) for org in (True, False)},
    (Status.COLLECTING, Action.MOVE_BACK, False): (Status.DRAFT, {Actor.CHAIR}),
    (Status.COLLECTING, Action.MOVE_BACK, True): (Status.DRAFT, {Actor.CHAIR}),
    (Status.DELIBERATION, Action.MOVE_BACK, False): (Status.COLLECTING, {Actor.CHAIR}),
    (Status.DELIBERATION, Action.MOVE_BACK, True): (Status.DRAFT, {Actor.CHAIR}),
    **{(Status.DELIBERATION, Action.OPEN_VOTING, org): (Status.VOTING, {Actor.CHAIR, Actor.SYSTEM})
       for org in (True, False)},
    **{(Status.VOTING, action, org): (target, {Actor.SYSTEM})
       for action, target in ((Action.CLOSE_PASSED, Status.PASSED),
                              (Action.CLOSE_REJECTED, Status.REJECTED),
                              (Action.CLOSE_NO_QUORUM, Status.NO_QUORUM))
       for org in (True, False)},
    # SYSTEM: follow-up actions move a passed proposal on by themselves.
    **{(Status.PASSED, Action.START_WORK, org): (Status.IN_PROGRESS, {Actor.CHAIR, Actor.SYSTEM})
       for org in (True, False)},
    **{(Status.IN_PROGRESS, Action.FINISH, org): (Status.DONE, {Actor.CHAIR, Actor.SYSTEM})
       for org in (True, False)},
}

CASES = list(itertools.product(Status, Action, Actor, (True, False)))


@pytest.mark.parametrize(("status", "action", "actor", "organisation"), CASES)
def test_every_status_action_and_actor(status, action, actor, organisation):
    expected = EXPECTED.get((status, action, organisation))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action, {actor}, organisation=organisation)
        assert refused.value.code == "proposal.not_allowed_now"
    elif actor in expected[1]:
        assert next_status(status, action, {actor}, organisation=organisation) == expected[0]
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(status, action, {actor}, organisation=organisation)
        assert refused.value.code == "proposal.not_yours"


def test_the_table_has_no_duplicates_and_nothing_leaves_a_final_state():
    keys = [(t.action, t.source, t.organisation) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert not [t for t in TRANSITIONS if t.source in FINAL]


def test_available_actions_are_the_buttons_a_person_gets():
    assert available_actions(Status.DELIBERATION, {Actor.AUTHOR}, organisation=False) == [
        Action.WITHDRAW]
    assert available_actions(Status.DELIBERATION, {Actor.CHAIR}, organisation=False) == [
        Action.MERGE, Action.MOVE_BACK, Action.OPEN_VOTING]
    assert available_actions(Status.DONE, set(Actor), organisation=False) == []
