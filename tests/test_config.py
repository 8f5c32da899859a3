"""Settings live in one table (``compliance/config.py``): the documented ``FLASK_*`` variables are
the table's, each is read from the environment, and the defaults are the ones the README gives."""

import re
from pathlib import Path

import pytest

from compliance import config, create_app

from tests.helpers import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "data/README.md", "Containerfile", "gunicorn.conf.py",
             *[str(p.relative_to(ROOT)) for p in (ROOT / "deploy").iterdir() if p.is_file()]]
#: Flask's own variables, not settings of this app.
FLASK_OWN = {"FLASK_APP", "FLASK_RUN_FROM_CLI", "FLASK_DEBUG"}


def documented_variables() -> set[str]:
    found = set()
    for name in DOCUMENTS:
        found |= set(re.findall(r"\bFLASK_[A-Z][A-Z0-9_]*[A-Z0-9]", (ROOT / name).read_text()))
    return found - FLASK_OWN


def test_every_documented_variable_is_a_setting_of_the_table():
    documented = documented_variables()
    assert len(documented) >= 15
    names = {setting.environment_variable for setting in config.SETTINGS}
    assert documented - names == set()


def test_every_setting_has_a_help_line_and_one_entry():
    assert len(config.BY_NAME) == len(config.SETTINGS)
    for setting in config.SETTINGS:
        assert setting.help.strip() and "\n" not in setting.help, setting.name


def test_no_module_sets_a_default_of_its_own():
    """A ``config.setdefault`` or ``config.get(NAME) or ...`` outside config.py is a second
    place for a default."""
    offenders = []
    for path in (ROOT / "compliance").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text()
        if re.search(r"config\.setdefault\(|config\.from_mapping\(|config\.get\([^)]*\)\s+or\b",
                     text):
            offenders.append(path.name)
    assert offenders == []


def test_localhost_and_the_repository_root_are_written_once():
    hits = {"localhost:5000": [], "__file__).resolve().parent.parent": []}
    for path in (ROOT / "compliance").rglob("*.py"):
        text = path.read_text()
        for needle in hits:
            if needle in text:
                hits[needle].append(path.name)
    assert hits == {"localhost:5000": ["config.py"],
                    "__file__).resolve().parent.parent": ["config.py"]}


@pytest.fixture
def clean_environment(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("FLASK_") and name not in FLASK_OWN:
            monkeypatch.delenv(name)
    return monkeypatch


def test_the_readme_defaults_outside_tests(clean_environment, built_db):
    app = create_app({"SECRET_KEY": TEST_SECRET, "DATABASE": str(built_db),
                      "DATA_AUTO_BUILD": False})
    c = app.config
    assert not app.testing
    assert c["RESULT_MAX_AGE_DAYS"] == 30 and c["MAX_CONTENT_LENGTH"] == 65536
    assert c["TRUSTED_PROXY_HOPS"] == 0 and c["EMBED_FRAME_ANCESTORS"] == "*"
    assert c["API_RATE_LIMIT"] == "300/minute" and c["API_KEY_RATE_LIMIT"] == "3000/minute"
    assert c["PAGE_RATE_LIMIT"] == "120/minute"
    assert c["RESULT_CODES_PER_CLIENT_PER_MINUTE"] == 120
    assert c["RESULT_CODES_FLUSH_SECONDS"] == 0.5
    assert c["RATELIMIT_STORAGE_URI"] == "memory://"
    assert c["RESULT_CODES_DATABASE"] == str(Path(app.instance_path) / "result_codes.sqlite")
    assert c["RESULT_CODES_TTL_DAYS"] is None and c["REDIS_URL"] is None


def test_limits_are_off_under_tests_and_an_explicit_none_means_the_default(clean_environment,
                                                                          built_db):
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE": str(built_db),
                      "DATA_AUTO_BUILD": False, "RESULT_CODES_DATABASE": None})
    c = app.config
    assert c["API_RATE_LIMIT"] is None and c["PAGE_RATE_LIMIT"] is None
    assert c["RESULT_CODES_PER_CLIENT_PER_MINUTE"] is None
    assert c["RESULT_CODES_FLUSH_SECONDS"] == 0.0
    assert c["RESULT_CODES_DATABASE"].endswith("result_codes.sqlite")


def test_environment_variables_set_settings_and_test_config_wins(clean_environment, built_db):
    clean_environment.setenv("FLASK_RESULT_MAX_AGE_DAYS", "7")
    clean_environment.setenv("FLASK_API_RATE_LIMIT", "5/minute")
    clean_environment.setenv("FLASK_EMBED_FRAME_ANCESTORS", "https://partner.example")
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE": str(built_db),
                      "DATA_AUTO_BUILD": False, "EMBED_FRAME_ANCESTORS": "'none'"})
    assert app.config["RESULT_MAX_AGE_DAYS"] == 7
    assert app.config["API_RATE_LIMIT"] == "5/minute"
    assert app.config["EMBED_FRAME_ANCESTORS"] == "'none'"
