"""Rate limits, counted with the ``limits`` library: the JSON API and the pages that write a manual
code.

Limits are written ``"<count>/<period>"`` (``"60/minute"``, ``"1000/hour"``, ``"5/second"``) and
counted in fixed windows per client.

- ``API_RATE_LIMIT`` (default ``"300/minute"``): every ``/api/v1/`` request, per client address
  (``request.remote_addr``; behind a reverse proxy set ``TRUSTED_PROXY_HOPS`` so that it is the
  client's, not the proxy's).
- ``API_KEY_RATE_LIMIT`` (default ``"3000/minute"``): per key, for requests carrying a valid
  ``X-API-Key``. Keys come from ``API_KEYS`` (environment ``FLASK_API_KEYS``, a JSON list); there
  are none in the repository. A key that is not configured is refused with 401 rather than
  silently counted as anonymous, so a typo in a key shows at once.
- ``PAGE_RATE_LIMIT`` (default ``"120/minute"``): per client address, over the pages that issue
  or open a result and so may record a manual code (``/check``, ``/r/<token>``, its card, the
  embedded check). Reading pages, files and ``/healthz`` are not limited.

All three are off when ``app.testing`` is true unless set, because the test suite sends hundreds
of requests from one address (tests switch them on explicitly).

Where the counts live: ``RATELIMIT_STORAGE_URI`` (environment ``FLASK_RATELIMIT_STORAGE_URI``).
The default ``memory://`` counts in each process, so N worker processes allow N times the limit;
``redis://host:6379/0`` shares one count between every worker and instance. If the store cannot
be reached the request is counted in process instead (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``)
or let through (``RATELIMIT_SWALLOW_ERRORS``), and the error logged: a limiter outage never
takes the checker down. The store is tried again every few seconds.

Why ``limits`` directly and not Flask-Limiter on top of it (as before): every request makes at
most one count here, and Flask-Limiter's general machinery around that count (default,
decorated and blueprint limits resolved per request, exemption scopes, meta limits) cost about
0.2 ms per API check, a third of the whole check, where the count itself costs 5 microseconds
(``./run bench`` prints the limiter's share). ``limits`` keeps the part that is hard to get
right: the windows, the memory and Redis stores and their atomic counting.
"""

import hashlib
import hmac
import time

from flask import current_app, g, render_template, request
from limits import RateLimitItem, parse, storage, strategies
from werkzeug.exceptions import TooManyRequests

from compliance.web.i18n import _
from compliance.web.problems import problem

#: Endpoints that issue or open a result and so may write a manual code.
WRITING_ENDPOINTS = frozenset({"traveller.check", "staff.result", "staff.result_card",
                               "embed.check"})
#: The setting of each scope's limit.
LIMIT_SETTINGS = {"api": "API_RATE_LIMIT", "api-key": "API_KEY_RATE_LIMIT",
                  "pages": "PAGE_RATE_LIMIT"}
#: How long a store that failed is left alone before it is tried again.
STORE_RETRY_SECONDS = 5.0


class RateLimited(TooManyRequests):
    """This client is over one of the limits (``item``) for ``retry_after`` more seconds."""

    def __init__(self, item: RateLimitItem, retry_after: int):
        super().__init__()
        self.item, self.retry_after = item, retry_after


class Counter:
    """Counts hits in the configured store, or in process while that store is down."""

    def __init__(self, app):
        config = app.config
        self.prefix = config["RATELIMIT_KEY_PREFIX"]
        strategy = strategies.STRATEGIES[config["RATELIMIT_STRATEGY"]]
        self.shared = strategy(storage.storage_from_string(config["RATELIMIT_STORAGE_URI"]))
        self.fallback = (strategy(storage.MemoryStorage())
                         if config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] else None)
        self.swallow_errors = config["RATELIMIT_SWALLOW_ERRORS"]
        self.logger = app.logger
        self._failed_at = None

    def hit(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, int, int]:
        """Count one hit: (allowed, remaining in the window, seconds until it resets)."""
        keys = (self.prefix, *identifiers)
        strategy = self.shared
        if self._failed_at is not None:
            if time.monotonic() - self._failed_at < STORE_RETRY_SECONDS:
                strategy = self.fallback
            else:
                self._failed_at = None
        if strategy is not None:
            try:
                return self._count(strategy, item, keys)
            except Exception as error:
                if strategy is not self.shared:
                    raise
                self._failed_at = time.monotonic()
                self.logger.warning("rate limit store unreachable (%s): %s", error,
                                    "counting in process" if self.fallback else "not counting")
                if self.fallback is not None:
                    return self._count(self.fallback, item, keys)
        if not self.swallow_errors:
            raise RuntimeError("the rate limit store cannot be reached")
        return True, item.amount, 1

    @staticmethod
    def _count(strategy, item: RateLimitItem, keys) -> tuple[bool, int, int]:
        allowed = strategy.hit(item, *keys)
        stats = strategy.get_window_stats(item, *keys)
        return allowed, max(0, stats.remaining), max(1, int(stats.reset_time - time.time()))


def configured_keys(app) -> list[str]:
    keys = app.config["API_KEYS"] or []
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",")]
    return [k for k in keys if k]


def _key_id(key: str) -> str:
    """Counters are indexed by a digest, so the keys themselves are never kept in the store."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _valid_key(given: str, keys: list[str]) -> bool:
    return any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


def client_address() -> str:
    return "addr:" + (request.remote_addr or "unknown")


def _is_api() -> bool:
    return request.path.startswith("/api/v1/") and request.method != "OPTIONS"


def _scope_and_client() -> tuple[str, str] | None:
    """Which limit counts this request, and for whom; None for the requests none counts
    (reading pages, files, ``/healthz``, preflights)."""
    if _is_api():
        if "X-API-Key" in request.headers:
            return "api-key", _key_id(request.headers["X-API-Key"])
        return "api", client_address()
    if request.endpoint in WRITING_ENDPOINTS:
        return "pages", client_address()
    return None


def refuse_unknown_keys():
    """``before_request`` hook, ahead of the limits: a wrong key is 401, never anonymous."""
    if not _is_api():
        return None
    given = request.headers.get("X-API-Key")
    if given is not None and not _valid_key(given, configured_keys(current_app)):
        return problem(401, "Invalid API key",
                       "The X-API-Key header does not hold a key configured on this "
                       "server. Leave the header out to use the anonymous limit.",
                       "invalid-api-key")
    return None


def count_request():
    """``before_request`` hook: one hit of the limit that counts this request, if any; over
    it, :class:`RateLimited` (429)."""
    found = _scope_and_client()
    if found is None:
        return
    scope, client = found
    item = current_app.extensions["rate_limits"].get(scope)
    if item is None:
        return
    allowed, remaining, retry = current_app.extensions["rate_counter"].hit(item, scope, client)
    g.rate_limit = (item, remaining, retry)
    if not allowed:
        raise RateLimited(item, retry)


def too_many_requests(error: TooManyRequests):
    """429 as problem+json under /api, as a page elsewhere; always with ``Retry-After``."""
    retry = getattr(error, "retry_after", None) or 1
    if request.path.startswith("/api/"):
        if isinstance(error, RateLimited):
            detail = (f"This client may make {error.item.amount} API requests per "
                      f"{_period_name(error.item)}. Try again in {retry} seconds, or ask the "
                      "operator for an API key (header X-API-Key) for a higher limit.")
        else:
            detail = error.description
        response = problem(429, "Too many requests", detail, "too-many-requests",
                           retry_after=retry)
    else:
        page_error = TooManyRequests(_(
            "Too many results were asked for from this address. Try again in %(seconds)s "
            "seconds.", seconds=retry))
        response = current_app.make_response(
            (render_template("error.html", error=page_error), 429))
    response.headers["Retry-After"] = str(retry)
    return response


def _period_name(item: RateLimitItem) -> str:
    name = item.GRANULARITY.name
    return name if item.multiples == 1 else f"{item.multiples} {name}s"


def add_rate_limit_headers(response):
    counted = g.get("rate_limit")
    if counted is not None:
        item, remaining, retry = counted
        response.headers["RateLimit-Limit"] = str(item.amount)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(retry)
    return response


def count_for_client(limit_text: str, scope: str) -> tuple[bool, int]:
    """One hit of ``limit_text`` in ``scope`` for this request's client, in the limits' store
    (shared between instances when it is Redis): (allowed, seconds until the window resets)."""
    allowed, _remaining, retry = current_app.extensions["rate_counter"].hit(
        parse(limit_text), scope, client_address())
    return allowed, retry


def _parsed_limits(app) -> dict[str, RateLimitItem]:
    """Each scope's limit, for the scopes whose setting is on; a malformed one is refused at
    start with the setting's name."""
    found = {}
    for scope, name in LIMIT_SETTINGS.items():
        text = app.config[name]
        if not text:
            continue
        try:
            found[scope] = parse(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not of the form '60/minute'") from None
    return found


def init_app(app) -> None:
    # The settings and their defaults: compliance/config.py.
    app.extensions["rate_limits"] = _parsed_limits(app)
    app.extensions["rate_counter"] = Counter(app)
    app.before_request(refuse_unknown_keys)
    app.before_request(count_request)
    # The per-client cap on new manual codes (compliance.results.codes) counts here too.
    app.extensions["client_counter"] = count_for_client
    app.register_error_handler(TooManyRequests, too_many_requests)
    app.after_request(add_rate_limit_headers)
