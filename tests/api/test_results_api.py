"""The JSON twin of the staff view, GET /api/v1/results/<token>: the claim round-trips, every
altered, truncated or forged token is refused, stale and changed results say so, on the page as
in the JSON. Through the real app and the real data, with the Flask client."""

import json
import re
from datetime import datetime, timedelta, timezone

from compliance.data.build import build_database
from compliance.results import tokens
from tests.helpers import (
    TEST_ONLY_MODEL, TEST_ONLY_RECALL, TEST_SECRET, issue, issue_at, make_app, page_html,
    verification,
)


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


def test_result_older_than_the_limit_is_flagged_stale_on_page_and_json(staff_app, staff_client):
    old = issue_at(staff_app, {"wh": "50"}, datetime.now(timezone.utc) - timedelta(days=45))
    body = verification(staff_client, old)
    assert body["stale"] is True and body["max_age_days"] == 30 and body["age_days"] >= 45
    text = page_html(staff_client, f"/r/{old}")
    assert "STALE RESULT" in text and "Ask for a new check" in text
    assert "Issued 45 days ago" in text

    fresh = issue(staff_client, wh=50)
    assert verification(staff_client, fresh)["stale"] is False
    assert "STALE RESULT" not in page_html(staff_client, f"/r/{fresh}")


def test_max_age_is_configurable(built_db, codes_db):
    app = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db), RESULT_MAX_AGE_DAYS=0)
    token = issue_at(app, {"wh": "50"}, datetime.now(timezone.utc) - timedelta(hours=1))
    assert verification(app.test_client(), token)["stale"] is True


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

    text = page_html(after, f"/r/{token}")
    assert re.search(r"Changed since issued:</strong> now FORBIDDEN because this model is "
                     r"recalled \(TEST FIXTURE, 2026-11-20\)", text)
    assert "When it was issued the verdict was ALLOWED." in text
    assert "verdict-big verdict-forbidden" in text
    card = page_html(after, f"/r/{token}/card")
    assert "Changed since issued (was ALLOWED)." in card


def test_json_verification_matches_the_page(staff_client, dataset):
    token = issue(staff_client, model="BI-B41", airline="CA", origin="PEK", destination="PVG")
    body = verification(staff_client, token)
    text = page_html(staff_client, f"/r/{token}")
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


def test_json_verification_is_never_cached(staff_client):
    token = issue(staff_client, wh=20)
    assert staff_client.get(f"/api/v1/results/{token}").headers["Cache-Control"] == "no-store"
