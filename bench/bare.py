"""The floor for bench/pages.py: a bare Flask app that returns, for /page/N, the bytes the
real app served for its N-th page (read once at start-up from BENCH_PAGES_DIR)."""

import os
from pathlib import Path

from flask import Flask, Response, abort


def create_app() -> Flask:
    app = Flask(__name__, static_folder=None)
    folder = Path(os.environ["BENCH_PAGES_DIR"])
    pages = {int(path.name): path.read_bytes() for path in folder.iterdir()}

    @app.get("/page/<int:number>")
    def page(number: int):
        if number not in pages:
            abort(404)
        return Response(pages[number], content_type="text/html; charset=utf-8")

    @app.get("/ready")
    def ready():
        return "ok"

    return app
