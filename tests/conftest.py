import shutil
from pathlib import Path

import pytest

from compliance import create_app
from compliance.build import build_database
from compliance.dataset import Dataset

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
    return Dataset.load(built_db)


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
