"""The app-wide error handlers: an HTML page, or problem+json under /api/; never a traceback."""

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .problems import http_problem


def handle_http_error(error: HTTPException):
    if request.path.startswith("/api/"):
        return http_problem(error)
    return render_template("error.html", error=error), error.code


def handle_unexpected(error: Exception):
    """Last resort: log it, answer 500 without a traceback."""
    current_app.logger.exception("unhandled error on %s", request.path)
    return handle_http_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
