"""Comments, official answers, reports and moderation."""


def discussion_context(proposal, user, page: int = 1) -> dict:
    """Everything templates/discussion/_section.html needs for one proposal's discussion."""
    return {}
