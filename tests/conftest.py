import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from compliance import create_app
from compliance.core.model import Dataset
from compliance.data.build import build_database
from compliance.data.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
TEST_SECRET = "test-secret-key-for-the-suite"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The real data/ built once for the whole session."""
    path = tmp_path_factory.mktemp("db") / "compliance.sqlite"
    build_database(DATA_DIR, path)
    return path


@pytest.fixture(scope="session")
def dataset(built_db) -> Dataset:
    return load_dataset(built_db)


def make_app(db_path: Path, **config):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "DATABASE": str(db_path),
        "DATA_AUTO_BUILD": False,
        **config,
    })


@pytest.fixture
def app(built_db):
    return make_app(built_db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def live_server(built_db):
    """The real app on a real HTTP server on loopback, for browsers and HTTP clients."""
    with serve_app(make_app(built_db)) as url:
        yield url


@contextmanager
def serve_app(app):
    """``app`` on a real HTTP server on loopback (werkzeug's, threaded); yields its base URL."""
    from werkzeug.serving import make_server

    with _serving(make_server("127.0.0.1", 0, app, threaded=True)) as url:
        yield url


@contextmanager
def _serving(server):
    """Run ``server`` (anything with serve_forever, shutdown and server_port) in a thread."""
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


#: Flags that work on this machine (see the environment notes): no sandbox as root, and no
#: background networking, whose connections the closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright for Python (no browser download)."""
    import shutil as _shutil

    from playwright.sync_api import sync_playwright

    executable = _shutil.which("chromium")
    assert executable, "chromium is not installed: run the tests with ./run test"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser):
    """A page in a phone-sized browser context."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def offline_scan(browser, live_server):
    """The gate screen on a phone with its recall list saved by the service worker, then the
    connection cut: what staff have when the network fails."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/scan")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        page.wait_for_selector("#offline-status:has-text('data version')")
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#offline-status.is-offline")
        yield page
    finally:
        context.set_offline(False)
        context.close()


@pytest.fixture
def output_dir(request) -> Path:
    """tests/output/<test name>/ for screenshots and figures a test saves."""
    import re

    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:100]
    path = ROOT / "tests" / "output" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def serve_directory(root):
    """A plain static HTTP server on another loopback port (another origin), for pages that
    embed the widget as an airline's site would; yields its base URL."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0),
                                      partial(QuietHandler, directory=str(root)))) as url:
        yield url
