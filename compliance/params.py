"""Turn untrusted input (query strings, form posts, JSON bodies, CLI options) into a
:class:`~compliance.engine.Device` and :class:`~compliance.engine.Trip`.

Every interface goes through here, so the same bad value gets the same precise message
everywhere, naming the offending parameter.
"""

import math
import re
from datetime import date

from . import places
from .dataset import Dataset
from .engine import Device, Trip

MAX_TEXT = 64
MAX_WH = 5000
MAX_MAH = 1_000_000
MAX_COUNT = 50
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)

DEVICE_PARAMS = ("model", "brand", "serial", "wh", "mah", "v", "count", "ccc", "unlabelled")
TRIP_PARAMS = ("airline", "origin", "destination", "date")
CHECK_PARAMS = DEVICE_PARAMS + TRIP_PARAMS

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


class ParamError(ValueError):
    """A bad input value; ``param`` names it and ``detail`` says what is wrong.
    ``candidates`` (airlines or airports: ``code``, ``name`` ...) are what the input may have
    meant, for the traveller to choose from."""

    def __init__(self, param: str, detail: str, candidates: list | None = None):
        self.param, self.detail = param, detail
        self.candidates = candidates or []
        super().__init__(f"{param}: {detail}")


def text(value, param: str, max_length: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParamError(param, "must be a string")
    value = value.strip()
    if not value:
        return None
    if len(value) > max_length:
        raise ParamError(param, f"is too long ({len(value)} characters; at most {max_length})")
    if _CONTROL.search(value):
        raise ParamError(param, "contains control characters")
    return value


def number(value, param: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ParamError(param, "must be a number")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        raw = text(value, param, 32)
        try:
            result = float(raw.replace(",", "").replace("_", "")) if raw else None
        except ValueError:
            raise ParamError(param, f"{raw!r} is not a number") from None
        if result is None:
            return None
    if not math.isfinite(result):
        raise ParamError(param, "must be a finite number")
    if result <= low or result > high:
        raise ParamError(param, f"must be more than {low:g} and at most {high:g}")
    return result


def integer(value, param: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ParamError(param, "must be a whole number")
    if isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    else:
        raw = text(value, param, 12) if isinstance(value, str) else None
        if raw is None or not re.fullmatch(r"\d+", raw):
            raise ParamError(param, f"{value!r} is not a whole number")
        result = int(raw)
    if not low <= result <= high:
        raise ParamError(param, f"must be between {low} and {high}")
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
    raise ParamError(param, f"{value!r} is not true or false")


def travel_date(value, param: str, today: date) -> date:
    raw = text(value, param, 10) if value is not None else None
    if raw is None:
        return today
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ParamError(param, f"{raw!r} is not a date in YYYY-MM-DD form")
    try:
        result = date.fromisoformat(raw)
    except ValueError:
        raise ParamError(param, f"{raw!r} is not a real calendar date") from None
    if not MIN_DATE <= result <= MAX_DATE:
        raise ParamError(param, f"must be between {MIN_DATE} and {MAX_DATE}")
    return result


def airline_code(value, data: Dataset, param: str = "airline") -> str | None:
    """The IATA code of an airline given by code (``EK``, ``ｅｋ``), ICAO code (``UAE``) or a
    name that fits one airline only (``Emirates``); see :mod:`compliance.places`."""
    raw = text(value, param)
    if raw is None:
        return None
    return places.resolve("airline", raw, param, data)[0]


def airport_code(value, param: str, data: Dataset) -> str | None:
    """The IATA code of an airport given by code (``DXB``, ``ＰＥＫ``), ICAO code, or a name or
    city that fits one airport only (``Heathrow``); see :mod:`compliance.places`."""
    raw = text(value, param)
    if raw is None:
        return None
    return places.resolve("airport", raw, param, data)[0]


def parse_device(values: dict) -> Device:
    mah = number(values.get("mah"), "mah", 0, MAX_MAH)
    volts = number(values.get("v"), "v", 0, 60)
    if volts is not None and mah is None:
        raise ParamError("v", "a cell voltage needs a capacity in mAh (mah)")
    return Device(
        model=text(values.get("model"), "model"),
        brand=text(values.get("brand"), "brand"),
        serial=text(values.get("serial"), "serial"),
        wh=number(values.get("wh"), "wh", 0, MAX_WH),
        mah=mah,
        v=volts,
        count=integer(values.get("count"), "count", 1, MAX_COUNT) or 1,
        ccc=boolean(values.get("ccc"), "ccc"),
        unlabelled=bool(boolean(values.get("unlabelled"), "unlabelled")),
    )


def parse_trip(values: dict, data: Dataset, today: date) -> Trip:
    return Trip(
        airline=airline_code(values.get("airline"), data),
        origin=airport_code(values.get("origin"), "origin", data),
        destination=airport_code(values.get("destination"), "destination", data),
        date=travel_date(values.get("date"), "date", today),
    )


def single_values(multidict, allowed: tuple[str, ...]) -> dict:
    """A plain dict from a query string or form, refusing unknown and repeated parameters."""
    values = {}
    for key in multidict.keys():
        if key not in allowed:
            shown = key if len(key) <= 40 and not _CONTROL.search(key) else key[:40] + "..."
            shown = _printable(shown)
            raise ParamError(shown if shown.strip() else repr(shown),
                             "is not a parameter of this endpoint")
        items = multidict.getlist(key)
        if len(items) > 1:
            raise ParamError(key, "was given more than once")
        values[key] = items[0]
    return values


def _printable(name: str) -> str:
    return _CONTROL.sub("?", name)
