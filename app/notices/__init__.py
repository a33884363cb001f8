"""Notices (公告) and in-app notifications."""
