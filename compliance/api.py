"""The JSON API, version 1. Fields may be added; none is ever renamed or removed."""

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from .db import get_dataset
from .params import CHECK_PARAMS, ParamError, single_values
from .problems import invalid_parameter, problem
from .results import api_fields, run_check

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/v1/check")
def check():
    """Check one power bank against one trip."""
    try:
        values = single_values(request.args, CHECK_PARAMS)
        result = run_check(values)
    except ParamError as error:
        return invalid_parameter(error)
    return jsonify(api_fields(result))


def healthz():
    return jsonify({"status": "ok", "data_version": get_dataset().version})


def api_error(error: HTTPException):
    """Errors under /api are problem+json, whatever raised them."""
    slug = (error.name or "error").lower().replace(" ", "-")
    return problem(error.code or 500, error.name, error.description or error.name, slug)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz)
