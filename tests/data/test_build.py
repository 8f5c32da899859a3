"""The data build: validation messages, atomic replacement, first-start build."""

import json
import sqlite3

import pytest

from compliance.data.build import DataError, build_database, load_sources
from compliance.data.dataset import load_dataset

from tests.helpers import edit_json, make_app, problems_for


def test_real_data_is_valid_and_sourced(data_copy):
    sources = load_sources(data_copy)
    assert len(sources["recalls"]) >= 40 and len(sources["rules"]) >= 80
    for record in sources["recalls"] + sources["rules"]:
        assert record["source_url"].startswith("http")
        assert record["confidence"] in ("verified", "partial")
        assert record["checked"]


def test_errors_name_file_record_and_field(data_copy):
    def break_records(records):
        records[0]["date"] = "2025-13-45"
        records[1]["scope"] = "everything"
        del records[2]["source_url"]

    edit_json(data_copy / "recalls.json", break_records)
    problems = problems_for(data_copy)
    recalls = json.loads((data_copy / "recalls.json").read_text())
    assert any(p.startswith(f"data/recalls.json: record 1 (recall_id={recalls[0]['recall_id']}):"
                            " field 'date'") for p in problems)
    assert any("record 2" in p and "field 'scope'" in p for p in problems)
    assert any("record 3" in p and "'source_url' is a required property" in p
               for p in problems)


def test_invalid_json_names_line_and_column(data_copy):
    (data_copy / "rules.json").write_text('[{"rule_id": "x",]')
    assert any(p.startswith("data/rules.json: invalid JSON at line 1 column")
               for p in problems_for(data_copy))


def test_cross_record_checks(data_copy):
    def duplicate_and_bad_regex(records):
        records.append(dict(records[0]))
        records[1]["serial_patterns"] = [{"models": [], "regex": "([unclosed"}]

    edit_json(data_copy / "recalls.json", duplicate_and_bad_regex)
    edit_json(data_copy / "rules.json", lambda r: r[0].update(max_wh_with_approval=50))
    problems = problems_for(data_copy)
    assert any("duplicate recall_id" in p for p in problems)
    assert any("invalid regex" in p for p in problems)
    assert any("is below max_wh_no_approval" in p for p in problems)


def test_bad_csv_row(data_copy):
    with open(data_copy / "airlines.csv", "a") as handle:
        handle.write("TOOLONG,,Some Air,US\n")
    assert any("data/airlines.csv: line" in p and "field 'iata'" in p
               for p in problems_for(data_copy))


def test_a_bad_file_never_replaces_a_good_database(data_copy, tmp_path):
    db = tmp_path / "compliance.sqlite"
    good = build_database(data_copy, db)
    before = db.read_bytes()
    edit_json(data_copy / "rules.json", lambda r: r[0].update(scope="galactic"))
    with pytest.raises(DataError):
        build_database(data_copy, db)
    assert db.read_bytes() == before
    assert load_dataset(db).version == good.data_version
    assert not list(tmp_path.glob("*.tmp"))


def test_app_builds_on_first_start_and_rebuilds_when_data_changes(data_copy, tmp_path):
    db = tmp_path / "auto.sqlite"
    app = make_app(db, DATA_DIR=str(data_copy), DATA_AUTO_BUILD=True)
    first = app.test_client().get("/healthz").get_json()["data_version"]
    assert db.exists()
    edit_json(data_copy / "models.json", lambda r: r.pop())
    app = make_app(db, DATA_DIR=str(data_copy), DATA_AUTO_BUILD=True)
    assert app.test_client().get("/healthz").get_json()["data_version"] != first


def test_app_keeps_serving_the_old_database_when_new_data_is_bad(data_copy, tmp_path):
    db = tmp_path / "keep.sqlite"
    good = build_database(data_copy, db).data_version
    edit_json(data_copy / "recalls.json", lambda r: r[0].update(models=[]))
    app = make_app(db, DATA_DIR=str(data_copy), DATA_AUTO_BUILD=True)
    assert app.test_client().get("/healthz").get_json()["data_version"] == good


def test_without_any_database_the_app_answers_503(data_copy, tmp_path):
    edit_json(data_copy / "recalls.json", lambda r: r[0].update(models=[]))
    app = make_app(tmp_path / "none.sqlite", DATA_DIR=str(data_copy), DATA_AUTO_BUILD=True)
    response = app.test_client().get("/api/v1/check?wh=10")
    assert response.status_code == 503
    assert "data build" in response.get_json()["detail"]


def test_database_holds_every_table(built_db):
    conn = sqlite3.connect(built_db)
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type='table'")}
    assert {"meta", "recalls", "recall_models", "rules", "models", "airlines", "airports"} <= tables


def test_the_datasets_memo_computes_once_and_stays_bounded(dataset):
    """Identification, suggestions and the rules in force on a date are kept per dataset
    (Dataset.remembered): each worked out once, and no table grows past its size."""
    calls = []
    for _ in range(3):
        assert dataset.remembered("test-table", "a", lambda: calls.append(1) or 42, 3) == 42
    assert calls == [1]
    for key in range(10):
        dataset.remembered("test-table", key, lambda: key, 3)
    assert len(dataset.memo["test-table"]) <= 3
    dataset.memo.pop("test-table")


def test_a_running_app_picks_up_a_rebuilt_database(data_copy, tmp_path, monkeypatch):
    """Workers read the database once, then look at the file at most once a second and reload
    it when a rebuild has replaced it; one request always reads one dataset."""
    clock = [1000.0]
    monkeypatch.setattr("compliance.data.dataset.time.monotonic", lambda: clock[0])
    db = tmp_path / "live.sqlite"
    first = build_database(data_copy, db).data_version
    app = make_app(db, DATA_DIR=str(data_copy))
    client = app.test_client()
    assert client.get("/healthz").get_json()["data_version"] == first
    edit_json(data_copy / "models.json", lambda r: r.pop())
    second = build_database(data_copy, db).data_version
    assert second != first
    clock[0] += 0.5
    assert client.get("/healthz").get_json()["data_version"] == first  # within the second
    clock[0] += 0.6
    assert client.get("/healthz").get_json()["data_version"] == second
