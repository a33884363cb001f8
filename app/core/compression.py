"""gzip for text responses, when the browser accepts it.

A small hook rather than Flask-Compress: the standard library's gzip is all a page needs
(a page of 30 KB becomes about 6 KB), there is no new dependency, and the order with the
caching hook is ours to fix: the ETag is computed on the page as rendered and stays weak,
so one validator serves the plain and the compressed copy. Bodies that are files on disk
(``direct_passthrough``), streams, and formats that are compressed already (PDF, images,
ZIP, Word) are sent as they are.
"""

import gzip

from flask import Response, request

MIN_SIZE = 500
# Statuses without a body of their own, and a part of a file (a Range request).
NO_BODY = {204, 206, 304}
LEVEL = 6
COMPRESSIBLE = {"text/html", "text/css", "text/plain", "text/csv", "text/markdown",
                "text/javascript", "application/javascript", "application/json",
                "image/svg+xml"}


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def compress_response(response: Response) -> Response:
    """Replace the body by its gzip form if the response and the browser allow it."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (response.status_code in NO_BODY or response.is_streamed or response.direct_passthrough
            or "Content-Encoding" in response.headers or not accepts_gzip()):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response
