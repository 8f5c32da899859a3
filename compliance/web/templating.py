"""What the traveller's pages need around the engine: itineraries of several legs from the form,
the language switch, cache headers for static files and small page helpers.

The form names leg 1's fields like a single trip (``airline``, ``origin``, ``destination``,
``date``) and the further legs with a number (``airline2``, ``origin2``, ...), so a one-leg
check keeps the plain URL of the API and older links.
"""

import hashlib
import json
import os
import re
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_plus, urlencode

from babel import Locale
from babel.numbers import (
    get_decimal_symbol,
    get_group_symbol,
    get_infinity_symbol,
    parse_pattern,
)
from flask import Response, current_app, request, url_for
from flask.globals import _cv_request
from flask_babel import format_decimal
from werkzeug.routing import UnicodeConverter

from compliance.core import places
from compliance.core.capacity import number_rules
from compliance.core.params import (
    TRIP_PARAMS,
    leg_field,
    legs_from_values,
    split_leg_param,
)
from compliance.core.vocabulary import DEFAULT_CELL_VOLTAGE, MAX_LEGS
from compliance.data.db import get_dataset
from compliance.results import utcnow

from .i18n import HTML_LANG, LANGUAGES, reader_locale, select_locale

#: A year for files whose URL carries their content hash; an hour for the others.
VERSIONED_MAX_AGE = 365 * 24 * 3600
STATIC_MAX_AGE = 3600


def leg_rows(values: dict) -> list[dict]:
    """The leg rows of the form: the filled legs plus one empty row to add another leg, which
    is how a browser without JavaScript adds legs (submit, and a new empty row appears)."""
    legs = legs_from_values(values)
    if any(legs[-1].values()) and len(legs) < MAX_LEGS:
        legs.append(dict.fromkeys(TRIP_PARAMS, ""))
    if len(legs) == 1:
        legs.append(dict.fromkeys(TRIP_PARAMS, ""))
    return [
        {"number": i + 1, "fields": {name: leg_field(name, i) for name in TRIP_PARAMS}, **leg}
        for i, leg in enumerate(legs)
    ]


def error_list(error) -> list:
    """Every field error of ``error`` (a :class:`ParamError`), or none."""
    if error is None:
        return []
    return list(getattr(error, "errors", None) or [error])


def today_iso() -> str:
    """Today's date (UTC, as the checks use it): the form's earliest travel date."""
    return utcnow().date().isoformat()


def number_rules_json() -> str:
    """The number grammar of :mod:`compliance.core.capacity` for the live calculation."""
    return json.dumps(number_rules(), separators=(",", ":"))


# --- Names read as codes, and the choices offered for a name --------------------------------

#: Form fields of every flight that take a name: airline, origin, destination, airline2, ...
PAGE_NAME_PARAMS = {leg_field(name, n): kind for n in range(MAX_LEGS)
                    for name, kind in places.TRIP_NAME_PARAMS.items()}
_PAGE_NAME_ORDER = {param: index for index, param in enumerate(PAGE_NAME_PARAMS)}


def trip_readings() -> list[dict]:
    """The names of this request's trip fields that were read as codes (for the result page).

    Each field is read on its own, so each (field, typed text) is read once per dataset and
    remembered (the same airports and airlines are typed again and again)."""
    values = {key: value for key, value in request.args.items() if key in PAGE_NAME_PARAMS}
    if not values:
        return []
    data = get_dataset()
    found = []
    for param in sorted(values, key=_PAGE_NAME_ORDER.__getitem__):
        value, kind = values[param], PAGE_NAME_PARAMS[param]
        found += data.remembered("trip_readings", (param, value), lambda: places.readings(
            {param: value}, data, {param: kind}), size=4096)
    return found


def answer_notices(answer) -> list[dict]:
    """The notices of the answer and of every flight, each once (the first of each code and
    airline), in order: what the verdict box lists (``_notices.html``)."""
    seen, notices = set(), []
    for source in [answer, *(answer.legs or [])]:
        for notice in source.notices:
            key = f"{notice['code']}/{notice.get('airline') or ''}"
            if key not in seen:
                seen.add(key)
                notices.append(notice)
    return notices


def choice_url(param: str, code: str) -> str:
    """This check again with ``param`` set to ``code``: a candidate offered on the form."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != param]
    return request.path + "?" + urlencode(args + [(param, code)])


# --- Page helpers -----------------------------------------------------------------------------


def language_links() -> list[dict]:
    """One link per language to this same page, keeping every other query parameter.

    The path is built from the matched route, never copied from the request: a path such as
    ``/%5Cevil.example`` (a 404) would otherwise become ``href="/\\evil.example"``, which
    browsers read as a link to another site. Pages without a route link to the start page."""
    current = select_locale()
    this = _cv_request.get().request  # the request itself, not through its proxy
    # What urlencode() gives, pair by pair: the same few codes and dates recur on every page.
    kept = "&".join([_query_pair(k, v) for k, v in this.args.items(multi=True)
                     if k != "lang"])
    if this.url_rule is not None and this.endpoint:
        path = template_url_for(this.endpoint, **(this.view_args or {}))
    else:
        path = template_url_for("traveller.index")
    prefix = f"{path}?{kept}&lang=" if kept else f"{path}?lang="
    return [{"code": code, "name": name, "current": code == current,
             "html_lang": html_lang, "url": prefix + quoted}
            for code, name, html_lang, quoted in _LANGUAGE_PARTS]


_LANGUAGE_PARTS = [(code, name, HTML_LANG.get(code, code), quote_plus(code))
                   for code, name in LANGUAGES.items()]


@lru_cache(maxsize=4096)
def _query_pair(key: str, value: str) -> str:
    return urlencode([(key, value)])


def country_name(code: str | None) -> str:
    """The country's name in the reader's language (Babel's CLDR data)."""
    if not code:
        return ""
    return _country_name(reader_locale() or Locale("en"), code)


@lru_cache(maxsize=4096)
def _country_name(locale: Locale, code: str) -> str:
    """Babel's name of the territory ``code`` in ``locale``, looked up once per pair (through
    Babel's locale-data mapping, a few µs; a result page names each country of the trip)."""
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


_NUMBER_FORMAT = "#,##0.####"
_NUMBER_PATTERN = parse_pattern(_NUMBER_FORMAT)


def number(value) -> str:
    """A number for people in the reader's locale: 20,000 / 74 / 99.9 / 100.0004 (up to 4
    decimals, so a figure just over a limit never shows as the limit).

    What Flask-Babel's ``format_decimal`` gives, with the pattern parsed once and each
    (value, locale) formatted once: a result page shows the same few numbers several times.
    """
    locale = reader_locale()
    if locale is None:
        return format_decimal(value, format=_NUMBER_FORMAT)
    return _number(value, type(value), locale)


@lru_cache(maxsize=4096)
def _number(value, kind: type, locale: Locale) -> str:
    """``_NUMBER_PATTERN.apply(value, locale)``, step for step as Babel does it for this
    pattern (no scale, exponent, significant digits or currency), with the locale's symbols
    looked up once per locale instead of some six locale-data look-ups per number."""
    group, decimal_symbol, infinity = _number_symbols(locale)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    negative = int(value.is_signed())
    value = abs(value).normalize()
    if value.is_infinite():
        digits = infinity
    else:
        whole, _dot, fraction = f"{value.quantize(_NUMBER_QUANTUM):f}".partition(".")
        digits = _group_digits(whole, group) + _fraction_digits(fraction or "0",
                                                                decimal_symbol)
    text = _NUMBER_PATTERN.prefix[negative] + digits + _NUMBER_PATTERN.suffix[negative]
    return _QUOTED.sub(lambda m: m.group(1) or "'", text) if "'" in text else text


_NUMBER_QUANTUM = Decimal(10) ** -_NUMBER_PATTERN.frac_prec[1]
_QUOTED = re.compile(r"'([^']*)'")


@lru_cache(maxsize=64)
def _number_symbols(locale: Locale) -> tuple[str, str, str]:
    return (get_group_symbol(locale), get_decimal_symbol(locale), get_infinity_symbol(locale))


def _group_digits(whole: str, group: str) -> str:
    """Babel's ``NumberPattern._format_int`` for this pattern."""
    smallest = _NUMBER_PATTERN.int_prec[0]
    if len(whole) < smallest:
        whole = "0" * (smallest - len(whole)) + whole
    size, grouped = _NUMBER_PATTERN.grouping[0], ""
    while len(whole) > size:
        grouped = group + whole[-size:] + grouped
        whole = whole[:-size]
        size = _NUMBER_PATTERN.grouping[1]
    return whole + grouped


def _fraction_digits(fraction: str, decimal_symbol: str) -> str:
    """Babel's ``NumberPattern._format_frac`` for this pattern."""
    fewest, most = _NUMBER_PATTERN.frac_prec
    if len(fraction) < fewest:
        fraction += "0" * (fewest - len(fraction))
    if most == 0 or (fewest == 0 and int(fraction) == 0):
        return ""
    while len(fraction) > fewest and fraction[-1] == "0":
        fraction = fraction[:-1]
    return decimal_symbol + fraction


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
    fetched again as soon as it changes (the file is looked at again at most once a second,
    so an edited stylesheet shows on the next page a second later; the URL is built once per
    look, per app, script root and file)."""
    ctx = _cv_request.get(None)
    if ctx is None:
        app = current_app._get_current_object()
        version = _static_version(os.path.join(app.static_folder, filename))
        return url_for("static", filename=filename, v=version)
    app = ctx.app
    key = (app, ctx.request.script_root, filename)
    now = time.monotonic()
    known = _static_urls.get(key)
    if known is None or now - known[0] >= STATIC_RECHECK_SECONDS:
        if len(_static_urls) > 256:
            _static_urls.clear()
        version = _static_version(os.path.join(app.static_folder, filename))
        known = _static_urls[key] = (now, url_for("static", filename=filename, v=version))
    return known[1]


#: (app, script root, file) -> (when built, its URL)
_static_urls: dict[tuple, tuple[float, str]] = {}
#: path -> (when last looked at, its content hash)
_static_versions: dict[str, tuple[float, str]] = {}
STATIC_RECHECK_SECONDS = 1.0


def _static_version(path: str) -> str:
    """The content hash of a static file, looking at the file again at most once a second (an
    edited stylesheet shows on the next page a second later)."""
    now = time.monotonic()
    known = _static_versions.get(path)
    if known is None or now - known[0] >= STATIC_RECHECK_SECONDS:
        known = _static_versions[path] = (now, _file_hash(path, os.stat(path).st_mtime_ns))
    return known[1]


def cache_static_files(response):
    if request.endpoint == "static" and response.status_code == 200:
        versioned = bool(request.args.get("v"))
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE if versioned else STATIC_MAX_AGE
        if versioned:
            response.cache_control.immutable = True
    return response


def template_url_for(endpoint: str, **values) -> str:
    """The templates' ``url_for``: Flask's, remembered per app and request root for the links
    every page repeats (the home page with or without ``lang``, data, scan, a result's QR
    files). Only plain calls are remembered: a named endpoint, text values, no
    ``_external``/``_anchor``-style option, and only while the app registers no URL-default
    hooks (which could change the answer).

    Short values (codes, languages) are part of the remembered key. A long value (a result's
    token) is not: the URL is built once with a placeholder in its place and the value put
    where the placeholder came out, which gives Flask's URL when the value is made only of
    characters that URL quoting leaves as they are and the route takes it with the default
    converter (also quoting only); any other value is built by Flask each time."""
    ctx = _cv_request.get(None)
    if ctx is None or endpoint.startswith(".") or ctx.app.url_default_functions:
        return url_for(endpoint, **values)
    short, long = [], []
    for name, value in values.items():
        if name.startswith("_"):
            return url_for(endpoint, **values)
        if value is None or isinstance(value, str) and len(value) <= 32:
            short.append((name, value))
        elif isinstance(value, str) and _UNQUOTED.fullmatch(value):
            long.append(name)
        else:
            return url_for(endpoint, **values)
    cache = ctx.app.extensions.setdefault("template_urls", {})
    key = (ctx.request.script_root, endpoint, tuple(sorted(short)), tuple(long))
    url = cache.get(key)
    if url is None:
        if len(cache) > 1024:
            cache.clear()
        url = cache[key] = _url_pattern(ctx.app, endpoint, dict(short), long)
    if not long:
        return url
    if url is False:
        return url_for(endpoint, **values)
    parts = [url[0]]
    for name, text in zip(long, url[1:]):
        parts += (values[name], text)
    return "".join(parts)


#: What URL quoting (Werkzeug's path and query quoting alike) leaves as it is.
_UNQUOTED = re.compile(r"[A-Za-z0-9._~-]{1,2048}")


def _url_pattern(app, endpoint: str, short: dict, long: list[str]):
    """Flask's URL for ``short`` values; with ``long`` names, that URL cut where each long
    value goes (a tuple of the texts around them), or False when that cannot be trusted."""
    if not long:
        return url_for(endpoint, **short)
    for rule in app.url_map.iter_rules(endpoint):
        if any(type(converter) is not UnicodeConverter
               for name, converter in rule._converters.items() if name in long):
            return False
    marks = [f"_{number}~placeholder~{number}_" for number in range(len(long))]
    url = url_for(endpoint, **short, **dict(zip(long, marks)))
    parts = []
    for mark in marks:
        before, found, url = url.partition(mark)
        if not found or mark in url or any(mark in part for part in parts):
            return False
        parts.append(before)
    return (*parts, url)


def init_app(app) -> None:
    app.after_request(cache_static_files)
    app.jinja_env.filters["num"] = number
    app.jinja_env.globals["url_for"] = template_url_for
    app.jinja_env.globals.update(
        language_links=language_links,
        country_name=country_name,
        airline_name=airline_name,
        label_refusers=label_refusers,
        leg_rows=leg_rows,
        split_leg_param=split_leg_param,
        error_list=error_list,
        number_rules_json=number_rules_json,
        today_iso=today_iso,
        static_url=static_url,
        max_legs=MAX_LEGS,
        assumed_cell_voltage=DEFAULT_CELL_VOLTAGE,
        trip_readings=trip_readings,
        answer_notices=answer_notices,
        choice_url=choice_url,
    )
