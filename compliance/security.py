"""Security headers on every response, in one place.

A strict Content-Security-Policy (no inline scripts, nothing from other origins) and, against
clickjacking, ``frame-ancestors 'none'`` on every page except views marked :func:`embeddable`,
which may be framed by the origins in ``EMBED_FRAME_ANCESTORS`` (default: any).

Strict-Transport-Security is only sent over HTTPS. Behind a reverse proxy that terminates TLS,
set ``TRUSTED_PROXY_HOPS`` (environment ``FLASK_TRUSTED_PROXY_HOPS``) to the number of proxies
in front of the app, so that their ``X-Forwarded-Proto``/``-Host``/``-For`` headers are believed;
the default 0 believes none, because a client talking to the app directly could forge them.
"""

from functools import lru_cache, wraps

from flask import current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

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
    return response


def init_app(app) -> None:
    app.config.setdefault("EMBED_FRAME_ANCESTORS", "*")
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.after_request(add_security_headers)
