"""Every setting of the app in one table: its name, default, environment variable and what it does.

Settings come, in this order, from the defaults below, from ``FLASK_<NAME>`` environment
variables (Flask's ``from_prefixed_env``: JSON values such as ``30``, ``false`` or ``["a"]`` are
parsed), then from the mapping given to ``create_app`` (tests). A default that depends on the
app (its instance folder, or whether it is testing) is worked out after all three, and only for
a setting left unset (``None`` too, where the table says so). The secret-key policy is here too:
the app never serves on a default key.

Question "what settings exist?": ``SETTINGS``; ``tests/test_config.py`` holds the README's
settings table and the deployment files to it.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

#: The repository: templates, static files, data/ and translations/ live under it.
ROOT = Path(__file__).resolve().parent.parent
#: The address result URLs use when no request tells the host and ``PUBLIC_BASE_URL`` is unset
#: (``flask check`` on a developer's machine): the development server's.
LOCAL_BASE_URL = "http://localhost:5000"
#: The key of debug, testing and the data commands; never used to serve.
DEVELOPMENT_SECRET = "development-only-secret-not-for-production"
ENVIRONMENT_PREFIX = "FLASK_"


class ConfigurationError(RuntimeError):
    """The app cannot start safely with this configuration."""


@dataclass(frozen=True)
class Setting:
    name: str
    #: The value, or a function of the app for a default that depends on it (see ``derived``).
    default: Any
    help: str
    #: True: ``default`` is a function of the app, applied after the environment and the test
    #: mapping to a setting left unset.
    derived: bool = False
    #: With ``derived``: an explicit ``None`` also means "the default".
    none_is_unset: bool = False

    @property
    def environment_variable(self) -> str:
        return ENVIRONMENT_PREFIX + self.name


def _unless_testing(value):
    return lambda app: None if app.testing else value


def _in_instance(name: str) -> Callable:
    return lambda app: str(Path(app.instance_path) / name)


def compiled_translations_dir(app) -> Path:
    """Where the ``.po`` catalogs are compiled at start (see :mod:`compliance.web.i18n`)."""
    return Path(app.instance_path) / "translations"


SETTINGS: tuple[Setting, ...] = (
    # The data and results.
    Setting("DATABASE", _in_instance("compliance.sqlite"),
            "The built data artifact (SQLite) the app serves.", derived=True),
    Setting("DATA_DIR", str(ROOT / "data"), "The data files the database is built from."),
    Setting("DATA_AUTO_BUILD", True,
            "Rebuild the database at start when data/ changed (false on shipped instances)."),
    Setting("RESULT_MAX_AGE_DAYS", 30,
            "Results older than this are shown as stale; old signing keys may go after it."),
    Setting("PUBLIC_BASE_URL", None,
            "Public address for result URLs and QR codes; its host is the only one answered."),
    Setting("SECRET_KEY", None, "The key that signs results (required outside debug/testing)."),
    Setting("SECRET_KEY_FALLBACKS", [],
            "JSON list of earlier keys whose results still verify (key rotation)."),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, "Request bodies over it are 413 problem+json."),
    # Hosts, proxies and framing (compliance/web/security.py).
    Setting("EMBED_FRAME_ANCESTORS", "*", "Who may frame /embed (CSP frame-ancestors)."),
    Setting("TRUSTED_HOSTS", None,
            "JSON list of host names answered; unset: derived from PUBLIC_BASE_URL."),
    Setting("TRUSTED_PROXY_HOPS", 0,
            "Proxies in front whose X-Forwarded-* are believed (also read by gunicorn.conf.py)."),
    # Manual codes (compliance/results/codes.py).
    Setting("REDIS_URL", None, "redis://host:6379/0: manual codes in Redis, shared by instances."),
    Setting("RESULT_CODES_DATABASE", _in_instance("result_codes.sqlite"),
            "The SQLite code store when Redis is not set.", derived=True, none_is_unset=True),
    Setting("RESULT_CODES_TTL_DAYS", None,
            "How long a manual code resolves; unset: 2 x RESULT_MAX_AGE_DAYS."),
    Setting("RESULT_CODES_FLUSH_SECONDS", lambda app: 0.0 if app.testing else 0.5,
            "SQLite store: first views written in one transaction per interval (0: at once).",
            derived=True, none_is_unset=True),
    Setting("RESULT_CODES_PER_CLIENT_PER_MINUTE", _unless_testing(120),
            "Cap on new manual codes per client per minute (off under tests).",
            derived=True, none_is_unset=True),
    # Rate limits (compliance/api/ratelimit.py, the limits library): off under tests unless set.
    Setting("API_RATE_LIMIT", _unless_testing("300/minute"),
            "Per client address, every /api/v1/ request.", derived=True),
    Setting("API_KEY_RATE_LIMIT", _unless_testing("3000/minute"),
            "Per key, requests with a valid X-API-Key.", derived=True),
    Setting("PAGE_RATE_LIMIT", _unless_testing("120/minute"),
            "Per client address, the pages that issue or open a result.", derived=True),
    Setting("API_KEYS", [], "JSON list of API keys (their own, higher rate limit)."),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Where the rate limits count (redis://... to share limits between instances)."),
    Setting("RATELIMIT_STRATEGY", "fixed-window",
            "How limits count: fixed-window, moving-window or sliding-window-counter."),
    Setting("RATELIMIT_SWALLOW_ERRORS", True,
            "A limiter store that cannot be reached lets requests through (logged)."),
    Setting("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True,
            "Count in process while the limiter store is down."),
    Setting("RATELIMIT_KEY_PREFIX", "powerbank", "Prefix of the limiter's keys in its store."),
    # Responses (compliance/web/hygiene.py, Flask-Compress) and languages (compliance/i18n.py).
    Setting("COMPRESS_ALGORITHM", ["br", "gzip"], "Response compression, in order of preference."),
    Setting("COMPRESS_STREAMS", False, "Compress streamed responses too."),
    Setting("COMPRESS_MIN_SIZE", 500, "Smaller responses are sent uncompressed."),
    Setting("BABEL_TRANSLATION_DIRECTORIES", lambda app: str(compiled_translations_dir(app)),
            "Where Flask-Babel reads the compiled catalogs.", derived=True),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}


def load(app, test_config: dict | None = None) -> None:
    """Give ``app`` its settings: defaults, then ``FLASK_*`` variables, then ``test_config``,
    then the defaults that depend on the app; then apply the secret-key policy."""
    app.config.from_mapping({s.name: _copy(s.default) for s in SETTINGS if not s.derived})
    app.config.from_prefixed_env(ENVIRONMENT_PREFIX.rstrip("_"))
    if test_config:
        app.config.update(test_config)
    for setting in SETTINGS:
        if setting.derived:
            current = app.config.get(setting.name)
            if setting.name not in app.config or (current is None and setting.none_is_unset):
                app.config[setting.name] = setting.default(app)
    require_secret(app)


def _copy(value):
    return list(value) if isinstance(value, list) else value


def require_secret(app) -> None:
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
