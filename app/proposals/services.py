"""Operations on proposals. Each changes the session, records the timeline and notifies;
the caller commits."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, exists, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.models import User
from app.community.models import (
    Building,
    Community,
    Grid,
    Membership,
    Organisation,
    OrganisationKind,
)
from app.community.scope import ScopeKind
from app.core import uploads
from app.core.signals import proposal_status_changed
from app.core.text import render_markdown
from app.extensions import db, utcnow
from app.notices.models import NotificationKind
from app.notices.services import notify
from app.permissions import STAFF_ROLES, can, load_standing
from app.proposals.models import (
    Cosponsorship,
    Follow,
    ModerationState,
    PartyReview,
    Proposal,
    ProposalBuilding,
    ProposalEvent,
    ProposalGrid,
    ProposalPhoto,
    ReviewOpinion,
)
from app.proposals.permissions import party_review_required
from app.proposals.states import (
    Action,
    Actor,
    Status,
    find_transition,
    next_status,
)


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
    if source == Status.DRAFT and target in (Status.COLLECTING, Status.DELIBERATION):
        follow_for_grid_branches(proposal)
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
    proposal_status_changed.send(proposal, source=source, target=target, action=action)


def submit(proposal: Proposal, *, actor: User) -> None:
    """A resident's draft collects support; an organisation's goes to deliberation."""
    action = Action.PUBLISH if proposal.is_organisation_proposal else Action.SUBMIT
    transition(proposal, action, actor=actor)


def follow(proposal: Proposal, user: User) -> None:
    add_followers(proposal, [user.id])


def add_followers(proposal: Proposal, user_ids: Iterable[int]) -> None:
    """Follow on behalf of these people, skipping those who already follow."""
    wanted = set(user_ids)
    if not wanted:
        return
    following = set(db.session.execute(select(Follow.user_id).where(
        Follow.proposal_id == proposal.id, Follow.user_id.in_(wanted))).scalars())
    for user_id in sorted(wanted - following):
        db.session.add(Follow(proposal_id=proposal.id, user_id=user_id))


def is_following(proposal: Proposal, user: User) -> bool:
    return db.session.execute(select(Follow.id).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id)).first() is not None


def concerned_grid_ids(proposal: Proposal) -> set[int] | None:
    """The grids a proposal concerns; None for the whole community (every grid)."""
    if proposal.scope_kind == ScopeKind.GRIDS:
        return {grid.id for grid in proposal.scope_grids}
    if proposal.scope_kind == ScopeKind.BUILDINGS:
        return {b.grid_id for b in proposal.scope_buildings if b.grid_id is not None}
    return None


def follow_for_grid_branches(proposal: Proposal) -> None:
    """Grid party branches see and follow every proposal of their grid: when a proposal
    becomes public, all the members of the branches of the grids it concerns follow it."""
    query = (
        select(Membership.user_id).join(Organisation)
        .where(Organisation.community_id == proposal.community_id,
               Organisation.kind == OrganisationKind.GRID_PARTY_BRANCH)
    )
    grid_ids = concerned_grid_ids(proposal)
    if grid_ids is not None:
        query = query.where(Organisation.grid_id.in_(grid_ids))
    add_followers(proposal, db.session.execute(query).scalars())


def unfollow(proposal: Proposal, user: User) -> None:
    db.session.execute(delete(Follow).where(
        Follow.proposal_id == proposal.id, Follow.user_id == user.id))


def cosponsor(proposal: Proposal, user: User) -> bool:
    """Add the user's support; at the community's threshold the proposal moves on by itself.
    Returns whether it did."""
    try:
        # A savepoint, so that a double tap racing this request loses quietly.
        with db.session.begin_nested():
            db.session.add(Cosponsorship(proposal_id=proposal.id, user_id=user.id))
    except IntegrityError:
        return False
    follow(proposal, user)
    db.session.flush()
    proposal.cosponsor_count = db.session.execute(
        select(func.count(Cosponsorship.id)).where(Cosponsorship.proposal_id == proposal.id)
    ).scalar_one()
    if proposal.cosponsor_count < proposal.community.cosponsor_threshold:
        return False
    _reach_threshold(proposal)
    return True


def has_cosponsored(proposal: Proposal, user: User) -> bool:
    return db.session.execute(select(Cosponsorship.id).where(
        Cosponsorship.proposal_id == proposal.id, Cosponsorship.user_id == user.id)
    ).first() is not None


def _reach_threshold(proposal: Proposal) -> None:
    transition(proposal, Action.REACH_THRESHOLD, actor=None)
    notify([proposal.author_id], NotificationKind.THRESHOLD_REACHED, proposal_id=proposal.id,
           details={"title": proposal.title, "count": proposal.cosponsor_count})


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



def withdraw(proposal: Proposal, *, actor: User) -> None:
    transition(proposal, Action.WITHDRAW, actor=actor)


def move_back(proposal: Proposal, *, actor: User, reason: str) -> None:
    transition(proposal, Action.MOVE_BACK, actor=actor, note=reason)


def set_rules_of_order(proposal: Proposal, *, actor: User, max_comment_length: int,
                       max_comments_per_person: int | None, discussion_locked: bool) -> None:
    """A chair's rules for this proposal's discussion; on the timeline and in the audit log."""
    rules = {"max_comment_length": max_comment_length,
             "max_comments_per_person": max_comments_per_person,
             "discussion_locked": discussion_locked}
    for name, value in rules.items():
        setattr(proposal, name, value)
    proposal.updated_at = utcnow()
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=actor.id,
                                 kind="rules_of_order"))
    record("proposal.rules_of_order", actor=actor, community_id=proposal.community_id,
           target=f"proposal:{proposal.id}", details=rules)


def party_branch_for(user: User, community: Community) -> Organisation | None:
    """The community party branch in whose name this person records an opinion."""
    for role in load_standing(user).org_roles:
        if (role.community_id == community.id and role.kind == OrganisationKind.PARTY_BRANCH
                and role.role in STAFF_ROLES):
            return db.session.get(Organisation, role.organisation_id)
    return None


def party_reviews(proposal: Proposal) -> list[PartyReview]:
    return list(db.session.execute(
        select(PartyReview).where(PartyReview.proposal_id == proposal.id)
        .options(joinedload(PartyReview.organisation)).order_by(PartyReview.id)
    ).scalars())


def add_photos(proposal: Proposal, cleaned: list[uploads.CleanFile]) -> None:
    """Store re-encoded photos after the ones the draft already has."""
    position = max((photo.position for photo in proposal.photos), default=-1)
    for photo in cleaned:
        position += 1
        proposal.photos.append(ProposalPhoto(
            stored_name=uploads.store(uploads.PHOTOS, photo), width=photo.width,
            height=photo.height, position=position))
    db.session.flush()


def remove_photo(photo: ProposalPhoto) -> None:
    photo.proposal.photos.remove(photo)
    db.session.flush()
    uploads.discard(uploads.PHOTOS, photo.stored_name)


def merge_candidates(proposal: Proposal) -> list[Proposal]:
    """The open proposals of the same community that a duplicate can be merged into."""
    return list(db.session.execute(
        select(Proposal).where(
            Proposal.community_id == proposal.community_id, Proposal.id != proposal.id,
            Proposal.status.in_([Status.COLLECTING, Status.DELIBERATION, Status.VOTING]))
        .order_by(Proposal.id.desc())
    ).scalars())


def timeline(proposal: Proposal) -> list[ProposalEvent]:
    return list(db.session.execute(
        select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
        .options(joinedload(ProposalEvent.actor)).order_by(ProposalEvent.id)
    ).scalars())


def my_drafts(community: Community, user: User) -> list[Proposal]:
    return list(db.session.execute(
        select(Proposal).where(Proposal.community_id == community.id,
                               Proposal.author_id == user.id, Proposal.status == Status.DRAFT)
        .order_by(Proposal.updated_at.desc())
    ).scalars())


def update_settings(community: Community, *, actor: User, cosponsor_threshold: int,
                    report_threshold: int, review_categories: list[str]) -> list[Proposal]:
    """Change a community's rules in numbers (audited). Proposals that already have as many
    co-sponsors as a lowered threshold asks for move to deliberation now; they are returned."""
    names = ("cosponsor_threshold", "report_threshold", "party_review_categories")
    before = {name: getattr(community, name) for name in names}
    community.cosponsor_threshold = cosponsor_threshold
    community.report_threshold = report_threshold
    community.party_review_categories = sorted(review_categories)
    after = {name: getattr(community, name) for name in names}
    record("community.settings", actor=actor, community_id=community.id,
           target=f"community:{community.id}", details={"before": before, "after": after})
    ready = list(db.session.execute(
        select(Proposal).where(Proposal.community_id == community.id,
                               Proposal.status == Status.COLLECTING,
                               Proposal.organisation_id.is_(None),
                               Proposal.cosponsor_count >= cosponsor_threshold)
        .order_by(Proposal.id)
    ).scalars())
    for proposal in ready:
        _reach_threshold(proposal)
    return ready


# --- The list page ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    status: str | None = None
    category: str | None = None
    grid_id: int | None = None
    building_id: int | None = None
    mine: bool = False
    following: bool = False
    near_me: bool = False
    waiting: bool = False
    search: str = ""
    sort: str = "newest"


def _touches_grids(grid_ids) -> object:
    """The proposal's scope names one of these grids, or a building in one of them."""
    return or_(
        exists().where(ProposalGrid.proposal_id == Proposal.id,
                       ProposalGrid.grid_id.in_(grid_ids)),
        exists().where(ProposalBuilding.proposal_id == Proposal.id,
                       ProposalBuilding.building_id == Building.id,
                       Building.grid_id.in_(grid_ids)),
    )


def _touches_buildings(building_ids, grid_ids) -> object:
    """The proposal's scope names one of these buildings, or the grid one of them is in."""
    return or_(
        exists().where(ProposalBuilding.proposal_id == Proposal.id,
                       ProposalBuilding.building_id.in_(building_ids)),
        exists().where(ProposalGrid.proposal_id == Proposal.id,
                       ProposalGrid.grid_id.in_(grid_ids)),
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SORTS = {
    "newest": (Proposal.published_at.desc(), Proposal.id.desc()),
    "discussed": (Proposal.comment_count.desc(), Proposal.published_at.desc(),
                  Proposal.id.desc()),
    "closing": (Proposal.closes_at.is_(None), Proposal.closes_at.asc(),
                Proposal.published_at.desc(), Proposal.id.desc()),
}


def list_proposals(community: Community, viewer: User, filters: ListFilters,
                   page: int = 1) -> tuple[list[Proposal], bool]:
    """One page of the community's public proposals and whether there is another; two
    queries at most whatever the filters (one more for the viewer's homes)."""
    query = (
        select(Proposal)
        .where(Proposal.community_id == community.id, Proposal.status != Status.DRAFT,
               Proposal.published_at.is_not(None))
        .options(joinedload(Proposal.author), joinedload(Proposal.organisation))
    )
    if filters.status:
        query = query.where(Proposal.status == filters.status)
    if filters.category:
        query = query.where(Proposal.category == filters.category)
    if filters.grid_id:
        query = query.where(_touches_grids([filters.grid_id]))
    if filters.building_id:
        grid_of_building = select(Building.grid_id).where(
            Building.id == filters.building_id).scalar_subquery()
        query = query.where(_touches_buildings([filters.building_id], [grid_of_building]))
    if filters.mine:
        query = query.where(Proposal.author_id == viewer.id)
    if filters.following:
        query = query.where(Proposal.id.in_(
            select(Follow.proposal_id).where(Follow.user_id == viewer.id)))
    if filters.near_me:
        homes = [h for h in load_standing(viewer).homes if h.community_id == community.id]
        if homes:
            query = query.where(_touches_buildings(
                sorted({h.building_id for h in homes}),
                sorted({h.grid_id for h in homes if h.grid_id})))
        else:
            query = query.where(false())
    if filters.waiting:
        query = query.where(Proposal.status == Status.DELIBERATION,
                            Proposal.first_official_answer_at.is_(None))
    if filters.search:
        pattern = _like(filters.search)
        query = query.where(or_(Proposal.title.ilike(pattern, escape="\\"),
                                Proposal.body.ilike(pattern, escape="\\")))
        if not can(viewer, "community.moderate", community):
            # Hidden text must not be found by searching for it.
            query = query.where(or_(Proposal.moderation_state == ModerationState.VISIBLE,
                                    Proposal.author_id == viewer.id))
    query = query.order_by(*SORTS.get(filters.sort, SORTS["newest"]))
    per_page = current_app.config["PROPOSALS_PER_PAGE"]
    rows = list(db.session.execute(
        query.limit(per_page + 1).offset((max(page, 1) - 1) * per_page)).scalars())
    return rows[:per_page], len(rows) > per_page
