"""Fixtures only; the helpers they are built from live in tests/helpers.py."""

import shutil
from pathlib import Path

import pytest

from compliance.core.model import Dataset
from compliance.data.build import build_database
from compliance.data.dataset import load_dataset
from tests.helpers import CHROMIUM_ARGS, DATA_DIR, OUTPUT_DIR, PHONE, make_app, phone_page, serve_app


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The real data/ built once for the whole session."""
    path = tmp_path_factory.mktemp("db") / "compliance.sqlite"
    build_database(DATA_DIR, path)
    return path


@pytest.fixture(scope="session")
def dataset(built_db) -> Dataset:
    return load_dataset(built_db)


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


@pytest.fixture
def codes_db(tmp_path):
    """Where an app's manual codes go, private to the test."""
    return tmp_path / "codes" / "result_codes.sqlite"


@pytest.fixture
def staff_app(built_db, codes_db):
    return make_app(built_db, RESULT_CODES_DATABASE=str(codes_db))


@pytest.fixture
def staff_client(staff_app):
    return staff_app.test_client()


@pytest.fixture(scope="session")
def live_server(built_db):
    """The real app on a real HTTP server on loopback, for browsers and HTTP clients."""
    with serve_app(make_app(built_db)) as url:
        yield url


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


@pytest.fixture
def phone(browser):
    """A page in a phone-sized browser context."""
    with phone_page(browser) as page:
        yield page


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
    path = OUTPUT_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    return path
