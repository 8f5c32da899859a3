"""Importers for official recall formats: parse, keep power banks, merge into ``data/``.

Each importer turns one agency's published format into recall records of our schema
(data/README.md); :mod:`.merge` folds them into ``data/recalls.json`` by recall number so that a
re-import changes nothing. The text heuristics shared by all formats (is this a power bank? which
model numbers? which units?) live in :mod:`.textscan`.
"""

import json
import urllib.request
from dataclasses import dataclass, field

from compliance.data.build import DataError

#: Sent with live API requests so agencies can tell who is calling.
USER_AGENT = "powerbank-flight-check-importer/1"
FETCH_TIMEOUT = 60
MAX_DOWNLOAD = 64 * 1024 * 1024


class ImportProblem(DataError):
    """The input cannot be imported; ``problems`` lists each one. Nothing was changed."""


def as_records(document, agency: str, what: str) -> list:
    """The records of a document: a list of them, or one record alone; anything else is an
    :class:`ImportProblem` (``what`` says what the list should hold)."""
    if isinstance(document, dict):
        return [document]
    if not isinstance(document, list):
        raise ImportProblem([f"{agency}: expected a JSON array of {what}"])
    return document


@dataclass
class Parsed:
    """What an importer made of one input: records to merge, and what it left out and why."""

    records: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    total: int = 0

    def take(self, where: str, title: str, record: dict | None, problem: str | None,
             problems: list[str]) -> None:
        """File one parsed source record: a problem, a skip (no model number) or a record."""
        if problem:
            problems.append(f"{where}: {problem}")
        elif record is None:
            self.skipped.append(f"{where}: {title or '(no title)'}: no model number found")
        else:
            self.records.append(record)


def read_json_file(path) -> object:
    """The JSON document in ``path``; a truncated or broken file is an :class:`ImportProblem`."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except UnicodeDecodeError as exc:
        raise ImportProblem([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"])
    except json.JSONDecodeError as exc:
        raise ImportProblem([f"{path}: invalid or truncated JSON at line {exc.lineno} column "
                             f"{exc.colno}: {exc.msg}"])


def fetch_json(url: str) -> object:
    """GET ``url`` and decode its JSON body; network and HTTP errors become ImportProblems."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                  "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_DOWNLOAD + 1)
    except OSError as exc:
        raise ImportProblem([f"{url}: could not fetch ({exc})"])
    if len(body) > MAX_DOWNLOAD:
        raise ImportProblem([f"{url}: response larger than {MAX_DOWNLOAD} bytes"])
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblem([f"{url}: the response is not JSON ({exc})"])
