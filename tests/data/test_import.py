"""The official-format importers: CPSC Recalls API and Health Canada recall details.

Run through the real ``flask data import`` command on a private copy of data/, against fixture
files shaped like the agencies' formats (tests/fixtures/README.md says what in them is real).
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from compliance.data.importers.textscan import is_power_bank, models_in_text, unit_scope

from tests.helpers import FIXTURES_DIR, make_app

FIXTURES = FIXTURES_DIR
CPSC = FIXTURES / "cpsc_recalls.json"
HEALTH_CANADA = FIXTURES / "healthcanada_recalls.json"
TODAY = "2026-11-25"


@pytest.fixture
def importer(data_copy, tmp_path):
    """An app over a private copy of data/ and its own database, and a CLI runner for it."""
    app = make_app(tmp_path / "import.sqlite", DATA_DIR=str(data_copy), DATA_AUTO_BUILD=True)
    return app, app.test_cli_runner(), data_copy


def recalls_of(data_dir) -> dict:
    return {r["recall_id"]: r for r in json.loads((data_dir / "recalls.json").read_text())}


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_import(runner, *args):
    return runner.invoke(args=["data", "import", *args, "--checked", TODAY])


# --- CPSC ------------------------------------------------------------------------------------


def test_cpsc_import_updates_fills_adds_and_skips(importer):
    app, runner, data_dir = importer
    # The real Casely record now carries CPSC's number (25-227); blank it on this copy so the
    # fixture's Casely (a synthetic 25902) still exercises the match by agency, date and model.
    records = json.loads((data_dir / "recalls.json").read_text())
    for record in records:
        if record["recall_id"] == "cpsc-2025-04-casely-e33a":
            record["recall_number"] = None
    (data_dir / "recalls.json").write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    before = recalls_of(data_dir)
    result = run_import(runner, "cpsc", str(CPSC))
    assert result.exit_code == 0, result.output
    after = recalls_of(data_dir)

    # Same agency + recall number: the API's "25466" is the published 25-466.
    anker = after["cpsc-2025-09-anker-a1257-a1647-a1652-a1681-a1689"]
    assert anker["recall_number"] == "25-466"
    assert anker["source_url"].startswith("https://www.cpsc.gov/Recalls/2025/")
    assert before[anker["recall_id"]]["source_url"] in anker["other_sources"]
    assert anker["confidence"] == "verified" and anker["checked"] == TODAY
    assert anker["scope"] == "serial" and anker["notes"] == before[anker["recall_id"]]["notes"]

    # A1263 carries its real number (25-338), so it matches by number; Casely has none, so it
    # is matched by agency, date and model and its number is filled.
    assert after["cpsc-2025-06-anker-a1263"]["recall_number"] == "25-338"
    assert after["cpsc-2025-06-anker-a1263"]["scope"] == "serial"
    casely = after["cpsc-2025-04-casely-e33a"]
    assert casely["recall_number"] == "25-902" and casely["models"] == ["E33A"]

    # A new recall, models read from a messy description, narrowed by serial number.
    added = [r for key, r in after.items() if key not in before]
    assert [r["brand"] for r in added] == ["Examplecharge"]
    new = added[0]
    assert new["models"] == ["EXC-20K", "EXC-20KW", "7012345", "7012346"]
    assert new["scope"] == "serial" and "beginning with 24A" in new["scope_detail"]
    assert new["date"] == "2026-10-02" and new["recall_number"] == "26-903"
    assert new["remedy_url"] == "https://www.example.com/recall"
    assert len(after) == len(before) + 1

    # Not power banks (dresser, power station, jump starter, e-bike pack) are not imported;
    # a power bank recall without any model number is reported, not imported.
    models = {m for r in after.values() for m in r["models"]}
    assert not models & {"SP-1000", "JS-12", "SR-48V"}
    assert "skipped: CPSC record 5 (RecallID 10705)" in result.output
    assert "no model number found" in result.output
    assert "1 added, 3 updated, 0 unchanged, 1 skipped" in result.output

    # The database was rebuilt: the new recall decides answers straight away.
    response = app.test_client().get("/api/v1/check?model=EXC-20KW&wh=74&date=2026-11-25")
    body = response.get_json()
    assert body["verdict"] == "need_more_info"
    assert body["recall"]["matches"][0]["recall_number"] == "26-903"


def test_cpsc_reimport_changes_nothing_byte_for_byte(importer):
    _app, runner, data_dir = importer
    assert run_import(runner, "cpsc", str(CPSC)).exit_code == 0
    first = digest(data_dir / "recalls.json")
    again = run_import(runner, "cpsc", str(CPSC))
    assert again.exit_code == 0, again.output
    assert digest(data_dir / "recalls.json") == first
    assert "0 added, 0 updated, 4 unchanged" in again.output
    assert "data/recalls.json unchanged" in again.output


def write_json(path, document) -> Path:
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("name, document, message", [
    ("error-record", [{"RecallID": 0, "Title": "Error retrieving Recalls: invalid parameter"}],
     "the API returned an error"),
    ("not-a-list", {"Message": "An error has occurred."}, "not a CPSC recall"),
])
def test_cpsc_bad_document_changes_nothing(importer, tmp_path, name, document, message):
    _app, runner, data_dir = importer
    before = digest(data_dir / "recalls.json")
    result = run_import(runner, "cpsc", str(write_json(tmp_path / f"{name}.json", document)))
    assert result.exit_code != 0
    assert message in result.output and "nothing was imported" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_a_truncated_file_changes_nothing(importer, tmp_path):
    _app, runner, data_dir = importer
    before = digest(data_dir / "recalls.json")
    text = CPSC.read_text()
    partial = tmp_path / "partial.json"
    partial.write_text(text[: len(text) // 2])
    result = run_import(runner, "cpsc", str(partial))
    assert result.exit_code != 0
    assert "invalid or truncated JSON" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_one_bad_power_bank_record_rejects_the_whole_file(importer, tmp_path):
    _app, runner, data_dir = importer
    before = digest(data_dir / "recalls.json")
    records = json.loads(CPSC.read_text())
    records[3]["URL"] = ""
    records[2]["RecallDate"] = "2025-02-30T00:00:00"
    result = run_import(runner, "cpsc", str(write_json(tmp_path / "bad.json", records)))
    assert result.exit_code != 0
    assert "RecallID 10704): URL '' is not a web address" in result.output
    assert "RecallID 10703): RecallDate '2025-02-30T00:00:00' is not a real date" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_import_refuses_when_the_data_files_are_already_invalid(importer):
    _app, runner, data_dir = importer
    rules = json.loads((data_dir / "rules.json").read_text())
    rules[0]["scope"] = "galactic"
    (data_dir / "rules.json").write_text(json.dumps(rules))
    before = digest(data_dir / "recalls.json")
    result = run_import(runner, "cpsc", str(CPSC))
    assert result.exit_code != 0
    assert "field 'scope'" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_file_or_url_is_required(importer):
    _app, runner, _data_dir = importer
    result = runner.invoke(args=["data", "import", "cpsc"])
    assert result.exit_code == 2 and "either FILE or --url" in result.output


# --- Health Canada ---------------------------------------------------------------------------


def test_health_canada_import(importer):
    app, runner, data_dir = importer
    before = recalls_of(data_dir)
    result = run_import(runner, "healthcanada", str(HEALTH_CANADA))
    assert result.exit_code == 0, result.output
    after = recalls_of(data_dir)

    blackweb = after["hc-2018-04-blackweb-power-banks"]
    assert blackweb["models"] == ["S5201", "S6601", "S1001"]
    assert blackweb["date"] == "2018-04-04"  # published 00:30 Ottawa time, 04:30 UTC
    assert blackweb["source_url"] == ("https://healthycanadians.gc.ca/recall-alert-rappel-avis/"
                                      "hc-sc/2018/66370r-eng.php")
    assert blackweb["units"] == "Approximately 90,000 units of the affected products were sold " \
                                "in Canada."
    # The http:// address of the same page is not kept as a second source.
    assert blackweb["other_sources"] == before[blackweb["recall_id"]]["other_sources"]

    logiix = after["hc-2026-02-logiix-piston-power-5000-mag"]
    assert logiix["recall_number"] == "RA-79001" and logiix["date"] == "2026-02-20"

    samplevolt = [r for key, r in after.items() if key not in before]
    assert len(samplevolt) == 1
    assert samplevolt[0]["models"] == ["SV-10", "SV-10W"]
    assert samplevolt[0]["scope"] == "batch"
    assert "lot numbers 2301 through 2310" in samplevolt[0]["scope_detail"]
    assert samplevolt[0]["remedy"] is None
    assert "Promotional power banks" in result.output and "no model number" in result.output
    assert not any("4411" in r["models"] for r in after.values())

    body = app.test_client().get("/api/v1/check?model=S6601&wh=20&date=2026-11-25").get_json()
    assert body["verdict"] == "forbidden"
    assert body["recall"]["matches"][0]["recall_number"] == "RA-66370"


def test_health_canada_reimport_changes_nothing(importer):
    _app, runner, data_dir = importer
    assert run_import(runner, "healthcanada", str(HEALTH_CANADA)).exit_code == 0
    first = digest(data_dir / "recalls.json")
    assert run_import(runner, "healthcanada", str(HEALTH_CANADA)).exit_code == 0
    assert digest(data_dir / "recalls.json") == first


def test_health_canada_listing_item_is_not_a_detail_record(importer, tmp_path):
    _app, runner, data_dir = importer
    before = digest(data_dir / "recalls.json")
    listing = [{"recallId": "66370", "title": "blackweb power banks", "category": [4],
                "date_published": 1522816200, "url": "/recall-alert-rappel-avis/x"}]
    result = run_import(runner, "healthcanada", str(write_json(tmp_path / "l.json", listing)))
    assert result.exit_code != 0 and "not a detail record" in result.output
    assert digest(data_dir / "recalls.json") == before


# --- --url against a real HTTP server on loopback --------------------------------------------


class FakeAgency(BaseHTTPRequestHandler):
    """Serves fixture bodies by path, and records the requests it was sent."""

    routes: dict = {}
    seen: list = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        type(self).seen.append(self.path)
        body = type(self).routes.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def agency_server():
    FakeAgency.routes, FakeAgency.seen = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAgency)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", FakeAgency
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_cpsc_url_asks_for_json_and_imports(importer, agency_server):
    _app, runner, data_dir = importer
    base, handler = agency_server
    handler.routes["/RestWebServices/Recall"] = CPSC.read_text()
    url = f"{base}/RestWebServices/Recall?ProductName=power%20bank&format=xml"
    result = run_import(runner, "cpsc", "--url", url)
    assert result.exit_code == 0, result.output
    assert handler.seen == ["/RestWebServices/Recall?ProductName=power+bank&format=json"]
    assert any(r["brand"] == "Examplecharge" for r in recalls_of(data_dir).values())


def test_cpsc_url_error_answered_with_200_changes_nothing(importer, agency_server):
    _app, runner, data_dir = importer
    base, handler = agency_server
    handler.routes["/RestWebServices/Recall"] = json.dumps(
        [{"RecallID": 0, "Title": "Error retrieving Recalls: The request is invalid."}])
    before = digest(data_dir / "recalls.json")
    result = run_import(runner, "cpsc", "--url", f"{base}/RestWebServices/Recall?RecallID=x")
    assert result.exit_code != 0 and "the API returned an error" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_cpsc_url_unreachable_changes_nothing(importer):
    _app, runner, data_dir = importer
    before = digest(data_dir / "recalls.json")
    result = run_import(runner, "cpsc", "--url", "http://127.0.0.1:9/RestWebServices/Recall")
    assert result.exit_code != 0 and "could not fetch" in result.output
    assert digest(data_dir / "recalls.json") == before


def test_health_canada_url_fetches_details_of_power_bank_items(importer, agency_server):
    _app, runner, data_dir = importer
    base, handler = agency_server
    details = json.loads(HEALTH_CANADA.read_text())
    handler.routes["/recall-alert-rappel-avis/api/search"] = json.dumps({"results": [
        {"recallId": d["recallId"], "title": d["title"], "category": [4],
         "date_published": d["date_published"], "url": d["url"]} for d in details]})
    for detail in details:
        handler.routes[f"/recall-alert-rappel-avis/api/{detail['recallId']}/en"] = \
            json.dumps(detail)
    url = f"{base}/recall-alert-rappel-avis/api/search?search=power%20bank&lang=en&cat=4"
    result = run_import(runner, "healthcanada", "--url", url)
    assert result.exit_code == 0, result.output
    fetched = [p for p in handler.seen if p.endswith("/en")]
    # The sweatshirt recall's details are never fetched: its title is not a power bank.
    assert "/recall-alert-rappel-avis/api/79003/en" not in fetched
    assert "/recall-alert-rappel-avis/api/66370/en" in fetched
    assert recalls_of(data_dir)["hc-2026-02-logiix-piston-power-5000-mag"]["recall_number"] \
        == "RA-79001"


# --- The text heuristics on their own ---------------------------------------------------------


@pytest.mark.parametrize("text, models", [
    ("This recall involves Anker power banks with model number A1263.", ["A1263"]),
    ("The recall involves model numbers PPCXM06 and PPCXW06.", ["PPCXM06", "PPCXW06"]),
    ("Model A1647, A1652 power banks with a 10,000 mAh capacity", ["A1647", "A1652"]),
    ("Only model numbers A1642, A1647, and A1652 are included.", ["A1642", "A1647", "A1652"]),
    ("item number 8047795 and 8061303", ["8047795", "8061303"]),
    ("Model No. W1056 (10000mAh)", ["W1056"]),
    ("The recalled power banks are model BI-B41, 10,000mAh.", ["BI-B41"]),
    ("The model number is printed on the back.", []),
    ("Model 2024 was sold in 20,000 mAh.", []),
    ("model 20000 mAh", []),
])
def test_models_in_text(text, models):
    assert models_in_text(text) == models


@pytest.mark.parametrize("text, scope", [
    ("This recall involves model A1366. The model and serial number are printed on the back.",
     "model"),
    ("Only units with serial numbers beginning with 57V are included.", "serial"),
    ("Units from lot numbers 2301 through 2310 are affected.", "batch"),
    ("The recall includes units manufactured between June and August 2021.", "date_code"),
])
def test_unit_scope(text, scope):
    assert unit_scope(text)[0].value == scope


@pytest.mark.parametrize("title, names, sentence, expected", [
    ("Belkin Recalls Power Banks Due to Fire Hazard", [], "", True),
    ("Casely Recalls Power Pods", [], "Casely Power Pods, a 5,000mAh wireless phone charger.",
     True),
    ("ZAGG Recalls HALO 1000 Portable Power Stations", ["HALO 1000 power bank"], "", False),
    ("Jump Starter Power Banks Recalled", [], "", False),
    ("15-Drawer Dressers Recalled", ["EnHomee Dressers"], "This recall involves dressers.", False),
    ("小米召回部分移动电源", [], "", True),
])
def test_power_bank_filter(title, names, sentence, expected):
    assert is_power_bank(title, names, sentence) is expected


def test_fixtures_are_labelled():
    readme = (FIXTURES / "README.md").read_text()
    assert "test fixtures" in readme and "must never be imported" in readme


def test_build_refuses_two_records_with_one_recall_number(data_copy):
    from compliance.data.build import DataError, load_sources

    records = json.loads((data_copy / "recalls.json").read_text())
    cpsc = [r for r in records if r["agency"] == "CPSC"]
    cpsc[0]["recall_number"], cpsc[1]["recall_number"] = "25-466", "25466"
    (data_copy / "recalls.json").write_text(json.dumps(records))
    with pytest.raises(DataError) as caught:
        load_sources(data_copy)
    assert any("field 'recall_number'" in p and "is already recall" in p
               for p in caught.value.problems)
