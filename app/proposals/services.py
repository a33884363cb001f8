"""Operations on proposals. Each changes the session, records the timeline and notifies;
the caller commits."""

from sqlalchemy import delete, func, select

from app.audit.services import record
from app.auth.models import User
from app.community.models import Building, Community, Grid, Organisation
from app.core.text import render_markdown
from app.extensions import db, utcnow
from app.notices.models import NotificationKind
from app.notices.services import notify
from app.permissions import can
from app.proposals.models import (
    Cosponsorship,
    Follow,
    PartyReview,
    Proposal,
    ProposalEvent,
    ReviewOpinion,
    ScopeKind,
)
from app.proposals.states import Action, Actor, Status, find_transition, next_status


def save_draft(
    proposal: Proposal | None,
    *,
    community: Community,
    author: User,
    organisation: Organisation | None,
    title: str,
    body: str,
    category: str,
    scope_kind: str,
    grids: list[Grid],
    buildings: list[Building],
) -> Proposal:
    """Create a draft, or update one; a draft can be resumed on any device."""
    is_new = proposal is None
    if is_new:
        proposal = Proposal(community=community, author=author, status=Status.DRAFT)
        db.session.add(proposal)
    proposal.organisation = organisation
    proposal.title = title
    proposal.body = body
    proposal.body_html = render_markdown(body)
    proposal.category = category
    proposal.scope_kind = scope_kind
    proposal.scope_grids = grids if scope_kind == ScopeKind.GRIDS else []
    proposal.scope_buildings = buildings if scope_kind == ScopeKind.BUILDINGS else []
    proposal.updated_at = utcnow()
    db.session.flush()
    if is_new:
        follow(proposal, author)
    return proposal


def actors_for(user: User | None, proposal: Proposal) -> set[Actor]:
    """Which of the state machine's roles this person plays for this proposal."""
    if user is None:
        return {Actor.SYSTEM}
    actors = set()
    if proposal.author_id == user.id and not proposal.author_rights_withdrawn:
        actors.add(Actor.AUTHOR)
    if can(user, "proposal.chair", proposal.community):
        actors.add(Actor.CHAIR)
    return actors


def followers(proposal: Proposal) -> list[int]:
    return list(db.session.execute(
        select(Follow.user_id).where(Follow.proposal_id == proposal.id)).scalars())


def transition(proposal: Proposal, action: Action, *, actor: User | None, note: str = "") -> None:
    """Move the proposal along the state machine or raise TransitionRefused.

    ``actor`` None is the site itself (thresholds, closing polls).
    """
    source = Status(proposal.status)
    target = next_status(source, action, actors_for(actor, proposal),
                         organisation=proposal.is_organisation_proposal)
    proposal.status = target
    now = utcnow()
    proposal.updated_at = now
    if target in (Status.COLLECTING, Status.DELIBERATION) and proposal.published_at is None:
        proposal.published_at = now
    if target == Status.DELIBERATION:
        proposal.deliberation_at = now
    db.session.add(ProposalEvent(
        proposal_id=proposal.id, actor_id=actor.id if actor else None, kind=action,
        from_status=source, to_status=target, note=note))
    if Actor.CHAIR in find_transition(action, source, proposal.is_organisation_proposal).actors:
        record(f"proposal.{action}", actor=actor, community_id=proposal.community_id,
               target=f"proposal:{proposal.id}",
               details={"from": source, "to": target, "note": note})
    if source != Status.DRAFT:
        notify(followers(proposal), NotificationKind.STATUS_CHANGE, actor=actor,
               proposal_id=proposal.id,
               details={"from": source, "to": target, "title": proposal.title, "note": note})
    db.session.flush()


def submit(proposal: Proposal, *, actor: User) -> None:
    """A resident's draft collects support; an organisation's goes to deliberation."""
    action = Action.PUBLISH if proposal.is_organisation_proposal else Action.SUBMIT
    transition(proposal, action, actor=actor)


def follow(proposal: Proposal, user: User) -> None:
    exists = db.session.execute(select(Follow.id).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id)).first()
    if not exists:
        db.session.add(Follow(proposal_id=proposal.id, user_id=user.id))


def unfollow(proposal: Proposal, user: User) -> None:
    db.session.execute(delete(Follow).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id))


def cosponsor(proposal: Proposal, user: User) -> bool:
    """Add the user's support; at the community's threshold the proposal moves on by itself.
    Returns whether it did."""
    db.session.add(Cosponsorship(proposal_id=proposal.id, user_id=user.id))
    follow(proposal, user)
    db.session.flush()
    proposal.cosponsor_count = db.session.execute(
        select(func.count(Cosponsorship.id)).where(Cosponsorship.proposal_id == proposal.id)
    ).scalar_one()
    if proposal.cosponsor_count < proposal.community.cosponsor_threshold:
        return False
    transition(proposal, Action.REACH_THRESHOLD, actor=None)
    notify([proposal.author_id], NotificationKind.THRESHOLD_REACHED, proposal_id=proposal.id,
           details={"title": proposal.title, "count": proposal.cosponsor_count})
    return True


def merge(proposal: Proposal, into: Proposal, *, actor: User, note: str) -> None:
    """Merge a duplicate: its co-sponsors and followers carry over to the survivor."""
    transition(proposal, Action.MERGE, actor=actor, note=note)
    proposal.merged_into = into
    for model in (Cosponsorship, Follow):
        carried = set(db.session.execute(
            select(model.user_id).where(model.proposal_id == into.id)).scalars())
        if model is Cosponsorship:
            carried.add(into.author_id)  # nobody co-sponsors their own proposal
        for user_id in db.session.execute(
                select(model.user_id).where(model.proposal_id == proposal.id)).scalars():
            if user_id not in carried:
                db.session.add(model(proposal_id=into.id, user_id=user_id))
                carried.add(user_id)
    db.session.flush()
    into.cosponsor_count = db.session.execute(
        select(func.count(Cosponsorship.id)).where(Cosponsorship.proposal_id == into.id)
    ).scalar_one()
    db.session.add(ProposalEvent(proposal_id=into.id, actor_id=actor.id, kind="merged_from",
                                 note=f"#{proposal.id} {proposal.title}"))


def withdraw_author_rights(proposal: Proposal, *, actor: User, reason: str) -> None:
    """A chair takes the author's control of the proposal away (e.g. after abuse)."""
    proposal.author_rights_withdrawn = True
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=actor.id,
                                 kind="author_rights_withdrawn", note=reason))
    record("proposal.withdraw_author_rights", actor=actor, community_id=proposal.community_id,
           target=f"proposal:{proposal.id}", details={"reason": reason})


def party_review_required(proposal: Proposal) -> bool:
    return proposal.category in (proposal.community.party_review_categories or [])


def latest_party_review(proposal: Proposal) -> PartyReview | None:
    return db.session.execute(
        select(PartyReview).where(PartyReview.proposal_id == proposal.id)
        .order_by(PartyReview.id.desc()).limit(1)
    ).scalar_one_or_none()


def may_open_voting(proposal: Proposal) -> bool:
    """Where the community asks for it, the party branch must have let the proposal proceed."""
    if not party_review_required(proposal):
        return True
    review = latest_party_review(proposal)
    return review is not None and review.opinion != ReviewOpinion.RETURN_FOR_REVISION


def add_party_review(
    proposal: Proposal, *, organisation: Organisation, opinion: str, text: str, actor: User
) -> PartyReview:
    review = PartyReview(proposal_id=proposal.id, organisation=organisation, opinion=opinion,
                         text=text, author_id=actor.id)
    db.session.add(review)
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=actor.id,
                                 kind="party_review", note=text))
    notify([proposal.author_id, *followers(proposal)], NotificationKind.PARTY_REVIEW,
           actor=actor, proposal_id=proposal.id,
           details={"opinion": opinion, "title": proposal.title})
    db.session.flush()
    return review

