"""Photos taken on a phone, made safe to publish: decoded, turned upright, re-encoded as a
fresh JPEG that carries no EXIF (no GPS position, no camera serial), and stored under a
random name in the instance folder, where only the app can serve them."""

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 6
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
THUMB_SIDE = 480
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 85


class PhotoRejected(Exception):
    """``code`` is ``too_large`` or ``not_a_photo``; the form turns it into a message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    full: bytes
    thumb: bytes
    width: int
    height: int


def _jpeg(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def clean(data: bytes) -> CleanPhoto:
    """Re-encode an upload, or raise PhotoRejected. Nothing of the original file survives
    but its pixels: the image is painted onto a new canvas before it is saved."""
    if len(data) > MAX_BYTES:
        raise PhotoRejected("too_large")
    try:
        with warnings.catch_warnings():
            # A small file that decodes to a gigantic image is an attack, not a photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as original:
                if original.format not in ACCEPTED_FORMATS:
                    raise PhotoRejected("not_a_photo")
                upright = ImageOps.exif_transpose(original)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                rgba = upright.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected("not_a_photo") from exc
    canvas = Image.new("RGB", rgba.size, "white")
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    thumb = canvas.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanPhoto(full=_jpeg(canvas), thumb=_jpeg(thumb), width=canvas.width,
                      height=canvas.height)


def upload_dir() -> Path:
    return Path(current_app.instance_path) / "uploads" / "proposals"


def file_path(stored_name: str, *, thumb: bool = False) -> Path:
    return upload_dir() / (f"{stored_name}-thumb.jpg" if thumb else f"{stored_name}.jpg")


def store(photo: CleanPhoto) -> str:
    """Write the photo and its thumbnail; return the random name they are stored under."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    file_path(stored_name).write_bytes(photo.full)
    file_path(stored_name, thumb=True).write_bytes(photo.thumb)
    return stored_name


def discard(stored_name: str) -> None:
    for thumb in (False, True):
        file_path(stored_name, thumb=thumb).unlink(missing_ok=True)
