"""``flask messages send-due`` and ``flask messages check-delivery``: run both from cron
every few minutes (see README)."""

import click

from app.extensions import db
from app.messaging.services import check_delivery, send_due


@click.group("messages")
def messages_group():
    """The outbox: SMS that waited, and delivery reports."""


@messages_group.command("send-due")
def send_due_command():
    """Send the SMS whose wait is over (quiet hours ended, a retry is due)."""
    count = send_due()
    db.session.commit()
    click.echo(f"{count} SMS sent on.")


@messages_group.command("check-delivery")
def check_delivery_command():
    """Ask the SMS provider which of the recent SMS reached their phones."""
    counts = check_delivery()
    db.session.commit()
    click.echo(", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
               or "Nothing to check.")


COMMANDS = (messages_group,)
