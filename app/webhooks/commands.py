"""``flask webhooks send-due``: run it from cron every minute (see README)."""

import click

from app.extensions import db
from app.webhooks.services import send_due


@click.group("webhooks")
def webhooks_group():
    """Deliveries of events to other systems."""


@webhooks_group.command("send-due")
def send_due_command():
    """Queue the deliveries whose retry is due."""
    count = send_due()
    db.session.commit()
    click.echo(f"Deliveries queued again: {count}.")
