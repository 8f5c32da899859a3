"""RFC 9457 problem details: the one error format of the JSON API."""

from flask import jsonify

PROBLEM_TYPE_BASE = "/developers#problem-"


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
