"""The JSON API, version 1. Fields may be added; none is ever renamed or removed.

Every route here is described in :mod:`compliance.api.openapi` (served at ``/api/openapi.json`` and
read as ``/api/docs``); the test suite fails if the two disagree. Input goes through
:mod:`compliance.core.params` like every other interface, so errors name the parameter the same way.
"""

import hashlib
import json
import re
from datetime import date

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from compliance.core import places
from compliance.core.engine import newest_versions, public_recall
from compliance.core.normalize import fold, normalize_model
from compliance.core.params import (
    CHECK_PARAMS,
    MAX_MODEL,
    ParamError,
    boolean,
    integer,
    itinerary_fields,
    json_object,
    json_path,
    single_values,
    text,
    travel_date,
)
from compliance.core.suggest import suggest
from compliance.core.vocabulary import SCOPE_ORDER, Scope
from compliance.data.db import get_dataset
from compliance.results import api_fields, public_base_url, run_check, tokens, verify
from compliance.results.verification import verification_fields
from compliance.web.problems import PROBLEM_TYPES, invalid_parameter, problem

from .http import cached_per_data_version, not_stored
from .openapi import API_VERSION, SPEC, operations, spec_for

bp = Blueprint("api", __name__, url_prefix="/api")

#: Trip fields that take a name as well as a code, and what they name.


def _data_version() -> str:
    return get_dataset().version


# --- Checks -----------------------------------------------------------------------------------


@bp.get("/v1/check")
@not_stored
def check():
    """Check one power bank against one trip."""
    try:
        values = single_values(request.args, CHECK_PARAMS)
        result = run_check(values)
    except ParamError as error:
        return invalid_parameter(error)
    return jsonify({**api_fields(result),
                    "read_as": places.readings(values, get_dataset(), places.TRIP_NAME_PARAMS)})


@bp.post("/v1/check")
@not_stored
def check_itinerary():
    """Check one power bank against 1 to 8 legs, given as a JSON body."""
    if request.mimetype != "application/json":
        return problem(415, "Unsupported media type",
                       "Send the itinerary as a JSON body with Content-Type: application/json.",
                       "unsupported-media-type")
    try:
        single_values(request.args, ())
        body = json_object(_request_body())
        device, legs, errors = itinerary_fields(body)
        result = run_check(device, legs=legs, field_name=json_path, errors=errors)
    except ParamError as error:
        if error.param == "body":
            return problem(400, "Invalid JSON body", f"body: {error.detail}", "invalid-json",
                           param="body")
        return invalid_parameter(error)
    fields = api_fields(result)
    if "legs" not in fields:
        fields["strictest_leg"] = 0
        fields["legs"] = [result.answer.to_dict()]
    data = get_dataset()
    fields["read_as"] = [
        {**reading, "param": f"legs[{i}].{reading['param']}"}
        for i, leg in enumerate(legs)
        for reading in places.readings(leg, data, places.TRIP_NAME_PARAMS)
    ]
    return jsonify(fields)


def _request_body() -> bytes:
    """The whole body, or 413 when it is longer than ``MAX_CONTENT_LENGTH``.

    With a Content-Length over the limit Werkzeug refuses at once. A chunked body has no length,
    and Werkzeug's stream then stops quietly at the limit, so the cut body would be processed
    as if it were the whole: one byte more is read from the server's stream to tell the two
    apart."""
    data = request.get_data(cache=False)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is None and len(data) >= limit:
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return data


# --- JSON verification for airline systems ----------------------------------------------------


@bp.get("/v1/results/<token>")
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


# --- Read-only lists --------------------------------------------------------------------------


def _page(items: list, limit: int, offset: int) -> dict:
    end = offset + limit
    return {
        "data_version": _data_version(),
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "next_offset": end if end < len(items) else None,
        "items": items[offset:end],
    }


def _paging(values: dict, default: int, maximum: int) -> tuple[int, int]:
    limit = integer(values.get("limit"), "limit", 1, maximum) or default
    offset = integer(values.get("offset"), "offset", 0, 1_000_000)
    return limit, offset or 0


def _pattern(values: dict, name: str, regex: str, description: str) -> str | None:
    raw = text(values.get(name), name, 16)
    if raw is None:
        return None
    if not re.fullmatch(regex, raw):
        raise ParamError(name, f"{raw!r} is not {description}")
    return raw.upper()


@bp.get("/v1/airlines")
@cached_per_data_version(_data_version)
def airlines():
    """Airlines we know, searched by name, other name or code (best match first), filtered by
    country and whether we hold their rules."""
    try:
        values = single_values(request.args, ("q", "country", "has_rules", "limit", "offset"))
        query = text(values.get("q"), "q")
        country = _pattern(values, "country", r"[A-Za-z]{2}", "a 2-letter ISO country code")
        has_rules = boolean(values.get("has_rules"), "has_rules")
        limit, offset = _paging(values, 100, 500)
    except ParamError as error:
        return invalid_parameter(error)
    data = get_dataset()
    found = (places.search_airlines(data, query, limit=len(data.airlines)) if query
             else [places.airline_item(a) for a in data.airlines.values()])
    items = [
        {key: item[key] for key in ("code", "icao", "name", "country", "has_rules")}
        for item in found
        if (not country or item["country"] == country)
        and (has_rules is None or item["has_rules"] == has_rules)
    ]
    return jsonify(_page(items, limit, offset))


@bp.get("/v1/airports")
@cached_per_data_version(_data_version)
def airports():
    """Airports searched by IATA or ICAO code, name, city or a name of the city they serve
    (also in Chinese, Japanese and Korean), best match first; filtered by country."""
    try:
        values = single_values(request.args, ("q", "country", "limit", "offset"))
        query = text(values.get("q"), "q")
        country = _pattern(values, "country", r"[A-Za-z]{2}", "a 2-letter ISO country code")
        limit, offset = _paging(values, 20, 100)
    except ParamError as error:
        return invalid_parameter(error)
    data = get_dataset()
    found = (places.search_airports(data, query, limit=len(data.airports)) if query
             else sorted((places.airport_item(a) for a in data.airports.values()),
                         key=lambda a: a["code"]))
    items = [
        {key: item[key] for key in ("code", "icao", "name", "city", "country")}
        for item in found if not country or item["country"] == country
    ]
    return jsonify(_page(items, limit, offset))


def _brand_names(brand: str) -> set[str]:
    """A recall's brand and each part of a combined one ("Baseus/Joyroom")."""
    return {fold(brand)} | {fold(part) for part in re.split(r"[/()]", brand) if fold(part)}


@bp.get("/v1/recalls")
@cached_per_data_version(_data_version)
def recalls():
    """Recalls, newest first, searched by words or model number, filtered by brand and agency."""
    try:
        values = single_values(request.args, ("q", "brand", "agency", "limit", "offset"))
        query = text(values.get("q"), "q")
        brand = text(values.get("brand"), "brand")
        agency = text(values.get("agency"), "agency")
        limit, offset = _paging(values, 20, 100)
    except ParamError as error:
        return invalid_parameter(error)
    data = get_dataset()
    words = fold(query) if query else ""
    model_key = normalize_model(query, data.brands) if query else ""
    found = []
    for recall in data.recalls:
        if brand and fold(brand) not in _brand_names(recall["brand"]):
            continue
        if agency and agency.casefold() != recall["agency"].casefold():
            continue
        if query and not _recall_matches(recall, words, model_key, data.brands):
            continue
        found.append(recall)
    found.sort(key=lambda r: r["recall_id"])
    found.sort(key=lambda r: r["date"] or "", reverse=True)
    return jsonify(_page([public_recall(r) for r in found], limit, offset))


def _recall_matches(recall: dict, words: str, model_key: str, brands) -> bool:
    if not words and not model_key:
        return False
    searchable = fold(" ".join(filter(None, (recall["brand"], recall["product"],
                                              recall["recall_number"], recall["recall_id"]))))
    if words and words in searchable:
        return True
    return bool(model_key) and any(
        model_key in normalize_model(model, brands) for model in recall["models"])


RULE_FIELDS = (
    "rule_id", "series", "scope", "issuer", "airline", "country", "applies_to",
    "effective_from", "max_wh_no_approval", "max_wh_with_approval", "max_count_total",
    "max_count_approval_band", "max_count_no_approval", "wh_limit_exclusive",
    "diverges_from", "divergence", "inflight_use_allowed", "inflight_charging_allowed",
    "requires_wh_label", "requires_certification", "conditions", "storage", "notes",
    "source_url", "source_kind", "other_sources", "checked", "confidence",
)


def _public_rule(rule: dict) -> dict:
    fields = {key: rule.get(key) for key in RULE_FIELDS}
    fields["other_sources"] = fields["other_sources"] or []
    for key in ("effective_from", "checked"):
        if isinstance(fields[key], date):
            fields[key] = fields[key].isoformat()
    return fields


@bp.get("/v1/rules")
@cached_per_data_version(_data_version)
def rules():
    """Rule versions filtered by issuer, airline, country and scope; with ``date``, only the
    versions in force on that day (the engine's own choice of version)."""
    try:
        values = single_values(request.args, ("issuer", "airline", "country", "scope", "date",
                                              "limit", "offset"))
        issuer = text(values.get("issuer"), "issuer")
        airline = _pattern(values, "airline", r"[A-Za-z0-9]{2}", "a 2-character IATA code")
        country = _pattern(values, "country", r"[A-Za-z]{2}", "a 2-letter ISO country code")
        scope = text(values.get("scope"), "scope")
        if scope is not None and scope not in {s.value for s in Scope}:
            raise ParamError("scope", f"{scope!r} is not one of "
                                      + ", ".join(s.value for s in Scope))
        on = travel_date(values["date"], "date", date.today()) if "date" in values else None
        limit, offset = _paging(values, 50, 200)
    except ParamError as error:
        return invalid_parameter(error)
    data = get_dataset()
    found = newest_versions(data.rules, on) if on else list(data.rules)
    found = [
        r for r in found
        if (not issuer or r["issuer"].casefold() == issuer.casefold())
        and (not airline or r["airline"] == airline)
        and (not country or r["country"] == country)
        and (not scope or r["scope"] == scope)
    ]
    found.sort(key=lambda r: (SCOPE_ORDER[r["scope"]], r["issuer"], r["series"],
                              r["effective_from"] or date.min))
    return jsonify(_page([_public_rule(r) for r in found], limit, offset))


@bp.get("/v1/models")
@cached_per_data_version(_data_version)
def models():
    """Products by model number (its start, compared normalised: "anker a-126" finds A1263)
    or by name (every word typed, any order or script: "anker powercore", "小米 充电宝"); one
    row per product, recalled ones with their recall status."""
    try:
        values = single_values(request.args, ("q", "limit"))
        query = text(values.get("q"), "q", MAX_MODEL)
        if query is None:
            raise ParamError("q", "is required: the start of a model number, or a name")
        limit = integer(values.get("limit"), "limit", 1, 50) or 10
    except ParamError as error:
        return invalid_parameter(error)
    data = get_dataset()
    key, items = suggest(query, data, limit)
    return jsonify({"data_version": data.version, "q": query, "key": key, "items": items})


# --- The contract -----------------------------------------------------------------------------

_SPEC_DIGEST = hashlib.sha256(json.dumps(SPEC, sort_keys=True).encode()).hexdigest()[:16]


@bp.get("/openapi.json")
@cached_per_data_version(lambda: f"{API_VERSION}/{_SPEC_DIGEST}/{public_base_url()}")
def openapi():
    return jsonify(spec_for(public_base_url()))


@bp.get("/docs")
def docs():
    """The spec as a readable page, rendered on the server (no JavaScript, no CDN)."""
    return render_template("site/api_docs.html", spec=spec_for(public_base_url()),
                           problem_types=PROBLEM_TYPES, data=get_dataset())


def healthz():
    return jsonify({"status": "ok", "data_version": get_dataset().version})


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz)
    # What the API offers, for the page that documents it (pages never import the API).
    app.extensions["api_operations"] = operations()
