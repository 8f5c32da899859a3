"""The /api/v1/check contract and its errors."""

import pytest

from compliance.core.vocabulary import Condition, Verdict

CONTRACT_FIELDS = {"verdict", "headline", "device", "recall", "conditions", "reasons", "missing",
                   "result_url", "qr_svg_url", "data_version"}


def get(client, **params):
    return client.get("/api/v1/check", query_string=params)


def test_contract_fields_for_a_recalled_model(client):
    response = get(client, model="A1366", wh=74, airline="LH", origin="FRA", destination="JFK",
                   date="2026-06-01")
    assert response.status_code == 200
    body = response.get_json()
    assert CONTRACT_FIELDS <= set(body)
    assert body["verdict"] == "forbidden"
    assert body["recall"]["status"] == "recalled"
    match = body["recall"]["matches"][0]
    assert {"recall_id", "agency", "jurisdiction", "date", "brand", "product", "models",
            "hazard", "remedy", "how_to_identify", "source_url"} <= set(match)
    assert "A1366" in match["models"]
    assert set(body["device"]) >= {"model", "brand", "product", "wh", "wh_source", "count",
                                   "assumptions"}
    for reason in body["reasons"]:
        assert set(reason) >= {"issuer", "scope", "verdict", "text", "effective_from",
                               "source_url"}
    assert body["result_url"].startswith("HTTP://LOCALHOST/R/1")


def test_verdicts_and_conditions_come_from_the_one_vocabulary(client):
    for params in [dict(wh=50), dict(wh=120), dict(wh=200), dict(), dict(model="A1263", wh=37),
                   dict(wh=50, airline="KE", origin="ICN", destination="NRT")]:
        body = get(client, **params).get_json()
        assert body["verdict"] in {v.value for v in Verdict}
        for condition in body["conditions"]:
            assert condition["code"] in {c.value for c in Condition}
            assert condition["text"] and condition["issuer"] and condition["source_url"]


def test_serial_scoped_recall(client):
    body = get(client, model="a-1263", wh=37).get_json()
    assert body["verdict"] == "need_more_info"
    assert body["recall"]["status"] == "check_serial"
    assert body["missing"] == ["serial"]


def test_mah_input_and_count(client):
    body = get(client, mah=30000, v=3.7, count=2).get_json()
    assert body["device"]["wh"] == 111.0 and body["device"]["count"] == 2
    assert body["verdict"] == "approval_required"
    assert get(client, mah=30000, v=3.7, count=3).get_json()["verdict"] == "forbidden"


def test_domestic_china_trip(client):
    body = get(client, wh=74, origin="SHA", destination="CAN", date="2025-08-01").get_json()
    assert body["verdict"] == "need_more_info" and body["missing"] == ["ccc"]
    assert get(client, wh=74, origin="SHA", destination="CAN", date="2025-08-01",
               ccc="true").get_json()["verdict"] == "allowed"


def test_date_defaults_to_today(client):
    from datetime import date

    body = get(client, wh=50).get_json()
    assert body["trip"]["date"] == date.today().isoformat()


def test_lowercase_codes_are_accepted(client):
    body = get(client, wh=50, airline="ek", origin="dxb", destination="lhr").get_json()
    assert any(r["issuer"] == "Emirates" for r in body["reasons"])


@pytest.mark.parametrize(
    "params, param, words",
    [
        (dict(wh="abc"), "wh", "not a number"),
        (dict(wh="-5"), "wh", "more than 0"),
        (dict(wh="0"), "wh", "more than 0"),
        (dict(wh="1e9"), "wh", "at most"),
        (dict(wh="nan"), "wh", "finite"),
        (dict(wh="inf"), "wh", "finite"),
        (dict(mah="12.5.3"), "mah", "not a number"),
        (dict(mah="5000", v="0"), "v", "more than 0"),
        (dict(v="3.7"), "v", "needs a capacity"),
        (dict(count="0"), "count", "between 1 and"),
        (dict(count="2.5"), "count", "whole number"),
        (dict(count="1000"), "count", "between 1 and"),
        (dict(ccc="maybe"), "ccc", "true or false"),
        (dict(date="2026-02-30"), "date", "real calendar date"),
        (dict(date="26-01-01"), "date", "YYYY-MM-DD"),
        (dict(date="1999-12-31"), "date", "between"),
        (dict(airline="ZZZ"), "airline", "not an airline code we know"),
        (dict(airline="Z"), "airline", "2-character"),
        (dict(airline="0Z"), "airline", "not an airline code we know"),
        (dict(origin="XX"), "origin", "3-letter"),
        (dict(destination="QQQ"), "destination", "not an airport code we know"),
        (dict(model="A" * 201), "model", "too long"),
        (dict(serial="x\x00y"), "serial", "control characters"),
        (dict(brand="a\u2028b"), "brand", "control characters"),
        (dict(colour="red"), "colour", "not a parameter"),
    ],
)
def test_invalid_input_gets_a_400_problem_naming_the_parameter(client, params, param, words):
    response = get(client, **params)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"] and body["type"]
    assert body["param"] == param
    assert words in body["detail"]


def test_repeated_parameter_is_refused(client):
    response = client.get("/api/v1/check?wh=10&wh=20")
    assert response.status_code == 400
    assert response.get_json()["param"] == "wh"


def test_unknown_api_route_is_a_problem(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_wrong_method_is_a_problem(client):
    response = client.delete("/api/v1/check")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


def test_healthz(client, dataset):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "data_version": dataset.version}


def test_every_answer_carries_the_data_version(client, dataset):
    assert get(client, wh=50).get_json()["data_version"] == dataset.version
