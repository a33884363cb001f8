"""Gongzhi (共治): the application factory."""

import importlib
import os
from pathlib import Path

from flask import Flask, current_app, g, render_template, request
from flask_babel import get_babel
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate, utcnow
from config import CONFIGS, DEFAULT_SECRET_KEY, PROJECT_ROOT

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ControlCharactersRefused(BadRequest):
    """A request with a NUL byte or another control character in its text."""


def create_app(config: str | type | None = None, overrides: dict | None = None) -> Flask:
    """Build the app from ``config`` (a name in ``config.CONFIGS`` or a class; by default
    the one ``GONGZHI_ENV`` names, else production), then the environment, then
    ``overrides``."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("GONGZHI_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
    )
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("GONGZHI_ENV", "production")]
    app.config.from_object(config)
    app.config.from_prefixed_env("GONGZHI")
    app.config.update(overrides or {})
    if not (app.debug or app.testing) and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        _refuse_to_serve(app)
    if app.config["TRUSTED_PROXIES"]:
        _trust_proxies(app, app.config["TRUSTED_PROXIES"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _import_registering_modules()
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_error_handlers(app)

    from app.cli import register_cli

    register_cli(app)
    return app


def _refuse_to_serve(app: Flask) -> None:
    """Production must never sign sessions with the public default key. Commands that sign
    nothing (``db upgrade``, ``tally``) still run without a key, so the refusal comes with
    every request rather than at start-up, before any session or page is touched."""
    message = "Refusing to serve in production with the default SECRET_KEY; set SECRET_KEY."

    def refuse(environ, start_response):
        app.logger.error(message)
        start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
        return [message.encode()]

    app.wsgi_app = refuse


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` reverse proxies the client's address and scheme are the ones the
    proxies forwarded: rate limits, session lists and HTTPS checks see the real client."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every model must be known to migrations)
    from app.core.preferences import RequestDomain, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = RequestDomain(domain=get_babel(app).default_domain)
    htmx.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(token: str):
        from app.auth.sessions import Lifetimes, user_for_token

        return user_for_token(token, utcnow(), Lifetimes.from_config(current_app.config))


# Modules that register something when imported: each feature's rules in
# app.permissions.RULES, and the receivers of domain events (app/core/signals.py). All are
# imported before any request, so nothing depends on which page happened to load first.
REGISTERING_MODULES = (
    "app.discussion.permissions", "app.followups.permissions", "app.insights.permissions",
    "app.meetings.permissions", "app.notices.permissions", "app.proposals.permissions",
    "app.voting.permissions", "app.recovery.permissions", "app.messaging.permissions",
    "app.discussion.services", "app.followups.services", "app.voting.notice",
    "app.notices.services", "app.messaging.services", "app.api.permissions",
    "app.voting.page", "app.webhooks.permissions", "app.webhooks.services",
)


def _import_registering_modules() -> None:
    for module in REGISTERING_MODULES:
        importlib.import_module(module)


def _register_blueprints(app: Flask) -> None:
    from app.api.views import register_api
    from app.auth.views import bp as auth_bp
    from app.community.views import bp as community_bp
    from app.discussion.views import bp as discussion_bp
    from app.feeds.views import bp as feeds_bp
    from app.followups.views import bp as followups_bp
    from app.home.views import bp as home_bp
    from app.insights.views import bp as insights_bp
    from app.meetings.views import bp as meetings_bp
    from app.messaging.views import bp as messaging_bp
    from app.notices.views import bp as notices_bp
    from app.privacy.views import bp as privacy_bp
    from app.proposals.views import bp as proposals_bp
    from app.public.views import bp as public_bp
    from app.recovery.views import bp as recovery_bp
    from app.voting.views import bp as voting_bp
    from app.webhooks.views import bp as webhooks_bp

    for blueprint in (home_bp, auth_bp, community_bp, proposals_bp, discussion_bp,
                      notices_bp, voting_bp, meetings_bp, followups_bp, insights_bp, privacy_bp,
                      recovery_bp, messaging_bp, public_bp, feeds_bp, webhooks_bp):
        app.register_blueprint(blueprint)
    register_api(app)


def _register_request_hooks(app: Flask) -> None:
    from flask_babel import get_locale

    from app.auth.sessions import note_activity
    from app.core.assets import init_static_files
    from app.core.caching import apply_cache_policy
    from app.core.compression import compress_response
    from app.core.input import refuses_input
    from app.core.preferences import elder_mode_enabled
    from app.permissions import can
    from app.phones import mask_phone

    app.jinja_env.filters["masked"] = mask_phone
    init_static_files(app)

    @app.before_request
    def refuse_control_characters():
        """The one check of every request's text, before any view or login reads it."""
        json = request.get_json(silent=True) if request.is_json else None
        if refuses_input(path=request.path, args=request.args, form=request.form,
                         file_names=[text for name, upload in request.files.items(multi=True)
                                     for text in (name, upload.filename or "")],
                         json=json):
            raise ControlCharactersRefused()

    @app.before_request
    def keep_session_alive():
        """Loading the user checks the session (one query); last seen moves once a minute."""
        if current_user.is_authenticated and note_activity(current_user.current_session,
                                                           utcnow()):
            db.session.commit()

    @app.before_request
    def remember_preferences():
        g.elder_mode = elder_mode_enabled()

    @app.context_processor
    def template_helpers():
        return {
            "can": lambda action, target=None: can(current_user, action, target),
            "elder_mode": g.get("elder_mode", False),
            "languages": app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
        }

    # After-request hooks run last-registered first: compression comes after everything else.
    app.after_request(compress_response)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages depend on the login, the language and elder mode: never share them in caches.
        response.vary.add("Cookie")
        return apply_cache_policy(response)


def _register_error_handlers(app: Flask) -> None:
    messages = {
        400: _l("The request could not be understood. Please go back and try again."),
        401: _l("Please log in to see this page."),
        403: _l("You do not have permission to do this."),
        404: _l("This page does not exist, or it was removed."),
        405: _l("This page cannot be used that way."),
        413: _l("The file is too large."),
        429: _l("Too many attempts. Please wait a few minutes and try again."),
        500: _l("Something went wrong on our side. Please try again later."),
    }

    def render_error(code: int, message=None):
        text = message or messages.get(code, messages[500])
        return render_template("errors/error.html", code=code, message=text), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _l("This form has expired. Please reload the page and submit it again.")
        )

    @app.errorhandler(ControlCharactersRefused)
    def control_characters_refused(error):
        return render_error(400, _l(
            "What you sent contains invisible control characters (such as a NUL byte), "
            "which cannot be stored. Remove them, for example by typing the text again "
            "instead of pasting it, and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 401:
            return login_manager.unauthorized()
        if getattr(error, "response", None) is not None:
            return error.response
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        # A failed write leaves the session unusable, and the page reads the database (the
        # current user, the unread count): without the rollback the error page fails too.
        db.session.rollback()
        return render_error(500)
