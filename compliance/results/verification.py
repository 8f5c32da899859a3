"""A verification arranged for the people who act on it: the staff view's data (one decision,
what to check on the label, the recalls of the trip's places first) and the JSON of
``GET /api/v1/results/<token>``, from one function so that the page and the API never disagree.

Nothing here decides a verdict: the result is re-evaluated by
:func:`compliance.results.verify`, which calls the engine. Below the pages and the API, which
both use it.
"""

import sqlite3
from datetime import datetime

from flask import current_app, url_for

from compliance.core.capacity import WhSource, format_number
from compliance.core.messages import _, join
from compliance.core.model import Answer
from compliance.core.vocabulary import (
    DEFAULT_CELL_VOLTAGE,
    Condition,
    RecallScope,
    RecallStatus,
)

from . import (
    Verification,
    codes,
    public_base_url,
    result_url,
    signing_keys,
    tokens,
    utcnow,
)


def _all_answers(answer: Answer) -> list[Answer]:
    return [answer, *(answer.legs or [])]


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
        "Accept if the label shows: %(items)s", items=join("; ", shows))}


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
        return _("Capacity: %(wh)s Wh printed", wh=format_number(wh))
    if source == WhSource.MAH_AND_VOLTAGE:
        return _("Capacity: %(mah)s mAh at %(v)s V (%(wh)s Wh)",
                 mah=format_number(device["mah"]), v=format_number(device["v"]),
                 wh=format_number(wh))
    if source == WhSource.MAH_ASSUMED_VOLTAGE:
        return _("Capacity: %(mah)s mAh, and the cell voltage (%(wh)s Wh assumed at %(v)s V)",
                 mah=format_number(device["mah"]), wh=format_number(wh), v=DEFAULT_CELL_VOLTAGE)
    if source == WhSource.USB_VOLTAGE:
        return _("Capacity: Wh, or the cell voltage (the traveller gave %(mah)s mAh with "
                 "%(v)s V, a USB output voltage, so no Wh was worked out)",
                 mah=format_number(device["mah"]), v=format_number(device["v"]))
    if source == WhSource.CATALOGUE:
        return _("Capacity: Wh, or mAh and V (our catalogue says %(wh)s Wh; the traveller "
                 "gave none)", wh=format_number(wh))
    return _("Capacity: Wh, or mAh and V (none was given)")


def deciding_reason(answer: Answer) -> str:
    """The reason that sets today's verdict, in one sentence."""
    for reason in answer.reasons:
        if reason["verdict"] == answer.verdict.value:
            return reason["text"]
    return answer.headline


def new_manual_code(token: str) -> str:
    """The code under the QR of a token this request has just issued, recorded without
    looking it up first: a new token's code is not in the store yet (a second identical
    check in the same second records the same row again, which is harmless), and the look-up
    was a synchronous SQLite read on every first view."""
    return codes.remember(token, signing_keys()[0])


def manual_code_of(token: str) -> str:
    """The code under the QR, recorded so that /v resolves it on this instance even when the
    token was issued elsewhere (reading first keeps page views from writing every time)."""
    code = tokens.manual_code(token, signing_keys()[0])
    try:
        if codes.store().lookup(code) != token:
            codes.remember(token, signing_keys()[0])
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
        "qr_svg_url": base + url_for("staff.result_qr_svg", token=v.token),
        "qr_png_url": base + url_for("staff.result_qr_png", token=v.token),
    }


