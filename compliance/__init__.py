"""Power bank flight-compliance checker: may this power bank fly on this trip, and why?"""

import os
from pathlib import Path

import click
from flask import Flask
from flask.sessions import SessionInterface

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-not-for-production"


class ConfigurationError(RuntimeError):
    """The app cannot start safely with this configuration."""


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: configuration from ``FLASK_*`` environment variables."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "compliance.sqlite"),
        DATA_DIR=str(ROOT / "data"),
        DATA_AUTO_BUILD=True,
        RESULT_MAX_AGE_DAYS=30,
        PUBLIC_BASE_URL=None,
        SECRET_KEY=None,
        SECRET_KEY_FALLBACKS=[],
        MAX_CONTENT_LENGTH=64 * 1024,
        EMBED_FRAME_ANCESTORS="*",
        # Hosts and proxies (compliance/security.py): None derives TRUSTED_HOSTS from
        # PUBLIC_BASE_URL; TRUSTED_PROXY_HOPS is also read by gunicorn.conf.py.
        TRUSTED_HOSTS=None,
        TRUSTED_PROXY_HOPS=0,
        # Shared state for many instances: manual codes (compliance/codes.py) and rate-limit
        # counts (compliance/ratelimit.py, RATELIMIT_STORAGE_URI) in Redis.
        REDIS_URL=None,
        RESULT_CODES_TTL_DAYS=None,
        RESULT_CODES_FLUSH_SECONDS=None,
        RESULT_CODES_PER_CLIENT_PER_MINUTE=None,
    )
    app.config.from_prefixed_env()
    if test_config:
        app.config.update(test_config)
    _require_secret(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # The app keeps no per-user state: no session cookie is read or written.
    app.session_interface = NoSessions()
    # Answers keep the field order of the API contract (and skip sorting every response).
    app.json.sort_keys = False

    from . import (api, cli, datapages, db, developers, embed, hygiene, i18n_setup, security,
                   staff, traveller, web)

    for module in (i18n_setup, security, db, web, staff, traveller, datapages, embed,
                   developers, api, cli, hygiene):
        module.init_app(app)
    return app


class NoSessions(SessionInterface):
    """Flask opens a cookie session on every request; this app never uses one."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def _require_secret(app: Flask) -> None:
    """Tokens are only as trustworthy as the key: never serve in production on a default.

    Debug, testing and the ``flask`` data commands (which serve nothing) fall back to a
    development key; ``flask check`` then warns that its result URL will not verify elsewhere.
    """
    app.config["SECRET_KEY_IS_DEVELOPMENT"] = False
    if app.config["SECRET_KEY"]:
        return
    if app.debug or app.testing or _flask_command_that_does_not_serve():
        app.config["SECRET_KEY"] = DEVELOPMENT_SECRET
        app.config["SECRET_KEY_IS_DEVELOPMENT"] = True
        return
    raise ConfigurationError(
        "FLASK_SECRET_KEY is not set. Set the FLASK_SECRET_KEY environment variable to a long "
        "random value (e.g. python -c 'import secrets; print(secrets.token_hex(32))') before "
        "starting the app outside debug mode."
    )


def _flask_command_that_does_not_serve() -> bool:
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return False
    context = click.get_current_context(silent=True)
    return context is None or context.info_name != "run"
