"""/data (sources, counts, check dates, licence), the open data downloads and `data report`."""

import csv
import io
import json

import pytest

from compliance.data.build import load_sources
from compliance.data.report import summarize

from tests.helpers import DATA_DIR, page_text


@pytest.fixture(scope="module")
def sources():
    return load_sources(DATA_DIR)


def test_data_page_lists_every_source_with_counts_and_dates(client, sources):
    response = client.get("/data")
    assert response.status_code == 200
    text = page_text(response)
    summary = summarize(sources)
    assert f"{summary.recalls} recalls" in text
    assert f"{summary.authorities} authorities, {summary.airlines_with_rules} airlines" in text
    assert f"{summary.verified} records verified, {summary.partial} partial" in text
    for row in summary.rows:
        dates = (row.newest_checked if row.oldest_checked == row.newest_checked
                 else f"{row.oldest_checked} – {row.newest_checked}")
        assert f"{row.source} {row.records} {row.verified} {row.partial} {dates}" in text, row
    cpsc = next(r for r in summary.rows if r.kind == "recalls" and r.source == "CPSC")
    assert cpsc.records == sum(r["agency"] == "CPSC" for r in sources["recalls"])


def test_data_page_states_licence_and_attribution(client):
    text = page_text(client.get("/data"))
    assert "Open Database License (ODbL) 1.0" in text
    assert "OpenFlights contributors" in text
    html = client.get("/data").get_data(as_text=True)
    assert 'rel="license"' in html and "style=" not in html and "<script" not in html


@pytest.mark.parametrize("name", ["recalls", "rules", "models"])
def test_json_downloads_are_the_data_files_records(client, sources, name):
    response = client.get(f"/data/{name}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "opendatacommons.org/licenses/odbl" in response.headers["Link"]
    served = response.get_json()
    key = {"recalls": "recall_id", "rules": "rule_id"}.get(name)

    def by_key(records):
        if key:
            return {r[key]: r for r in records}
        return {(r["brand"], r["model"]): r for r in records}

    assert by_key(served) == by_key(sources[name])


def test_rule_records_carry_the_api_field_names(client):
    rules = client.get("/data/rules.json").get_json()
    airline_rule = next(r for r in rules if r["scope"] == "airline")
    for field in ("rule_id", "issuer", "airline", "scope", "source_url", "checked", "confidence"):
        assert field in airline_rule
    assert airline_rule["airline"]


@pytest.mark.parametrize("name", ["recalls", "rules", "models"])
def test_csv_downloads_have_one_row_per_record(client, sources, name):
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(sources[name])
    assert all(row["source_url"].startswith("http") for row in rows)
    if name == "recalls":
        a1366 = [r for r in rows if "A1366" in r["models"].split(" | ")]
        assert a1366 and all(r["scope"] == "model" for r in a1366)
        with_patterns = [r for r in rows if r["serial_patterns"] not in ("", "[]")]
        assert all(json.loads(r["serial_patterns"])[0]["regex"] for r in with_patterns)


def test_downloads_revalidate_by_data_version(client):
    first = client.get("/data/recalls.json")
    etag = first.headers["ETag"]
    again = client.get("/data/recalls.json", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_unknown_download_is_404(client):
    assert client.get("/data/airports.json").status_code == 404


def test_cli_report_prints_the_same_figures(runner, client, sources):
    result = runner.invoke(args=["data", "report"])
    assert result.exit_code == 0, result.output
    summary = summarize(sources)
    assert f"Recalls: {summary.recalls} (" in result.output
    assert f"{summary.authorities} authorities, {summary.airlines_with_rules} airlines" \
        in result.output
    for row in summary.rows:
        line = next(line for line in result.output.splitlines()
                    if line.startswith(row.kind) and f" {row.source} " in line)
        assert line.split()[-4:] == [str(row.records), str(row.verified), str(row.partial),
                                     f"{row.oldest_checked}..{row.newest_checked}"]


def test_every_page_links_to_the_data_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/data"' in html
