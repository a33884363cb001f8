"""The outbox: notifications sent on beyond the site, by SMS and printed slip."""
