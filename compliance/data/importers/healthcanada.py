"""Health Canada recall details (legacy JSON API of healthycanadians.gc.ca) to recall records.

Supported format (see ../shared/research/recalls-notes.md; field names from the API's public
clients): a JSON array of recall *detail* records, or one such record, each with ``recallId``
(string, e.g. "66370"), ``title``, ``category`` (list), ``date_published`` and ``start_date``
(Unix seconds), ``url`` (absolute, or relative to healthycanadians.gc.ca) and ``panels[]``
{``panelName``, ``title``, ``text`` (HTML)}. Panel names used: ``product*`` (affected products:
model/UPC tables and text), ``cms_issue_problem`` (hazard), ``cms_who_what_consumer`` (what
consumers should do), ``details``/``basic_details`` (units sold), ``id_numbers`` ("RA-66370").
With ``--url``, a search or "recent" listing (items without panels) is also accepted: the
details of each power bank item are then fetched from ``{api}/{recallId}/en`` (same host).
"""

import re
from datetime import date, datetime, timezone
from urllib.parse import quote
from zoneinfo import ZoneInfo

from compliance.core.normalize import fold

from . import ImportProblem, Parsed, as_records, fetch_json
from .textscan import (
    clip,
    html_text,
    is_power_bank,
    models_in_tables,
    models_in_text,
    sentences,
    slug,
    unit_scope,
    upcs_in_tables,
)

AGENCY = "Health Canada"
AGENCY_NAME = "Health Canada"
SITE = "https://healthycanadians.gc.ca"
API_URL = SITE + "/recall-alert-rappel-avis/api"
#: What ``flask data import healthcanada`` reads, and an example of its ``--url``.
FORMAT = "recall details as JSON"
URL_HELP = ("A detail URL (.../api/66370/en) or a search URL"
            " (.../api/search?search=power%20bank&lang=en&cat=4), whose power bank items'"
            " details are fetched.")
#: Publication times are Ottawa time; a notice published at 00:30 EST is that day's notice.
OTTAWA = ZoneInfo("America/Toronto")


def fetch(url: str) -> list:
    """The details behind ``url``: a detail record, or a listing whose power bank items are
    fetched one by one."""
    document = fetch_json(url)
    items = _listing_items(document)
    if items is None:
        return document
    api = url.split("/api/")[0] + "/api" if "/api/" in url else API_URL
    details = []
    for item in items:
        if isinstance(item, dict) and is_power_bank(str(item.get("title") or ""), [], ""):
            details.append(fetch_json(f"{api}/{quote(str(item.get('recallId')))}/en"))
    return details


def _listing_items(document):
    """Items of a search (``{"results": [...]}``) or recent (``{"results": {"ALL": [...]}}``)
    response; None for detail records."""
    if isinstance(document, dict) and "results" in document:
        results = document["results"]
        if isinstance(results, dict):
            return [i for group in results.values() if isinstance(group, list) for i in group]
        return results if isinstance(results, list) else []
    return None


def parse(document, today: date, known_brands: tuple[str, ...] = ()) -> Parsed:
    """Recall records for the power bank recalls among Health Canada detail records."""
    document = as_records(document, "Health Canada", "recall details")
    problems: list[str] = []
    parsed = Parsed(total=len(document))
    for index, raw in enumerate(document, start=1):
        where = f"Health Canada record {index}"
        if not isinstance(raw, dict) or not str(raw.get("recallId") or "").strip():
            problems.append(f"{where}: not a Health Canada recall (no recallId)")
            continue
        where += f" (recallId {raw['recallId']})"
        if not isinstance(raw.get("panels"), list):
            problems.append(f"{where}: no panels: this is a listing item, not a detail record "
                            "(import the details, or use --url to fetch them)")
            continue
        panels = _panels(raw["panels"])
        title = str(raw.get("title") or "").strip()
        product_text = panels.get("product", ("", []))[0]
        if not is_power_bank(title, [], product_text[:300]):
            continue
        record, problem = _record(raw, title, panels, today, known_brands)
        parsed.take(where, title, record, problem, problems)
    if problems:
        raise ImportProblem(problems)
    return parsed


def _panels(raw_panels: list) -> dict[str, tuple[str, list]]:
    """Panel text and tables by kind: product, hazard, remedy, details, ids."""
    kinds = {"cms_issue_problem": "hazard", "cms_who_what_consumer": "remedy",
             "details": "details", "basic_details": "details", "id_numbers": "ids"}
    panels: dict[str, tuple[str, list]] = {}
    for panel in raw_panels:
        if not isinstance(panel, dict):
            continue
        name = str(panel.get("panelName") or "").lower()
        kind = "product" if name.startswith("product") else kinds.get(name)
        if kind is None:
            continue
        text, tables = html_text(str(panel.get("text") or ""))
        old_text, old_tables = panels.get(kind, ("", []))
        panels[kind] = ((old_text + "\n" + text).strip(), old_tables + tables)
    return panels


def _record(raw, title, panels, today, known_brands):
    published = raw.get("date_published")
    if isinstance(published, bool) or not isinstance(published, (int, float)):
        return None, f"date_published {published!r} is not a Unix time"
    try:
        announced = datetime.fromtimestamp(published, timezone.utc).astimezone(OTTAWA).date()
    except (OverflowError, OSError, ValueError):
        return None, f"date_published {published!r} is out of range"
    url = str(raw.get("url") or "").strip()
    if url.startswith("/"):
        url = SITE + url
    if not re.match(r"https?://\S+$", url):
        return None, f"url {url!r} is not a web address"

    product_text, product_tables = panels.get("product", ("", []))
    models = models_in_tables(product_tables)
    for value in models_in_text(product_text) + models_in_text(title):
        if value not in models:
            models.append(value)
    if not models:
        return None, None

    details_text = panels.get("details", ("", []))[0]
    ids_text = panels.get("ids", ("", []))[0]
    number = _recall_number(str(raw["recallId"]).strip(), ids_text + " " + details_text)
    scope, scope_detail = unit_scope(product_text)
    brand = _brand(title, product_text, known_brands)
    upcs = upcs_in_tables(product_tables)
    identify = product_text + (f"\nUPC: {', '.join(upcs)}" if upcs and "UPC" not in product_text
                               else "")
    record = {
        "recall_id": f"hc-{announced.isoformat()[:7]}-{slug(brand)}-{slug('-'.join(models))}"[
            :81].rstrip("-"),
        "agency": AGENCY,
        "agency_name": AGENCY_NAME,
        "jurisdiction": "CA",
        "recall_number": number,
        "date": announced.isoformat(),
        "brand": brand,
        "product": clip(_product(title), 300),
        "models": models,
        "scope": scope.value,
        "scope_detail": scope_detail,
        "serial_patterns": [],
        "hazard": clip(panels.get("hazard", ("", []))[0]),
        "remedy": clip(panels.get("remedy", ("", []))[0]),
        "how_to_identify": clip(identify),
        "units": _units(details_text),
        "remedy_url": None,
        "source_url": url,
        "source_kind": "official",
        "other_sources": [],
        "checked": today.isoformat(),
        "confidence": "verified",
        "quote": clip(product_text, 600) or clip(title, 600),
        "notes": f"Imported from Health Canada's recalls API (recallId {raw['recallId']}).",
    }
    return record, None


def _recall_number(recall_id: str, text: str) -> str:
    """Health Canada's identification number ("RA-66370"): as printed in the notice, else
    ``RA-`` and the API's numeric recallId (the same number)."""
    printed = re.search(r"\bRA-\d+\b", text)
    if printed:
        return printed.group()
    return f"RA-{recall_id}" if recall_id.isdigit() else recall_id


def _units(text: str) -> str | None:
    for sentence in sentences(text):
        if re.search(r"\bunits?\b|\bsold\b", sentence, re.IGNORECASE) and re.search(
                r"\d", sentence):
            return clip(sentence)
    return None


def _product(title: str) -> str:
    return re.split(r"\s+(?:recalled|recall)\b", title, flags=re.IGNORECASE)[0] or "Power bank"


def _brand(title: str, product_text: str, known_brands: tuple[str, ...]) -> str:
    """A brand we already know named in the title, else the words before "brand", else the
    first word of the title."""
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9&'.+-]*", title + " " + product_text[:200]):
        if len(fold(word)) >= 3 and fold(word) in known_brands:
            return word
    named = re.search(r"([A-Z][\w&'.+-]*(?:\s+[A-Z][\w&'.+-]*)?)\s+brand\b", title)
    if named:
        return named.group(1)
    words = title.split()
    return words[0] if words else "Unknown brand"
