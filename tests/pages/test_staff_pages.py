"""The staff side of a result: the verified page, its JSON twin, manual codes, the card, and the
files of the scanning screen. Through the real app and the real data, with the Flask client."""

import html
import json
import re
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image

from compliance.data.build import build_database
from compliance.results import codes, qr, run_check, tokens

from tests.helpers import ROOT, TEST_SECRET, make_app

#: A model number that is in no real data: the change-since-issue test recalls it in a private
#: copy of the data, clearly marked as a test fixture.
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
    "notes": "Written by tests/test_staff.py into a temporary copy of data/ only.",
}


@pytest.fixture
def codes_db(tmp_path):
    return tmp_path / "codes" / "result_codes.sqlite"


@pytest.fixture
def staff_app(built_db, codes_db):
    return make_app(built_db, RESULT_CODES_DATABASE=str(codes_db))


@pytest.fixture
def staff_client(staff_app):
    return staff_app.test_client()


def issue(client, **query) -> str:
    """Issue a result and show it once, as the traveller's page does: a manual code is
    recorded when it is shown, not for every API check."""
    body = client.get("/api/v1/check", query_string=query).get_json()
    token = body["result_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/results/{token}").status_code == 200
    return token


def issue_at(app, values: dict, now: datetime, legs=None) -> str:
    with app.test_request_context():
        return run_check(values, legs=legs, now=now).token


def verification(client, token):
    response = client.get(f"/api/v1/results/{token}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page_text(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


# --- Round trip and tampering through the results API ----------------------------------------


def test_results_api_round_trips_the_claim(staff_client):
    query = dict(model="A1366", wh=74, airline="LH", origin="FRA", destination="JFK")
    check = staff_client.get("/api/v1/check", query_string=query).get_json()
    token = check["result_url"].rsplit("/", 1)[1]
    body = verification(staff_client, token)
    assert body["valid"] is True
    assert body["verdict"] == body["verdict_at_issue"] == check["verdict"] == "forbidden"
    assert body["changed"] is False and body["stale"] is False
    assert body["issued_at"] == check["issued_at"]
    assert body["device"] == check["device"]
    assert body["conditions"] == check["conditions"]
    assert body["recall"] == check["recall"]
    assert body["data_version"] == check["data_version"]
    assert body["result_url"] == check["result_url"]
    assert body["code"] == tokens.manual_code(token, TEST_SECRET)
    assert body["trip"]["origin"] == "FRA" and body["trip"]["airline"] == "LH"
    assert verification(staff_client, token.lower())["token"] == token


def test_every_single_character_alteration_is_refused_by_the_results_api(staff_client):
    token = issue(staff_client, model="A1263", wh=37)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for index, original in enumerate(token):
        replacement = next(c for c in alphabet[(index % 32):] + alphabet if c != original)
        altered = token[:index] + replacement + token[index + 1:]
        response = staff_client.get(f"/api/v1/results/{altered}")
        assert response.status_code == 400, (index, altered)
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["valid"] is False and body["param"] == "token"
        assert "verdict" not in body


def test_truncated_and_forged_tokens_get_a_problem_and_the_page_shows_no_verdict(
        staff_client, built_db):
    token = issue(staff_client, wh=50)
    forged = issue(make_app(built_db, SECRET_KEY="not-our-key").test_client(), wh=50)
    for bad in [token[:-1], token[:20], token + "A", forged, "1", "x" * 500, "1" + "A" * 60]:
        response = staff_client.get(f"/api/v1/results/{bad}")
        assert response.status_code == 400 and response.get_json()["valid"] is False, bad
        page = staff_client.get(f"/r/{bad}")
        assert page.status_code == 400
        text = page.get_data(as_text=True)
        assert "CANNOT VERIFY" in text and "verdict-allowed" not in text
        assert staff_client.get(f"/r/{bad}/card").status_code == 400


# --- Stale results -----------------------------------------------------------------------------


def test_result_older_than_the_limit_is_flagged_stale_on_page_and_json(staff_app, staff_client):
    old = issue_at(staff_app, {"wh": "50"}, datetime.now(timezone.utc) - timedelta(days=45))
    body = verification(staff_client, old)
    assert body["stale"] is True and body["max_age_days"] == 30 and body["age_days"] >= 45
    text = page_text(staff_client, f"/r/{old}")
    assert "STALE RESULT" in text and "Ask for a new check" in text
    assert "Issued 45 days ago" in text

    fresh = issue(staff_client, wh=50)
    assert verification(staff_client, fresh)["stale"] is False
    assert "STALE RESULT" not in page_text(staff_client, f"/r/{fresh}")


def test_max_age_is_configurable(built_db, codes_db):
    app = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db), RESULT_MAX_AGE_DAYS=0)
    token = issue_at(app, {"wh": "50"}, datetime.now(timezone.utc) - timedelta(hours=1))
    assert verification(app.test_client(), token)["stale"] is True


# --- A verdict that changed since issue --------------------------------------------------------


def test_new_recall_after_issue_shows_changed_forbidden_on_page_and_json(
        built_db, data_copy, tmp_path, codes_db):
    before = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db))
    client = before.test_client()
    token = issue(client, model=TEST_ONLY_MODEL, wh=50, airline="BA", origin="LHR",
                  destination="JFK")
    assert verification(client, token)["verdict"] == "allowed"

    recalls_file = data_copy / "recalls.json"
    recalls = json.loads(recalls_file.read_text())
    recalls.append(TEST_ONLY_RECALL)
    recalls_file.write_text(json.dumps(recalls, indent=1))
    new_db = tmp_path / "after" / "compliance.sqlite"
    build_database(data_copy, new_db)
    after = make_app(new_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()

    body = verification(after, token)
    assert body["changed"] is True
    assert body["verdict_at_issue"] == "allowed" and body["verdict"] == "forbidden"
    assert "recalled (TEST FIXTURE, 2026-11-20)" in body["changed_reason"]
    assert body["recall"]["status"] == "recalled"

    text = page_text(after, f"/r/{token}")
    assert re.search(r"Changed since issued:</strong> now FORBIDDEN because this model is "
                     r"recalled \(TEST FIXTURE, 2026-11-20\)", text)
    assert "When it was issued the verdict was ALLOWED." in text
    assert "verdict-big verdict-forbidden" in text
    card = page_text(after, f"/r/{token}/card")
    assert "Changed since issued (was ALLOWED)." in card


# --- Manual codes ------------------------------------------------------------------------------


def as_staff_would_type(code: str) -> str:
    """Lower case, a hyphen and a space, and the look-alike letters for 0 and 1."""
    typed = (code[:4] + "- " + code[4:]).lower()
    return typed.replace("0", "o").replace("1", "I")


def test_manual_code_resolves_to_the_same_result(staff_client):
    token = issue(staff_client, model="BI-B41", airline="CA", origin="PEK", destination="PVG")
    code = verification(staff_client, token)["code"]
    text = page_text(staff_client, f"/r/{token}")
    assert f"{code[:4]}-{code[4:]}" in text

    response = staff_client.get("/v", query_string={"code": as_staff_would_type(code)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{token}")
    opened = staff_client.get("/v", query_string={"code": code}, follow_redirects=True)
    assert opened.status_code == 200
    assert "MORE INFORMATION NEEDED" in opened.get_data(as_text=True)


def test_code_shown_on_the_travellers_page_resolves(staff_client):
    page = page_text(staff_client, "/check?model=A1366&wh=74&airline=LH&origin=FRA"
                                   "&destination=JFK")
    code = re.search(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>", page).group(1)
    opened = staff_client.get("/v", query_string={"code": code.lower()}, follow_redirects=True)
    assert opened.status_code == 200
    assert "verdict-big verdict-forbidden" in opened.get_data(as_text=True)
    assert opened.request.path.upper().startswith("/R/1")


def test_confusable_characters_normalise():
    assert codes.parse_code(" ab0l-1oiz ") == "AB0110" + "1Z"


@pytest.mark.parametrize("typed, reason", [
    ("ABC", "a code has 8 characters; 3 were given"),
    ("ABCDEFGHJ", "a code has 8 characters; 9 were given"),
    ("UUUU-2222", "codes never contain U"),
    ("----", "no code was given"),
    ("A" * 40, "far longer"),
])
def test_malformed_code_is_a_400_that_says_why(staff_client, typed, reason):
    response = staff_client.get("/v", query_string={"code": typed})
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert reason in text
    assert 'aria-invalid="true"' in text and 'id="code-error"' in text


def test_unknown_code_is_a_404_page(staff_client):
    response = staff_client.get("/v?code=ZZZZ-ZZZZ")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "UNKNOWN CODE" in text and "ZZZZ-ZZZZ" in text
    assert "verdict-allowed" not in text and "verdict-forbidden" not in text


def test_v_without_code_is_a_labelled_form(staff_client):
    text = page_text(staff_client, "/v")
    assert '<label for="code">' in text and 'id="code" name="code"' in text
    assert 'action="/v"' in text


def test_codes_live_in_their_own_writable_wal_database(staff_client, codes_db, built_db):
    db_before = built_db.stat().st_mtime_ns
    token = issue(staff_client, wh=20)
    assert codes_db.exists()
    with sqlite3.connect(codes_db) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("select code, token from result_codes").fetchall()
    assert (tokens.manual_code(token, TEST_SECRET), token) in rows
    assert built_db.stat().st_mtime_ns == db_before


def test_codes_resolve_only_where_the_store_is_shared(built_db, codes_db, tmp_path):
    first = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()
    sharing = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()
    separate = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "other.sqlite"))
    token = issue(first, wh=20)
    code = tokens.manual_code(token, TEST_SECRET)
    assert sharing.get(f"/v?code={code}").status_code == 303
    assert separate.test_client().get(f"/v?code={code}").status_code == 404
    # The token itself verifies anywhere with the key; opening it records its code there.
    assert separate.test_client().get(f"/r/{token}").status_code == 200
    assert separate.test_client().get(f"/v?code={code}").status_code == 303


def test_a_row_edited_in_the_store_does_not_redirect(staff_app, staff_client, codes_db):
    real = issue(staff_client, wh=20)
    other = issue(staff_client, wh=200)
    code = tokens.manual_code(real, TEST_SECRET)
    with sqlite3.connect(codes_db) as conn:
        conn.execute("update result_codes set token = ? where code = ?", (other, code))
    assert staff_client.get(f"/v?code={code}").status_code == 404


def test_an_unwritable_store_never_breaks_a_check(built_db, tmp_path):
    blocked = tmp_path / "a-directory"
    blocked.mkdir()
    client = make_app(built_db, RESULT_CODES_DATABASE=str(blocked)).test_client()
    assert client.get("/api/v1/check?wh=20").status_code == 200
    assert client.get("/check?wh=20").status_code == 200
    assert client.get("/v?code=ZZZZZZZZ").status_code == 503


def test_prune_codes_forgets_old_codes_only(staff_app, codes_db):
    store = codes.CodeStore(codes_db)
    now = datetime.now(timezone.utc)
    store.record("OLD00000", "1OLD", now=now - timedelta(days=61))
    store.record("NEW00000", "1NEW", now=now - timedelta(days=59))
    result = staff_app.test_cli_runner().invoke(args=["prune-codes"])
    assert result.exit_code == 0 and "Removed 1 manual code(s)" in result.output
    assert store.lookup("OLD00000") is None and store.lookup("NEW00000") == "1NEW"


def _write_codes(args):
    path, worker, count = args
    store = codes.CodeStore(path)
    for n in range(count):
        store.record(f"W{worker}N{n:05d}", f"TOKEN-{worker}-{n}")
    return count


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path):
    """Several workers opening a fresh file at the same moment is the case SQLite does not
    wait for by itself (switching to WAL), so it is repeated on new files."""
    with ProcessPoolExecutor(max_workers=6) as pool:
        for attempt in range(6):
            path = tmp_path / f"result_codes-{attempt}.sqlite"
            written = sum(pool.map(_write_codes, [(path, w, 100) for w in range(6)]))
            store = codes.CodeStore(path)
            assert written == store.count() == 600
            assert store.lookup("W5N00099") == "TOKEN-5-99"


# --- The staff view and its JSON twin ----------------------------------------------------------


def test_json_verification_matches_the_page(staff_client, dataset):
    token = issue(staff_client, model="BI-B41", airline="CA", origin="PEK", destination="PVG")
    body = verification(staff_client, token)
    text = page_text(staff_client, f"/r/{token}")
    words = {"allowed": "ALLOWED", "need_more_info": "MORE INFORMATION NEEDED",
             "forbidden": "FORBIDDEN", "approval_required": "AIRLINE APPROVAL NEEDED",
             "check_serial": "CHECK THE SERIAL"}
    # "some units recalled" is its own state on the page; the JSON verdict stays the engine's
    state = ("check_serial" if body["verdict"] == "need_more_info"
             and body["recall"]["status"] == "check_serial" else body["verdict"])
    assert f"verdict-big verdict-{state}" in text
    assert words[state] in text
    # the staff view speaks to staff: the decision line, not the traveller's headline
    assert body["decision"]["text"] in text
    assert body["data_version"] == dataset.version and body["data_version"] in text
    issued = datetime.fromisoformat(body["issued_at"])
    assert issued.strftime("%Y-%m-%d %H:%M UTC") in text
    assert f"{body['code'][:4]}-{body['code'][4:]}" in text
    assert [c["code"] for c in body["label_checks"]] == [
        "model", "capacity", "ccc", "serial", "capacity_label"]
    for item in body["label_checks"]:
        assert item["text"] in text
    for condition in body["conditions"]:
        assert condition["text"] in text
    for reason in body["reasons"]:
        assert reason["source_url"][:60] in text
    assert "Changed since issued" not in text and body["changed"] is False
    assert "STALE" not in text and body["stale"] is False


def test_staff_view_shows_host_claim_and_label_checks(staff_client):
    token = issue(staff_client, model="A1263", brand="Anker", wh=37, count=2)
    text = page_text(staff_client, f"/r/{token}")
    assert re.search(r'class="host-name">localhost<', text)
    assert "Check the label for:" in text
    assert "Model number: A1263" in text and "Capacity: 37 Wh printed" in text
    assert "Claimed device" in text and "<dd>2</dd>" in text
    assert "CCC" not in text.split("Check the label for:")[1].split("</ul>")[0]


def test_itinerary_shows_each_leg_verdict(staff_app, staff_client):
    token = issue_at(
        staff_app, {"model": "PLM03ZM"}, datetime.now(timezone.utc),
        legs=[{"airline": "LH", "origin": "FRA", "destination": "PEK"},
              {"airline": "CA", "origin": "PEK", "destination": "PVG"}])
    body = verification(staff_client, token)
    assert [leg["trip"]["origin"] for leg in body["legs"]] == ["FRA", "PEK"]
    text = page_text(staff_client, f"/r/{token}")
    assert "Each flight" in text
    for leg in body["legs"]:
        assert f'leg-verdict verdict-{leg["verdict"]}' in text
    assert text.count('class="leg-verdict') == 2
    assert "LH FRA → PEK" in text and "CA PEK → PVG" in text


# --- Sharing: downloads, card, QR --------------------------------------------------------------


def test_result_and_check_pages_offer_svg_png_and_card(staff_client):
    query = dict(model="A1263", wh=37)
    token = issue(staff_client, **query)
    for text in (page_text(staff_client, f"/r/{token}"),
                 page_text(staff_client, "/check?model=A1263&wh=37")):
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/qr\.svg" download', text)
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/qr\.png" download', text)
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/card"', text)
        assert "Printable card" in text


def test_card_has_qr_verdict_device_date_code_and_host(staff_client):
    token = issue(staff_client, model="A1647", brand="Anker", wh=74, airline="EK",
                  origin="DXB", destination="LHR")
    body = verification(staff_client, token)
    response = staff_client.get(f"/r/{token}/card")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "<svg" in text and 'class="card-verdict verdict-forbidden"' in text
    assert "FORBIDDEN" in text and "Anker A1647 · 74.0 Wh · × 1" in text
    assert "EK DXB → LHR" in text
    assert datetime.fromisoformat(body["issued_at"]).strftime("%Y-%m-%d") in text
    assert f"{body['code'][:4]}-{body['code'][4:]}" in text
    assert '<p class="card-host">localhost</p>' in text and "localhost/v" in text
    assert "<script>" not in text and 'style="' not in text
    css = (ROOT / "static" / "card.css").read_text()
    assert "size:105mm 148mm" in css


def test_card_says_what_the_answer_could_not_check(staff_client):
    """Issue 10: no model given -> the card says plainly that no recall was checked."""
    token = issue(staff_client, wh=74, airline="EK", origin="DXB", destination="LHR")
    text = html.unescape(staff_client.get(f"/r/{token}/card").get_data(as_text=True))
    assert 'class="card-notice notice-recall_not_checked"' in text
    assert "Not checked against recalls: no model number given." in text
    with_model = issue(staff_client, model="A1647", wh=74, airline="EK", origin="DXB",
                       destination="LHR")
    assert "card-notice" not in staff_client.get(f"/r/{with_model}/card").get_data(
        as_text=True)


def test_app_rendered_qr_png_decodes_to_the_result_url(staff_client):
    check = staff_client.get("/api/v1/check?model=A1263&wh=37&airline=EK&origin=DXB"
                             "&destination=LHR").get_json()
    token = check["result_url"].rsplit("/", 1)[1]
    png = staff_client.get(f"/R/{token}/qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(png.data)))
    assert [d.text for d in decoded] == [check["result_url"]]


def test_typical_result_url_is_a_low_qr_version_with_a_4_module_quiet_zone(staff_app):
    """Prints the figures quoted in the issue note: a single-leg check with model, airline and
    route, then the same with a Wh figure too."""
    typical = {"model": "A1263", "airline": "EK", "origin": "DXB", "destination": "LHR",
               "date": "2026-12-24"}
    for values, highest_version in [(typical, 6), ({**typical, "wh": "37"}, 7)]:
        with staff_app.test_request_context():
            token = run_check(values).token
        url = "HTTPS://CHECK.EXAMPLE.ORG/R/" + token
        version, modules = qr.info(url)
        print(f"\n{sorted(values)}: URL {len(url)} chars (token {len(token)}): QR version "
              f"{version}, {modules}x{modules} modules + 4-module quiet zone, correction Q")
        assert version <= highest_version and modules == 17 + 4 * version
        image = Image.open(BytesIO(qr.png(url, box_size=4)))
        assert image.size[0] == (modules + 2 * qr.QUIET_ZONE) * 4
        assert [d.text for d in zxingcpp.read_barcodes(image)] == [url]


# --- The scanning screen -----------------------------------------------------------------------


def test_scan_page_has_labelled_inputs_and_no_inline_script_or_style(staff_client):
    response = staff_client.get("/scan")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S)
    assert scripts and all('src="/static/' in attrs and not body for attrs, body in scripts)
    assert 'style="' not in text
    assert not re.search(r"\son[a-z]+=", text)
    for field in ["lookup-model", "lookup-wh", "lookup-mah", "lookup-airline", "lookup-origin",
                  "lookup-destination", "code"]:
        assert f'<label for="{field}">' in text, field
    assert 'action="/check"' in text and 'data-combo="model"' in text
    assert 'data-models-url="/api/v1/models"' in text


def test_recall_list_for_offline_use_covers_every_recalled_model(staff_client, dataset):
    body = staff_client.get("/scan/recalls.json").get_json()
    assert body["data_version"] == dataset.version
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    assert set(body["by_model_key"]) == set(dataset.recalls_by_model) | set(
        dataset.recall_aliases)
    assert len(body["recalls"]) == len(dataset.recalls)
    scoped = {body["recalls"][i]["status"] for i in body["by_model_key"]["A1263"]}
    assert scoped == {"check_serial"}
    entries = [body["recalls"][i] for i in body["by_model_key"]["A1647"]]
    assert {e["status"] for e in entries} == {"recalled", "check_serial"}
    entry = next(e for e in entries if e["status"] == "recalled")
    assert entry["brand"] == "Anker" and "A1647" in entry["models"]
    assert entry["source_url"].startswith("http")
    assert set(entry) == {"models", "brand", "product", "status", "scope_detail", "agency",
                          "date", "source_url"}


def test_service_worker_is_served_from_the_root_and_not_cached(staff_client):
    response = staff_client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    for path in ["scan", "scan/recalls.json", "static/scan.js", "static/vendor/jsQR.js"]:
        assert f'"{path}"' in script
    assert "register" in (ROOT / "static" / "scan.js").read_text()


def test_vendored_decoder_keeps_its_origin_and_licence():
    script = (ROOT / "static" / "vendor" / "jsQR.js").read_text()
    assert "jsQR 1.4.0" in script.splitlines()[1] and "Apache License" in script[:600]
    assert "Apache License" in (ROOT / "static" / "vendor" / "jsQR.LICENSE").read_text()
    readme = (ROOT / "static" / "vendor" / "README.md").read_text()
    assert "jsqr" in readme and "1.4.0" in readme and "Apache" in readme


def test_json_verification_is_never_cached(staff_client):
    token = issue(staff_client, wh=20)
    assert staff_client.get(f"/api/v1/results/{token}").headers["Cache-Control"] == "no-store"
