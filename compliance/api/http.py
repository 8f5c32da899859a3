"""HTTP manners of the public API: CORS for other sites' pages, and caching per data version.

CORS: everything under ``/api/v1/`` and ``/api/openapi.json`` is open to any origin
(``Access-Control-Allow-Origin: *``). No endpoint reads cookies or keeps state, so allowing every
origin exposes nothing a server-side client could not fetch anyway; credentials are never
allowed. Preflight (``OPTIONS``) is answered for every API route.

Caching: read-only answers depend only on the data version and the request, so their ``ETag``
is a digest of exactly that; a client or CDN revalidates with ``If-None-Match`` and gets ``304``
until the data is rebuilt. Check answers are ``no-store`` (see :data:`NO_STORE`).
"""

import hashlib
from functools import wraps

import orjson
from flask import Response, request
from flask.json.provider import DefaultJSONProvider

from compliance.core.messages import Joined, Message

#: Read-only lists: fresh for 5 minutes, then revalidated (a 304 costs almost nothing).
LIST_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60"
#: Check answers carry a freshly signed result URL and its issue time, and the travel date
#: defaults to today: a cached copy would hand out an old issue time and a stale default date.
NO_STORE = "no-store"

CORS_PATHS = ("/api/v1/", "/api/openapi.json")
CORS_ALLOW_METHODS = "GET, POST, OPTIONS"
CORS_ALLOW_HEADERS = "Content-Type, Authorization, X-API-Key"
CORS_MAX_AGE = "86400"
CORS_EXPOSE_HEADERS = ("ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
                       "RateLimit-Reset")


def add_cors_headers(response):
    """``after_request`` hook, also applied to error answers so scripts can read the problem."""
    if not request.path.startswith(CORS_PATHS):
        return response
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = CORS_ALLOW_METHODS
        headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def request_etag(version: str) -> str:
    """A digest of the data version, the path and the query, order of parameters ignored."""
    query = sorted(request.args.items(multi=True))
    digest = hashlib.sha256(repr((version, request.path, query)).encode()).hexdigest()
    return digest[:32]


def cached_per_data_version(version_of):
    """Mark a GET view's successful answers cacheable, with a weak ETag of the data version
    (``version_of()``) and the request, answering ``304`` when ``If-None-Match`` matches."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            etag = request_etag(version_of())
            if (not request.if_none_match.star_tag
                    and request.if_none_match.contains_weak(etag)):
                # Same request, same data: the answer the client holds is still the answer,
                # so skip computing it (only a 200 ever carried this ETag).
                response = Response(status=304)
            else:
                response = view(*args, **kwargs)
                if response.status_code != 200:
                    return response
                if request.if_none_match.star_tag:
                    # "*" matches any current answer, and only a 200 is one: a request that
                    # would be 400 is answered 400, whatever the client holds.
                    response = Response(status=304)
            response.set_etag(etag, weak=True)
            response.headers["Cache-Control"] = LIST_CACHE_CONTROL
            return response

        return wrapper

    return decorate


def not_stored(view):
    """Mark a view's answers, whatever their status, as never to be stored by any cache."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        response.headers["Cache-Control"] = NO_STORE
        return response

    return wrapper


def _default(value):
    """Flask's JSON conversions, and the core's messages as text in the reader's language."""
    if isinstance(value, (Message, Joined)):
        return str(value)
    return DefaultJSONProvider.default(value)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with the compact responses (every API answer) written by
    `orjson <https://github.com/ijl/orjson>`_, a C encoder about ten times as fast as the
    standard library's for answers of this shape (``./run bench`` shows the API's cost).

    What stays as Flask does it: key order (``sort_keys``), and through :func:`_default` the
    conversions of dates (HTTP dates), dataclasses and UUIDs, which orjson is told to pass on
    rather than write its own way. The core's messages become text in the reader's language
    there too, as the answer is written (:mod:`compliance.core.messages`). One difference:
    text outside ASCII is written as UTF-8, not as ``\\u`` escapes (the same JSON, shorter for
    CJK answers). ``dumps``/``loads`` and the indented debug output stay Flask's."""

    default = staticmethod(_default)

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        options = _ORJSON_OPTIONS | (orjson.OPT_SORT_KEYS if self.sort_keys else 0)
        return self._app.response_class(orjson.dumps(obj, default=self.default, option=options),
                                        mimetype=self.mimetype)


#: A final newline as Flask writes; keys that are not strings turned into strings as the
#: standard library does; dates and dataclasses handed to :func:`_default`.
_ORJSON_OPTIONS = (orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
                   | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)


def install_json_provider(app) -> None:
    """Swap in :class:`JSONProvider`, keeping the settings already made on ``app.json``."""
    if type(app.json) is not DefaultJSONProvider:
        return
    provider = JSONProvider(app)
    for name in ("ensure_ascii", "sort_keys", "compact", "mimetype"):
        setattr(provider, name, getattr(app.json, name))
    app.json = provider


def init_app(app) -> None:
    install_json_provider(app)
    app.after_request(add_cors_headers)
