"""Turn untrusted input (query strings, form posts, JSON bodies, CLI options) into a
:class:`~compliance.core.engine.Device` and :class:`~compliance.core.engine.Trip`.

Every interface goes through here, so the same bad value gets the same precise message
everywhere, naming the offending parameter.
"""

import json
import math
import re
import unicodedata
from datetime import date

from . import places
from .capacity import NumberError, read_number
from .messages import _, ngettext
from .model import Dataset, Device, Trip
from .normalize import BIDI_CONTROLS
from .vocabulary import MAX_LEGS

MAX_TEXT = 64
#: What people type as the model is often the product's whole name ("Anker PowerCore 10000
#: (A1263)"); recall notices name products in up to about 200 characters.
MAX_MODEL = 200
MAX_WH = 5000
MAX_MAH = 1_000_000
MAX_COUNT = 50
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)

DEVICE_PARAMS = ("model", "brand", "serial", "wh", "mah", "v", "count", "ccc", "unlabelled")
TRIP_PARAMS = ("airline", "origin", "destination", "date")
CHECK_PARAMS = DEVICE_PARAMS + TRIP_PARAMS
#: Trip fields of legs 2..MAX_LEGS: airline2, origin2, destination2, date2, airline3, ...
EXTRA_LEG_PARAMS = tuple(
    f"{name}{number}" for number in range(2, MAX_LEGS + 1) for name in TRIP_PARAMS
)
#: Every field of the traveller's form (and the embed widget's): the check's and ``lang``.
FORM_PARAMS = CHECK_PARAMS + EXTRA_LEG_PARAMS + ("lang",)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


class ParamError(ValueError):
    """A bad input value; ``param`` names it and ``detail`` says what is wrong.

    One error may stand for several: ``errors`` lists every bad field found (the first is
    ``param``/``detail`` itself), so a form shows them all at once and the API lists them.
    ``candidates`` (airlines or airports: ``code``, ``name`` ...) are what the input may have
    meant, for the traveller to choose from.
    """

    def __init__(self, param: str, detail: str, errors: list | None = None,
                 candidates: list | None = None):
        self.param, self.detail = param, detail
        self.errors = list(errors) if errors else [self]
        self.candidates = candidates or []
        super().__init__(f"{param}: {detail}")

    def renamed(self, rename) -> "ParamError":
        """The same errors with every ``param`` passed through ``rename`` (a leg's own form
        field ``origin2``, a JSON path ``legs[1].origin``)."""
        errors = [ParamError(rename(e.param), e.detail, candidates=e.candidates)
                  for e in self.errors]
        return ParamError(errors[0].param, errors[0].detail, errors, errors[0].candidates)


class Errors:
    """Collects the errors of several fields, to report them all at once."""

    def __init__(self):
        self.found: list[ParamError] = []

    def field(self, parse, *args, **kwargs):
        """``parse(*args)``, or None after noting its error(s)."""
        try:
            return parse(*args, **kwargs)
        except ParamError as error:
            self.add(error)
            return None

    def add(self, error: ParamError) -> None:
        for item in error.errors:
            if not any(f.param == item.param for f in self.found):
                self.found.append(item)

    def raise_any(self) -> None:
        if self.found:
            first = self.found[0]
            raise ParamError(first.param, first.detail, self.found, first.candidates)


def text(value, param: str, max_length: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParamError(param, _("must be a string"))
    stripped = value.strip()
    if not stripped:
        return None
    # The length as sent, spaces included: what the OpenAPI maxLength promises.
    if len(value) > max_length:
        raise ParamError(param, ngettext(
            "is too long (%(n)s character; at most %(max)s)",
            "is too long (%(n)s characters; at most %(max)s)",
            len(value), max=max_length))
    value = stripped
    if _CONTROL.search(value):
        raise ParamError(param, _("contains control characters"))
    if BIDI_CONTROLS.search(value):
        raise ParamError(param, _("contains bidirectional control characters, which change "
                                  "the order in which text is displayed: type it plainly"))
    return value


def _number_message(error: NumberError, raw: str) -> str:
    if error.code == "wrong_unit":
        return _("%(value)s is in %(unit)s: this box takes %(expected)s",
                 value=repr(raw), unit=error.params["unit"], expected=error.params["expected"])
    if error.code == "ambiguous":
        return _("%(value)s can be read as a decimal or as thousands: write it without a "
                 "separator (1234) or with more or fewer than 3 decimals (1.2345, 1.23)",
                 value=repr(raw))
    if error.code == "not_finite":
        return _("must be a finite number")
    if error.code == "grouping":
        return _("%(value)s is not a number: thousands groups have 3 digits (10,000 or "
                 "10 000)", value=repr(raw))
    return _("%(value)s is not a number", value=repr(raw))


def number(value, param: str, low: float, high: float, field: str | None = None) -> float | None:
    """A capacity or voltage, from a JSON number or from text as people type it (decimal
    comma or point, thousands separators, a unit): see :func:`compliance.core.capacity.read_number`
    for the rules. ``field`` (``wh``, ``mah``, ``v``) picks the box's unit and rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ParamError(param, _("must be a number"))
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        raw = text(value, param, 32)
        if raw is None:
            return None
        try:
            result = read_number(raw, field or param.rsplit(".", 1)[-1])
        except (NumberError, KeyError) as error:
            if isinstance(error, KeyError):
                error = NumberError("not_a_number")
            raise ParamError(param, _number_message(error, raw)) from None
    if not math.isfinite(result):
        raise ParamError(param, _("must be a finite number"))
    if result <= low or result > high:
        raise ParamError(param, _("must be more than %(low)s and at most %(high)s",
                                  low=f"{low:g}", high=f"{high:g}"))
    return result


def integer(value, param: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ParamError(param, _("must be a whole number"))
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    else:
        raw = text(value, param, 12) if isinstance(value, str) else None
        if raw is not None:
            raw = unicodedata.normalize("NFKC", raw)
        if raw is None or not re.fullmatch(r"\d+", raw, re.ASCII):
            raise ParamError(param, _("%(value)s is not a whole number", value=repr(value)))
        result = int(raw)
    if not low <= result <= high:
        raise ParamError(param, _("must be between %(low)s and %(high)s", low=low, high=high))
    return result


def boolean(value, param: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raw = text(value, param, 8) if isinstance(value, str) else None
    if raw is None and isinstance(value, str):
        return None
    if raw is not None and raw.lower() in _TRUE:
        return True
    if raw is not None and raw.lower() in _FALSE:
        return False
    raise ParamError(param, _("%(value)s is not true or false", value=repr(value)))


def travel_date(value, param: str, today: date) -> date:
    raw = text(value, param, 10) if value is not None else None
    if raw is None:
        return today
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw, re.ASCII):
        raise ParamError(param, _("%(value)s is not a date in YYYY-MM-DD form", value=repr(raw)))
    try:
        result = date.fromisoformat(raw)
    except ValueError:
        raise ParamError(param, _("%(value)s is not a real calendar date",
                                  value=repr(raw))) from None
    if not MIN_DATE <= result <= MAX_DATE:
        raise ParamError(param, _("must be between %(low)s and %(high)s",
                                  low=MIN_DATE.isoformat(), high=MAX_DATE.isoformat()))
    return result


def future_travel_date(value, param: str, today: date) -> date:
    """A travel date for the traveller's form: today or later (the API answers for a past
    date too, marked ``travel_date_passed``)."""
    result = travel_date(value, param, today)
    if result < today:
        raise ParamError(param, _("%(date)s has passed: enter the date of your flight (today "
                                  "or later)", date=result.isoformat()))
    return result


def airline_code(value, data: Dataset, param: str = "airline") -> str | None:
    """The IATA code of an airline given by code (``EK``, ``ｅｋ``), ICAO code (``UAE``) or a
    name that fits one airline only (``Emirates``); see :mod:`compliance.core.places`."""
    return _place_code("airline", value, param, data)


def airport_code(value, param: str, data: Dataset) -> str | None:
    """The IATA code of an airport given by code (``DXB``, ``ＰＥＫ``), ICAO code, or a name or
    city that fits one airport only (``Heathrow``); see :mod:`compliance.core.places`."""
    return _place_code("airport", value, param, data)


def _place_code(kind: str, value, param: str, data: Dataset) -> str | None:
    raw = text(value, param)
    if raw is None:
        return None
    try:
        return places.resolve(kind, raw, param, data)[0]
    except places.Unresolved as error:
        raise ParamError(param, _place_message(error), candidates=error.candidates) from None


def _place_message(error: "places.Unresolved") -> str:
    typed, airline = repr(error.typed), error.kind == "airline"
    if error.reason == places.Unresolved.UNKNOWN_CODE:
        return (_("%(code)s is not an airline code we know", code=typed) if airline
                else _("%(code)s is not an airport code we know", code=typed))
    if error.reason == places.Unresolved.TOO_SHORT:
        return (_("%(value)s is not a 2-character IATA airline code, and too short for a name",
                  value=typed) if airline else
                _("%(value)s is not a 3-letter IATA airport code, and too short for a name",
                  value=typed))
    if error.reason == places.Unresolved.AMBIGUOUS:
        return (_("%(value)s fits several airlines: choose one", value=typed) if airline
                else _("%(value)s fits several airports: choose one", value=typed))
    return (_("%(value)s is not an airline code or name we know", value=typed) if airline
            else _("%(value)s is not an airport code or name we know", value=typed))


def parse_device(values: dict) -> Device:
    """The device fields, every bad one reported at once (:class:`ParamError` ``errors``)."""
    errors = Errors()
    # In the order of the form, so the error summary reads top to bottom.
    model = errors.field(text, values.get("model"), "model", MAX_MODEL)
    brand = errors.field(text, values.get("brand"), "brand")
    wh = errors.field(number, values.get("wh"), "wh", 0, MAX_WH, "wh")
    mah = errors.field(number, values.get("mah"), "mah", 0, MAX_MAH, "mah")
    volts = errors.field(number, values.get("v"), "v", 0, 60, "v")
    if volts is not None and mah is None and not any(e.param == "mah" for e in errors.found):
        errors.add(ParamError("v", _("a cell voltage needs a capacity in mAh")))
    device = Device(
        model=model,
        brand=brand,
        wh=wh,
        mah=mah,
        v=volts,
        count=errors.field(integer, values.get("count"), "count", 1, MAX_COUNT) or 1,
        ccc=errors.field(boolean, values.get("ccc"), "ccc"),
        unlabelled=bool(errors.field(boolean, values.get("unlabelled"), "unlabelled")),
        serial=errors.field(text, values.get("serial"), "serial"),
    )
    errors.raise_any()
    return device


def parse_trip(values: dict, data: Dataset, today: date, future_only: bool = False) -> Trip:
    """The trip fields, every bad one reported at once. ``future_only`` (the traveller's
    form) refuses a travel date in the past."""
    errors = Errors()
    dates = future_travel_date if future_only else travel_date
    trip = Trip(
        airline=errors.field(airline_code, values.get("airline"), data),
        origin=errors.field(airport_code, values.get("origin"), "origin", data),
        destination=errors.field(airport_code, values.get("destination"), "destination", data),
        date=errors.field(dates, values.get("date"), "date", today),
    )
    errors.raise_any()
    return trip


def single_values(multidict, allowed: tuple[str, ...]) -> dict:
    """A plain dict from a query string or form, refusing unknown and repeated parameters."""
    values = {}
    for key, items in multidict.lists():
        if key not in allowed:
            shown = key if len(key) <= 40 and not _CONTROL.search(key) else key[:40] + "..."
            shown = _printable(shown)
            raise ParamError(shown if shown.strip() else repr(shown),
                             _("is not a parameter of this endpoint"))
        if len(items) > 1:
            raise ParamError(key, _("was given more than once"))
        values[key] = items[0]
    return values


def _printable(name: str) -> str:
    return _CONTROL.sub("?", name)


# --- The form's flights: origin, origin2, ... -------------------------------------------------


def leg_field(name: str, index: int) -> str:
    """The form field of trip field ``name`` on leg ``index`` (0-based): ``origin``,
    ``origin2``, ..."""
    return name if index == 0 else f"{name}{index + 1}"


def split_leg_param(param: str) -> tuple[str, int]:
    """(trip field, 1-based leg number) of a form field: ``origin2`` -> ("origin", 2); fields
    that are not leg fields come back with leg 1."""
    base = param.rstrip("0123456789")
    if base in TRIP_PARAMS and base != param and param in EXTRA_LEG_PARAMS:
        return base, int(param[len(base):])
    return param, 1


def _leg(values: dict, index: int) -> dict:
    return {name: (values.get(leg_field(name, index)) or "").strip() for name in TRIP_PARAMS}


def legs_from_values(values: dict) -> list[dict]:
    """The legs the traveller filled in, in order, with gaps closed up. A leg counts when any
    of its fields is filled; with none filled, leg 1 alone (a check without a route)."""
    legs = [_leg(values, i) for i in range(MAX_LEGS)]
    filled = [leg for leg in legs if any(leg.values())]
    return filled or [legs[0]]


def form_values(args) -> dict:
    """Known form fields from a query string, to show the form filled in again. Unknown or
    repeated parameters are ignored here; the check itself refuses them."""
    return {key: args.get(key) for key in FORM_PARAMS if args.get(key) is not None}


# --- The JSON body of POST /api/v1/check ------------------------------------------------------

#: Longer integer literals are no quantity this API takes (the largest, mah, has 7 digits);
#: they are never turned into an int, which for 4,301+ digits Python refuses with ValueError
#: and from 309 digits no longer fits a float.
MAX_INTEGER_DIGITS = 30


class _OutOfRange:
    """A JSON number no field accepts: kept as its text so the field can be named in the 400."""

    def __init__(self, literal: str):
        self.literal = literal

    def describe(self) -> str:
        digits = sum(ch.isdigit() for ch in self.literal)
        return f"is far too large a number ({digits} digits)"


def _parse_int(literal: str):
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _OutOfRange(literal)
    return int(literal)


def _parse_float(literal: str):
    value = float(literal)
    return value if math.isfinite(value) else _OutOfRange(literal)


def _surrogate_free(value: str) -> bool:
    """False for a lone surrogate (JSON's "\\ud800"), which is no character and cannot be
    encoded: such a string would fail when the result token is written."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_duplicate_keys(pairs):
    keys = [key for key, _value in pairs]
    for key in keys:
        if not _surrogate_free(key):
            raise ParamError("body", f"the key {key!r} holds a lone surrogate, not text")
        if keys.count(key) > 1:
            raise ParamError("body", f"the key {key!r} is given more than once")
    return dict(pairs)


def _refuse_constant(name):
    raise ParamError("body", f"{name} is not a JSON number")


def json_object(raw: bytes) -> dict:
    """The body of a POST as one JSON object: UTF-8, well-formed, no repeated key, no NaN or
    Infinity, numbers kept exact enough to name a field that cannot take them."""
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicate_keys,
                          parse_constant=_refuse_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except UnicodeDecodeError:
        raise ParamError("body", "is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as error:
        detail = getattr(error, "msg", "is nested too deeply")
        where = f" at line {error.lineno} column {error.colno}" if hasattr(error, "lineno") else ""
        raise ParamError("body", f"is not valid JSON ({detail}{where})") from None
    if not isinstance(body, dict):
        raise ParamError("body", "must be a JSON object with 'device' and 'legs'")
    return body


_STRING_FIELDS = {"model", "brand", "serial", "airline", "origin", "destination", "date"}
_NUMBER_FIELDS = {"wh", "mah", "v"}
_BOOLEAN_FIELDS = {"ccc", "unlabelled"}


def _typed_fields(value, path: str, allowed: tuple[str, ...], errors: Errors) -> dict:
    """The fields of a JSON object whose keys are in ``allowed`` and whose values have the
    right JSON type (or null); each other one is an error in ``errors`` and left out. The
    values themselves are checked by the parsers above."""
    if not isinstance(value, dict):
        errors.add(ParamError(path, "must be a JSON object"))
        return {}
    fields = {}
    for key, item in value.items():
        problem_text = _type_problem(key, item, allowed)
        if problem_text:
            errors.add(ParamError(f"{path}.{key}", problem_text))
        else:
            fields[key] = item
    return fields


def _type_problem(key: str, item, allowed: tuple[str, ...]) -> str | None:
    if key not in allowed:
        return "is not a field of this object (allowed: " + ", ".join(allowed) + ")"
    if item is None:
        return None
    if isinstance(item, _OutOfRange):
        return item.describe()
    if key in _STRING_FIELDS and not isinstance(item, str):
        return "must be a string or null"
    if key in _STRING_FIELDS and not _surrogate_free(item):
        return "holds a lone surrogate (such as \\ud800), which is not text"
    if key in _NUMBER_FIELDS and (isinstance(item, bool)
                                  or not isinstance(item, (int, float, str))):
        return "must be a number, a string such as \"99,9\" or null"
    if key == "count" and (isinstance(item, bool) or not isinstance(item, (int, float))):
        return "must be a whole number or null"
    if key in _BOOLEAN_FIELDS and not isinstance(item, bool):
        return "must be true, false or null"
    return None


def itinerary_fields(body: dict) -> tuple[dict, list[dict], Errors]:
    """The device fields and the legs of a POST body, checked for shape (objects, known
    fields, JSON types) with the full path named (``device.wh``, ``legs[1].origin``); their
    values are parsed once, by :func:`~compliance.results.run_check`, into the same errors."""
    for key in body:
        if key not in ("device", "legs"):
            raise ParamError(key, "is not a field of the request (allowed: device, legs)")
    if "device" not in body:
        raise ParamError("device", "is required")
    if "legs" not in body:
        raise ParamError("legs", "is required (1 to %d legs)" % MAX_LEGS)
    legs = body["legs"]
    if not isinstance(legs, list):
        raise ParamError("legs", "must be a JSON array of legs")
    if not 1 <= len(legs) <= MAX_LEGS:
        raise ParamError("legs", f"must hold 1 to {MAX_LEGS} legs (got {len(legs)})")
    # Every bad field at once: the device's and each leg's (ParamError.errors). A field of
    # the wrong type is left out of what is parsed, so it adds no second error.
    errors = Errors()
    device = _typed_fields(body["device"], "device", DEVICE_PARAMS, errors)
    legs = [_typed_fields(leg, f"legs[{i}]", TRIP_PARAMS, errors) for i, leg in enumerate(legs)]
    return device, legs, errors


def json_path(param: str, leg: int | None) -> str:
    """How the JSON body names a field: ``device.wh``, ``legs[1].origin``."""
    return f"device.{param}" if leg is None else f"legs[{leg}].{param}"
