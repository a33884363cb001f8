"""Stylesheets, scripts and icons under names that carry a hash of their content.

At start-up every file in the static folder is read once, hashed and, where it is text,
compressed. ``url_for('static', filename='css/app.css')`` then gives
``/static/css/app.<hash>.css``, which is served from memory with a year's cache: a browser
never asks for it again, and a changed file gets a new name, so nobody keeps an old one.
A name without the hash (a link written by hand, an old bookmark) still works, revalidated.
In debug mode names stay plain, so that an edited stylesheet shows on the next reload.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import Flask, Response, request

from app.core.compression import COMPRESSIBLE, LEVEL, MIN_SIZE

IMMUTABLE = "public, max-age=31536000, immutable"
HASH_LENGTH = 12


@dataclass(frozen=True)
class Asset:
    data: bytes
    gzipped: bytes | None
    mimetype: str
    digest: str


class StaticFiles:
    """The files of one folder: ``hashed`` maps a name as written to its hashed name,
    ``assets`` a hashed name to the file."""

    def __init__(self, folder: Path):
        self.hashed: dict[str, str] = {}
        self.assets: dict[str, Asset] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self._add(path.relative_to(folder).as_posix(), path.read_bytes())

    def _add(self, name: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        pure = PurePosixPath(name)
        hashed = str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        gzipped = None
        if mimetype in COMPRESSIBLE and len(data) >= MIN_SIZE:
            gzipped = gzip.compress(data, compresslevel=LEVEL, mtime=0)
        self.hashed[name] = hashed
        self.assets[hashed] = Asset(data, gzipped, mimetype, digest)

    def response(self, hashed: str) -> Response | None:
        asset = self.assets.get(hashed)
        if asset is None:
            return None
        gzipped = asset.gzipped is not None and request.accept_encodings["gzip"] > 0
        response = Response(asset.gzipped if gzipped else asset.data, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = IMMUTABLE
        response.set_etag(asset.digest, weak=True)
        if asset.gzipped is not None:
            response.vary.add("Accept-Encoding")
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        return response.make_conditional(request)


def init_static_files(app: Flask) -> StaticFiles:
    """Hash the static folder and serve it: hashed names from memory, plain names as Flask
    does."""
    files = StaticFiles(Path(app.static_folder))
    plain = app.view_functions["static"]

    def static(filename: str):
        return files.response(filename) or plain(filename=filename)

    app.view_functions["static"] = static

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and not app.debug and "filename" in values:
            values["filename"] = files.hashed.get(values["filename"], values["filename"])

    app.extensions["static_files"] = files
    return files
