"""A notice's attachments: photos re-encoded by the proposals' photo cleaner (no EXIF, no
position), and PDFs accepted only when they start like one. Both are stored under a random
name in the instance folder, where only the app serves them, to those who may read the
notice."""

import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app

from app.proposals.photos import PhotoRejected, clean

MAX_ATTACHMENTS = 6
PDF_MAX_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
JPEG = "image/jpeg"


class AttachmentRejected(Exception):
    """``code`` is ``too_large``, ``not_accepted``; the form turns it into a message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanAttachment:
    original_name: str
    content_type: str
    data: bytes
    thumb: bytes | None = None  # images only


def _display_name(filename: str, content_type: str) -> str:
    """The name the reader downloads: the uploader's, without any folder, with the suffix
    of what is actually stored."""
    stem = PurePath(filename.replace("\\", "/")).stem.strip() or "attachment"
    return f"{stem[:150]}{'.pdf' if content_type == PDF else '.jpg'}"


def check(filename: str, data: bytes) -> CleanAttachment:
    """A PDF as it is, a photo re-encoded; anything else raises AttachmentRejected."""
    if data.startswith(b"%PDF-"):
        if len(data) > PDF_MAX_BYTES:
            raise AttachmentRejected("too_large")
        return CleanAttachment(_display_name(filename, PDF), PDF, data)
    try:
        photo = clean(data)
    except PhotoRejected as rejected:
        raise AttachmentRejected(
            "too_large" if rejected.code == "too_large" else "not_accepted") from None
    return CleanAttachment(_display_name(filename, JPEG), JPEG, photo.full, photo.thumb)


def upload_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "notices"


def file_path(stored_name: str, *, thumb: bool = False) -> Path:
    return upload_dir() / (f"{stored_name}-thumb" if thumb else stored_name)


def store(attachment: CleanAttachment) -> str:
    """Write the file (and an image's thumbnail); return the random name it is stored under."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    file_path(stored_name).write_bytes(attachment.data)
    if attachment.thumb is not None:
        file_path(stored_name, thumb=True).write_bytes(attachment.thumb)
    return stored_name
