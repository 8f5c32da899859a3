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
import json
from functools import wraps

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
    """Flask's JSON provider with the encoder of its compact responses built once.

    ``jsonify`` calls ``json.dumps`` with keyword arguments, which builds a new encoder for
    every answer; this keeps one per setting and gives the same text (same separators,
    ``ensure_ascii``, ``sort_keys`` and ``default``), with Flask's own path for the indented
    debug output. The core's messages become text in the reader's language here, as the
    answer is written (:mod:`compliance.core.messages`)."""

    default = staticmethod(_default)

    def response(self, *args, **kwargs):
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(f"{self._compact_encoder().encode(obj)}\n",
                                        mimetype=self.mimetype)

    def _compact_encoder(self) -> json.JSONEncoder:
        settings = (self.ensure_ascii, self.sort_keys, self.default)
        cached = self.__dict__.get("_encoder")
        if cached is None or cached[0] != settings:
            encoder = json.JSONEncoder(ensure_ascii=self.ensure_ascii, sort_keys=self.sort_keys,
                                       separators=(",", ":"), default=self.default)
            cached = self._encoder = (settings, encoder)
        return cached[1]


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
