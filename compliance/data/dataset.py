"""The built database, read once into memory for the engine.

The database is small (hundreds of records, a few thousand airports), so each process reads it
whole at start and answers from memory. :class:`DatasetCache` re-reads it when the file on disk
is replaced by a rebuild, which is how running workers pick up new data without a restart.
"""

import json
import os
import re
import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

from compliance.core.identify import name_tables
from compliance.core.model import Dataset
from compliance.core.normalize import brand_keys, normalize_model

from .search import ProductSearch


def load_dataset(path: Path) -> Dataset:
    """The database at ``path`` (opened read-only), read into memory."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        return _from_connection(conn, ProductSearch(uri))
    finally:
        conn.close()


def _from_connection(conn: sqlite3.Connection, search: ProductSearch) -> Dataset:
    meta = dict(conn.execute("select key, value from meta"))
    recalls = [json.loads(r) for (r,) in conn.execute("select record from recalls")]
    catalogue = _catalogue(conn)
    brands = frozenset(brand_keys({"recalls": recalls, "models": list(catalogue.values())}))
    by_id = {}
    for recall in recalls:
        recall.setdefault("serial_patterns", [])
        recall.setdefault("remedy_url", None)
        recall.setdefault("units", None)
        recall.setdefault("source_kind", None)
        recall.setdefault("kind", "recall")
        recall.setdefault("aliases", [])
        for pattern in recall["serial_patterns"]:
            pattern["compiled"] = re.compile(pattern["regex"])
            pattern["models_norm"] = {
                normalize_model(m, brands) for m in pattern.get("models", [])
            }
        by_id[recall["recall_id"]] = recall
    recalls_by_model: dict[str, list[dict]] = {}
    recall_aliases: dict[str, list[dict]] = {}
    model_index = []
    for recall_id, model, key, match in conn.execute(
        "select recall_id, model, model_key, match from recall_models order by model_key"
    ):
        recall = by_id[recall_id]
        (recalls_by_model if match == "model" else recall_aliases).setdefault(
            key, []).append(recall)
        model_index.append((key, model, recall["brand"], recall["product"], "recall"))
    rules = []
    for (text,) in conn.execute("select record from rules"):
        rule = json.loads(text)
        rule["effective_from"] = _date(rule["effective_from"])
        rule["checked"] = _date(rule["checked"])
        rule.setdefault("source_kind", None)
        rules.append(rule)
    for key, record in catalogue.items():
        model_index.append((key, record["model"], record["brand"], record["product"],
                            "catalogue"))
    model_index.sort()
    airlines = {
        row[0]: {"iata": row[0], "icao": row[1], "name": row[2], "country": row[3],
                 "has_rules": bool(row[4]), "name_source": row[5], "names": row[6],
                 "website": row[7], "source_url": row[8]}
        for row in conn.execute(
            "select iata, icao, name, country, has_rules, name_source, names, website, "
            "source_url from airlines order by iata"
        )
    }
    airports = {
        row[0]: {"iata": row[0], "name": row[1], "city": row[2], "country": row[3],
                 "icao": row[4], "names": row[5], "population": row[6], "flights": row[7]}
        for row in conn.execute("select iata, name, city, country, icao, names, population, "
                                "flights from airports")
    }
    (aliases,) = conn.execute("select record from aliases").fetchone()
    return Dataset(
        version=meta["data_version"],
        recalls=recalls,
        recalls_by_model=recalls_by_model,
        recall_aliases=recall_aliases,
        rules=rules,
        airlines=airlines,
        airports=airports,
        catalogue=catalogue,
        brands=brands,
        model_index=model_index,
        names=name_tables(recalls, catalogue, json.loads(aliases)),
        search=search,
    )


def _catalogue(conn: sqlite3.Connection) -> dict[str, dict]:
    """The model catalogue by model key, each record with its rated energy (``wh_rated``).

    Records are decoded one at a time and share one copy of each repeated key and text (field
    names, brands, dates, sources): each JSON record otherwise brings its own copies, which
    for a catalogue of 50,000 models is about a third of a worker's memory (``./run bench``).
    """
    catalogue = {}
    shared = {}.setdefault
    for key, text in conn.execute("select model_key, record from models"):
        record = {
            shared(name, name): shared(value, value) if isinstance(value, str) else value
            for name, value in json.loads(text).items()
        }
        wh = record["wh"]
        if wh is None and record["mah"] and record["v"]:
            wh = round(record["mah"] * record["v"] / 1000, 2)
        record["wh_rated"] = wh
        catalogue[key] = record
    return catalogue


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class DatasetCache:
    """One :class:`Dataset` per process, reloaded when the database file is replaced.

    The file is looked at (``os.stat``) at most once every ``check_every`` seconds, not on every
    call: a stat costs about 20 microseconds inside a request on the benchmark machine, as much
    as the rest of a check's bookkeeping, and a rebuild is picked up within a second anyway.
    """

    def __init__(self, path: Path, check_every: float = 1.0):
        self.path = Path(path)
        self.check_every = check_every
        self._lock = threading.Lock()
        self._stamp = None
        self._checked_at = float("-inf")
        self._dataset: Dataset | None = None

    def get(self) -> Dataset:
        now = time.monotonic()
        if self._dataset is not None and now - self._checked_at < self.check_every:
            return self._dataset
        stat = os.stat(self.path)
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._dataset = load_dataset(self.path)
                    self._stamp = stamp
        self._checked_at = now
        return self._dataset
