"""CPSC SaferProducts Recalls REST API (``Recall?format=json``) to recall records.

Format (see ../shared/research/recalls-notes.md): a JSON array of recalls with ``RecallID``,
``RecallNumber``, ``RecallDate`` ("2026-07-30T00:00:00"), ``Title``, ``Description``, ``URL``,
``ConsumerContact``, ``LastPublishDate``, ``Products[]`` {Name, Description, Model, Type,
CategoryID, NumberOfUnits}, ``ProductUPCs[]`` {UPC}, ``Hazards[]`` {Name}, ``Remedies[]``
{Name}, ``RemedyOptions[]`` {Option}, ``Manufacturers[]``/``Importers[]``/``Retailers[]``
{Name, CompanyID}. Quirks handled: an error comes back as HTTP 200 with one record whose
``RecallID`` is 0; recent records leave ``Products[].Model`` empty, so model numbers are read
from the description; there is no brand field.
"""

import html
import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from compliance.core.normalize import fold

from . import ImportProblem, Parsed, as_records, fetch_json
from .textscan import (
    clip,
    first_sentence,
    first_url,
    is_power_bank,
    models_in_text,
    slug,
    split_model_field,
    unit_scope,
)

AGENCY = "CPSC"
AGENCY_NAME = "U.S. Consumer Product Safety Commission"
API_URL = "https://www.saferproducts.gov/RestWebServices/Recall"
#: What ``flask data import cpsc`` reads, and an example of its ``--url``.
FORMAT = "Recalls API JSON"
URL_HELP = ("e.g. https://www.saferproducts.gov/RestWebServices/Recall?ProductName=power%20bank"
            " (format=json is added).")
#: More records than this means the API probably ignored a misspelled parameter and sent the
#: whole corpus (about 9,900 recalls); the import still works, but the caller is warned.
SUSPICIOUSLY_MANY = 3000


def with_json_format(url: str) -> str:
    """The API answers XML unless told ``format=json``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() != "format"]
    query.append(("format", "json"))
    return urlunsplit(parts._replace(query=urlencode(query)))


def fetch(url: str) -> list:
    return fetch_json(with_json_format(url))


def parse(document, today: date, known_brands: tuple[str, ...] = ()) -> Parsed:
    """Recall records for the power bank recalls in a CPSC API response.

    Raises :class:`ImportProblem` when the document is not a list of recalls, is the API's error
    record, or a power bank recall lacks its number, date or URL: a bad file imports nothing.
    """
    document = as_records(document, "CPSC", "recalls")
    problems: list[str] = []
    parsed = Parsed(total=len(document))
    for index, raw in enumerate(document, start=1):
        where = f"CPSC record {index}"
        if not isinstance(raw, dict) or "RecallID" not in raw:
            problems.append(f"{where}: not a CPSC recall (no RecallID)")
            continue
        if raw.get("RecallID") in (0, "0"):
            problems.append(f"{where}: the API returned an error: {raw.get('Title') or '?'}")
            continue
        where += f" (RecallID {raw['RecallID']})"
        title = _text(raw.get("Title"))
        products = [p for p in raw.get("Products") or [] if isinstance(p, dict)]
        names = [_text(p.get("Name")) for p in products]
        description = _text(raw.get("Description"))
        if not is_power_bank(title, names + [_text(p.get("Type")) for p in products],
                             first_sentence(description)):
            continue
        record, problem = _record(raw, title, products, description, today, known_brands)
        parsed.take(where, title, record, problem, problems)
    if problems:
        raise ImportProblem(problems)
    return parsed


def _record(raw, title, products, description, today, known_brands):
    number = _text(raw.get("RecallNumber"))
    if not number:
        return None, "RecallNumber is missing"
    announced = re.match(r"(\d{4}-\d{2}-\d{2})", _text(raw.get("RecallDate")))
    if not announced:
        return None, f"RecallDate {raw.get('RecallDate')!r} is not a date"
    try:
        date.fromisoformat(announced.group(1))
    except ValueError:
        return None, f"RecallDate {raw.get('RecallDate')!r} is not a real date"
    url = _text(raw.get("URL"))
    if not re.match(r"https?://\S+$", url):
        return None, f"URL {url!r} is not a web address"

    models: list[str] = []
    for product in products:
        for value in split_model_field(_text(product.get("Model"))):
            if value not in models:
                models.append(value)
    if not models:
        texts = [description] + [_text(p.get("Description")) for p in products] + [title]
        for text in texts:
            for value in models_in_text(text):
                if value not in models:
                    models.append(value)
    if not models:
        return None, None

    scope_text = " ".join([description] + [_text(p.get("Description")) for p in products])
    scope, scope_detail = unit_scope(scope_text)
    brand = _brand(raw, title, products, known_brands)
    announced_on = announced.group(1)
    units = "; ".join(filter(None, (_text(p.get("NumberOfUnits")) for p in products))) or None
    record = {
        "recall_id": _recall_id(announced_on, brand, models),
        "agency": AGENCY,
        "agency_name": AGENCY_NAME,
        "jurisdiction": _jurisdiction(units or ""),
        "recall_number": format_number(number),
        "date": announced_on,
        "brand": brand,
        "product": clip(_product(title, products), 300),
        "models": models,
        "scope": scope.value,
        "scope_detail": scope_detail,
        "serial_patterns": [],
        "hazard": clip(" ".join(_names(raw.get("Hazards"), "Name"))),
        "remedy": clip(" ".join(_names(raw.get("Remedies"), "Name"))
                       + _options(raw.get("RemedyOptions"))),
        "how_to_identify": clip(description),
        "units": clip(units),
        "remedy_url": first_url(_text(raw.get("ConsumerContact"))),
        "source_url": url,
        "source_kind": "official",
        "other_sources": [],
        "checked": today.isoformat(),
        "confidence": "verified",
        "quote": clip(description, 600),
        "notes": clip(f"Imported from the CPSC Recalls API (RecallID {raw['RecallID']}"
                      + (f", last published {_text(raw.get('LastPublishDate'))[:10]}"
                         if raw.get("LastPublishDate") else "") + ")."),
    }
    return record, None


def format_number(number: str) -> str:
    """CPSC numbers as published on cpsc.gov: the API's "25466" is recall 25-466."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 5 and digits == number.strip():
        return f"{digits[:2]}-{digits[2:]}"
    return number.strip()


def _text(value) -> str:
    """A string field, HTML entities decoded ("&amp;" appears in some descriptions)."""
    return html.unescape(value).strip() if isinstance(value, str) else ""


def _names(items, key: str) -> list[str]:
    return [_text(i.get(key)) for i in items or [] if isinstance(i, dict) and _text(i.get(key))]


def _options(items) -> str:
    options = _names(items, "Option")
    return f" Remedy: {', '.join(options)}." if options else ""


def _product(title: str, products: list[dict]) -> str:
    names = [n for n in (_text(p.get("Name")) for p in products) if n]
    if names:
        return "; ".join(dict.fromkeys(names))
    return re.split(r"\s+(?:Recalled|Recall)\b", title)[0] or "Power bank"


def _brand(raw: dict, title: str, products: list[dict], known_brands: tuple[str, ...]) -> str:
    """No brand field: a brand we already know named in the title or product name, else the
    first word of the product name, else the first word of the maker's or importer's name."""
    names = [_text(p.get("Name")) for p in products]
    headline = " ".join([title, *names])
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9&'.+-]*", headline):
        if len(fold(word)) >= 3 and fold(word) in known_brands:
            return word
    for name in names + _names(raw.get("Manufacturers"), "Name") + _names(
            raw.get("Importers"), "Name"):
        first = name.split()[0].strip(",.") if name.split() else ""
        if first and first.lower() not in {"the", "about", "more", "a", "an"}:
            return first
    return "Unknown brand"


def _jurisdiction(units: str) -> str:
    codes = ["US"]
    for country, code in (("Canada", "CA"), ("Mexico", "MX")):
        if re.search(rf"\b{country}\b", units):
            codes.append(code)
    return ", ".join(codes)


def _recall_id(announced_on: str, brand: str, models: list[str]) -> str:
    base = f"cpsc-{announced_on[:7]}-{slug(brand)}-{slug('-'.join(models))}"
    return base[:81].rstrip("-")
