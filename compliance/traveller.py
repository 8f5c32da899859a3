"""What the traveller's pages need around the engine: itineraries of several legs from the form,
the language switch, cache headers for static files and small page helpers.

The form names leg 1's fields like a single trip (``airline``, ``origin``, ``destination``,
``date``) and the further legs with a number (``airline2``, ``origin2``, ...), so a one-leg
check keeps the plain URL of the API and older links.
"""

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_plus, urlencode

from babel import Locale
from flask import Response, current_app, request, url_for
from flask_babel import format_decimal, get_locale

from . import places
from .db import get_dataset
from .i18n_setup import HTML_LANG, LANGUAGES, select_locale
from .params import CHECK_PARAMS, DEVICE_PARAMS, TRIP_PARAMS, ParamError, parse_trip
from .results import run_check, utcnow
from .tokens import MAX_LEGS
from .vocabulary import DEFAULT_CELL_VOLTAGE

#: Trip fields of legs 2..MAX_LEGS: airline2, origin2, destination2, date2, airline3, ...
EXTRA_LEG_PARAMS = tuple(
    f"{name}{number}" for number in range(2, MAX_LEGS + 1) for name in TRIP_PARAMS
)
FORM_PARAMS = CHECK_PARAMS + EXTRA_LEG_PARAMS + ("lang",)
#: A year for files whose URL carries their content hash; an hour for the others.
VERSIONED_MAX_AGE = 365 * 24 * 3600
STATIC_MAX_AGE = 3600


def leg_param(name: str, index: int) -> str:
    """The form field of trip field ``name`` on leg ``index`` (0-based)."""
    return name if index == 0 else f"{name}{index + 1}"


def split_leg_param(param: str) -> tuple[str, int]:
    """(trip field, 1-based leg number) of a form field: ``origin2`` -> ("origin", 2); fields
    that are not leg fields come back with leg 1."""
    base = param.rstrip("0123456789")
    if base in TRIP_PARAMS and base != param and param in EXTRA_LEG_PARAMS:
        return base, int(param[len(base):])
    return param, 1


def _leg(values: dict, index: int) -> dict:
    return {name: (values.get(leg_param(name, index)) or "").strip() for name in TRIP_PARAMS}


def legs_from_values(values: dict) -> list[dict]:
    """The legs the traveller filled in, in order, with gaps closed up. A leg counts when any
    of its fields is filled; with none filled, leg 1 alone (a check without a route)."""
    legs = [_leg(values, i) for i in range(MAX_LEGS)]
    filled = [leg for leg in legs if any(leg.values())]
    return filled or [legs[0]]


def leg_rows(values: dict) -> list[dict]:
    """The leg rows of the form: the filled legs plus one empty row to add another leg, which
    is how a browser without JavaScript adds legs (submit, and a new empty row appears)."""
    legs = legs_from_values(values)
    if any(legs[-1].values()) and len(legs) < MAX_LEGS:
        legs.append(dict.fromkeys(TRIP_PARAMS, ""))
    if len(legs) == 1:
        legs.append(dict.fromkeys(TRIP_PARAMS, ""))
    return [
        {"number": i + 1, "fields": {name: leg_param(name, i) for name in TRIP_PARAMS}, **leg}
        for i, leg in enumerate(legs)
    ]


def form_values(args) -> dict:
    """Known form fields from a query string, to show the form filled in again. Unknown or
    repeated parameters are ignored here; the check itself refuses them."""
    return {key: args.get(key) for key in FORM_PARAMS if args.get(key) is not None}


def run_itinerary_check(values: dict):
    """Check the device against every leg of the form. A bad leg field raises
    :class:`ParamError` naming that leg's own form field (``origin2``), so the error is shown
    next to the right input."""
    legs = legs_from_values(values)
    data, today = get_dataset(), utcnow().date()
    for index, leg in enumerate(legs):
        try:
            parse_trip(leg, data, today)
        except ParamError as error:
            raise ParamError(leg_param(error.param, index), error.detail,
                             error.candidates) from None
    device_values = {k: v for k, v in values.items() if k in DEVICE_PARAMS}
    return run_check(device_values, legs=legs)


# --- Page helpers -----------------------------------------------------------------------------


def language_links() -> list[dict]:
    """One link per language to this same page, keeping every other query parameter."""
    current = select_locale()
    kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
    prefix = f"{request.path}?{kept}&lang=" if kept else f"{request.path}?lang="
    return [{"code": code, "name": name, "current": code == current,
             "html_lang": HTML_LANG.get(code, code), "url": prefix + quote_plus(code)}
            for code, name in LANGUAGES.items()]


def country_name(code: str | None) -> str:
    """The country's name in the reader's language (Babel's CLDR data)."""
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code, code)


def airline_name(code: str | None) -> str:
    airline = get_dataset().airlines.get(code) if code else None
    return airline["name"] if airline else (code or "")


def label_refusers(answer) -> list[str]:
    """Issuers of the rules on this trip (all legs) that refuse a power bank whose capacity is
    not marked: what an unreadable label means on this route."""
    rules = {rule["rule_id"]: rule for rule in get_dataset().rules}
    issuers = []
    for leg in answer.legs or [answer]:
        for reason in leg.reasons:
            rule = rules.get(reason.get("rule_id"))
            if rule and rule["requires_wh_label"] and rule["issuer"] not in issuers:
                issuers.append(rule["issuer"])
    return issuers


def number(value) -> str:
    """A number for people in the reader's locale: 20,000 / 74 / 99.9."""
    return format_decimal(value, format="#,##0.##")


@lru_cache(maxsize=64)
def _file_bytes(path: str, mtime_ns: int) -> bytes:
    """A static file's content, read once per version of the file."""
    return Path(path).read_bytes()


@lru_cache(maxsize=64)
def _file_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(_file_bytes(path, mtime_ns)).hexdigest()[:10]


def root_script(filename: str, cache_control: str) -> Response:
    """A script from static/ served at a root URL (the embed snippet's /embed.js, the service
    worker's /sw.js, whose scope depends on its URL), with an ETag so revalidation is a 304."""
    path = Path(current_app.static_folder) / filename
    mtime_ns = path.stat().st_mtime_ns
    response = Response(_file_bytes(str(path), mtime_ns), mimetype="text/javascript")
    response.headers["Cache-Control"] = cache_control
    response.set_etag(_file_hash(str(path), mtime_ns))
    return response.make_conditional(request)


def static_url(filename: str) -> str:
    """URL of a static file carrying its content hash, so it can be cached for a year and is
    fetched again as soon as it changes."""
    path = Path(current_app.static_folder) / filename
    version = _file_hash(str(path), path.stat().st_mtime_ns)
    return url_for("static", filename=filename, v=version)


def cache_static_files(response):
    if request.endpoint == "static" and response.status_code == 200:
        versioned = bool(request.args.get("v"))
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE if versioned else STATIC_MAX_AGE
        if versioned:
            response.cache_control.immutable = True
    return response


def init_app(app) -> None:
    app.after_request(cache_static_files)
    app.jinja_env.filters["num"] = number
    app.jinja_env.globals.update(
        language_links=language_links,
        country_name=country_name,
        airline_name=airline_name,
        label_refusers=label_refusers,
        leg_rows=leg_rows,
        split_leg_param=split_leg_param,
        static_url=static_url,
        max_legs=MAX_LEGS,
        assumed_cell_voltage=DEFAULT_CELL_VOLTAGE,
        trip_readings=places.page_readings,
        choice_url=places.choice_url,
    )
