"""What gate staff use: the page a result QR code opens (/r/<token>, with the code as SVG and
PNG), manual codes at /v, the scanning screen at /scan with its offline files, and the
printable result card (the staff view's data: :mod:`compliance.results.verification`).

Nothing here decides a verdict: the result is re-evaluated by
:func:`compliance.results.verify`, which calls the engine. This module only arranges the
answer for someone who must act on it in seconds at a gate.
"""

import sqlite3
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale

from compliance.core.identify import offline_tables, recall_status_of
from compliance.core.normalize import lookalike_pairs
from compliance.data.db import get_dataset
from compliance.results import (
    codes,
    public_base_url,
    qr,
    reevaluate,
    result_url,
    signing_keys,
    staleness,
    tokens,
    utcnow,
    verify,
)
from compliance.results.tokens import InvalidToken
from compliance.results.verification import (
    manual_code_of,
    matches_by_place,
    serial_to_check,
    verification_fields,
)
from compliance.web.i18n import _
from compliance.web.pagecache import PageCache
from compliance.web.templating import root_script

#: Rendered result pages of this process, for repeat views of the same code.
_result_pages = PageCache()

bp = Blueprint("staff", __name__)


# --- Manual codes -----------------------------------------------------------------------------


@bp.get("/v")
def manual_code_lookup():
    """Staff type the code printed under a QR code when the camera fails."""
    typed = request.args.get("code")
    if typed is None:
        return render_template("staff/code.html", typed="", error=None, data=get_dataset())
    try:
        code = codes.parse_code(typed)
    except codes.MalformedCode as error:
        return render_template("staff/code.html", typed=typed[:40], error=str(error),
                               data=get_dataset()), 400
    try:
        token = codes.resolve(code, signing_keys())
    except sqlite3.Error as error:
        current_app.logger.error("manual code store unavailable: %s", error)
        abort(503, _("Manual codes cannot be looked up right now: scan the QR code instead."))
    if token is None:
        return render_template("staff/code_unknown.html", code=code, typed=typed[:40],
                               data=get_dataset()), 404
    return redirect(url_for("staff.result", token=token), code=303)


# --- The scanning screen and its offline files -------------------------------------------------


@bp.get("/scan")
def scan():
    """Camera scanning of result QR codes and a one-step manual lookup, for the gate."""
    hosts = {request.host.lower(), urlsplit(public_base_url()).netloc.lower()}
    return render_template("staff/scan.html", result_hosts=" ".join(sorted(hosts)),
                           data=get_dataset())


@bp.get("/scan/recalls.json")
def recall_list():
    """Every recalled model in a compact form, cached by the service worker so that a model
    can be looked up on the recall list without a connection."""
    data = get_dataset()
    entries = []
    for recall in data.recalls:
        status = recall_status_of([recall])
        entries.append({
            "models": recall["models"],
            "brand": recall["brand"],
            "product": recall["product"],
            "status": status,
            "scope_detail": recall["scope_detail"],
            "agency": recall["agency"],
            "date": recall["date"],
            "source_url": recall["source_url"],
        })
    position = {recall["recall_id"]: i for i, recall in enumerate(data.recalls)}
    by_model_key = {}
    for table in (data.recalls_by_model, data.recall_aliases):
        for key, recalls in table.items():
            by_model_key.setdefault(key, set()).update(position[r["recall_id"]] for r in recalls)
    return _offline_json({
        "data_version": data.version,
        "generated_at": utcnow().isoformat(),
        "brands": sorted(data.brands),
        "recalls": entries,
        "by_model_key": {key: sorted(found) for key, found in by_model_key.items()},
        "identify": offline_tables(data.names, data.recalls),
        "lookalikes": lookalike_pairs(),
    })


def _offline_json(body: dict) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so its scope can cover /scan."""
    return root_script("sw.js", "no-cache")


# --- The page a result QR code opens, and its QR images ----------------------------------


def _verified_url(token: str) -> str:
    """The URL a result's QR code carries, once the token's signature is checked. A QR image
    shows no verdict, so the claim is not re-evaluated against today's data."""
    try:
        tokens.verify(token, signing_keys())
    except InvalidToken:
        abort(400, _("This result code cannot be verified."))
    return result_url(token.upper())


@bp.get("/r/<token>")
@bp.get("/R/<token>")
def result(token: str):
    """The result a QR code opens: the claim re-checked against today's data."""
    try:
        claim = tokens.verify(token, signing_keys())
    except InvalidToken as error:
        return render_template("staff/invalid_token.html", reason=str(error),
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
            "staff/result.html",
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


# --- The printable card -----------------------------------------------------------------------


@bp.get("/r/<token>/card")
@bp.get("/R/<token>/card")
def result_card(token: str):
    """QR, verdict, device, issue date, manual code and host on one A6 card or phone screen."""
    try:
        verification = verify(token)
    except tokens.InvalidToken as error:
        return render_template("staff/invalid_token.html", reason=str(error),
                               data=get_dataset()), 400
    url = result_url(verification.token)
    return render_template(
        "staff/card.html",
        v=verification,
        answer=verification.answer,
        fields=verification_fields(verification),
        qr_svg=qr.svg(url, _("QR code of this result")),
        qr_info=qr.info(url),
        host=urlsplit(public_base_url()).netloc.lower(),
        data=get_dataset(),
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(matches_by_place=matches_by_place,
                                 serial_to_check=serial_to_check)
    app.jinja_env.filters["host"] = lambda url: urlsplit(url or "").netloc
