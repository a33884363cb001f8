"""The app a production server loads: ``gunicorn -c deploy/gunicorn.conf.py`` serves
``app.wsgi:application``. Commands and tests build their own app with create_app()."""

from app import create_app
from app.core.rendering import compile_templates

application = create_app()
compile_templates(application)
