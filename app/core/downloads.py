"""Files the site hands out, under names that say what they are, in Chinese.

Every download goes through ``send_document``: one ``Content-Disposition`` that old and new
browsers read alike (RFC 6266): a plain ASCII ``filename`` for the few that know nothing else,
and ``filename*`` (RFC 5987/8187) carrying the real UTF-8 name. A PDF opens in place
(``inline``), which is what a phone's browser and WeChat can show; Word files, spreadsheets
and archives are saved (``attachment``).
"""

import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from flask import Response

# Characters no file system accepts in a name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
# What RFC 5987's attr-char leaves unencoded besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"


def file_name(*parts: object, suffix: str) -> str:
    """A name joined from ``parts`` with hyphens: every part cleaned of what a file system
    or a header would refuse, empty parts left out."""
    cleaned = (_UNSAFE.sub(" ", str(part)).strip() for part in parts)
    stem = "-".join(part for part in cleaned if part)[:150]
    return f"{stem or 'document'}.{suffix}"


def ascii_fallback(filename: str) -> str:
    """The name with its accents dropped and anything else outside printable ASCII taken
    out; ``document`` where nothing of the stem is left."""
    path = PurePath(filename)
    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = re.sub(r'[^A-Za-z0-9._ ()-]+', "", stem).strip(" .-_") or "document"
    suffix = re.sub(r"[^A-Za-z0-9.]", "", path.suffix)
    return f"{stem}{suffix}"


def content_disposition(filename: str, *, inline: bool, ascii_name: str | None = None) -> str:
    """``inline`` or ``attachment``, the ASCII ``filename`` and, when the name is not plain
    ASCII, ``filename*=UTF-8''…`` with it percent-encoded."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_name or ascii_fallback(filename)
    header = f'{kind}; filename="{fallback}"'
    if filename != fallback:
        header += f"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"
    return header


def send_document(data: bytes | str, filename: str, mimetype: str, *, inline: bool = True,
                  ascii_name: str | None = None) -> Response:
    """A generated file as a response. The body is in memory, so the caching hook can give
    it a validator; a view whose file holds personal data marks itself ``no_store``."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(
        filename, inline=inline, ascii_name=ascii_name)
    return response
