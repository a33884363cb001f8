"""How long a browser may keep what the site sends, decided in one place.

Pages depend on who is logged in, the language and elder mode, so no page is ever stored by
a shared cache (``private``, ``Vary: Cookie``). Most pages are ``no-cache``: the browser keeps
them (its back button and back/forward cache can show them at once on a weak network) but
asks again before reusing one, with the page's ETag, and an unchanged page comes back as an
empty ``304 Not Modified``. A page holding a ballot receipt or personal data that must not
stay on a shared phone is marked ``@no_store`` on its view and is never kept at all.
A public feed or export, the same bytes for every reader, is marked ``@shared``: ``public``,
so that a proxy may keep it too, still revalidated with its ETag.
"""

import hashlib

from flask import Flask, Response, current_app, g, request, session

NO_STORE = "private, no-store"
REVALIDATE = "private, no-cache"
SHARED = "public, no-cache"


def no_store(view):
    """Mark a view whose response must not be kept by the browser (see module docstring)."""
    view.no_store = True
    return view


def is_no_store(app: Flask, endpoint: str | None) -> bool:
    return getattr(app.view_functions.get(endpoint), "no_store", False)


def shared(view):
    """Mark a view whose response is the same for everybody (see module docstring): it
    must depend on no cookie, language included."""
    view.shared = True
    return view


def is_shared(app: Flask, endpoint: str | None) -> bool:
    return getattr(app.view_functions.get(endpoint), "shared", False)


def _page_tag(body: bytes) -> str:
    """A hash of the page. The form token changes with every rendering although any of them
    stays valid for the session (``WTF_CSRF_TIME_LIMIT`` is None): the hash leaves the
    token out and takes the session's secret instead, so a page that differs only by its
    token is unchanged, and a new session (a new login) never reuses an older page."""
    token = g.get("csrf_token")
    if token and current_app.config.get("WTF_CSRF_TIME_LIMIT") is None:
        body = body.replace(token.encode(), b"")
    digest = hashlib.blake2b(body, digest_size=16)
    digest.update(str(session.get("csrf_token", "")).encode())
    return digest.hexdigest()


def apply_cache_policy(response: Response) -> Response:
    """Cache-Control for every response but static files and those whose view chose its own;
    an ETag and a 304 for a successful GET whose body is in memory."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return response
    # A URL answers htmx with a fragment and a browser with the page: the back button must
    # never show a kept fragment as the page.
    response.vary.add("HX-Request")
    if is_no_store(current_app, request.endpoint):
        response.headers["Cache-Control"] = NO_STORE
        return response
    public = is_shared(current_app, request.endpoint)
    response.headers["Cache-Control"] = SHARED if public else REVALIDATE
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and not response.is_streamed and not response.direct_passthrough):
        body = response.get_data()
        tag = hashlib.blake2b(body, digest_size=16).hexdigest() if public else _page_tag(body)
        response.set_etag(tag, weak=True)
        response.make_conditional(request)
    return response
