"""Rate limits, with Flask-Limiter: the JSON API and the pages that write a manual code.

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
be reached the request is let through on an in-process count (and the error logged): a limiter
outage never takes the checker down.
"""

import hashlib
import hmac
import time

from flask import current_app, render_template, request
from flask_limiter import Limit, Limiter, RateLimitExceeded
from limits import parse as parse_limit
from werkzeug.exceptions import TooManyRequests

from compliance.web.i18n import _
from compliance.web.problems import problem

#: Endpoints that issue or open a result and so may write a manual code.
WRITING_ENDPOINTS = frozenset({"traveller.check", "staff.result", "staff.result_card",
                               "embed.check"})


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


def _api_key_client() -> str:
    return _key_id(request.headers.get("X-API-Key", ""))


def _is_api() -> bool:
    return request.path.startswith("/api/v1/") and request.method != "OPTIONS"


def _exempt_unless_anonymous_api() -> bool:
    return not _is_api() or "X-API-Key" in request.headers


def _exempt_unless_keyed_api() -> bool:
    return not _is_api() or "X-API-Key" not in request.headers


def _exempt_unless_writing_page() -> bool:
    return request.endpoint not in WRITING_ENDPOINTS


def _counted_by_no_limit() -> bool:
    return _exempt_unless_writing_page() and not _is_api()


def _setting(name: str):
    return lambda: current_app.config[name] or ""


def refuse_unknown_keys():
    """``before_request`` hook, ahead of the limiter: a wrong key is 401, never anonymous."""
    if not _is_api():
        return None
    given = request.headers.get("X-API-Key")
    if given is not None and not _valid_key(given, configured_keys(current_app)):
        return problem(401, "Invalid API key",
                       "The X-API-Key header does not hold a key configured on this "
                       "server. Leave the header out to use the anonymous limit.",
                       "invalid-api-key")
    return None


def _seconds_until_reset() -> int:
    limit = current_app.extensions["powerbank_limiter"].current_limit
    if limit is None:
        return 1
    return max(1, int(limit.reset_at - time.time()))


def too_many_requests(error: RateLimitExceeded | TooManyRequests):
    """429 as problem+json under /api, as a page elsewhere; always with ``Retry-After``."""
    retry = getattr(error, "retry_after", None) or _seconds_until_reset()
    limit = getattr(error, "limit", None)
    if request.path.startswith("/api/"):
        if limit is not None:
            amount = limit.limit
            detail = (f"This client may make {amount.amount} API requests per "
                      f"{_period_name(amount)}. Try again in {retry} seconds, or ask the "
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


def _period_name(item) -> str:
    name = item.GRANULARITY.name
    return name if item.multiples == 1 else f"{item.multiples} {name}s"


def add_rate_limit_headers(response):
    limiter = current_app.extensions["powerbank_limiter"]
    try:
        limit = limiter.current_limit
    except Exception:  # the store went away between the check and here: no headers
        limit = None
    if limit is not None:
        response.headers["RateLimit-Limit"] = str(limit.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, limit.remaining))
        response.headers["RateLimit-Reset"] = str(max(1, int(limit.reset_at - time.time())))
    return response


def hit_with_retry(limit_text: str, *identifiers: str) -> tuple[bool, int]:
    """Count one hit of ``limit_text`` for ``identifiers`` in the limiter's store (shared
    between instances when it is Redis): (allowed, seconds until the window resets)."""
    strategy = current_app.extensions["powerbank_limiter"].limiter
    item = parse_limit(limit_text)
    allowed = strategy.hit(item, *identifiers)
    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
    return allowed, max(1, int(reset_at - time.time()))


def count_for_client(limit_text: str, scope: str) -> tuple[bool, int]:
    """One hit of ``limit_text`` in ``scope`` for this request's client: (allowed, retry)."""
    return hit_with_retry(limit_text, scope, client_address())


def init_app(app) -> None:
    # The settings and their defaults: compliance/config.py.
    for name in ("API_RATE_LIMIT", "API_KEY_RATE_LIMIT", "PAGE_RATE_LIMIT"):
        if app.config[name]:
            try:
                parse_limit(app.config[name])
            except ValueError:
                raise ValueError(f"{name}={app.config[name]!r} is not of the form "
                                 "'60/minute'") from None
    app.before_request(refuse_unknown_keys)
    limiter = Limiter(
        client_address,
        app=app,
        default_limits=[
            Limit(_setting("API_RATE_LIMIT"), key_function=client_address, scope="api",
                  shared=True, exempt_when=_exempt_unless_anonymous_api),
            Limit(_setting("API_KEY_RATE_LIMIT"), key_function=_api_key_client,
                  scope="api-key", shared=True, exempt_when=_exempt_unless_keyed_api),
            Limit(_setting("PAGE_RATE_LIMIT"), key_function=client_address, scope="pages",
                  shared=True, exempt_when=_exempt_unless_writing_page),
        ],
        headers_enabled=False,
    )
    # Requests that no limit counts (reading pages, files, /healthz) skip the limiter's
    # per-request work (resolving and testing the three limits: about 0.06 ms) at once.
    limiter.request_filter(_counted_by_no_limit)
    app.extensions["powerbank_limiter"] = limiter
    # The per-client cap on new manual codes (compliance.results.codes) counts here too.
    app.extensions["client_counter"] = count_for_client
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(TooManyRequests, too_many_requests)
    app.after_request(add_rate_limit_headers)
