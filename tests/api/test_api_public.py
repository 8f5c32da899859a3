"""The public API around the check: read-only lists, itineraries, CORS, caching, rate limits."""

import json

import pytest

from compliance.core.normalize import fold
from compliance.data.build import build_database
from tests.helpers import make_app

READ_ONLY = ["/api/v1/airlines", "/api/v1/recalls", "/api/v1/rules", "/api/v1/models?q=A1",
             "/api/openapi.json"]


# --- CORS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_ONLY + ["/api/v1/check?wh=50"])
def test_get_endpoints_are_open_to_every_origin_without_credentials(client, path):
    response = client.get(path, headers={"Origin": "https://www.airline.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Set-Cookie" not in response.headers


def test_errors_are_readable_cross_origin_too(client):
    response = client.get("/api/v1/recalls?limit=0", headers={"Origin": "https://x.example"})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/v1/check", "/api/v1/airlines", "/api/v1/models"])
def test_preflight_is_answered(client, path):
    response = client.options(path, headers={
        "Origin": "https://www.airline.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-api-key",
    })
    assert response.status_code == 200
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert set(headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "POST",
                                                                         "OPTIONS"}
    assert {"Content-Type", "Authorization", "X-API-Key"} <= set(
        headers["Access-Control-Allow-Headers"].split(", "))
    assert int(headers["Access-Control-Max-Age"]) >= 600


def test_pages_are_not_cors_open(client):
    assert "Access-Control-Allow-Origin" not in client.get("/developers").headers


def test_cross_origin_post_check_works(client):
    response = client.post("/api/v1/check", headers={"Origin": "https://x.example"},
                           json={"device": {"wh": 50}, "legs": [{}]})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- Caching ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_ONLY)
def test_etag_round_trip_gives_304(client, path):
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    changed = client.get(path, headers={"If-None-Match": 'W/"something-else"'})
    assert changed.status_code == 200


def test_etag_depends_on_the_request_but_not_on_parameter_order(client):
    a = client.get("/api/v1/recalls?brand=Anker&limit=5").headers["ETag"]
    b = client.get("/api/v1/recalls?limit=5&brand=Anker").headers["ETag"]
    c = client.get("/api/v1/recalls?limit=6&brand=Anker").headers["ETag"]
    assert a == b != c


def test_etag_changes_with_the_data_version(client, data_copy, tmp_path):
    rules = json.loads((data_copy / "rules.json").read_text())
    rules[0]["notes"] = (rules[0]["notes"] or "") + " Re-read."
    (data_copy / "rules.json").write_text(json.dumps(rules))
    other_db = tmp_path / "other.sqlite"
    build_database(data_copy, other_db)
    other = make_app(other_db).test_client()
    before = client.get("/api/v1/rules")
    after = other.get("/api/v1/rules", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.get_json()["data_version"] != before.get_json()["data_version"]


def test_check_answers_are_never_stored(client):
    get = client.get("/api/v1/check?wh=50")
    post = client.post("/api/v1/check", json={"device": {"wh": 50}, "legs": [{}]})
    bad = client.get("/api/v1/check?wh=x")
    for response in (get, post, bad):
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


# --- Read-only lists --------------------------------------------------------------------------


def test_airlines(client, dataset):
    body = client.get("/api/v1/airlines?q=emirates").get_json()
    assert {"code": "EK", "icao": "UAE", "name": "Emirates", "country": "AE",
            "has_rules": True} in body["items"]
    with_rules = client.get("/api/v1/airlines?has_rules=true&limit=500").get_json()
    assert with_rules["total"] == sum(a["has_rules"] for a in dataset.airlines.values())
    assert all(a["has_rules"] for a in with_rules["items"])
    korean = client.get("/api/v1/airlines?country=kr&limit=500").get_json()["items"]
    assert korean and all(a["country"] == "KR" for a in korean)
    by_code = client.get("/api/v1/airlines?q=ke&limit=500").get_json()["items"]
    assert "KE" in {a["code"] for a in by_code}
    assert all("ke" in a["name"].lower() or "KE" in (a["code"], a["icao"]) for a in by_code)


def test_pages_cover_every_item_once(client, dataset):
    seen, offset = [], 0
    while offset is not None:
        body = client.get(f"/api/v1/airlines?limit=97&offset={offset}").get_json()
        seen += [a["code"] for a in body["items"]]
        offset = body["next_offset"]
    assert seen == sorted(dataset.airlines) and body["total"] == len(seen)


def test_recalls_search_and_filters(client, dataset):
    by_model = client.get("/api/v1/recalls", query_string={"q": "anker a-1263"}).get_json()
    assert by_model["items"]
    assert all(any("1263" in m for m in r["models"]) for r in by_model["items"])
    cpsc = client.get("/api/v1/recalls?agency=cpsc&limit=100").get_json()
    assert cpsc["total"] == sum(r["agency"] == "CPSC" for r in dataset.recalls)
    anker = client.get("/api/v1/recalls?brand=ANKER&limit=100").get_json()["items"]
    assert anker and all("anker" in r["brand"].lower() for r in anker)
    dates = [r["date"] or "" for r in client.get("/api/v1/recalls?limit=100").get_json()["items"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/v1/recalls?q=zzzz-no-such").get_json()["total"] == 0


def test_recall_fields_are_those_of_the_check_answer(client):
    check = client.get("/api/v1/check?model=A1366&wh=74").get_json()
    match = check["recall"]["matches"][0]
    listed = client.get("/api/v1/recalls?q=A1366&limit=100").get_json()["items"]
    same = next(r for r in listed if r["recall_id"] == match["recall_id"])
    assert same == {k: v for k, v in match.items() if k not in ("status", "match", "serial_checkable")}


def test_rules_filters_and_versions_in_force(client, dataset):
    everything = client.get("/api/v1/rules?limit=200").get_json()
    assert everything["total"] == len(dataset.rules)
    on_day = client.get("/api/v1/rules?date=2026-12-01&limit=200").get_json()["items"]
    series = [r["series"] for r in on_day]
    assert len(series) == len(set(series)) and len(series) < everything["total"]
    assert all((r["effective_from"] or "") <= "2026-12-01" for r in on_day)
    emirates = client.get("/api/v1/rules?airline=ek").get_json()["items"]
    assert emirates and all(r["airline"] == "EK" and r["scope"] == "airline" for r in emirates)
    caac = client.get("/api/v1/rules?issuer=caac&scope=authority").get_json()["items"]
    assert caac and all(r["issuer"] == "CAAC" for r in caac)
    chinese = client.get("/api/v1/rules?country=CN&limit=200").get_json()["items"]
    assert {r["scope"] for r in chinese} >= {"authority", "airline"}


def test_models_autocomplete_normalises_like_the_engine(client, dataset):
    body = client.get("/api/v1/models", query_string={"q": "anker a-126"}).get_json()
    assert body["key"] == "A126"
    assert "A1263" in {item["model"] for item in body["items"]}
    assert all(item["model_key"].startswith("A126") for item in body["items"])
    # One row per product: a product with several model numbers or notices is one row, and
    # so is one brand's model number under two notices' wordings.
    starting_with_a = {(fold(brand), fold(product)): (fold(brand), key)
                       for key, model, brand, product, source in dataset.model_index
                       if key.startswith("A")}
    for limit in (3, 50):
        items = client.get(f"/api/v1/models?q=a&limit={limit}").get_json()["items"]
        keys = [i["model_key"] for i in items]
        assert keys == sorted(keys)
        products = [(fold(i["brand"]), fold(i["product"])) for i in items]
        models = [(fold(i["brand"]), i["model_key"]) for i in items]
        assert len(set(products)) == len(products) and len(set(models)) == len(models)
        if limit == 3:
            assert len(items) == 3
        else:
            assert len(set(starting_with_a.values())) >= len(items) > 3
    assert client.get("/api/v1/models?q=%EF%BC%A1%EF%BC%91%EF%BC%92").get_json()["key"] == "A12"


@pytest.mark.parametrize("path, param", [
    ("/api/v1/models", "q"),
    ("/api/v1/models?q=a&limit=51", "limit"),
    ("/api/v1/airlines?limit=0", "limit"),
    ("/api/v1/airlines?offset=-1", "offset"),
    ("/api/v1/airlines?country=KOR", "country"),
    ("/api/v1/airlines?has_rules=maybe", "has_rules"),
    ("/api/v1/recalls?colour=red", "colour"),
    ("/api/v1/recalls?q=a&q=b", "q"),
    ("/api/v1/rules?scope=galaxy", "scope"),
    ("/api/v1/rules?date=2026-02-30", "date"),
    ("/api/v1/rules?airline=EKK", "airline"),
])
def test_list_errors_name_the_parameter(client, path, param):
    response = client.get(path)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["param"] == param


# --- POST /api/v1/check -----------------------------------------------------------------------

ITINERARY = {
    "device": {"model": "A1263", "wh": 37, "serial": None, "count": 1, "ccc": None},
    "legs": [
        {"airline": "EK", "origin": "DXB", "destination": "LHR", "date": "2026-12-01"},
        {"airline": None, "origin": "SHA", "destination": "CAN", "date": "2026-12-08"},
    ],
}


def test_itinerary_answer_has_the_strictest_leg_and_every_leg(client):
    response = client.post("/api/v1/check", json=ITINERARY)
    body = response.get_json()
    assert response.status_code == 200
    assert len(body["legs"]) == 2
    assert body["verdict"] == body["legs"][body["strictest_leg"]]["verdict"]
    assert body["legs"][0]["trip"]["origin"] == "DXB"
    assert body["legs"][1]["trip"]["kind"] == "domestic"
    assert body["result_url"].startswith("HTTP://LOCALHOST/R/1")
    single = client.get("/api/v1/check", query_string=dict(
        model="A1263", wh=37, airline="EK", origin="DXB", destination="LHR",
        date="2026-12-01")).get_json()
    assert body["legs"][0]["verdict"] == single["verdict"]
    assert body["legs"][0]["reasons"] == single["reasons"]


def test_one_leg_itinerary_still_lists_its_leg(client):
    body = client.post("/api/v1/check", json={"device": {"wh": 120},
                                              "legs": [{"origin": "FRA"}]}).get_json()
    assert body["strictest_leg"] == 0 and len(body["legs"]) == 1
    assert body["legs"][0]["verdict"] == body["verdict"] == "approval_required"


@pytest.mark.parametrize("body, param, words", [
    ({"device": {"wh": "37 apples"}, "legs": [{}]}, "device.wh", "not a number"),
    ({"device": {"wh": "1,234"}, "legs": [{}]}, "device.wh", "decimal or as thousands"),
    ({"device": {"wh": ["37"]}, "legs": [{}]}, "device.wh", "number"),
    ({"device": {"wh": True}, "legs": [{}]}, "device.wh", "number"),
    ({"device": {"count": 2.5}, "legs": [{}]}, "device.count", "whole number"),
    ({"device": {"ccc": "yes"}, "legs": [{}]}, "device.ccc", "true, false"),
    ({"device": {"colour": "red"}, "legs": [{}]}, "device.colour", "not a field"),
    ({"device": {"wh": -1}, "legs": [{}]}, "device.wh", "more than 0"),
    ({"device": [], "legs": [{}]}, "device", "object"),
    ({"device": {}, "legs": []}, "legs", "1 to 8"),
    ({"device": {}, "legs": [{}] * 9}, "legs", "1 to 8"),
    ({"device": {}, "legs": {}}, "legs", "array"),
    ({"device": {}}, "legs", "required"),
    ({"legs": [{}]}, "device", "required"),
    ({"device": {}, "legs": [{}], "extra": 1}, "extra", "not a field"),
    ({"device": {}, "legs": [{"origin": "FRA"}, {"origin": "QQQ"}]}, "legs[1].origin",
     "not an airport code we know"),
    ({"device": {}, "legs": [{}, {"origin": 123}]}, "legs[1].origin", "string"),
    ({"device": {}, "legs": [{"gate": "B12"}]}, "legs[0].gate", "not a field"),
    ({"device": {}, "legs": [{"date": "2026-13-01"}]}, "legs[0].date", "calendar"),
    ({"device": {}, "legs": ["FRA-JFK"]}, "legs[0]", "object"),
])
def test_itinerary_errors_name_the_field(client, body, param, words):
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["param"] == param
    assert words in problem["detail"]


@pytest.mark.parametrize("raw, words", [
    (b"{", "not valid JSON"),
    (b"[]", "JSON object"),
    (b'"text"', "JSON object"),
    (b'{"device": {"wh": NaN}, "legs": [{}]}', "NaN"),
    (b'{"device": {}, "device": {}, "legs": [{}]}', "more than once"),
    (b"\xff\xfe", "UTF-8"),
    (b"[" * 100_00 + b"]" * 100_00, "JSON"),
])
def test_malformed_bodies_are_invalid_json_problems(client, raw, words):
    response = client.post("/api/v1/check", data=raw, content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert body["param"] == "body" and body["type"].endswith("#problem-invalid-json")
    assert words in body["detail"]


def test_post_needs_json_content_type_and_no_query(client):
    response = client.post("/api/v1/check", data="wh=50",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["type"].endswith("#problem-unsupported-media-type")
    query = client.post("/api/v1/check?wh=50", json={"device": {}, "legs": [{}]})
    assert query.status_code == 400 and query.get_json()["param"] == "wh"


def test_oversized_body_is_a_413_problem(client):
    response = client.post("/api/v1/check", data=b" " * 70_000,
                           content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
