"""One archive with the database and the uploaded files, and its restore.

PostgreSQL is dumped with ``pg_dump`` in its custom format and restored with ``pg_restore``;
SQLite is copied with its online backup API, which gives a consistent copy while the site
runs. The uploads folder travels in the same archive, so photos and attachments always
match the rows that name them.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from app.extensions import utcnow

FORMAT_VERSION = 1
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MANIFEST_MEMBER = "manifest.json"
UPLOADS_MEMBER = "uploads"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class Manifest:
    backend: str
    created_at: str
    uploads: int


def _postgres_command(url: URL) -> tuple[str, dict]:
    """The libpq connection string and environment: the password goes in PGPASSWORD, never
    on the command line where every user of the machine can read it."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _sqlite_path(url: URL, instance_path: str) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    path = Path(url.database)
    return path if path.is_absolute() else Path(instance_path) / path


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """SQLite's online backup: a consistent copy even while the app writes."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _backend(url: URL) -> str:
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise BackupError(f"Unsupported database: {url.get_backend_name()}.")
    return url.get_backend_name()


def backup(database_uri: str, instance_path: str, output: Path) -> Manifest:
    """Write the database and the uploads folder into ``output`` (a .tar.gz archive)."""
    url = make_url(database_uri)
    backend = _backend(url)
    uploads = Path(instance_path) / "uploads"
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        if backend == "sqlite":
            dump = work_dir / SQLITE_MEMBER
            _sqlite_copy(_sqlite_path(url, instance_path), dump)
        else:
            dump = work_dir / POSTGRES_MEMBER
            connection, environment = _postgres_command(url)
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", connection],
                env=environment, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
        manifest = Manifest(backend=backend, created_at=utcnow().isoformat(), uploads=len(files))
        (work_dir / MANIFEST_MEMBER).write_text(json.dumps(manifest.__dict__))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work_dir / MANIFEST_MEMBER, arcname=MANIFEST_MEMBER)
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"{UPLOADS_MEMBER}/{path.relative_to(uploads)}")
        # Renamed only when complete: a failed run never leaves a truncated archive behind.
        partial.replace(output)
    return manifest


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST_MEMBER)
            data = json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, OSError, ValueError) as error:
        raise BackupError(f"{archive_path} is not a Gongzhi backup: {error}") from error
    if not data or data.get("backend") not in {"sqlite", "postgresql"}:
        raise BackupError(f"{archive_path} has no usable manifest.")
    return Manifest(**{key: data[key] for key in ("backend", "created_at", "uploads")})


def restore(database_uri: str, instance_path: str, archive_path: Path) -> Manifest:
    """Replace the database and the uploads folder with the archive's. The caller must
    have released every connection to the database first."""
    url = make_url(database_uri)
    backend = _backend(url)
    manifest = read_manifest(archive_path)
    if manifest.backend != backend:
        raise BackupError(f"This archive holds a {manifest.backend} database; "
                          f"the configured database is {backend}.")
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links out and device files.
            archive.extractall(work_dir, filter="data")
        if backend == "sqlite":
            target_path = _sqlite_path(url, instance_path)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(work_dir / SQLITE_MEMBER, target_path)
        else:
            connection, environment = _postgres_command(url)
            done = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 f"--dbname={connection}", str(work_dir / POSTGRES_MEMBER)],
                env=environment, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        uploads = Path(instance_path) / "uploads"
        if uploads.exists():
            shutil.rmtree(uploads)
        restored_uploads = work_dir / UPLOADS_MEMBER
        if restored_uploads.is_dir():
            shutil.copytree(restored_uploads, uploads)
        else:
            uploads.mkdir(parents=True)
    return manifest
