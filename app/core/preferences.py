"""Language and elder mode (长辈模式): on the account when logged in, in a cookie always,
so that the choice holds before login and on every later visit."""

from flask import current_app, g, has_request_context, request
from flask_babel import Domain
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
ELDER_COOKIE = "elder"


def select_locale() -> str:
    """The reader's language; outside a request (commands, the demo seed) the default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    """The translations of the request's language, looked up once per request.

    Flask-Babel finds them again for every string (a dozen context-local look-ups and the
    locale's name built anew), and a page translates hundreds: every label, and each lazy
    label several times while it is escaped. The translations are kept on the request's
    Babel context with the locale they are for, so ``force_locale`` (a document in another
    language) and ``refresh`` still get their own."""

    def get_translations(self):
        context = g.get("_flask_babel") if g else None
        kept = getattr(context, "request_translations", None)
        if kept is not None and kept[0] is not None and kept[0] is getattr(
                context, "babel_locale", None):
            return kept[1]
        translations = super().get_translations()
        context = g.get("_flask_babel") if g else None
        if context is not None:
            context.request_translations = (getattr(context, "babel_locale", None),
                                            translations)
        return translations


def elder_mode_enabled() -> bool:
    if current_user and current_user.is_authenticated:
        return current_user.elder_mode
    return request.cookies.get(ELDER_COOKIE) == "1"


def safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site may be a redirect target: one starting with a single slash
    (it has neither scheme nor host), without control characters or backslashes.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so
    ``/<tab>/evil.example`` or ``/\\evil.example`` would lead off the site; a newline would
    also break the ``Location`` header."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return fallback
    return target
