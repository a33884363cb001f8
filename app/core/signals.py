"""Domain events, on Flask's own signals (blinker).

A feature that must react to another's event subscribes here instead of being called by it,
so the feature that sends never imports the one that listens: the import graph between
feature packages stays free of cycles (tests/test_structure.py checks it).
"""

from blinker import Namespace

_events = Namespace()

# Sender: the proposal. Keyword arguments: ``source`` and ``target`` (statuses), ``action``.
proposal_status_changed = _events.signal("proposal-status-changed")
# Sender: the poll, once its preliminary result is counted (closed) or made final.
poll_closed = _events.signal("poll-closed")
poll_finalised = _events.signal("poll-finalised")
# Sender: the poll, once its roll is frozen and voting has begun (flushed, in the opening's
# transaction).
poll_opened = _events.signal("poll-opened")
# Sender: the notice, once it is on the board (flushed): an organisation's announcement, a
# result notice or published minutes.
notice_posted = _events.signal("notice-posted")
# Sender: the proposal whose page is being shown; keyword arguments ``user`` and ``page``
# (of comments). Each receiver returns a dict that the page's context takes in: the
# discussion and the follow-up actions show on the proposal's page without proposals
# importing them.
proposal_page = _events.signal("proposal-page")
# Sender: the link request whose approval took another account's verified link to its unit.
# Keyword arguments: ``user_id`` (the account that lost the link), ``unit`` (its label),
# ``reason`` (the staff member's) and ``actor``.
link_replaced = _events.signal("link-replaced")

# Sender: None. Keyword argument ``notifications``: the Notification rows one notify() call
# created, flushed (they have ids). Messaging sends them on beyond the site (SMS, slips).
notifications_created = _events.signal("notifications-created")

# Sender: a home-link request (app/community), once staff approved or rejected it; keyword
# arguments ``actor``, ``unit`` (its label), ``approved`` and ``reason``. The notices
# package tells the requester.
home_link_decided = _events.signal("home-link-decided")
