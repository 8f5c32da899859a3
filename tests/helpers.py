"""What the tests share that is not a fixture (Datasette's ``tests/fixtures.py`` pattern): paths,
the test secret, the app factory with the suite's settings, reading pages and API answers, editing
a copy of the data, a test-only recall, and servers in a thread. ``conftest.py`` holds only
fixtures, built from these; no test file imports ``conftest`` or another test file."""

import json
import re
import threading
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from compliance import create_app
from compliance.data.build import DataError, load_sources
from compliance.results import run_check

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
TESTS_DIR = ROOT / "tests"
GOLDEN_DIR = TESTS_DIR / "golden"
FIXTURES_DIR = TESTS_DIR / "fixtures"
OUTPUT_DIR = TESTS_DIR / "output"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TEST_SECRET = "test-secret-key-for-the-suite"


# --- the app -----------------------------------------------------------------------------------


def make_app(db_path: Path, **config):
    """The real app over ``db_path`` with the suite's secret, no automatic build."""
    return create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE": str(db_path),
        "DATA_AUTO_BUILD": False,
        **config,
    })


# --- reading answers ---------------------------------------------------------------------------


def page_text(response) -> str:
    """The words of an HTML response as a reader sees them: no tags, no inline SVG (the QR),
    entities decoded, runs of white space as one space."""
    html = re.sub(r"<svg.*?</svg>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def token_of(body: dict) -> str:
    """The result token of an API answer (the last part of its ``result_url``)."""
    return body["result_url"].rsplit("/", 1)[1]


def issue(client, **query) -> str:
    """Issue a result and show it once, as the traveller's page does: a manual code is
    recorded when it is shown, not for every API check."""
    token = token_of(client.get("/api/v1/check", query_string=query).get_json())
    assert client.get(f"/api/v1/results/{token}").status_code == 200
    return token


def issue_at(app, values: dict, now: datetime, legs=None) -> str:
    """A result token issued at ``now`` (in the past, for stale results)."""
    with app.test_request_context():
        return run_check(values, legs=legs, now=now).token


def verification(client, token):
    """``GET /api/v1/results/<token>``, which must answer 200."""
    response = client.get(f"/api/v1/results/{token}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page_html(client, path) -> str:
    """The HTML of ``path`` with entities decoded; the page must answer 200."""
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


# --- a changed copy of the data ----------------------------------------------------------------


def edit_json(path, change):
    """Apply ``change`` to the records of a JSON data file in place; returns the records."""
    records = json.loads(path.read_text())
    change(records)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    return records


def problems_for(data_dir) -> list:
    """The problems the build finds in ``data_dir`` (which must have some)."""
    with pytest.raises(DataError) as caught:
        load_sources(data_dir)
    return caught.value.problems


#: A model number that is in no real data: tests that need a recall appearing after a result
#: was issued recall it in a private copy of the data, clearly marked as a test fixture.
TEST_ONLY_MODEL = "TESTONLY-ZX9"
TEST_ONLY_RECALL = {
    "recall_id": "test-only-fixture-recall-zx9",
    "agency": "TEST FIXTURE",
    "agency_name": "Test fixture, not a real agency",
    "jurisdiction": "GLOBAL",
    "recall_number": None,
    "date": "2026-11-20",
    "brand": "TestOnly",
    "product": "Test-only power bank (not a real product)",
    "models": [TEST_ONLY_MODEL],
    "scope": "model",
    "scope_detail": None,
    "serial_patterns": [],
    "hazard": "Test fixture: not a real recall.",
    "remedy": None,
    "how_to_identify": None,
    "source_url": "https://example.invalid/test-only-recall",
    "source_kind": "other",
    "other_sources": [],
    "checked": "2026-11-25",
    "confidence": "partial",
    "notes": "Written by the tests (tests/helpers.py) into a temporary copy of data/ only.",
}


# --- browsers ----------------------------------------------------------------------------------

#: Flags that work on this machine (see the environment notes): no sandbox as root, and no
#: background networking, whose connections the closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


# --- servers in a thread -----------------------------------------------------------------------


@contextmanager
def serve_app(app):
    """``app`` on a real HTTP server on loopback (werkzeug's, threaded); yields its base URL."""
    from werkzeug.serving import make_server

    with _serving(make_server("127.0.0.1", 0, app, threaded=True)) as url:
        yield url


@contextmanager
def serve_directory(root):
    """A plain static HTTP server on another loopback port (another origin), for pages that
    embed the widget as an airline's site would; yields its base URL."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0),
                                      partial(QuietHandler, directory=str(root)))) as url:
        yield url


@contextmanager
def _serving(server):
    """Run ``server`` (anything with serve_forever, shutdown and server_port) in a thread."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- in the browser ----------------------------------------------------------------------------


@contextmanager
def phone_page(browser, **options):
    """A page in a new phone-sized browser context (``options`` go to ``new_context``, e.g.
    ``java_script_enabled=False``); the context is closed afterwards."""
    context = browser.new_context(**PHONE, **options)
    try:
        yield context.new_page()
    finally:
        context.close()


def fill(page, fields: dict) -> None:
    """Type each value into the box with that id, in order, as a person fills the form."""
    for field, value in fields.items():
        page.fill("#" + field, value)
