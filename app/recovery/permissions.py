"""Who may issue a paper reset code: those who check residents' identity anyway."""

from app.permissions import RULES, Standing


def _issue_code(standing: Standing, community) -> bool:
    """Staff of the owners' or neighbourhood committee and the community's administrators;
    whom each of them may issue for is decided per person (app/recovery/services.py)."""
    return RULES["community.verify"](standing, community)


RULES["recovery.issue_code"] = _issue_code
