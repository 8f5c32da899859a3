"""Power bank flight-compliance checker: may this power bank fly on this trip, and why?"""

from pathlib import Path

from flask import Flask
from flask.sessions import SessionInterface

from . import config
from .config import DEVELOPMENT_SECRET, ROOT, ConfigurationError  # noqa: F401  (public names)


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: settings from :mod:`compliance.config` (``FLASK_*`` environment
    variables over its defaults, ``test_config`` over both)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # The app keeps no per-user state: no session cookie is read or written.
    app.session_interface = NoSessions()
    # Answers keep the field order of the API contract (and skip sorting every response).
    app.json.sort_keys = False

    from . import cli
    from .api import http as api_http
    from .api import ratelimit
    from .api import routes as api
    from .data import db
    from .pages import data as data_pages
    from .pages import developers, embed, staff, traveller
    from .web import errors, hygiene, i18n, security, templating

    for module in (i18n, security, db, traveller, staff, templating, data_pages, embed,
                   developers, api, ratelimit, api_http, errors, cli, hygiene):
        module.init_app(app)
    return app


class NoSessions(SessionInterface):
    """Flask opens a cookie session on every request; this app never uses one."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None

