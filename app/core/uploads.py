"""Files that people upload, made safe to keep and to serve.

A photo is decoded, turned upright and re-encoded as a fresh JPEG that carries no EXIF (no
GPS position, no camera serial); a PDF is kept as it is, but only when it starts like one.
A photo's pixel count is read from its header and checked before anything is decoded, and
only a picture shrunk to ``MAX_SIDE`` is worked on: a small file that would unpack to a
gigantic picture costs nothing, and an accepted one at most its megapixels times four bytes,
once. Either is stored under a random name in the app's storage (app/core/storage.py: the
instance folder or an object store), from where only the app serves it, to readers the calling
view has already authorised. Cleaning is pure and takes its limits as arguments; storing and
serving need the app, for its storage.
"""

import hashlib
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from flask import abort, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.downloads import content_disposition
from app.core.storage import StoredFileMissing, storage

MEGABYTE = 1024 * 1024
MEGAPIXEL = 1_000_000
MAX_SIDE = 2000
THUMB_SIDE = 480
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85
PDF = "application/pdf"
JPEG = "image/jpeg"

REJECTION_MESSAGES = {
    "too_large": _l("“%(name)s” is larger than %(megabytes)d MB. Choose a smaller file."),
    "too_many_pixels": _l("“%(name)s” is a picture of more than %(megapixels)d megapixels. "
                          "Save it at a smaller size and try again."),
    "not_a_photo": _l("“%(name)s” is not a JPEG, PNG or WebP photo."),
    "not_accepted": _l("“%(name)s” is neither a PDF nor a JPEG, PNG or WebP photo."),
}


class UploadRejected(Exception):
    """``code`` is ``too_large`` (over ``limit`` bytes), ``too_many_pixels`` (over ``limit``
    pixels), ``not_a_photo`` or ``not_accepted`` (neither a PDF nor a photo); ``message`` is
    what the form shows."""

    def __init__(self, code: str, limit: int = 0):
        super().__init__(code)
        self.code = code
        self.limit = limit

    def message(self, filename: str) -> str:
        return REJECTION_MESSAGES[self.code] % {"name": filename,
                                                "megabytes": self.limit // MEGABYTE,
                                                "megapixels": self.limit // MEGAPIXEL}


@dataclass(frozen=True)
class CleanFile:
    """What is stored: the cleaned bytes, and for a photo its thumbnail and size."""

    data: bytes
    content_type: str
    download_name: str = ""
    thumb: bytes | None = None
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class UploadFolder:
    """The folder (key prefix) one kind of file is kept under, and how its names end."""

    name: str
    suffix: str = ""


# Proposals' and follow-ups' photos, and notices' attachments. The folders keep the names
# they were first given, so that files stored before stay found.
PHOTOS = UploadFolder("proposals", ".jpg")
ATTACHMENTS = UploadFolder("notices")


def _jpeg(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _download_name(filename: str, content_type: str) -> str:
    """The name a reader downloads: the uploader's, without any folder, with the suffix of
    what is actually stored."""
    stem = PurePath(filename.replace("\\", "/")).stem.strip() or "attachment"
    return f"{stem[:150]}{'.pdf' if content_type == PDF else '.jpg'}"


def clean_photo(data: bytes, *, max_bytes: int, max_pixels: int,
                filename: str = "") -> CleanFile:
    """Re-encode an uploaded photo, or raise UploadRejected. Nothing of the original file
    survives but its pixels: the image is painted onto a new canvas before it is saved."""
    if len(data) > max_bytes:
        raise UploadRejected("too_large", max_bytes)
    try:
        with warnings.catch_warnings():
            # Pillow's own guard, for pictures beyond its limit: they are refused at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as original:
                if original.format not in ACCEPTED_FORMATS:
                    raise UploadRejected("not_a_photo")
                if original.width * original.height > max_pixels:
                    raise UploadRejected("too_many_pixels", max_pixels)
                # A JPEG is decoded at a fraction of its size; any picture is shrunk before
                # it is turned upright, so that only the small one is ever copied.
                original.draft(None, (MAX_SIDE, MAX_SIDE))
                original.thumbnail((MAX_SIDE, MAX_SIDE))
                upright = ImageOps.exif_transpose(original)
                rgba = upright.convert("RGBA")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected("too_many_pixels", max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected("not_a_photo") from exc
    canvas = Image.new("RGB", rgba.size, "white")
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    thumb = canvas.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanFile(data=_jpeg(canvas), content_type=JPEG,
                     download_name=_download_name(filename, JPEG), thumb=_jpeg(thumb),
                     width=canvas.width, height=canvas.height)


def clean_document(data: bytes, *, filename: str, photo_max_bytes: int, photo_max_pixels: int,
                   pdf_max_bytes: int) -> CleanFile:
    """A PDF as it is, a photo re-encoded; anything else raises UploadRejected."""
    if data.startswith(b"%PDF-"):
        if len(data) > pdf_max_bytes:
            raise UploadRejected("too_large", pdf_max_bytes)
        return CleanFile(data=data, content_type=PDF,
                         download_name=_download_name(filename, PDF))
    try:
        return clean_photo(data, max_bytes=photo_max_bytes, max_pixels=photo_max_pixels,
                           filename=filename)
    except UploadRejected as rejected:
        if rejected.code == "not_a_photo":
            raise UploadRejected("not_accepted") from None
        raise


def key(folder: UploadFolder, stored_name: str, *, thumb: bool = False) -> str:
    """The storage key: the path under instance/uploads where files were always kept."""
    name = f"{stored_name}-thumb" if thumb else stored_name
    return f"{folder.name}/{name}{folder.suffix}"


def store(folder: UploadFolder, clean: CleanFile) -> str:
    """Write the file (and a photo's thumbnail); return the random name it is stored under."""
    stored_name = secrets.token_hex(16)
    files = storage()
    files.put(key(folder, stored_name), clean.data, clean.content_type)
    if clean.thumb is not None:
        files.put(key(folder, stored_name, thumb=True), clean.thumb, JPEG)
    return stored_name


def discard(folder: UploadFolder, stored_name: str) -> None:
    files = storage()
    for thumb in (False, True):
        files.delete(key(folder, stored_name, thumb=thumb))


def serve(folder: UploadFolder, stored_name: str, content_type: str, *, thumb: bool = False,
          download_name: str | None = None):
    """A stored file for a reader already authorised, opened in place under the name it
    was uploaded with. Its random name never changes its content, so the browser may keep
    it, but only that browser."""
    stored_key = key(folder, stored_name, thumb=thumb)
    try:
        data = storage().get(stored_key)
    except StoredFileMissing:
        abort(404)
    # What is stored under a key never changes, so a digest of the key is a valid ETag and
    # tells the reader nothing about where the file is kept.
    response = send_file(BytesIO(data), mimetype=content_type,
                         etag=hashlib.sha256(stored_key.encode()).hexdigest()[:32])
    if download_name:
        response.headers["Content-Disposition"] = content_disposition(download_name,
                                                                      inline=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
