"""Follow-up actions: recording them, marking them done, and what they do to a proposal.

The first action recorded on a passed proposal starts the work (in progress); the last open
action reported done finishes it (done). Both steps are the site's own (Actor.SYSTEM)."""

from datetime import date

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.community.models import Membership, Organisation
from app.core import uploads
from app.core.refusals import Refused
from app.core.signals import proposal_page, proposal_status_changed
from app.extensions import db, utcnow
from app.followups.models import ActionStatus, FollowUpAction
from app.notices.models import NotificationKind
from app.notices.services import notify
from app.permissions import STAFF_ROLES
from app.proposals.models import Proposal
from app.proposals.services import transition
from app.proposals.states import Action, Status


class ActionRefused(Refused):
    """``followup.already_done`` or ``followup.nothing_to_show`` (neither a note nor a
    photo)."""




def _with_people(query):
    return query.options(joinedload(FollowUpAction.organisation),
                         joinedload(FollowUpAction.done_by))


def actions_for_meeting(meeting) -> dict[int, list[FollowUpAction]]:
    """The actions recorded at each agenda item of the meeting, in one query."""
    item_ids = [item.id for item in meeting.items]
    by_item: dict[int, list[FollowUpAction]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return by_item
    rows = db.session.execute(_with_people(
        select(FollowUpAction).where(FollowUpAction.agenda_item_id.in_(item_ids))
        .order_by(FollowUpAction.id))
    ).scalars()
    for action in rows:
        by_item[action.agenda_item_id].append(action)
    return by_item


def actions_for_item(agenda_item_id: int) -> list[FollowUpAction]:
    return list(db.session.execute(_with_people(
        select(FollowUpAction).where(FollowUpAction.agenda_item_id == agenda_item_id)
        .order_by(FollowUpAction.id))
    ).scalars())


def actions_for_proposal(proposal: Proposal) -> list[FollowUpAction]:
    """A proposal's actions, open ones first by due date, in one query."""
    return list(db.session.execute(_with_people(
        select(FollowUpAction).where(FollowUpAction.proposal_id == proposal.id)
        .order_by(case((FollowUpAction.status == ActionStatus.OPEN, 0), else_=1),
                  FollowUpAction.due_on, FollowUpAction.id))
    ).scalars())


@proposal_page.connect
def _on_proposal_page(proposal: Proposal, **_page) -> dict:
    return {"follow_up_actions": actions_for_proposal(proposal)}


def open_actions(organisation: Organisation) -> list[FollowUpAction]:
    """All the organisation's open actions, the longest overdue first."""
    return list(db.session.execute(
        select(FollowUpAction).where(FollowUpAction.organisation_id == organisation.id,
                                     FollowUpAction.status == ActionStatus.OPEN)
        .options(joinedload(FollowUpAction.proposal))
        .order_by(FollowUpAction.due_on, FollowUpAction.id)
    ).scalars())


def done_actions(organisation: Organisation, page: int):
    """One page of the organisation's finished actions, the latest first."""
    query = _with_people(
        select(FollowUpAction).where(FollowUpAction.organisation_id == organisation.id,
                                     FollowUpAction.status == ActionStatus.DONE)
        .options(joinedload(FollowUpAction.proposal))
        .order_by(FollowUpAction.done_at.desc(), FollowUpAction.id.desc()))
    return db.paginate(query, page=page, per_page=current_app.config["DONE_ACTIONS_PER_PAGE"],
                       error_out=False)


def community_organisations(community_id: int) -> list[Organisation]:
    """The organisations an action can be given to."""
    return list(db.session.execute(
        select(Organisation).where(Organisation.community_id == community_id)
        .order_by(Organisation.name)
    ).scalars())


def _staff_of(organisation: Organisation) -> list[int]:
    return list(db.session.execute(
        select(Membership.user_id).where(Membership.organisation_id == organisation.id,
                                         Membership.role.in_(STAFF_ROLES))
    ).scalars())


def add_action(proposal: Proposal, *, organisation: Organisation, description: str,
               due_on: date, actor, agenda_item_id: int | None = None) -> FollowUpAction:
    """Record an action (at a meeting's agenda item, or on the proposal itself) and tell
    the organisation's staff. A passed proposal is now being carried out."""
    action = FollowUpAction(
        community_id=proposal.community_id, proposal_id=proposal.id,
        agenda_item_id=agenda_item_id, organisation_id=organisation.id,
        description=description, due_on=due_on, status=ActionStatus.OPEN,
        created_by_id=actor.id)
    db.session.add(action)
    db.session.flush()
    record("followup.add", actor=actor, community_id=proposal.community_id,
           target=f"follow_up:{action.id}",
           details={"proposal": proposal.id, "organisation": organisation.id,
                    "description": description, "due": due_on.isoformat()})
    notify(_staff_of(organisation), NotificationKind.FOLLOW_UP, actor=actor,
           proposal_id=proposal.id,
           details={"title": proposal.title, "action": description,
                    "due": due_on.isoformat()})
    if proposal.status == Status.PASSED:
        transition(proposal, Action.START_WORK, actor=None, note=description)
    return action


@proposal_status_changed.connect
def carry_out_if_planned(proposal: Proposal, *, target: str, **_event) -> None:
    """A proposal that passes with actions already decided (at a meeting before its vote,
    say) is being carried out from the moment it passes."""
    if target != Status.PASSED:
        return
    planned = db.session.execute(
        select(FollowUpAction.description).where(FollowUpAction.proposal_id == proposal.id,
                                                 FollowUpAction.status == ActionStatus.OPEN)
        .order_by(FollowUpAction.id).limit(1)).scalar()
    if planned is not None:
        transition(proposal, Action.START_WORK, actor=None, note=planned)


def _lock(proposal: Proposal) -> None:
    """Two people finishing the last two actions at once must not both see the other open."""
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())


def mark_done(action: FollowUpAction, *, actor, note: str,
              photo: uploads.CleanFile | None) -> None:
    """Report the action done, shown by a note or a photo. When it was the proposal's last
    open action and the proposal is in progress, the proposal is done."""
    # Read the action afresh under a row lock: of two people reporting it at once, the
    # second sees it done instead of overwriting the first's report.
    db.session.execute(select(FollowUpAction.id).where(FollowUpAction.id == action.id)
                       .with_for_update())
    db.session.refresh(action)
    if action.status == ActionStatus.DONE:
        raise ActionRefused("followup.already_done")
    if not note and photo is None:
        raise ActionRefused("followup.nothing_to_show")
    proposal = action.proposal
    _lock(proposal)
    action.status = ActionStatus.DONE
    action.done_at = utcnow()
    action.done_by_id = actor.id
    action.done_note = note
    if photo is not None:
        action.done_photo = uploads.store(uploads.PHOTOS, photo)
    db.session.flush()
    record("followup.done", actor=actor, community_id=action.community_id,
           target=f"follow_up:{action.id}",
           details={"proposal": proposal.id, "note": note, "photo": action.done_photo})
    still_open = db.session.execute(
        select(FollowUpAction.id).where(FollowUpAction.proposal_id == proposal.id,
                                        FollowUpAction.status == ActionStatus.OPEN).limit(1)
    ).first()
    if still_open is None and proposal.status == Status.IN_PROGRESS:
        transition(proposal, Action.FINISH, actor=None, note=note)
