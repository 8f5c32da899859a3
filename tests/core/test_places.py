"""Airlines and airports by name, codes that exist, today's airline names, and the
``no_airline_rules`` notice: through the real app, typed as people type them."""

import csv
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from compliance.data.build import DataError, load_sources
from tests.helpers import DATA_DIR


def items(client, path, **query):
    response = client.get(path, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def codes(found):
    return [item["code"] for item in found]


# --- Search -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, first", [
    ("Emirates", "EK"), ("emirates", "EK"), ("Korean", "KE"), ("Vueling", "VY"),
    ("ＣＡ", "CA"), ("ek", "EK"), ("UAE", "EK"), ("Jetstar Japan", "GK"), ("ZIPAIR", "ZG"),
    ("Lucky Air", "8L"), ("祥鹏", "8L"), ("Ryanair", "FR"),
])
def test_airlines_are_found_by_name_and_code(client, typed, first):
    assert codes(items(client, "/api/v1/airlines", q=typed))[0] == first


@pytest.mark.parametrize("typed, first", [
    ("Dubai", "DXB"), ("Heathrow", "LHR"), ("heathrow", "LHR"), ("ＰＥＫ", "PEK"),
    ("인천", "ICN"), ("Incheon", "ICN"), ("DXB", "DXB"), ("OMDB", "DXB"), ("Narita", "NRT"),
])
def test_airports_are_found_by_name_city_and_code(client, typed, first):
    assert codes(items(client, "/api/v1/airports", q=typed))[0] == first


@pytest.mark.parametrize("typed, expected", [
    ("New York", {"JFK", "LGA"}), ("首尔", {"ICN", "GMP"}), ("서울", {"ICN", "GMP"}),
    ("ソウル", {"ICN", "GMP"}), ("London", {"LHR", "LGW", "STN", "LCY", "LTN"}),
    ("上海", {"PVG", "SHA"}), ("東京", {"NRT", "HND"}),
])
def test_a_city_finds_all_its_airports(client, typed, expected):
    assert expected <= set(codes(items(client, "/api/v1/airports", q=typed, limit=10)))


@pytest.mark.parametrize("typed, first", [("London", "LHR"), ("New York", "JFK"),
                                          ("Manchester", "MAN"), ("Paris", "CDG")])
def test_busier_airports_come_first(client, typed, first):
    assert codes(items(client, "/api/v1/airports", q=typed))[0] == first


def test_airport_search_filters_by_country_and_pages(client):
    found = items(client, "/api/v1/airports", q="London", country="CA")
    assert found and {a["country"] for a in found} == {"CA"}
    body = client.get("/api/v1/airports?q=a&limit=5").get_json()
    assert len(body["items"]) == 5 and body["next_offset"] == 5 and body["total"] > 100


def test_airport_search_refuses_bad_parameters(client):
    response = client.get("/api/v1/airports?q=Dubai&country=UAE")
    assert response.status_code == 400 and response.get_json()["param"] == "country"
    response = client.get("/api/v1/airports?city=Dubai")
    assert response.status_code == 400 and response.get_json()["param"] == "city"


# --- Names in a check ---------------------------------------------------------------------


def test_names_are_read_as_codes_and_the_answer_says_so(client):
    body = client.get("/api/v1/check", query_string={
        "wh": "50", "airline": "Emirates", "origin": "Dubai", "destination": "Heathrow"}).get_json()
    assert (body["trip"]["airline"], body["trip"]["origin"], body["trip"]["destination"]) \
        == ("EK", "DXB", "LHR")
    assert [(r["param"], r["typed"], r["code"]) for r in body["read_as"]] == [
        ("airline", "Emirates", "EK"), ("origin", "Dubai", "DXB"),
        ("destination", "Heathrow", "LHR")]


def test_codes_are_not_reported_as_readings(client):
    body = client.get("/api/v1/check?wh=50&airline=EK&origin=DXB&destination=LHR").get_json()
    assert body["read_as"] == []


def test_full_width_codes_are_folded(client):
    body = client.get("/api/v1/check", query_string={
        "wh": "50", "airline": "ＣＡ", "origin": "ＰＥＫ", "destination": "ｐｖｇ"}).get_json()
    assert (body["trip"]["airline"], body["trip"]["origin"], body["trip"]["destination"]) \
        == ("CA", "PEK", "PVG")


def test_itinerary_legs_take_names_too(client):
    response = client.post("/api/v1/check", json={"device": {"wh": 50}, "legs": [
        {"airline": "Emirates", "origin": "DXB", "destination": "Heathrow"},
        {"airline": "ＣＡ", "origin": "LHR", "destination": "인천"}]})
    body = response.get_json()
    assert response.status_code == 200, body
    assert [leg["trip"]["destination"] for leg in body["legs"]] == ["LHR", "ICN"]
    assert {r["param"] for r in body["read_as"]} == {
        "legs[0].airline", "legs[0].destination", "legs[1].destination"}


@pytest.mark.parametrize("query, param, words, candidate", [
    ({"airline": "ZZ"}, "airline", "'ZZ' is not an airline code we know", "CZ"),
    ({"airline": "ｚｚ"}, "airline", "'ZZ' is not an airline code we know", "CZ"),
    ({"airline": "ZZZ"}, "airline", "'ZZZ' is not an airline code we know", None),
    ({"airline": "Emirats"}, "airline", "not an airline code or name we know", "EK"),
    ({"origin": "XQX"}, "origin", "'XQX' is not an airport code we know", "YQX"),
    ({"destination": "Heathrw"}, "destination", "not an airport code or name we know", "LHR"),
    ({"origin": "London"}, "origin", "fits several airports", "LHR"),
    ({"airline": "British"}, "airline", "fits several airlines", "BA"),
])
def test_unknown_and_ambiguous_names_are_refused_with_candidates(client, query, param, words,
                                                                 candidate):
    response = client.get("/api/v1/check", query_string={"wh": "50", **query})
    body = response.get_json()
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert body["param"] == param and words in body["detail"]
    if candidate:
        assert candidate in codes(body["candidates"])


def test_an_unknown_code_in_a_leg_names_the_leg(client):
    response = client.post("/api/v1/check", json={"device": {"wh": 50}, "legs": [
        {"airline": "EK", "origin": "DXB", "destination": "LHR"}, {"airline": "ZZ"}]})
    assert response.status_code == 400
    assert response.get_json()["param"] == "legs[1].airline"


def test_nothing_is_cut_to_code_length(client):
    """Before, maxlength 2 kept "Em" of "Emirates" and answered for Aero Benin (EM)."""
    html = client.get("/").get_data(as_text=True)
    for name in ("airline", "origin", "destination", "airline2", "origin2"):
        tag = re.search(rf'<input id="{name}"[^>]*>', html).group(0)
        assert 'maxlength="64"' in tag, tag
    assert not re.search(r'maxlength="[23]"', html)
    assert not re.search(r'maxlength="[23]"', client.get("/scan").get_data(as_text=True))


# --- The form without JavaScript --------------------------------------------------------------


def test_form_resolves_unambiguous_names_and_says_so(client):
    response = client.get("/check", query_string={
        "wh": "50", "airline": "Emirates", "origin": "Dubai", "destination": "Heathrow"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Read as:" in html and "“Emirates” → <strong>EK</strong> (Emirates)" in html
    assert "“Heathrow” → <strong>LHR</strong> (London Heathrow Airport)" in html


def test_form_offers_the_candidates_of_an_ambiguous_name(client):
    response = client.get("/check", query_string={
        "wh": "50", "airline": "EK", "origin": "Dubai", "destination": "London"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="destination-choices"' in html
    links = re.findall(r'<a href="([^"]+)"><strong>([A-Z]{3})</strong>', html)
    chosen = dict((code, href.replace("&amp;", "&")) for href, code in links)
    assert {"LHR", "LGW", "STN"} <= set(chosen)
    query = parse_qs(urlsplit(chosen["LHR"]).query)
    assert query["destination"] == ["LHR"] and query["origin"] == ["Dubai"]
    follow = client.get(chosen["LHR"])
    assert follow.status_code == 200
    assert "Emirates (EK)" in follow.get_data(as_text=True)


def test_form_refuses_an_unknown_code_next_to_its_field(client):
    response = client.get("/check?wh=50&airline=ZZ&origin=DXB&destination=LHR")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="airline-error"' in html and "&#39;ZZ&#39; is not an airline code we know" in html
    assert 'id="airline-choices"' in html


def test_form_folds_full_width_codes(client):
    response = client.get("/check?wh=50&airline=%EF%BC%A3%EF%BC%A1&origin=%EF%BC%B0%EF%BC%A5"
                          "%EF%BC%AB&destination=SHA")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "Air China (CA)" in html


def test_second_flight_names_are_read_too(client):
    response = client.get("/check", query_string={
        "wh": "50", "airline": "EK", "origin": "DXB", "destination": "LHR",
        "airline2": "Vueling", "origin2": "Gatwick", "destination2": "BCN"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:300]
    assert "“Vueling” → <strong>VY</strong>" in html and "“Gatwick” → <strong>LGW</strong>" in html


# --- Airline names true today ---------------------------------------------------------------


@pytest.mark.parametrize("code, name, country, icao", [
    ("VY", "Vueling", "ES", "VLG"), ("GK", "Jetstar Japan", "JP", None),
    ("ZG", "ZIPAIR Tokyo", "JP", None), ("8L", "Lucky Air", "CN", "LKE"),
])
def test_reassigned_codes_name_todays_airline(client, code, name, country, icao):
    airline = items(client, "/api/v1/airlines", q=code)[0]
    assert (airline["code"], airline["name"], airline["country"], airline["icao"]) \
        == (code, name, country, icao)
    html = client.get(f"/check?wh=50&airline={code}&origin=LHR&destination=CDG") \
        .get_data(as_text=True)
    assert f"{name} ({code})" in html


def test_the_overrides_cover_the_busiest_carriers_and_are_sourced():
    text = (DATA_DIR / "airline_overrides.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 200
    for row in rows:
        assert row["source_url"].startswith("https://"), row
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["checked"]), row
    by_code = {row["iata"]: row for row in rows}
    for code in ("EK", "FR", "W6", "AI", "6E", "B6", "LA", "SV", "MS", "VY", "GK", "ZG", "8L"):
        assert code in by_code, code


def test_a_bad_override_row_is_refused_with_its_line_and_field(data_copy):
    path = data_copy / "airline_overrides.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("Q1,QQ,Made Up Air,XX,,,not-a-url,,2026-12-03,")
    lines.append(lines[1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_sources(data_copy)
    problems = raised.value.problems
    last = len(lines)
    assert any(f"line {last - 1}: field 'icao'" in p for p in problems), problems
    assert any(f"line {last - 1}: field 'source_url'" in p for p in problems), problems
    assert any(f"line {last}: duplicate iata" in p for p in problems), problems


# --- The no_airline_rules notice -------------------------------------------------------------


def test_an_airline_without_rules_of_its_own_gets_the_notice(client):
    body = client.get("/api/v1/check?wh=50&airline=FR&origin=DUB&destination=STN").get_json()
    notice = next(n for n in body["notices"] if n["code"] == "no_airline_rules")
    assert notice["airline"] == "FR" and "Ryanair (FR)" in notice["text"]
    assert "may be stricter" in notice["text"]
    assert notice["url"].startswith("http") and "ryanair" in notice["url"]


def test_an_airline_with_rules_gets_no_notice_and_no_airline_none(client):
    body = client.get("/api/v1/check?wh=50&airline=EK&origin=DXB&destination=LHR").get_json()
    assert not [n for n in body["notices"] if n["code"] == "no_airline_rules"]
    body = client.get("/api/v1/check?wh=50&origin=DXB&destination=LHR").get_json()
    assert not [n for n in body["notices"] if n["code"] == "no_airline_rules"]


def test_the_notice_is_shown_next_to_the_verdict_and_per_flight(client):
    response = client.get("/check", query_string={
        "wh": "50", "airline": "EK", "origin": "DXB", "destination": "LHR",
        "airline2": "W6", "origin2": "LTN", "destination2": "BUD"})
    html = response.get_data(as_text=True)
    verdict_start = html.index('class="verdict')
    verdict_end = html.index("</section>", verdict_start)
    notice = html.index("notice-no_airline_rules")
    assert verdict_start < notice < verdict_end < html.index("Flight by flight")
    assert "Wizz Air (W6)" in html[notice:notice + 400]
    assert 'href="https://wizzair.com"' in html


def test_the_notice_is_translated(client):
    html = client.get("/check?wh=50&airline=FR&origin=DUB&destination=STN&lang=zh") \
        .get_data(as_text=True)
    assert "我们没有 Ryanair (FR) 自己的充电宝规定" in html
