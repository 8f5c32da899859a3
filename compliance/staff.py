"""What gate staff use: the verification of a result (page data and JSON), manual codes at /v,
the scanning screen at /scan with its offline files, and the printable result card.

Nothing here decides a verdict: the result is re-evaluated by
:func:`compliance.results.verify`, which calls the engine. This module only arranges the
answer for someone who must act on it in seconds at a gate.
"""

import sqlite3
from datetime import datetime, timedelta
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

from . import codes, qr, tokens
from .api_http import not_stored
from .capacity import WhSource
from .db import get_dataset
from .engine import Answer
from .i18n import _
from .identify import offline_tables, recall_status_of
from .normalize import lookalike_pairs
from .problems import problem
from .results import Verification, public_base_url, result_url, secrets, utcnow, verify
from .traveller import root_script
from .vocabulary import DEFAULT_CELL_VOLTAGE, Condition, RecallScope, RecallStatus

bp = Blueprint("staff", __name__)


# --- The verification, arranged for staff ----------------------------------------------------


def _all_answers(answer: Answer) -> list[Answer]:
    return [answer, *(answer.legs or [])]


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def route_countries(answer: Answer) -> set[str]:
    """The countries the trip touches (every flight's origin and destination)."""
    countries = set()
    for a in answer.legs or [answer]:
        for key in ("origin_country", "destination_country"):
            if a.trip.get(key):
                countries.add(a.trip[key])
    return countries


def _jurisdictions(match: dict) -> set[str]:
    return {part.strip() for part in (match.get("jurisdiction") or "").split(",") if part.strip()}


def matches_by_place(answer: Answer) -> dict:
    """The recall matches that concern this trip first: those issued in a country of the route
    (or worldwide by the maker), then the others, which pages fold away. When none concerns
    the trip, all are shown, those with a place to check the unit first.
    ``{"near": [...], "elsewhere": [...]}``."""
    matches, seen = [], set()
    for a in _all_answers(answer):
        for m in a.recall["matches"]:
            if m["recall_id"] not in seen:
                seen.add(m["recall_id"])
                matches.append(m)
    places = route_countries(answer) | {"GLOBAL"}
    near = [m for m in matches if _jurisdictions(m) & places]
    elsewhere = [m for m in matches if not _jurisdictions(m) & places]
    if not near:
        near, elsewhere = sorted(elsewhere, key=lambda m: not m.get("remedy_url")), []
    return {"near": near, "elsewhere": elsewhere}


def serial_to_check(answer: Answer) -> dict | None:
    """For a "some units recalled" answer: the recall whose checker the traveller or staff
    should use (the nearest with a checker link, else the nearest), and whether a serial typed
    here settles it (the recall publishes exact serial patterns)."""
    placed = matches_by_place(answer)
    scoped = [m for m in placed["near"] + placed["elsewhere"]
              if m["scope"] != RecallScope.MODEL.value and m.get("status", "check_serial")
              == RecallStatus.CHECK_SERIAL.value]
    if not scoped:
        return None
    with_link = [m for m in scoped if m.get("remedy_url")]
    primary = (with_link or scoped)[0]
    return {"match": primary, "url": primary.get("remedy_url") or primary["source_url"],
            "has_checker": bool(primary.get("remedy_url")),
            "serial_checkable": any(m.get("serial_checkable") for m in scoped)}


def _state(answer: Answer) -> str:
    if (answer.verdict.value == "need_more_info"
            and answer.recall["status"] == RecallStatus.CHECK_SERIAL.value):
        return "check_serial"
    return answer.verdict.value


def decision(answer: Answer) -> dict:
    """What staff do, in one line, before the checklist: ``{"code", "text"}``.
    Codes: ``refuse_recalled``, ``refuse``, ``check_model``, ``check_serial``,
    ``ask_approval``, ``accept_if_label``, ``accept_if_ccc``, ``new_check``."""
    verdict = answer.verdict.value
    statuses = {a.recall["status"] for a in _all_answers(answer)}
    if verdict == "forbidden" and RecallStatus.RECALLED.value in statuses:
        return {"code": "refuse_recalled", "text": _("Refuse: recalled model")}
    if verdict == "forbidden" and RecallStatus.WARNING.value in statuses:
        return {"code": "refuse_recalled", "text": _(
            "Refuse: a safety agency says to stop using this model")}
    if verdict == "forbidden":
        return {"code": "refuse", "text": _("Refuse: %(reason)s", reason=deciding_reason(answer))}
    possible = [m for a in _all_answers(answer) for m in a.recall["matches"]
                if m["status"] == RecallStatus.POSSIBLE_MATCH.value]
    if possible:
        models = list(dict.fromkeys(model for m in possible for model in m["models"]))
        return {"code": "check_model", "text": _(
            "Check the model number on the label: refuse if it is a recalled one (%(models)s)",
            models=", ".join(models[:12]))}
    if _state(answer) == "check_serial" or any(
            a.recall["status"] == RecallStatus.CHECK_SERIAL.value for a in _all_answers(answer)
            if a.verdict.value == "need_more_info"):
        return {"code": "check_serial", "text": _(
            "Check the serial: accept only if the maker's checker shows this unit is not "
            "recalled")}
    if verdict == "approval_required":
        return {"code": "ask_approval", "text": _(
            "Ask for approval from the airline: accept only with it")}
    if verdict == "need_more_info":
        missing = {m for a in _all_answers(answer) for m in a.missing}
        if missing == {"ccc"}:
            return {"code": "accept_if_ccc", "text": _(
                "Accept if the label shows a clear CCC (3C) mark; refuse without it")}
        return {"code": "new_check", "text": _(
            "Read the capacity on the label and run a new check before accepting")}
    wanted = ("model", "capacity", "ccc") if answer.device["model"] else ("capacity", "ccc")
    shows = [c["text"] for c in label_checks(answer) if c["code"] in wanted]
    return {"code": "accept_if_label", "text": _(
        "Accept if the label shows: %(items)s", items="; ".join(shows))}


def label_checks(answer: Answer) -> list[dict]:
    """What staff compare on the power bank's label: the claim is only as good as the label
    that backs it. Each item is ``{"code", "text"}``, in the order staff look for them."""
    device = answer.device
    checks = []
    possible = [m for a in _all_answers(answer) for m in a.recall["matches"]
                if m["status"] == RecallStatus.POSSIBLE_MATCH.value]
    if possible:
        models = list(dict.fromkeys(model for m in possible for model in m["models"]))
        checks.append({"code": "model", "text": _(
            "Model number: only a name was given (%(typed)s). Refuse if the label shows a "
            "recalled model: %(models)s", typed=device["model"] or device["brand"],
            models=", ".join(models[:12]))})
    elif device["model"]:
        checks.append({"code": "model", "text": _(
            "Model number: %(model)s", model=device["model"])})
    else:
        checks.append({"code": "model", "text": _(
            "Model number: none was given, so no recall could be checked")})
    checks.append({"code": "capacity", "text": _capacity_check(device)})
    condition_codes = {c["code"] for a in _all_answers(answer) for c in a.conditions}
    missing = {m for a in _all_answers(answer) for m in a.missing}
    if Condition.CCC_MARK_REQUIRED.value in condition_codes or "ccc" in missing:
        checks.append({"code": "ccc", "text": _(
            "A clear CCC (3C) mark: this route requires it")})
    to_check = serial_to_check(answer)
    if to_check:
        first = to_check["match"]
        detail = first["scope_detail"] or _("see the recall notice")
        checks.append({"code": "serial", "text": _(
            "Serial or batch code: some units are recalled (%(agency)s): %(detail)s",
            agency=first["agency"], detail=detail)})
    if Condition.CAPACITY_LABEL_REQUIRED.value in condition_codes:
        checks.append({"code": "capacity_label", "text": _(
            "The capacity must be legible on the label itself")})
    return checks


def _capacity_check(device: dict) -> str:
    """What the label must show, given where the answer's Wh figure came from."""
    source, wh = device["wh_source"], device["wh"]
    if source == WhSource.LABEL_WH:
        return _("Capacity: %(wh)s Wh printed", wh=_number(wh))
    if source == WhSource.MAH_AND_VOLTAGE:
        return _("Capacity: %(mah)s mAh at %(v)s V (%(wh)s Wh)",
                 mah=_number(device["mah"]), v=_number(device["v"]), wh=_number(wh))
    if source == WhSource.MAH_ASSUMED_VOLTAGE:
        return _("Capacity: %(mah)s mAh, and the cell voltage (%(wh)s Wh assumed at %(v)s V)",
                 mah=_number(device["mah"]), wh=_number(wh), v=DEFAULT_CELL_VOLTAGE)
    if source == WhSource.USB_VOLTAGE:
        return _("Capacity: Wh, or the cell voltage (the traveller gave %(mah)s mAh with "
                 "%(v)s V, a USB output voltage, so no Wh was worked out)",
                 mah=_number(device["mah"]), v=_number(device["v"]))
    if source == WhSource.CATALOGUE:
        return _("Capacity: Wh, or mAh and V (our catalogue says %(wh)s Wh; the traveller "
                 "gave none)", wh=_number(wh))
    return _("Capacity: Wh, or mAh and V (none was given)")


def deciding_reason(answer: Answer) -> str:
    """The reason that sets today's verdict, in one sentence."""
    for reason in answer.reasons:
        if reason["verdict"] == answer.verdict.value:
            return reason["text"]
    return answer.headline


def manual_code_of(token: str) -> str:
    """The code under the QR, recorded so that /v resolves it on this instance even when the
    token was issued elsewhere (reading first keeps page views from writing every time)."""
    code = tokens.manual_code(token, secrets()[0])
    try:
        if codes.store().lookup(code) != token:
            codes.remember(token, secrets()[0])
    except sqlite3.Error as error:
        current_app.logger.warning("manual code store unavailable: %s", error)
    return code


def verification_fields(v: Verification, now: datetime | None = None) -> dict:
    """The one description of a verification, shown by the staff page and returned by
    ``GET /api/v1/results/<token>``, so the two can never disagree."""
    answer = v.answer
    max_age = current_app.config["RESULT_MAX_AGE_DAYS"]
    base = public_base_url()
    legs = None
    if answer.legs is not None:
        legs = [
            {"verdict": leg.verdict.value, "headline": leg.headline, "trip": leg.trip}
            for leg in answer.legs
        ]
    return {
        "valid": True,
        "token": v.token,
        "code": manual_code_of(v.token),
        "issued_at": v.claim.issued_at.isoformat(),
        "age_days": round(v.age.total_seconds() / 86400, 1),
        "max_age_days": max_age,
        "stale": v.stale,
        "verdict_at_issue": v.claim.verdict_at_issue.value,
        "verdict": answer.verdict.value,
        "changed": v.changed,
        "changed_reason": deciding_reason(answer) if v.changed else None,
        "headline": answer.headline,
        "device": answer.device,
        "decision": decision(answer),
        "label_checks": label_checks(answer),
        "conditions": answer.conditions,
        "recall": answer.recall,
        "reasons": answer.reasons,
        "missing": answer.missing,
        "notices": answer.notices,
        "trip": answer.trip,
        "legs": legs,
        "strictest_leg": answer.strictest_leg,
        "data_version": answer.data_version,
        "checked_at": (now or utcnow()).isoformat(),
        "result_url": result_url(v.token),
        "card_url": base + url_for("staff.result_card", token=v.token),
        "qr_svg_url": base + url_for("web.result_qr_svg", token=v.token),
        "qr_png_url": base + url_for("web.result_qr_png", token=v.token),
    }


# --- JSON verification for airline systems ----------------------------------------------------


@bp.get("/api/v1/results/<token>")
@not_stored
def result_json(token: str):
    """The staff view as JSON: ``valid``, the verdict at issue and today, ``changed``,
    ``stale`` and the claim; an altered or foreign token is a 400 problem with ``valid: false``.
    Never cached: it is a verification made now (``checked_at``)."""
    try:
        verification = verify(token)
    except tokens.InvalidToken as error:
        return problem(400, "Invalid parameter", f"token: {error}", "invalid-parameter",
                       param="token", valid=False)
    return jsonify(verification_fields(verification))


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
