"""Who may enter paper and proxy ballots: the staff who verify residents, or a chair."""

from app.permissions import RULES, Standing


def _enter_offline(standing: Standing, poll) -> bool:
    community = poll.proposal.community
    return RULES["community.verify"](standing, community) or RULES["proposal.chair"](
        standing, community)


RULES["poll.enter_offline"] = _enter_offline
