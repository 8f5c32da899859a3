"""WSGI entry point: ``flask --app app run`` and ``gunicorn app:app`` both use this."""

from compliance import create_app

app = create_app()
