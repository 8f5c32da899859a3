"""What gate staff use: manual codes at /v, the scanning screen at /scan with its offline
files, and the printable result card (the staff view's data: :mod:`compliance.verification`).

Nothing here decides a verdict: the result is re-evaluated by
:func:`compliance.results.verify`, which calls the engine. This module only arranges the
answer for someone who must act on it in seconds at a gate.
"""

import sqlite3
from datetime import timedelta
from urllib.parse import urlsplit

import click
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
from flask.cli import with_appcontext

from compliance.core.identify import offline_tables, recall_status_of
from compliance.core.normalize import lookalike_pairs
from compliance.data.db import get_dataset
from compliance.results import (
    codes,
    public_base_url,
    qr,
    result_url,
    secrets,
    tokens,
    utcnow,
    verify,
)
from compliance.results.verification import (
    matches_by_place,
    serial_to_check,
    verification_fields,
)
from compliance.web.i18n import _
from compliance.web.templating import root_script

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
        token = codes.resolve(code, secrets())
    except sqlite3.Error as error:
        current_app.logger.error("manual code store unavailable: %s", error)
        abort(503, _("Manual codes cannot be looked up right now: scan the QR code instead."))
    if token is None:
        return render_template("staff/code_unknown.html", code=code, typed=typed[:40],
                               data=get_dataset()), 404
    return redirect(url_for("web.result", token=token), code=303)


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


# --- The printable card -----------------------------------------------------------------------


@bp.get("/r/<token>/card")
@bp.get("/R/<token>/card")
def result_card(token: str):
    """QR, verdict, device, issue date, manual code and host on one A6 card or phone screen."""
    try:
        verification = verify(token)
    except tokens.InvalidToken as error:
        return render_template("invalid_token.html", reason=str(error),
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


@click.command("prune-codes")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep codes recorded in the last DAYS days (default: twice "
                   "RESULT_MAX_AGE_DAYS).")
@with_appcontext
def prune_codes_command(days):
    """Forget manual codes of old results (their QR codes still verify)."""
    days = 2 * current_app.config["RESULT_MAX_AGE_DAYS"] if days is None else days
    removed = codes.store().prune(utcnow() - timedelta(days=days))
    click.echo(f"Removed {removed} manual code(s) recorded more than {days} days ago.")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(prune_codes_command)
    app.jinja_env.globals.update(matches_by_place=matches_by_place,
                                 serial_to_check=serial_to_check)
    app.jinja_env.filters["host"] = lambda url: urlsplit(url or "").netloc
