"""Feeds (issue 16, item 4): calendars, Atom and the public export."""
