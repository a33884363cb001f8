"""Where stored files (uploads, generated documents) live: a folder or an object store.

Every node of a cluster must serve the same files, so the app never opens a stored file by
path: it asks ``storage()`` for a key such as ``proposals/<random>.jpg``. ``STORAGE_BACKEND``
chooses the backend: ``local`` keeps the keys as files under ``instance/uploads`` (one
machine, development, tests), ``s3`` puts them in a bucket through boto3 (AWS S3, Aliyun OSS's
S3-compatible endpoint, MinIO). The keys are the same in both, so a folder copied into a
bucket (``flask storage migrate-local``) is found again under the names the database holds.
"""

from pathlib import Path
from typing import Protocol

import click
from flask import Flask, current_app
from flask.cli import AppGroup

LOCAL_FOLDER = "uploads"


class StoredFileMissing(LookupError):
    """No file is stored under the key."""


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def _checked(key: str) -> str:
    """A key is a relative path of plain names: nothing may climb out of the folder."""
    if any(part in {"", ".", ".."} for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one folder, at the key's path."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError) as missing:
            raise StoredFileMissing(key) from missing

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def stored_keys(self) -> list[str]:
        """Every stored key (for copying a folder into a bucket)."""
        if not self.root.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix()
                      for p in self.root.rglob("*") if p.is_file())


class S3Storage:
    """Objects in one bucket of an S3-compatible store."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey as missing:
            raise StoredFileMissing(key) from missing
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


def s3_client(config):
    """A boto3 client from the settings. OSS and MinIO want path-style addresses
    (``S3_ADDRESSING_STYLE=path``) when the bucket is not a DNS name of its own."""
    import boto3
    from botocore.config import Config as BotoConfig

    return boto3.client(
        "s3",
        endpoint_url=config["S3_ENDPOINT_URL"] or None,
        region_name=config["S3_REGION"] or None,
        aws_access_key_id=config["S3_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["S3_SECRET_ACCESS_KEY"] or None,
        config=BotoConfig(s3={"addressing_style": config["S3_ADDRESSING_STYLE"]},
                          connect_timeout=5, read_timeout=30,
                          retries={"max_attempts": 3, "mode": "standard"}),
    )


def local_storage(app: Flask | None = None) -> LocalStorage:
    """The instance folder's uploads, as files were always kept (read at each call: tests move
    the instance folder)."""
    return LocalStorage(Path((app or current_app).instance_path) / LOCAL_FOLDER)


def storage() -> Storage:
    """The configured backend. A boto3 client is built once per app and is thread-safe."""
    app = current_app._get_current_object()
    backend = app.config["STORAGE_BACKEND"]
    if backend == "local":
        return local_storage(app)
    if backend == "s3":
        if "storage" not in app.extensions:
            app.extensions["storage"] = S3Storage(s3_client(app.config), app.config["S3_BUCKET"])
        return app.extensions["storage"]
    raise ValueError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")


storage_group = AppGroup("storage", help="The stored files (uploads, documents).")


@storage_group.command("migrate-local")
def migrate_local_command():
    """Copy instance/uploads into the configured bucket under the same keys (skips keys
    already there; run it once, before switching the nodes to STORAGE_BACKEND=s3)."""
    target = storage()
    if not isinstance(target, S3Storage):
        raise click.ClickException("Set STORAGE_BACKEND=s3 (and the S3_* settings) first.")
    source = local_storage()
    copied = skipped = 0
    for key in source.stored_keys():
        if target.exists(key):
            skipped += 1
            continue
        data = source.get(key)
        # Only cleaned PDFs and re-encoded JPEGs are ever stored.
        target.put(key, data, "application/pdf" if data.startswith(b"%PDF-") else "image/jpeg")
        copied += 1
    click.echo(f"Copied {copied} files to bucket {target.bucket}; {skipped} were already there.")
