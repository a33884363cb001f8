"""Who sees the community's outbox, retries its dead letters and prints its slips: the
staff who verify residents (the community's administrators, the owners' committee and the
neighbourhood committee), since the slips carry names and rooms."""

from app.permissions import RULES

RULES["messages.manage"] = RULES["community.verify"]
