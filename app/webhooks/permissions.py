"""Who manages a community's webhooks: its administrators (the community-manage rule).

Not the organisation chairs who issue API tokens: a token reads on behalf of one
organisation, but a webhook pushes the events of the whole community (every organisation's
notices, every poll) to an outside system, which is the community's decision, like what its
public pages show (also the community-manage rule)."""

from app.permissions import RULES, Standing


def _manage_webhooks(standing: Standing, community) -> bool:
    return RULES["community.manage"](standing, community)


RULES["webhook.manage"] = _manage_webhooks
