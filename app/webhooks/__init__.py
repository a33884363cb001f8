"""Webhooks: other systems told of a community's events, by signed POSTs (issue 16)."""
