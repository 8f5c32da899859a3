"""The signing key: required in production, a development default only in debug/testing, and
rotation through the environment."""

import os
import subprocess
import sys
import time

import pytest

from compliance import DEVELOPMENT_SECRET, ConfigurationError, create_app

from tests.helpers import ROOT, token_of

#: Environment variables that would let the app start without FLASK_SECRET_KEY.
_CLI_MARKERS = ("FLASK_SECRET_KEY", "FLASK_SECRET_KEY_FALLBACKS", "FLASK_RUN_FROM_CLI",
                "FLASK_DEBUG", "FLASK_TESTING")


@pytest.fixture
def production_env(monkeypatch, built_db):
    """The environment of a production start: no key, no debug, the built database."""
    for name in _CLI_MARKERS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLASK_DATABASE", str(built_db))
    monkeypatch.setenv("FLASK_DATA_AUTO_BUILD", "false")
    return monkeypatch


def test_production_start_without_the_key_is_refused(production_env):
    with pytest.raises(ConfigurationError, match="FLASK_SECRET_KEY"):
        create_app()


def test_development_default_only_in_debug_or_testing(production_env):
    testing = create_app({"TESTING": True})
    assert testing.config["SECRET_KEY"] == DEVELOPMENT_SECRET
    assert testing.config["SECRET_KEY_IS_DEVELOPMENT"]
    production_env.setenv("FLASK_DEBUG", "1")
    debug = create_app()
    assert debug.config["SECRET_KEY"] == DEVELOPMENT_SECRET
    production_env.setenv("FLASK_SECRET_KEY", "a-real-key")
    production_env.delenv("FLASK_DEBUG")
    real = create_app()
    assert real.config["SECRET_KEY"] == "a-real-key"
    assert not real.config["SECRET_KEY_IS_DEVELOPMENT"]


def _token_from(app) -> str:
    return token_of(app.test_client().get("/api/v1/check?model=A1263").get_json())


def test_rotation_through_the_environment_json_list(production_env):
    """FLASK_SECRET_KEY_FALLBACKS='["old"]': tokens signed with the old key still verify, new
    tokens are signed with the new key, and without the fallback the old token is refused."""
    production_env.setenv("FLASK_SECRET_KEY", "old-key-1")
    old_token = _token_from(create_app())

    production_env.setenv("FLASK_SECRET_KEY", "new-key-2")
    production_env.setenv("FLASK_SECRET_KEY_FALLBACKS", '["old-key-1", "older-key-0"]')
    rotated = create_app()
    assert rotated.config["SECRET_KEY_FALLBACKS"] == ["old-key-1", "older-key-0"]
    page = rotated.test_client().get(f"/r/{old_token}")
    assert page.status_code == 200
    assert "Signature verified" in page.get_data(as_text=True)
    new_token = _token_from(rotated)
    assert new_token != old_token

    production_env.delenv("FLASK_SECRET_KEY_FALLBACKS")
    after_grace = create_app().test_client()
    assert after_grace.get(f"/r/{old_token}").status_code == 400
    assert after_grace.get(f"/r/{new_token}").status_code == 200


@pytest.mark.server
def test_gunicorn_master_exits_at_once_naming_the_variable(built_db, tmp_path):
    """Started the production way (gunicorn with the repository's config file) without the key,
    the master stops promptly with a non-zero status and says which variable to set; no worker
    is ever booted, so nothing respawns."""
    env = {k: v for k, v in os.environ.items() if k not in _CLI_MARKERS}
    env.update(FLASK_DATABASE=str(built_db), FLASK_DATA_AUTO_BUILD="false")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "-b", "127.0.0.1:0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
    )
    elapsed = time.monotonic() - started
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "FLASK_SECRET_KEY" in output
    assert "Booting worker" not in output
    assert elapsed < 15, f"gunicorn took {elapsed:.1f} s to give up"
