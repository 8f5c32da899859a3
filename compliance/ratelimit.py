"""Rate limiting of the public API: a fixed-window counter per client, kept in memory.

Limits are written ``"<count>/<period>"`` (``"60/minute"``, ``"1000/hour"``, ``"5/second"``).

- ``API_RATE_LIMIT`` applies per client address (``request.remote_addr``; behind a reverse
  proxy, set ``TRUSTED_PROXY_HOPS`` so that it is the client's, not the proxy's). Default
  ``"300/minute"``; off by default when ``app.testing`` is true, because the test suite sends
  hundreds of requests from one address (tests switch it on explicitly).
- ``API_KEY_RATE_LIMIT`` applies per key to requests carrying a valid ``X-API-Key`` header.
  Keys come from ``API_KEYS`` (environment ``FLASK_API_KEYS``, a JSON list); there are none in
  the repository. A key that is not configured is refused with 401 rather than silently counted
  as anonymous, so a typo in a key shows at once.

The counts live in the process: with several workers or instances each one counts on its own,
so the effective limit is the configured one times the number of processes. That keeps the app
stateless over its read-only database; put a shared limiter in the proxy if that matters.
"""

import hashlib
import hmac
import math
import re
import threading
import time
from dataclasses import dataclass

from flask import current_app, g, request

from .problems import problem

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d{1,9})\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Limit:
    count: int
    period: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        match = _LIMIT.match(text or "")
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"rate limit {text!r} is not of the form '60/minute'")
        return cls(int(match.group(1)), PERIODS[match.group(2)])


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int


class FixedWindowCounter:
    """Counts hits per client in the current window of ``period`` seconds.

    All clients share the same window boundaries, so rolling over to a new window simply drops
    every count: memory is bounded by the number of clients seen within one window.
    """

    def __init__(self, limit: Limit, clock=time.monotonic):
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._window = None
        self._counts: dict[str, int] = {}

    def hit(self, client: str) -> Decision:
        now = self._clock()
        window = int(now // self.limit.period)
        reset_after = max(1, math.ceil((window + 1) * self.limit.period - now))
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts.get(client, 0)
            if count >= self.limit.count:
                return Decision(False, self.limit.count, 0, reset_after)
            self._counts[client] = count + 1
        return Decision(True, self.limit.count, self.limit.count - count - 1, reset_after)


def configured_keys(app) -> list[str]:
    keys = app.config.get("API_KEYS") or []
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",")]
    return [k for k in keys if k]


def _key_id(key: str) -> str:
    """Counters are indexed by a digest, so the keys themselves are not kept twice in memory."""
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _valid_key(given: str, keys: list[str]) -> bool:
    return any(hmac.compare_digest(given.encode(), key.encode()) for key in keys)


def limit_api_request():
    """``before_request`` hook: count the request and refuse it with 429 over the limit."""
    if not request.path.startswith("/api/v1/") or request.method == "OPTIONS":
        return None
    limiters = current_app.extensions["api_rate_limiters"]
    given = request.headers.get("X-API-Key")
    if given is not None:
        if not _valid_key(given, configured_keys(current_app)):
            return problem(401, "Invalid API key",
                           "The X-API-Key header does not hold a key configured on this "
                           "server. Leave the header out to use the anonymous limit.",
                           "invalid-api-key")
        limiter, client = limiters["key"], _key_id(given)
    else:
        limiter, client = limiters["address"], "addr:" + (request.remote_addr or "unknown")
    if limiter is None:
        return None
    decision = limiter.hit(client)
    g.rate_limit_decision = decision
    if decision.allowed:
        return None
    response = problem(
        429, "Too many requests",
        f"This client may make {decision.limit} API requests per "
        f"{_period_name(limiter.limit.period)}. Try again in {decision.reset_after} seconds, or "
        "ask the operator for an API key (header X-API-Key) for a higher limit.",
        "too-many-requests",
        retry_after=decision.reset_after,
    )
    response.headers["Retry-After"] = str(decision.reset_after)
    return response


def add_rate_limit_headers(response):
    decision = g.get("rate_limit_decision")
    if decision is not None:
        response.headers["RateLimit-Limit"] = str(decision.limit)
        response.headers["RateLimit-Remaining"] = str(decision.remaining)
        response.headers["RateLimit-Reset"] = str(decision.reset_after)
    return response


def _period_name(seconds: int) -> str:
    return next(name for name, length in PERIODS.items() if length == seconds)


def _limiter(text: str | None) -> FixedWindowCounter | None:
    return FixedWindowCounter(Limit.parse(text)) if text else None


def init_app(app) -> None:
    app.config.setdefault("API_RATE_LIMIT", None if app.testing else "300/minute")
    app.config.setdefault("API_KEY_RATE_LIMIT", None if app.testing else "3000/minute")
    app.config.setdefault("API_KEYS", [])
    app.extensions["api_rate_limiters"] = {
        "address": _limiter(app.config["API_RATE_LIMIT"]),
        "key": _limiter(app.config["API_KEY_RATE_LIMIT"]),
    }
    app.before_request(limit_api_request)
    app.after_request(add_rate_limit_headers)
