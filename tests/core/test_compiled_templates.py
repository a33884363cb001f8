"""The production server compiles every template before its workers fork (app/wsgi.py), so
no visitor waits for a page to compile and a broken template stops a release from starting."""

import runpy

import pytest
from jinja2 import ChoiceLoader, DictLoader, TemplateSyntaxError

from app import create_app
from app.core.rendering import compile_templates
from config import PROJECT_ROOT


@pytest.fixture
def fresh_app(tmp_path):
    """An app whose template cache no other test has filled."""
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})


def _compilations(app, monkeypatch) -> list[str]:
    compiled = []
    compile_source = app.jinja_env.compile

    def counting_compile(source, name=None, *args, **kwargs):
        compiled.append(name)
        return compile_source(source, name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "compile", counting_compile)
    return compiled


def test_a_first_view_compiles_nothing_after_the_start(fresh_app, monkeypatch):
    assert compile_templates(fresh_app) == len(fresh_app.jinja_env.list_templates()) > 100
    compiled = _compilations(fresh_app, monkeypatch)
    page = fresh_app.test_client().get("/privacy")
    assert page.status_code == 200 and "隐私" in page.get_data(as_text=True)
    assert compiled == []


def test_without_it_a_first_view_compiles_its_templates(fresh_app, monkeypatch):
    compiled = _compilations(fresh_app, monkeypatch)
    assert fresh_app.test_client().get("/privacy").status_code == 200
    assert "base.html" in compiled


def test_a_broken_template_stops_the_start(fresh_app):
    fresh_app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"notices/broken.html": "{% if %}"}), fresh_app.jinja_env.loader])
    with pytest.raises(TemplateSyntaxError):
        compile_templates(fresh_app)


def test_the_production_server_loads_the_compiled_app():
    settings = runpy.run_path(str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "app.wsgi:application"
    assert settings["preload_app"] is True
