"""Watt-hours from what the label says.

Wh = mAh x nominal cell voltage / 1000. The cell voltage (3.6-3.85 V for lithium-ion) is not the
5 V USB output: using 5 V overstates the energy by about a third.
"""

from dataclasses import dataclass
from decimal import Decimal

from .vocabulary import DEFAULT_CELL_VOLTAGE


class WhSource:
    """Where the Wh figure of an answer came from."""

    LABEL_WH = "label_wh"
    MAH_AND_VOLTAGE = "mah_and_voltage"
    MAH_ASSUMED_VOLTAGE = "mah_assumed_voltage"
    CATALOGUE = "catalogue"
    #: mAh with a voltage that is a USB output voltage (5, 9, 12, 15, 20 V), not a cell
    #: voltage: no Wh is worked out from it, the answer asks for the label's figures.
    USB_VOLTAGE = "usb_voltage"
    UNKNOWN = "unknown"


#: USB output voltages (USB, Quick Charge, USB Power Delivery): printed next to "Output" on
#: every power bank and often typed as the cell voltage, which is 3.2-3.85 V per cell.
USB_OUTPUT_VOLTAGES = (5.0, 9.0, 12.0, 15.0, 20.0)


def is_usb_voltage(volts: float | None) -> bool:
    """Whether ``volts`` is a USB output voltage (5 V, 9 V, ...; 5.1 V counts as 5 V)."""
    return volts is not None and any(abs(volts - usb) <= 0.15 for usb in USB_OUTPUT_VOLTAGES)


def wh_from_mah(mah: float, volts: float) -> float:
    """mAh x V / 1000, exact in decimal (then the nearest float): never rounded, so that
    100.004 Wh stays over a 100 Wh limit. Pages round for display only."""
    return float(Decimal(repr(float(mah))) * Decimal(repr(float(volts))) / 1000)


@dataclass(frozen=True)
class Capacity:
    wh: float | None
    source: str
    #: The mAh figure converted at the assumed voltage, when no voltage was known.
    mah_at_assumed_voltage: float | None = None
    #: A voltage typed as the cell voltage that is a USB output voltage (not used).
    usb_voltage: float | None = None


def resolve_capacity(wh=None, mah=None, volts=None, catalogue=None) -> Capacity:
    """Pick the most direct capacity figure: printed Wh, then mAh with its voltage, then mAh at
    the assumed 3.7 V, then the catalogue entry for the model."""
    if wh is not None:
        return Capacity(float(wh), WhSource.LABEL_WH)
    if mah is not None and is_usb_voltage(volts):
        return Capacity(None, WhSource.USB_VOLTAGE, usb_voltage=volts)
    if mah is not None and volts is not None:
        return Capacity(wh_from_mah(mah, volts), WhSource.MAH_AND_VOLTAGE)
    if mah is not None:
        return Capacity(wh_from_mah(mah, DEFAULT_CELL_VOLTAGE), WhSource.MAH_ASSUMED_VOLTAGE, mah)
    if catalogue is None:
        return Capacity(None, WhSource.UNKNOWN)
    if catalogue.get("wh_rated") is not None:
        return Capacity(catalogue["wh_rated"], WhSource.CATALOGUE)
    if catalogue.get("mah"):
        return Capacity(
            wh_from_mah(catalogue["mah"], DEFAULT_CELL_VOLTAGE),
            WhSource.CATALOGUE,
            catalogue["mah"],
        )
    return Capacity(None, WhSource.UNKNOWN)


# --- Reading numbers as people type them ------------------------------------------------------
#
# One grammar for every capacity and voltage box (form, API, widget, CLI); the browser's live
# calculation gets the same rules as data (:func:`number_rules`, emitted into the form) and runs
# the same steps in static/traveller.js, and tests type the same strings into both.
#
# 1. Full-width characters are folded (NFKC); spaces of any kind and apostrophes count as a
#    space; a unit may follow the number ("20000mAh", "74 Wh", "3.7V"), case-insensitive. A unit
#    of another box ("74 Wh" in mAh) is refused, naming the box.
# 2. Separators are "," "." and space. Groups after the first must be 3 digits when they are
#    thousands groups ("10,000", "10 000", "1.000.000", "10.000,5", "10,000.5").
# 3. A single "," or "." followed by anything but exactly 3 digits is the decimal mark
#    ("99,9", "3,7", "27,5", "100.0004"). A single one followed by exactly 3 digits after 1-3
#    digits (not a lone 0) is read per box (``AMBIGUOUS``): in mAh it groups thousands
#    ("10,000", "20.000"; a mAh figure never has 3 decimals); in V it is the decimal mark
#    ("3,700" = 3.7: no cell has 1000 V); in Wh it is refused ("1,234" could be 1.234 or 1234
#    and the two give opposite verdicts).
# 4. Scientific notation with a point ("1e9", "2.5E3") is read as programs write it.

#: Unit each box takes, and the units people type, so a wrong one can be named.
FIELD_UNITS = {"wh": "wh", "mah": "mah", "v": "v"}
KNOWN_UNITS = {"wh": "Wh", "mah": "mAh", "v": "V", "ah": "Ah", "kwh": "kWh", "mwh": "mWh"}
#: How a single separator followed by exactly three digits is read, per box.
AMBIGUOUS = {"mah": "thousands", "v": "decimal", "wh": "refuse"}

#: The regular expressions of the grammar (written so that Python and JavaScript read them
#: alike).
UNIT_PATTERN = r"^(.*?)\s*([A-Za-z]*)$"
NUMBER_PATTERN = r"^-?(?:[0-9]+(?:[ .,][0-9]+)*|[.,][0-9]+)$"
SPACES_PATTERN = r"[\s\u00a0\u2007\u202f'\u2019]+"
#: Scientific notation with a decimal point, as programs write numbers (``1e9``, ``2.5E3``).
EXPONENT_PATTERN = r"^-?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"


class NumberError(ValueError):
    """Why a typed number cannot be read: ``code`` and its ``params`` (for the message)."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)


def number_rules() -> dict:
    """The grammar as data, for the browser's live calculation."""
    return {"unit": UNIT_PATTERN, "number": NUMBER_PATTERN, "spaces": SPACES_PATTERN,
            "exponent": EXPONENT_PATTERN,
            "units": FIELD_UNITS, "known": KNOWN_UNITS, "ambiguous": AMBIGUOUS}


def read_number(raw: str, field: str) -> float:
    """The number typed in box ``field`` (``wh``, ``mah`` or ``v``); raises NumberError."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(SPACES_PATTERN, " ", text)
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise NumberError("not_finite")
    number_text, unit = re.match(UNIT_PATTERN, text, re.S).groups()
    unit = unit.lower()
    if unit and unit != FIELD_UNITS[field]:
        if unit in KNOWN_UNITS:
            raise NumberError("wrong_unit", unit=KNOWN_UNITS[unit],
                              expected=KNOWN_UNITS[FIELD_UNITS[field]])
        raise NumberError("not_a_number")
    number_text = number_text.strip()
    if re.match(EXPONENT_PATTERN, number_text):
        return float(number_text)
    if not re.match(NUMBER_PATTERN, number_text):
        raise NumberError("not_a_number")
    sign = -1.0 if number_text.startswith("-") else 1.0
    number_text = number_text.lstrip("-")
    groups = re.split(r"[ .,]", number_text)
    seps = re.findall(r"[ .,]", number_text)
    if not seps:
        return sign * float(number_text)
    last = seps[-1]
    decimal = None
    if len(seps) == 1:
        if last == " ":
            decimal = None
        elif len(groups[1]) != 3 or groups[0] in ("", "0") or len(groups[0]) > 3:
            decimal = last
        elif AMBIGUOUS[field] == "decimal":
            decimal = last
        elif AMBIGUOUS[field] == "refuse":
            raise NumberError("ambiguous", text=number_text)
    elif last != " " and any(sep != last for sep in seps[:-1]):
        decimal = last
    whole = groups[:-1] if decimal else groups
    if decimal and any(sep == decimal for sep in seps[:-1]):
        raise NumberError("not_a_number")
    if len(whole) > 1 and (len(set(seps[:len(whole) - 1])) > 1 or not 1 <= len(whole[0]) <= 3
                           or any(len(g) != 3 for g in whole[1:])):
        raise NumberError("grouping", text=number_text)
    result = "".join(whole) + ("." + groups[-1] if decimal else "")
    return sign * float(result)


def format_number(value: float) -> str:
    """A figure for a sentence: 99.9, 100, 37 (no trailing .0); up to 4 decimals, so that a
    figure just over a limit (100.0004) is not shown as the limit itself."""
    return f"{value:.4f}".rstrip("0").rstrip(".")
