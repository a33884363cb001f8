"""One template piece serves both a whole page and an htmx swap."""


from flask import flash, redirect, render_template
from flask_htmx import make_response as htmx_response

from app.extensions import htmx


def wants_fragment() -> bool:
    """A targeted htmx request swaps a piece of the page; anything else gets a whole page."""
    return bool(htmx) and not htmx.boosted


def render_page(page: str, fragment: str, /, **context) -> str:
    """The fragment alone for a targeted htmx request, the whole page otherwise
    (a normal request, a boosted one, or the same form posted without JavaScript)."""
    return render_template(fragment if wants_fragment() else page, **context)


def done(message: str, redirect_to: str, fragment: str, context: dict):
    """After a successful POST: the refreshed fragment with the message for htmx, or the
    message flashed and a redirect (post/redirect/get) for a plain form."""
    if wants_fragment():
        return render_template(fragment, done_message=message, **context)
    flash(message, "success")
    return redirect(redirect_to)


def go_to(url: str):
    """Leave the page after a successful POST. htmx would follow a plain redirect and swap
    the whole next page into the form, so it is told to navigate instead."""
    if wants_fragment():
        return htmx_response("", 204, redirect=url)
    return redirect(url)


def compile_templates(app) -> int:
    """Compile every template into the app's template cache now; returns how many.

    Called once in the production server's master process (app/wsgi.py, gunicorn's
    preload_app): every worker forked from it, including those that replace recycled
    workers, renders a page's first view without compiling it (a closed poll's result page
    took 300 ms to compile on its first view), and a release with a broken template fails
    to start instead of failing on the first visitor."""
    env = app.jinja_env
    names = env.list_templates()
    if env.cache is not None and len(names) > env.cache.capacity:
        raise RuntimeError(f"{len(names)} templates do not fit the template cache "
                           f"({env.cache.capacity}); raise jinja_options['cache_size']")
    for name in names:
        env.get_template(name)
    return len(names)
