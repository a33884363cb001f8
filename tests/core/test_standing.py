"""A user's standing (roles and memberships) is read in one statement, whole and in order."""

from app.community.models import MemberRole, OrganisationKind, Role
from app.extensions import db
from app.permissions import OrgRole, load_standing


def test_roles_and_memberships_in_two_communities_come_in_one_statement(
        make_user, make_community, make_org, add_member, give_role, count_queries):
    first, second = make_community(), make_community()
    committee = make_org(first, OrganisationKind.OWNERS_COMMITTEE)
    branch = make_org(first, OrganisationKind.PARTY_BRANCH)
    company = make_org(second, OrganisationKind.PROPERTY_COMPANY)
    street = make_org(second, OrganisationKind.STREET_OFFICE)
    user, other = make_user(), make_user()
    give_role(user, Role.PLATFORM_ADMIN)
    give_role(user, Role.COMMUNITY_ADMIN, first)
    give_role(user, Role.RESIDENT, first)
    give_role(user, Role.MODERATOR, second)
    give_role(user, Role.VERIFIED_OWNER, second)
    # Joined out of organisation order, so that the order of org_roles is the query's.
    add_member(street, user, MemberRole.MEMBER)
    add_member(committee, user, MemberRole.CHAIR)
    add_member(company, user, MemberRole.STAFF)
    add_member(branch, user, MemberRole.MEMBER)
    # Someone else's grants and memberships are not the user's.
    give_role(other, Role.MODERATOR, first)
    add_member(committee, other, MemberRole.STAFF)
    db.session.refresh(user)  # loaded now, so that only the standing is counted

    with count_queries() as queries:
        standing = load_standing(user)

    assert len(queries) == 1
    assert standing.user_id == user.id
    assert standing.roles == {
        (None, Role.PLATFORM_ADMIN),
        (first.id, Role.COMMUNITY_ADMIN), (first.id, Role.RESIDENT),
        (second.id, Role.MODERATOR), (second.id, Role.VERIFIED_OWNER),
    }
    assert standing.org_roles == sorted([
        OrgRole(street.id, second.id, OrganisationKind.STREET_OFFICE, MemberRole.MEMBER),
        OrgRole(committee.id, first.id, OrganisationKind.OWNERS_COMMITTEE, MemberRole.CHAIR),
        OrgRole(company.id, second.id, OrganisationKind.PROPERTY_COMPANY, MemberRole.STAFF),
        OrgRole(branch.id, first.id, OrganisationKind.PARTY_BRANCH, MemberRole.MEMBER),
    ], key=lambda role: role.organisation_id)
    assert standing.is_platform_admin
    assert standing.is_chair_of_kind(first.id, {OrganisationKind.OWNERS_COMMITTEE})
    assert standing.is_staff_of(company.id) and not standing.is_staff_of(branch.id)


def test_grants_alone_and_memberships_alone_each_come_whole(
        make_user, make_community, make_org, add_member, give_role, count_queries):
    community = make_community()
    committee = make_org(community, OrganisationKind.OWNERS_COMMITTEE)
    granted, member, nobody = make_user(), make_user(), make_user()
    give_role(granted, Role.RESIDENT, community)
    add_member(committee, member, MemberRole.STAFF)
    for user in (granted, member, nobody):
        db.session.refresh(user)  # loaded now, so that only the standings are counted

    with count_queries() as queries:
        standings = [load_standing(user) for user in (granted, member, nobody)]

    assert len(queries) == 3
    assert [(s.roles, s.org_roles) for s in standings] == [
        ({(community.id, Role.RESIDENT)}, []),
        (set(), [OrgRole(committee.id, community.id, OrganisationKind.OWNERS_COMMITTEE,
                         MemberRole.STAFF)]),
        (set(), []),
    ]
