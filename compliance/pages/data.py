"""Open data: ``/data`` (every source, its record counts and check dates, the licence) and the
records themselves as JSON and CSV, read from the same database the answers come from.

The exports carry the records exactly as in the data files (the field names of the API:
``source_url``, ``checked``, ``confidence``, ``scope``, ``issuer``, ``airline`` ...), so anyone
can audit an answer record by record. They are built once per data version and cached.
"""

import csv
import io
import json
import threading

from flask import Blueprint, Response, current_app, render_template, request

from compliance.data import schemas
from compliance.data.db import get_dataset
from compliance.data.report import raw_records, summarize

bp = Blueprint("data", __name__, url_prefix="/data")

LICENCE_NAME = "Open Database License (ODbL) 1.0"
LICENCE_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
EXPORTS = {
    "recalls": schemas.RECALL,
    "rules": schemas.RULE,
    "models": schemas.MODEL,
}

_cache: dict = {}
_cache_lock = threading.Lock()


def _exports() -> dict:
    """Records, summary and serialised downloads for the data version being served."""
    dataset = get_dataset()
    path = current_app.extensions["dataset"].path
    key = (str(path), dataset.version)
    with _cache_lock:
        if key not in _cache:
            records = raw_records(path)
            _cache.clear()
            _cache[key] = {
                "version": dataset.version,
                "summary": summarize(records),
                "json": {name: json.dumps(records[name], ensure_ascii=False, indent=1) + "\n"
                         for name in EXPORTS},
                "csv": {name: to_csv(records[name], EXPORTS[name]) for name in EXPORTS},
            }
        return _cache[key]


def columns(schema: dict) -> list[str]:
    return list(schema["properties"])


def to_csv(records: list[dict], schema: dict) -> str:
    """One row per record, the schema's fields as columns; lists joined with " | ", serial
    patterns as JSON, booleans as true/false, unknown as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = columns(schema)
    writer.writerow(names)
    for record in records:
        row = []
        for name in names:
            value = record.get(name)
            if value is None:
                row.append("")
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                row.append(" | ".join(value))
            elif isinstance(value, (list, dict)):
                row.append(json.dumps(value, ensure_ascii=False))
            else:
                row.append(str(value))
        writer.writerow(row)
    return out.getvalue()


def _download(body: str, mimetype: str, version: str) -> Response:
    """A download that caches per data version (ETag) and may be fetched from any site."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(version)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response.make_conditional(request)


@bp.get("", strict_slashes=False)
def index():
    exports = _exports()
    return render_template(
        "site/data.html",
        summary=exports["summary"],
        licence_name=LICENCE_NAME,
        licence_url=LICENCE_URL,
        downloads=list(EXPORTS),
        data=get_dataset(),
    )


@bp.get("/<any(recalls, rules, models):name>.json")
def records_json(name: str):
    exports = _exports()
    return _download(exports["json"][name], "application/json", exports["version"])


@bp.get("/<any(recalls, rules, models):name>.csv")
def records_csv(name: str):
    exports = _exports()
    response = _download(exports["csv"][name], "text/csv", exports["version"])
    response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
