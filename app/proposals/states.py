"""The proposal lifecycle, with no Flask and no database: every allowed transition is listed
here once, with who may trigger it; anything not listed is refused.

draft → collecting support (联署) → deliberation (讨论/公示) → voting → passed | rejected |
no quorum → in progress (执行中) → done, plus withdrawn (by the author, before voting) and
merged (into another proposal, by a chair).
"""

import enum
from dataclasses import dataclass

from app.core.refusals import Refused


class Status(enum.StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    PASSED = "passed"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


class Action(enum.StrEnum):
    SUBMIT = "submit"                    # a resident's draft starts collecting support
    PUBLISH = "publish"                  # an organisation's draft goes straight to deliberation
    REACH_THRESHOLD = "reach_threshold"  # enough co-sponsors
    WITHDRAW = "withdraw"
    MERGE = "merge"
    MOVE_BACK = "move_back"
    OPEN_VOTING = "open_voting"
    CLOSE_PASSED = "close_passed"
    CLOSE_REJECTED = "close_rejected"
    CLOSE_NO_QUORUM = "close_no_quorum"
    START_WORK = "start_work"
    FINISH = "finish"


class Actor(enum.StrEnum):
    AUTHOR = "author"  # the author, while they keep their author rights
    CHAIR = "chair"    # a chair or the community administrator
    SYSTEM = "system"  # the site itself: thresholds, poll closing, follow-up actions


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    actors: frozenset[Actor]
    # None: any proposal; True / False: only organisations' / only residents' proposals.
    organisation: bool | None = None


def _t(action, source, target, *actors, organisation=None) -> Transition:
    return Transition(action, source, target, frozenset(actors), organisation)


A, S, R = Action, Status, Actor
TRANSITIONS: tuple[Transition, ...] = (
    _t(A.SUBMIT, S.DRAFT, S.COLLECTING, R.AUTHOR, organisation=False),
    _t(A.PUBLISH, S.DRAFT, S.DELIBERATION, R.AUTHOR, organisation=True),
    _t(A.REACH_THRESHOLD, S.COLLECTING, S.DELIBERATION, R.SYSTEM, organisation=False),
    _t(A.WITHDRAW, S.DRAFT, S.WITHDRAWN, R.AUTHOR),
    _t(A.WITHDRAW, S.COLLECTING, S.WITHDRAWN, R.AUTHOR),
    _t(A.WITHDRAW, S.DELIBERATION, S.WITHDRAWN, R.AUTHOR),
    _t(A.MERGE, S.COLLECTING, S.MERGED, R.CHAIR),
    _t(A.MERGE, S.DELIBERATION, S.MERGED, R.CHAIR),
    _t(A.MOVE_BACK, S.COLLECTING, S.DRAFT, R.CHAIR),
    _t(A.MOVE_BACK, S.DELIBERATION, S.COLLECTING, R.CHAIR, organisation=False),
    _t(A.MOVE_BACK, S.DELIBERATION, S.DRAFT, R.CHAIR, organisation=True),
    _t(A.OPEN_VOTING, S.DELIBERATION, S.VOTING, R.CHAIR, R.SYSTEM),  # SYSTEM: at opens_at
    _t(A.CLOSE_PASSED, S.VOTING, S.PASSED, R.SYSTEM),
    _t(A.CLOSE_REJECTED, S.VOTING, S.REJECTED, R.SYSTEM),
    _t(A.CLOSE_NO_QUORUM, S.VOTING, S.NO_QUORUM, R.SYSTEM),
    # SYSTEM: the first follow-up action starts the work, the last one done finishes it.
    _t(A.START_WORK, S.PASSED, S.IN_PROGRESS, R.CHAIR, R.SYSTEM),
    _t(A.FINISH, S.IN_PROGRESS, S.DONE, R.CHAIR, R.SYSTEM),
)

# Where a proposal is public, can be discussed and can be co-sponsored.
PUBLIC = frozenset(set(Status) - {Status.DRAFT})
DISCUSSABLE = frozenset({Status.COLLECTING, Status.DELIBERATION, Status.VOTING})
FINAL = frozenset({Status.DONE, Status.WITHDRAWN, Status.MERGED, Status.REJECTED,
                   Status.NO_QUORUM})


class TransitionRefused(Refused):
    """``proposal.not_allowed_now`` (no such step from this status) or
    ``proposal.not_yours`` (the step exists, but not for this person); ``action`` and
    ``status`` are its params."""


def find_transition(action: Action, status: Status, organisation: bool) -> Transition | None:
    for transition in TRANSITIONS:
        if (transition.action == action and transition.source == status
                and transition.organisation in (None, organisation)):
            return transition
    return None


def next_status(
    status: Status, action: Action, actors: set[Actor], *, organisation: bool
) -> Status:
    """The status after ``action``, or TransitionRefused saying why not."""
    transition = find_transition(action, status, organisation)
    if transition is None:
        raise TransitionRefused("proposal.not_allowed_now", action=action, status=status)
    if not transition.actors & actors:
        raise TransitionRefused("proposal.not_yours", action=action, status=status)
    return transition.target


def available_actions(status: Status, actors: set[Actor], *, organisation: bool) -> list[Action]:
    """What these people may do now, in the table's order (for the buttons on the page)."""
    return [
        t.action for t in TRANSITIONS
        if t.source == status and t.organisation in (None, organisation) and t.actors & actors
    ]
