"""The flask CLI: check and data build."""

import json


def test_check_prints_verdict_reasons_and_result(runner):
    result = runner.invoke(args=["check", "A1366", "--wh", "74", "--airline", "LH"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("FORBIDDEN:")
    assert "Recall: CPSC" in result.output
    assert "Result: HTTP://LOCALHOST:5000/R/1" in result.output


def test_check_json_matches_the_api(runner, client):
    result = runner.invoke(args=["check", "--mah", "20000", "--origin", "PVG", "--destination",
                                 "PEK", "--date", "2026-01-10", "--json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    api = client.get("/api/v1/check?mah=20000&origin=PVG&destination=PEK&date=2026-01-10")
    api = api.get_json()
    for key in ("verdict", "headline", "device", "recall", "conditions", "reasons", "missing",
                "data_version"):
        assert cli[key] == api[key]


def test_check_bad_value_names_the_option(runner):
    result = runner.invoke(args=["check", "--wh", "lots"])
    assert result.exit_code == 2
    assert "--wh" in result.output and "not a number" in result.output


def test_check_reports_every_bad_option_with_its_choices(runner):
    result = runner.invoke(args=["check", "Anker PowerCore 10000", "--wh", "99,9", "--count",
                                 "0", "--origin", "Manchester"])
    assert result.exit_code == 2
    assert "--count: must be between 1 and 50" in result.output
    assert "--origin: 'Manchester' fits several airports" in result.output
    assert "MAN  Manchester Airport" in result.output


def test_check_names_the_trip_and_its_notices(runner):
    result = runner.invoke(args=["check", "--wh", "99,9", "--airline", "Ryanair", "--origin",
                                 "DUB", "--destination", "Heathrow"])
    assert result.exit_code == 0, result.output
    assert "Read as: 'Ryanair' -> FR" in result.output
    assert "Read as: 'Heathrow' -> LHR" in result.output
    assert "Notice: We hold no power bank rules of Ryanair" in result.output


def test_data_build_reports_counts(app, tmp_path, monkeypatch):
    app.config["DATABASE"] = str(tmp_path / "fresh.sqlite")
    app.extensions["dataset"].path = tmp_path / "fresh.sqlite"
    result = app.test_cli_runner().invoke(args=["data", "build"])
    assert result.exit_code == 0, result.output
    assert "recalls" in result.output and "rules" in result.output
    assert (tmp_path / "fresh.sqlite").exists()


def test_check_without_a_secret_warns_that_the_result_will_not_verify(tmp_path, built_db):
    """Outside tests, `flask check` without FLASK_SECRET_KEY signs with the development key."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(FLASK_DATABASE=str(built_db), FLASK_DATA_AUTO_BUILD="false")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "check", "--wh", "50"],
        cwd=os.path.dirname(os.path.dirname(__file__)), env=env, capture_output=True,
        text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ALLOWED:")
    assert "FLASK_SECRET_KEY is not set" in result.stderr
