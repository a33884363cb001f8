"""``flask backup``, ``flask restore`` and ``flask retention purge``."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.audit.services import record
from app.extensions import db, utcnow
from app.privacy.backup import BackupError, backup, read_manifest, restore
from app.privacy.retention import cutoff, purge


@click.command("backup")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(output: Path):
    """Write the database and the uploaded files into one archive (OUTPUT, a .tar.gz)."""
    try:
        manifest = backup(current_app.config["SQLALCHEMY_DATABASE_URI"],
                          current_app.instance_path, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the {manifest.backend} database and {manifest.uploads} uploaded "
               f"files to {output}.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive: Path, yes: bool):
    """Replace the database and the uploaded files with those in ARCHIVE."""
    try:
        manifest = read_manifest(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if not yes:
        click.confirm(f"Replace the current database and uploads with the backup of "
                      f"{manifest.created_at}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.instance_path,
                archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the backup of {manifest.created_at} ({manifest.uploads} uploaded "
               "files). Run `flask audit verify` to check the audit log.")


@click.group("retention")
def retention_group():
    """Personal records kept no longer than RETENTION_DAYS."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@with_appcontext
def retention_purge_command(dry_run: bool):
    """Delete notifications and notice read receipts older than RETENTION_DAYS."""
    days = current_app.config["RETENTION_DAYS"]
    try:
        before = cutoff(utcnow(), days)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    purged = purge(before, dry_run=dry_run)
    if dry_run:
        click.echo(f"Would delete {purged.notifications} notifications and "
                   f"{purged.notice_reads} read receipts older than {days} days.")
        return
    record("retention.purge", details={"days": days, "notifications": purged.notifications,
                                       "notice_reads": purged.notice_reads})
    db.session.commit()
    click.echo(f"Deleted {purged.notifications} notifications and {purged.notice_reads} read "
               f"receipts older than {days} days.")


COMMANDS = (backup_command, restore_command, retention_group)
