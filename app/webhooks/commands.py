"""``flask webhooks send-due``: run it from cron every minute (see README)."""

import click

from app.extensions import db
from app.webhooks.services import send_committed, send_due


@click.group("webhooks")
def webhooks_group():
    """Deliveries of events to other systems."""


@webhooks_group.command("send-due")
def send_due_command():
    """Queue the deliveries whose retry is due (eager: send them)."""
    count = send_due()
    db.session.commit()
    send_committed()
    click.echo(f"Deliveries queued again: {count}.")
