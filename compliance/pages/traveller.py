"""Server-rendered pages: the check form, the result, and the page a result QR code opens."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException, InternalServerError

from compliance.core.params import CHECK_PARAMS, ParamError, single_values
from compliance.data.db import get_dataset
from compliance.results import (
    qr,
    reevaluate,
    result_url,
    secrets,
    staleness,
    tokens,
    utcnow,
)
from compliance.results.tokens import InvalidToken
from compliance.results.verification import manual_code_of, verification_fields
from compliance.web import templating
from compliance.web.i18n import _
from compliance.web.pagecache import PageCache
from compliance.web.problems import http_problem

#: Rendered result pages of this process, for repeat views of the same code.
_result_pages = PageCache()

bp = Blueprint("web", __name__)

PAGE_PARAMS = CHECK_PARAMS + templating.EXTRA_LEG_PARAMS + ("lang",)


@bp.get("/")
def index():
    values = templating.form_values(request.args)
    return render_template("index.html", values=values, error=None, data=get_dataset())


@bp.get("/check")
def check():
    """The verdict for the form's input, with a QR code of the signed result."""
    data = get_dataset()
    try:
        values = single_values(request.args, PAGE_PARAMS)
        values.pop("lang", None)
        result = templating.run_itinerary_check(values)
    except ParamError as error:
        values = templating.form_values(request.args)
        return render_template("index.html", values=values, error=error, data=data), 400
    return render_template(
        "check.html",
        answer=result.answer,
        token=result.token,
        result_url=result.result_url,
        qr_svg=qr.svg(result.result_url, _("QR code of this result")),
        qr_info=qr.info(result.result_url),
        code=manual_code_of(result.token),
        issued_at=result.issued_at,
        data=data,
    )


def _verified_url(token: str) -> str:
    """The URL a result's QR code carries, once the token's signature is checked. A QR image
    shows no verdict, so the claim is not re-evaluated against today's data."""
    try:
        tokens.verify(token, secrets())
    except InvalidToken:
        abort(400, _("This result code cannot be verified."))
    return result_url(token.upper())


@bp.get("/r/<token>")
@bp.get("/R/<token>")
def result(token: str):
    """The result a QR code opens: the claim re-checked against today's data."""
    try:
        claim = tokens.verify(token, secrets())
    except InvalidToken as error:
        return render_template("invalid_token.html", reason=str(error),
                               data=get_dataset()), 400
    data = get_dataset()
    now = utcnow()
    age, stale = staleness(claim, now)
    key = (token.upper(), data.version, str(get_locale()), request.host_url,
           age.days if stale else None, now.date())
    page = _result_pages.get(key)
    if page is None:
        verification = reevaluate(claim, token, now)
        url = result_url(verification.token)
        page = render_template(
            "result.html",
            v=verification,
            answer=verification.answer,
            result_url=url,
            qr_svg=qr.svg(url, _("QR code of this result")),
            code=manual_code_of(verification.token),
            staff=verification_fields(verification),
            data=data,
        )
        _result_pages.put(key, page)
    return page


@bp.get("/r/<token>/qr.svg")
@bp.get("/R/<token>/qr.svg")
def result_qr_svg(token: str):
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + qr.svg(_verified_url(token))
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = 'inline; filename="powerbank-result.svg"'
    return response


@bp.get("/r/<token>/qr.png")
@bp.get("/R/<token>/qr.png")
def result_qr_png(token: str):
    response = Response(qr.png(_verified_url(token)), mimetype="image/png")
    response.headers["Content-Disposition"] = 'inline; filename="powerbank-result.png"'
    return response


def handle_http_error(error: HTTPException):
    if request.path.startswith("/api/"):
        return http_problem(error)
    return render_template("error.html", error=error), error.code


def handle_unexpected(error: Exception):
    """Last resort: log it, answer 500 without a traceback."""
    current_app.logger.exception("unhandled error on %s", request.path)
    return handle_http_error(InternalServerError())


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
