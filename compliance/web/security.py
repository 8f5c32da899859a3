"""Security headers on every response, in one place.

A strict Content-Security-Policy (no inline scripts, nothing from other origins) and, against
clickjacking, ``frame-ancestors 'none'`` on every page except views marked :func:`embeddable`,
which may be framed by the origins in ``EMBED_FRAME_ANCESTORS`` (default: any).

Strict-Transport-Security is only sent over HTTPS. Behind a reverse proxy that terminates TLS,
set ``TRUSTED_PROXY_HOPS`` (environment ``FLASK_TRUSTED_PROXY_HOPS``) to the number of proxies
in front of the app, so that their ``X-Forwarded-Proto``/``-Host``/``-For`` headers are believed;
the default 0 believes none, because a client talking to the app directly could forge them.
gunicorn.conf.py reads the same variable, so that gunicorn itself believes ``X-Forwarded-Proto``
only when the app does.

Hosts: the app answers only for the hosts in Flask's ``TRUSTED_HOSTS``. Unless set explicitly
(environment ``FLASK_TRUSTED_HOSTS``, a JSON list), it is the host of ``PUBLIC_BASE_URL``; with
neither set, outside debug and testing, only the loopback names (``localhost``, ``127.0.0.1``,
``::1``), so a forged ``Host`` can never reach a result URL, a QR code or a redirect. Any other
Host, and a Host that is not a valid host name at all, is answered 400.

Every 405 carries ``Allow`` (the error page replaces Werkzeug's response, and with it the
header Werkzeug would have set).
"""

import logging
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from flask import Response, current_app, g, request
from werkzeug.exceptions import MethodNotAllowed, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"]

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def embeddable(view):
    """Allow this view to be shown in another site's iframe."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.frame_ancestors = current_app.config["EMBED_FRAME_ANCESTORS"]
        return view(*args, **kwargs)

    return wrapper


@lru_cache(maxsize=8)
def _policy_text(frame_ancestors: str) -> str:
    policy = {**BASE_POLICY, "frame-ancestors": frame_ancestors}
    return "; ".join(f"{key} {value}" for key, value in policy.items())


def content_security_policy() -> str:
    return _policy_text(g.get("frame_ancestors", "'none'"))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.status_code == 405 and "Allow" not in headers:
        error = request.routing_exception
        methods = getattr(error, "valid_methods", None) if isinstance(
            error, MethodNotAllowed) else None
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return response


def refuse_bad_host():
    """``before_request`` hook, first of all: a Host this site does not answer for is 400,
    in plain text (no page, since every link on a page is built from the host)."""
    error = request.routing_exception
    if isinstance(error, SecurityError):
        return _bad_host("This site does not answer for that host name.")
    try:
        host = request.host
    except SecurityError:
        return _bad_host("This site does not answer for that host name.")
    if not host:
        return _bad_host("The Host header is missing or is not a valid host name.")
    return None


def _bad_host(detail: str) -> Response:
    if request.path.startswith("/api/"):
        from .problems import problem

        return problem(400, "Invalid Host header", f"Host: {detail}", "invalid-host",
                       param="Host")
    return Response(f"400 Bad Request\n\nHost: {detail}\n", status=400,
                    mimetype="text/plain")


def trusted_hosts(app) -> list[str] | None:
    """``TRUSTED_HOSTS`` as configured, else from ``PUBLIC_BASE_URL``, else loopback only
    (outside debug and testing, where it stays unset: any valid host)."""
    configured = app.config.get("TRUSTED_HOSTS")
    if isinstance(configured, str):
        configured = [h.strip() for h in configured.split(",") if h.strip()]
    if configured:
        return list(configured)
    base = app.config.get("PUBLIC_BASE_URL")
    if base:
        host = urlsplit(base).hostname
        if not host:
            raise ValueError(f"PUBLIC_BASE_URL={base!r} has no host name")
        return [host]
    if app.debug or app.testing:
        return None
    logging.getLogger(__name__).warning(
        "FLASK_PUBLIC_BASE_URL is not set: answering only for localhost. Set it to the "
        "public address (https://check.example.org) to serve other hosts.")
    return list(LOOPBACK_HOSTS)


def init_app(app) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app)
    hops = int(app.config["TRUSTED_PROXY_HOPS"] or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_bad_host)
    app.after_request(add_security_headers)
