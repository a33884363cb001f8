"""The kinds of meeting, apart from the models so that the pure quorum rules can name them."""

import enum


class MeetingKind(enum.StrEnum):
    OWNERS_GENERAL = "owners_general"        # 业主大会
    COMMITTEE = "committee"                  # 业委会会议
    RESIDENTS_COUNCIL = "residents_council"  # 居民议事会
    PARTY_BRANCH = "party_branch"            # 党员大会
    JOINT = "joint"                          # 联席会议
