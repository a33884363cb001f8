"""Operations on communities, rosters, organisations and roles.

Each function changes the session and writes its audit event; the caller commits, so a
failure anywhere leaves nothing behind.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.community.link_risk import LinkRisk, Person, assess_link, reason_problem
from app.community.models import (
    Building,
    Community,
    Grid,
    LinkKind,
    MemberRole,
    Membership,
    Organisation,
    Owner,
    Ownership,
    Residency,
    Role,
    RoleGrant,
    Unit,
    VerificationRequest,
    VerificationStatus,
)
from app.community.roster import ParsedRoster
from app.core.refusals import Refused
from app.core.signals import home_link_decided, link_replaced
from app.extensions import db, utcnow


class LinkRefused(Refused):
    """A link request that may not be decided this way; its code starts ``verification.``."""


class MembershipRefused(Refused):
    """A change of members that would leave an organisation without a chair; its code starts
    ``membership.``."""


def create_community(*, name: str, address: str, actor: User) -> Community:
    community = Community(name=name, address=address)
    db.session.add(community)
    db.session.flush()
    record("community.create", actor=actor, community_id=community.id,
           target=f"community:{community.id}", details={"name": name})
    return community


def add_grid(community: Community, *, name: str, actor: User) -> Grid:
    grid = Grid(community=community, name=name)
    db.session.add(grid)
    db.session.flush()
    record("grid.create", actor=actor, community_id=community.id,
           target=f"grid:{grid.id}", details={"name": name})
    return grid


def add_building(community: Community, *, name: str, grid: Grid | None, actor: User) -> Building:
    building = Building(community=community, name=name, grid=grid)
    db.session.add(building)
    db.session.flush()
    record("building.create", actor=actor, community_id=community.id,
           target=f"building:{building.id}",
           details={"name": name, "grid": grid.name if grid else None})
    return building


def create_organisation(
    community: Community, *, kind: str, name: str, grid: Grid | None, actor: User
) -> Organisation:
    organisation = Organisation(community=community, kind=kind, name=name, grid=grid)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.create", actor=actor, community_id=community.id,
           target=f"organisation:{organisation.id}", details={"kind": kind, "name": name})
    return organisation


# --- Roster -------------------------------------------------------------------------------


def roster_context(community: Community) -> tuple[set[str], dict[str, str | None]]:
    """What ``parse_roster`` must know of the community: its grids and its buildings' grids."""
    grids = set(db.session.execute(
        select(Grid.name).where(Grid.community_id == community.id)
    ).scalars())
    buildings = db.session.execute(
        select(Building.name, Grid.name)
        .outerjoin(Grid, Building.grid_id == Grid.id)
        .where(Building.community_id == community.id)
    ).all()
    return grids, {building: grid for building, grid in buildings}


@dataclass
class AreaChange:
    unit: str
    old: Decimal
    new: Decimal


@dataclass
class OwnersChange:
    unit: str
    old: list[str]
    new: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    buildings_created: list[str] = field(default_factory=list)
    units_created: int = 0
    units_unchanged: int = 0
    area_changes: list[AreaChange] = field(default_factory=list)
    owner_changes: list[OwnersChange] = field(default_factory=list)
    owners_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.buildings_created or self.units_created or self.area_changes
            or self.owner_changes or self.owners_created
        )

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "buildings_created": len(self.buildings_created),
            "units_created": self.units_created,
            "units_unchanged": self.units_unchanged,
            "area_changes": len(self.area_changes),
            "owner_changes": len(self.owner_changes),
            "owners_created": self.owners_created,
        }


def import_roster(
    community: Community, parsed: ParsedRoster, *, actor: User | None, source: str, digest: str
) -> ImportReport:
    """Apply a checked roster: create or update units in place, keyed by building + unit.

    The file is the truth for the units it lists (their area and owners); units it does
    not list are left as they are. Nothing here validates: ``parse_roster`` already did.
    """
    assert not parsed.errors, "import_roster takes only a roster without errors"
    report = ImportReport(rows=len(parsed.rows))
    grids = {g.name: g for g in db.session.execute(
        select(Grid).where(Grid.community_id == community.id)).scalars()}
    buildings = {b.name: b for b in db.session.execute(
        select(Building).where(Building.community_id == community.id)).scalars()}
    units = {
        (u.building.name, u.number): u
        for u in db.session.execute(
            select(Unit).join(Building).where(Building.community_id == community.id)
            .options(selectinload(Unit.ownerships).selectinload(Ownership.owner))
        ).scalars()
    }
    owners = {(o.name, o.phone): o for o in db.session.execute(
        select(Owner).where(Owner.community_id == community.id)).scalars()}

    rows_by_unit: dict[tuple[str, str], list] = defaultdict(list)
    for row in parsed.rows:
        rows_by_unit[(row.building, row.unit)].append(row)

    for (building_name, number), rows in rows_by_unit.items():
        first = rows[0]
        building = buildings.get(building_name)
        if building is None:
            grid_name = next((r.grid for r in rows if r.grid), None)
            building = Building(community=community, name=building_name,
                                grid=grids.get(grid_name) if grid_name else None)
            db.session.add(building)
            buildings[building_name] = building
            report.buildings_created.append(building_name)
        elif building.grid is None and first.grid:
            building.grid = grids[first.grid]

        wanted_owners = []
        for row in rows:
            owner = owners.get((row.owner_name, row.phone))
            if owner is None:
                owner = Owner(community_id=community.id, name=row.owner_name, phone=row.phone,
                              is_developer=row.is_developer)
                db.session.add(owner)
                owners[(row.owner_name, row.phone)] = owner
                report.owners_created += 1
            elif row.is_developer and not owner.is_developer:
                owner.is_developer = True
            wanted_owners.append(owner)

        label = f"{building_name}-{number}"
        unit = units.get((building_name, number))
        if unit is None:
            unit = Unit(building=building, number=number, area=first.area)
            unit.ownerships = [Ownership(owner=o) for o in wanted_owners]
            db.session.add(unit)
            report.units_created += 1
            continue
        changed = False
        if unit.area != first.area:
            report.area_changes.append(AreaChange(label, unit.area, first.area))
            unit.area = first.area
            changed = True
        current, wanted = {s.owner for s in unit.ownerships}, set(wanted_owners)
        if current != wanted:
            report.owner_changes.append(OwnersChange(
                label, sorted(o.name for o in current), sorted(o.name for o in wanted)))
            unit.ownerships = [s for s in unit.ownerships if s.owner in wanted] + [
                Ownership(owner=o) for o in wanted - current
            ]
            changed = True
        if not changed:
            report.units_unchanged += 1

    db.session.flush()
    record("roster.import", actor=actor, community_id=community.id,
           target=f"community:{community.id}",
           details={"file": source, "sha256": digest, **report.summary()})
    return report


# --- Residents and verification --------------------------------------------------------


def find_unit(community_id: int, building_id: int, number: str) -> Unit | None:
    return db.session.execute(
        select(Unit).join(Building)
        .where(Building.community_id == community_id, Unit.building_id == building_id,
               Unit.number == number.strip())
    ).scalar_one_or_none()


def request_link(user: User, unit: Unit, *, kind: str, note: str) -> VerificationRequest:
    link_request = VerificationRequest(user=user, unit=unit, kind=kind, note=note)
    db.session.add(link_request)
    db.session.flush()
    return link_request


def pending_request_exists(user: User, unit: Unit) -> bool:
    return db.session.execute(
        select(VerificationRequest.id).where(
            VerificationRequest.user_id == user.id,
            VerificationRequest.unit_id == unit.id,
            VerificationRequest.status == VerificationStatus.PENDING,
        )
    ).first() is not None


@dataclass
class Suggestion:
    """A roster owner whose phone is the requester's: shown to staff, never applied by itself."""

    owner: Owner
    on_this_unit: bool


def roster_suggestions(requests: list[VerificationRequest]) -> dict[int, list[Suggestion]]:
    """For each request, the roster owners with the requester's phone number (one query)."""
    phones = {r.user.phone for r in requests}
    if not phones:
        return {}
    community_ids = {r.unit.building.community_id for r in requests}
    owners = db.session.execute(
        select(Owner).where(Owner.phone.in_(phones), Owner.community_id.in_(community_ids))
        .options(selectinload(Owner.ownerships))
    ).scalars().all()
    suggestions: dict[int, list[Suggestion]] = {}
    for link_request in requests:
        matches = [
            Suggestion(o, any(s.unit_id == link_request.unit_id for s in o.ownerships))
            for o in owners
            if o.phone == link_request.user.phone
            and o.community_id == link_request.unit.building.community_id
        ]
        suggestions[link_request.id] = sorted(matches, key=lambda s: not s.on_this_unit)
    return suggestions


def risk_of(link_request: VerificationRequest, owner: Owner) -> LinkRisk:
    """The risk of linking the requester to the unit as this roster owner."""
    requester = link_request.user
    return assess_link(requester_id=requester.id, requester=Person(requester.name, requester.phone),
                       roster=Person(owner.name, owner.phone), roster_user_id=owner.user_id)


@dataclass
class OwnerFacts:
    """What staff must know before linking a requester as one roster owner."""

    owner: Owner
    risk: LinkRisk
    other_units: list[str]  # the owner's other units, which a replace leaves alone


def link_risks(requests: list[VerificationRequest]) -> dict[int, list[OwnerFacts]]:
    """For each owner request, the facts about each of its unit's roster owners whose link
    needs a replace (one query for all the owners' other units)."""
    owner_requests = [r for r in requests if r.kind == LinkKind.OWNER]
    owners = {s.owner_id for r in owner_requests for s in r.unit.ownerships}
    if not owners:
        return {}
    units_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for owner_id, unit_id, building, number in db.session.execute(
            select(Ownership.owner_id, Unit.id, Building.name, Unit.number)
            .join(Unit, Unit.id == Ownership.unit_id).join(Building)
            .where(Ownership.owner_id.in_(owners))
            .order_by(*natural_order(Building.name), *natural_order(Unit.number))):
        units_of[owner_id].append((unit_id, f"{building}-{number}"))
    facts: dict[int, list[OwnerFacts]] = {}
    for link_request in owner_requests:
        for ownership in link_request.unit.ownerships:
            risk = risk_of(link_request, ownership.owner)
            if risk.needs_replace:
                others = [label for unit_id, label in units_of[ownership.owner_id]
                          if unit_id != link_request.unit_id]
                facts.setdefault(link_request.id, []).append(
                    OwnerFacts(ownership.owner, risk, others))
    return facts


def approve_request(link_request: VerificationRequest, *, actor: User, owner: Owner | None,
                    replace_reason: str = "") -> None:
    """Link the user to the unit; as owner, to the roster owner that staff chose. A link that
    would take the unit from another account, or trust someone the roster does not name,
    needs a replace with a reason (refused without one)."""
    unit = link_request.unit
    community_id = unit.building.community_id
    risk = None
    if link_request.kind == LinkKind.OWNER:
        assert owner is not None
        risk = risk_of(link_request, owner)
        if risk.needs_replace and reason_problem(replace_reason):
            raise LinkRefused("verification.needs_replace")
    link_request.status = VerificationStatus.APPROVED
    link_request.decided_at = utcnow()
    link_request.decided_by = actor
    if link_request.kind == LinkKind.OWNER:
        if risk.needs_replace:
            link_request.reason = replace_reason.strip()
        if risk.linked_user_id is not None:
            link_request.owner = _replace_link(link_request, owner, risk.linked_user_id,
                                               reason=replace_reason.strip(), actor=actor)
        else:
            owner.user = link_request.user
            link_request.owner = owner
        role = Role.VERIFIED_OWNER
    else:
        exists = db.session.execute(select(Residency.id).where(
            Residency.unit_id == unit.id, Residency.user_id == link_request.user_id)).first()
        if not exists:
            db.session.add(Residency(unit=unit, user=link_request.user))
        role = Role.RESIDENT
    _ensure_role(link_request.user, community_id, role, actor)
    details = {"user_id": link_request.user_id, "unit": unit.label, "kind": link_request.kind,
               "owner_id": owner.id if owner else None}
    if risk is not None and risk.needs_replace:
        details.update(replace_reason=replace_reason.strip(),
                       differs_from_roster=risk.differs_from_roster,
                       replaced_user_id=risk.linked_user_id)
    record("verification.approve", actor=actor, community_id=community_id,
           target=f"verification:{link_request.id}", details=details)
    home_link_decided.send(link_request, actor=actor, unit=unit.label, approved=True, reason="")


def _replace_link(link_request: VerificationRequest, owner: Owner, displaced_id: int, *,
                  reason: str, actor: User) -> Owner:
    """End the displaced account's link to this unit alone and give it to the requester.

    The link is the roster owner's account, so an owner of this unit only is handed over
    whole; an owner of several units keeps the others, and this unit's share moves to an
    owner record of the requester (theirs in this community if they have one, so that their
    units count as one owner). Rolls of open polls are not touched: a roll is frozen at
    opening, so the displaced account stays on them until they close. Returns the owner
    record the requester is now linked through."""
    unit, requester = link_request.unit, link_request.user
    community_id = unit.building.community_id
    share = next(s for s in owner.ownerships if s.unit_id == unit.id)
    kept = [s.unit.label for s in owner.ownerships if s.unit_id != unit.id]
    if not kept:
        target = owner
    else:
        target = db.session.execute(select(Owner).where(
            Owner.community_id == community_id, Owner.user_id == requester.id)
        ).scalars().first() or Owner(community_id=community_id, name=owner.name, phone=None,
                                      is_developer=owner.is_developer)
        if any(s.owner is target for s in unit.ownerships):
            unit.ownerships.remove(share)  # already an owner of it: the share goes
        else:
            share.owner = target
    target.user = requester
    db.session.add(target)
    db.session.flush()
    record("verification.replace", actor=actor, community_id=community_id,
           target=f"verification:{link_request.id}",
           details={"unit": unit.label, "reason": reason, "replaced_user_id": displaced_id,
                    "user_id": requester.id, "owner_id": owner.id, "kept_units": kept})
    _drop_owner_role_if_homeless(displaced_id, community_id, actor)
    link_replaced.send(link_request, user_id=displaced_id, unit=unit.label, reason=reason,
                       actor=actor)
    return target


def _drop_owner_role_if_homeless(user_id: int, community_id: int, actor: User) -> None:
    """An account that owns nothing left in the community is no verified owner there."""
    still_owns = db.session.execute(
        select(Ownership.id).join(Owner, Owner.id == Ownership.owner_id)
        .where(Owner.user_id == user_id, Owner.community_id == community_id)).first()
    if still_owns:
        return
    grant = db.session.execute(select(RoleGrant).where(
        RoleGrant.user_id == user_id, RoleGrant.community_id == community_id,
        RoleGrant.role == Role.VERIFIED_OWNER)).scalar_one_or_none()
    if grant is not None:
        revoke_role(grant, actor=actor)


def reject_request(link_request: VerificationRequest, *, actor: User, reason: str) -> None:
    link_request.status = VerificationStatus.REJECTED
    link_request.reason = reason
    link_request.decided_at = utcnow()
    link_request.decided_by = actor
    record("verification.reject", actor=actor,
           community_id=link_request.unit.building.community_id,
           target=f"verification:{link_request.id}",
           details={"user_id": link_request.user_id, "unit": link_request.unit.label,
                    "reason": reason})
    home_link_decided.send(link_request, actor=actor, unit=link_request.unit.label,
                           approved=False, reason=reason)


# --- Roles and memberships ----------------------------------------------------------------


def _ensure_role(user: User, community_id: int | None, role: str, actor: User) -> None:
    if not has_role(user, community_id, role):
        db.session.add(RoleGrant(user=user, community_id=community_id, role=role,
                                 granted_by_id=actor.id))
        db.session.flush()


def has_role(user: User, community_id: int | None, role: str) -> bool:
    return db.session.execute(select(RoleGrant.id).where(
        RoleGrant.user_id == user.id, RoleGrant.in_community(community_id),
        RoleGrant.role == role)).first() is not None


def grant_role(
    user: User, community: Community | None, role: str, *, actor: User | None
) -> RoleGrant:
    """``actor`` is None only when granted from the command line (the first administrator)."""
    community_id = community.id if community else None
    grant = RoleGrant(user=user, community_id=community_id, role=role,
                      granted_by_id=actor.id if actor else None)
    db.session.add(grant)
    db.session.flush()
    record("role.grant", actor=actor, community_id=community_id, target=f"user:{user.id}",
           details={"role": role})
    return grant


def revoke_role(grant: RoleGrant, *, actor: User) -> None:
    record("role.revoke", actor=actor, community_id=grant.community_id,
           target=f"user:{grant.user_id}", details={"role": grant.role})
    db.session.delete(grant)


def _other_chairs_and_candidates(membership: Membership) -> tuple[int, list[str]]:
    """How many other chairs the organisation has, and who else could be made chair
    (staff first), in one query."""
    others = db.session.execute(
        select(Membership.role, User.name).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == membership.organisation_id,
               Membership.id != membership.id)
        .order_by(Membership.role.desc(), Membership.id)).all()
    chairs = sum(1 for role, _ in others if role == MemberRole.CHAIR)
    return chairs, [name for _, name in others]


def check_keeps_a_chair(membership: Membership, new_role: str | None = None) -> None:
    """Refuse to remove (``new_role`` None) or demote the last chair of an organisation:
    nobody would be left to manage its members and speak for it."""
    if membership.role != MemberRole.CHAIR or new_role == MemberRole.CHAIR:
        return
    chairs, candidates = _other_chairs_and_candidates(membership)
    if chairs:
        return
    params = {"name": membership.user.name, "organisation": membership.organisation.name}
    if not candidates:
        raise MembershipRefused("membership.last_chair_alone", **params)
    raise MembershipRefused("membership.last_chair", candidates="、".join(candidates[:3]),
                            **params)


def grant_membership(
    organisation: Organisation, user: User, role: str, *, actor: User
) -> Membership:
    """Add the user to the organisation, or change the role they already have there; the
    last chair is not demoted."""
    membership = db.session.execute(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user.id)
    ).scalar_one_or_none()
    previous = membership.role if membership else None
    if membership is None:
        membership = Membership(organisation=organisation, user=user)
        db.session.add(membership)
    else:
        check_keeps_a_chair(membership, role)
    membership.role = role
    membership.granted_by_id = actor.id
    membership.granted_at = utcnow()
    db.session.flush()
    record("membership.grant", actor=actor, community_id=organisation.community_id,
           target=f"organisation:{organisation.id}",
           details={"user_id": user.id, "role": role, "previous": previous})
    return membership


def set_party_standing(membership: Membership, *, party_status: str, on_leave_until,
                       leave_reason: str, actor: User) -> None:
    """Record a party member's standing and approved leave, audited."""
    membership.party_status = party_status
    membership.on_leave_until = on_leave_until
    membership.leave_reason = leave_reason if on_leave_until else ""
    record("membership.standing", actor=actor,
           community_id=membership.organisation.community_id,
           target=f"organisation:{membership.organisation_id}",
           details={"user_id": membership.user_id, "party_status": party_status,
                    "on_leave_until": on_leave_until.isoformat() if on_leave_until else None})


def needs_confirmation(membership: Membership, actor: User) -> bool:
    """Removing oneself or a chair takes away the power to manage: asked twice."""
    return membership.user_id == actor.id or membership.role == MemberRole.CHAIR


def revoke_membership(membership: Membership, *, actor: User) -> None:
    """Remove the member; never the last chair."""
    check_keeps_a_chair(membership)
    record("membership.revoke", actor=actor,
           community_id=membership.organisation.community_id,
           target=f"organisation:{membership.organisation_id}",
           details={"user_id": membership.user_id, "role": membership.role,
                    "confirmed": needs_confirmation(membership, actor)})
    db.session.delete(membership)


def user_by_phone(phone: str) -> User | None:
    return db.session.execute(select(User).where(User.phone == phone)).scalar_one_or_none()


def unit_counts(community: Community) -> dict[int, int]:
    """Units per building id, in one query."""
    rows = db.session.execute(
        select(Unit.building_id, func.count(Unit.id)).join(Building)
        .where(Building.community_id == community.id).group_by(Unit.building_id)
    ).all()
    return dict(rows)


# --- What the pages show ----------------------------------------------------------------------


def natural_order(column) -> tuple:
    """Room 201 before room 1001, building 2栋 before 10栋: shorter names first."""
    return func.length(column), column


def all_communities() -> list[Community]:
    return list(db.session.execute(select(Community).order_by(Community.name)).scalars())


def community_choices() -> list:
    """Every community's id and name, for a resident to pick theirs."""
    return db.session.execute(select(Community.id, Community.name).order_by(Community.name)).all()


def buildings_in(community: Community) -> list[Building]:
    """The community's buildings in natural order, each with its grid."""
    return list(db.session.execute(
        select(Building).where(Building.community_id == community.id)
        .options(joinedload(Building.grid)).order_by(*natural_order(Building.name))
    ).scalars())


def building_choices(community_id: int) -> list:
    """The community's buildings' ids and names, in natural order."""
    return db.session.execute(
        select(Building.id, Building.name).where(Building.community_id == community_id)
        .order_by(*natural_order(Building.name))
    ).all()


def organisations_in(community: Community) -> list[Organisation]:
    return list(db.session.execute(
        select(Organisation).where(Organisation.community_id == community.id)
        .order_by(Organisation.id)
    ).scalars())


def units_page(community: Community, *, building_id: int | None, page: int, per_page: int):
    """One page of the community's units (or one building's), in natural order, with their
    owners."""
    query = (
        select(Unit).join(Building).where(Building.community_id == community.id)
        .options(joinedload(Unit.building),
                 selectinload(Unit.ownerships).joinedload(Ownership.owner))
        .order_by(*natural_order(Building.name), *natural_order(Unit.number))
    )
    if building_id:
        query = query.where(Unit.building_id == building_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def pending_requests(community: Community) -> list[VerificationRequest]:
    """Residents' link requests waiting for a decision, oldest first, with what the
    decision form needs: the person, the unit and its owners."""
    return list(db.session.execute(
        select(VerificationRequest).join(Unit).join(Building)
        .where(Building.community_id == community.id,
               VerificationRequest.status == VerificationStatus.PENDING)
        .options(joinedload(VerificationRequest.user),
                 joinedload(VerificationRequest.unit).joinedload(Unit.building),
                 joinedload(VerificationRequest.unit).selectinload(Unit.ownerships)
                 .joinedload(Ownership.owner).joinedload(Owner.user))
        .order_by(VerificationRequest.created_at)
    ).unique().scalars())


def units_owned_by(user: User) -> list[Unit]:
    return list(db.session.execute(
        select(Unit).join(Ownership).join(Owner).where(Owner.user_id == user.id)
        .options(joinedload(Unit.building).joinedload(Building.community))
    ).unique().scalars())


def units_lived_in_by(user: User) -> list[Unit]:
    return list(db.session.execute(
        select(Unit).join(Residency).where(Residency.user_id == user.id)
        .options(joinedload(Unit.building).joinedload(Building.community))
    ).unique().scalars())


def link_requests_of(user: User) -> list[VerificationRequest]:
    """The user's link requests, newest first."""
    return list(db.session.execute(
        select(VerificationRequest).where(VerificationRequest.user_id == user.id)
        .options(joinedload(VerificationRequest.unit).joinedload(Unit.building))
        .order_by(VerificationRequest.created_at.desc())
    ).scalars())


def role_grants_of(user: User) -> list[RoleGrant]:
    return list(db.session.execute(
        select(RoleGrant).where(RoleGrant.user_id == user.id)
        .options(joinedload(RoleGrant.community))
    ).scalars())


def memberships_of(user: User) -> list[Membership]:
    return list(db.session.execute(
        select(Membership).where(Membership.user_id == user.id)
        .options(joinedload(Membership.organisation))
    ).scalars())


def members_of(organisation: Organisation) -> list[Membership]:
    """The organisation's members by role, each with the person."""
    return list(db.session.execute(
        select(Membership).where(Membership.organisation_id == organisation.id)
        .options(joinedload(Membership.user)).order_by(Membership.role, Membership.id)
    ).scalars())


def role_grants_in(community: Community | None) -> list[RoleGrant]:
    """The roles granted in a community, or the platform's roles for None."""
    return list(db.session.execute(
        select(RoleGrant).where(RoleGrant.in_community(community.id if community else None))
        .options(joinedload(RoleGrant.user))
        .order_by(RoleGrant.role, RoleGrant.granted_at)
    ).scalars())
