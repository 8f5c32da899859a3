"""RFC 9457 problem details: the one error format of the JSON API."""

from flask import jsonify

PROBLEM_TYPE_BASE = "/developers#problem-"

#: Every ``type`` a problem+json answer of the API can carry: slug -> (title, when it happens).
PROBLEM_TYPES = {
    "invalid-parameter": (
        "Invalid parameter",
        "A query parameter or a field of the JSON body is missing, malformed, out of range, "
        "unknown or repeated. `param` names it (for JSON bodies as a path such as "
        "`legs[1].origin`) and `detail` says what is wrong."),
    "invalid-json": (
        "Invalid JSON body",
        "The body of a POST is not a single well-formed JSON object (or repeats a key). "
        "`param` is `body`."),
    "unsupported-media-type": (
        "Unsupported media type",
        "A POST body must be sent with `Content-Type: application/json`."),
    "invalid-api-key": (
        "Invalid API key",
        "An `X-API-Key` header was sent but holds no key configured on this server. Leave the "
        "header out to use the anonymous limit."),
    "too-many-requests": (
        "Too many requests",
        "The client went over its rate limit. Wait for the number of seconds in the "
        "`Retry-After` header (also in `retry_after`)."),
    "bad-request": ("Bad request", "The request could not be read at all."),
    "invalid-host": (
        "Invalid Host header",
        "The `Host` header is missing, malformed, or names a host this server does not "
        "answer for (`FLASK_PUBLIC_BASE_URL`). `param` is `Host`."),
    "not-found": ("Not found", "No such API route."),
    "method-not-allowed": ("Method not allowed", "The route exists, but not for this method."),
    "request-entity-too-large": (
        "Request entity too large", "The request body is larger than 64 KiB."),
    "service-unavailable": (
        "Service unavailable", "The database has not been built on this server yet."),
    "internal-server-error": (
        "Internal server error", "A bug on our side; it is logged. Please report it."),
}


def problem(status: int, title: str, detail: str, slug: str, **extra):
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def invalid_parameter(error):
    """400 for a :class:`~compliance.core.params.ParamError`, naming the parameter; ``errors``
    lists every bad parameter found (the first is ``param`` and ``detail``)."""
    errors = getattr(error, "errors", None) or [error]
    return problem(
        400,
        "Invalid parameter",
        f"{error.param}: {error.detail}",
        "invalid-parameter",
        param=error.param,
        errors=[{"param": e.param, "detail": f"{e.param}: {e.detail}"} for e in errors],
        **({"candidates": error.candidates} if getattr(error, "candidates", None) else {}),
    )


def http_problem(error):
    """An HTTP error (a werkzeug ``HTTPException``) as problem+json: what every error under
    ``/api/`` becomes, whatever raised it."""
    slug = (error.name or "error").lower().replace(" ", "-")
    return problem(error.code or 500, error.name, error.description or error.name, slug)
