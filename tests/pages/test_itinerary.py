"""The traveller's form and answer through the Flask test client: several flights, the capacity
calculation, an unreadable label, what to do next, and the form without JavaScript."""

import re
from html import unescape

from compliance.results.tokens import MAX_LEGS
from tests.helpers import page_text

TWO_LEGS = dict(wh=74, airline="LH", origin="FRA", destination="PVG",
                airline2="MU", origin2="PVG", destination2="PEK")


def leg_items(html: str) -> list[str]:
    return re.findall(r'<li class="leg leg-[a-z_]+[^"]*">.*?</li>\s*(?=<li class="leg|</ol>)',
                      html, flags=re.S)


def test_two_legs_each_checked_and_the_domestic_china_leg_decides(client):
    response = client.get("/check", query_string=TWO_LEGS)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "verdict-need_more_info" in html
    legs = leg_items(html)
    assert len(legs) == 2
    assert "leg-allowed" in legs[0] and "Lufthansa" in legs[0] and "FRA → PVG" in legs[0]
    assert "leg-need_more_info" in legs[1] and "leg-decisive" in legs[1]
    assert "domestic flight within China" in legs[1] and "CCC" in legs[1]
    text = page_text(response)
    assert "Flight 2 (MU PVG→PEK) decides" in text
    assert "Why: the rules on flight 2, which decides" in text


def test_without_the_ccc_mark_the_china_leg_forbids_it_and_next_steps_follow(client):
    response = client.get("/check", query_string={**TWO_LEGS, "ccc": "false"})
    text = page_text(response)
    assert "verdict-forbidden" in response.get_data(as_text=True)
    assert "What you can do now" in text
    assert "leave it at home" in text and "left-luggage" in text and "courier" in text


def test_the_result_token_carries_every_leg_to_the_staff_view(client):
    html = client.get("/check", query_string=TWO_LEGS).get_data(as_text=True)
    path = re.search(r'href="https?://[^/"]+(/R/[0-9A-Z]+)', html, flags=re.I).group(1)
    staff = client.get(path)
    assert staff.status_code == 200
    text = page_text(staff)
    assert "LH FRA → PVG" in text and "MU PVG → PEK" in text


def test_gaps_between_legs_are_closed(client):
    query = dict(wh=50, airline="LH", origin="FRA", destination="PVG",
                 airline3="MU", origin3="PVG", destination3="PEK")
    html = client.get("/check", query_string=query).get_data(as_text=True)
    assert len(leg_items(html)) == 2


def test_a_bad_field_of_leg_two_is_tied_to_that_field(client):
    response = client.get("/check", query_string={**TWO_LEGS, "origin2": "ZZZ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="origin2-error"' in html
    assert re.search(r'id="origin2" name="origin2" value="ZZZ"[^>]*aria-invalid="true"'
                     r'[^>]*aria-describedby="origin2-error"', html)
    assert '<a href="#origin2">Flight 2: From (airport)</a>' in html
    assert 'id="origin-error"' not in html


def test_unknown_leg_parameter_is_refused_by_name(client):
    response = client.get("/check", query_string={"wh": 50, f"origin{MAX_LEGS + 1}": "PVG"})
    assert response.status_code == 400
    assert f"origin{MAX_LEGS + 1}" in response.get_data(as_text=True)


def test_form_without_javascript_shows_one_empty_extra_leg(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<label for="airline2">', html) and 'id="origin2" name="origin2" value=""' in html
    assert 'name="origin3"' not in html
    assert 'formaction="/#trip"' in html


def test_adding_a_leg_by_submitting_returns_the_form_with_a_new_empty_row(client):
    html = client.get("/", query_string=TWO_LEGS).get_data(as_text=True)
    assert 'id="origin2" name="origin2" value="PVG"' in html
    assert 'id="destination2" name="destination2" value="PEK"' in html
    assert 'id="origin3" name="origin3" value=""' in html
    assert 'name="origin4"' not in html


def test_the_form_stops_adding_rows_at_the_token_limit(client):
    query = {"wh": 50}
    for number in range(1, MAX_LEGS + 1):
        suffix = "" if number == 1 else str(number)
        query[f"origin{suffix}"], query[f"destination{suffix}"] = "FRA", "MUC"
    html = client.get("/", query_string=query).get_data(as_text=True)
    assert f'name="origin{MAX_LEGS}"' in html and f'name="origin{MAX_LEGS + 1}"' not in html
    assert "add-leg-submit" not in html
    assert len(leg_items(client.get("/check", query_string=query).get_data(as_text=True))) \
        == MAX_LEGS


def test_result_links_back_to_the_filled_form(client):
    html = client.get("/check", query_string=TWO_LEGS).get_data(as_text=True)
    link = unescape(re.search(r'href="(/\?[^"]+)">Change these answers', html).group(1))
    form = client.get(link.split("#")[0]).get_data(as_text=True)
    assert 'id="destination2" name="destination2" value="PEK"' in form


def test_mah_with_cell_voltage_shows_the_calculation_and_the_5_volt_pitfall(client):
    text = page_text(client.get("/check?mah=20000&v=3.7"))
    assert "20,000 mAh × 3.7 V ÷ 1000 = 74 Wh" in text
    assert "20,000 mAh × 5 V ÷ 1000 = 100 Wh would overstate it" in text


def test_mah_without_voltage_shows_the_assumed_voltage(client):
    text = page_text(client.get("/check?mah=26800"))
    assert "26,800 mAh × 3.7 V ÷ 1000 = 99.16 Wh" in text
    assert "assumed 3.7 V" in text


def test_5_volts_entered_as_cell_voltage_is_flagged(client):
    text = page_text(client.get("/check?mah=20000&v=5"))
    assert "20,000 mAh × 5 V ÷ 1000 = 100 Wh" in text
    assert "5 V is probably the USB output, not the cell voltage" in text


def test_unlabelled_explains_what_it_means_on_a_route_that_refuses_it(client):
    response = client.get("/check", query_string={**TWO_LEGS, "wh": "", "unlabelled": "true"})
    text = page_text(response)
    assert "No readable capacity label: what it means on this trip" in text
    assert "CAAC refuses power banks whose capacity is not marked" in text


def test_unlabelled_on_a_route_without_a_label_rule(client):
    text = page_text(client.get("/check?unlabelled=true&airline=LH&origin=FRA&destination=JFK"))
    assert "No rule on file for this trip refuses unmarked power banks outright" in text


def test_recalled_model_shows_the_remedy_and_where_to_claim_it(client, dataset):
    recall = next(r for r in dataset.recalls if r["scope"] == "model" and r["remedy_url"])
    response = client.get("/check", query_string={"model": recall["models"][0], "wh": 50})
    html = response.get_data(as_text=True)
    next_steps = html[html.index('class="next-steps"'):html.index("</section>",
                                                                 html.index('class="next-steps"'))]
    assert f'href="{recall["remedy_url"]}"' in unescape(next_steps)
    assert "Check your unit or claim the remedy" in next_steps


def test_versioned_static_files_are_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    for url in re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]+)"', html):
        with client.get(unescape(url)) as response:
            assert response.status_code == 200
            assert "max-age=31536000" in response.headers["Cache-Control"], url
            assert "immutable" in response.headers["Cache-Control"]
    assert "traveller.js?v=" in html and "traveller.css?v=" in html


def test_the_trip_carries_every_flights_notices_once(client):
    """No rule of Wizz Air's own on flight 2: the trip's answer (API, staff view, card) says so,
    and "not checked against recalls" (every flight) is said once."""
    body = client.post("/api/v1/check", json={"device": {"wh": 50}, "legs": [
        {"airline": "EK", "origin": "DXB", "destination": "LHR"},
        {"airline": "W6", "origin": "LTN", "destination": "BUD"}]}).get_json()
    codes = [(n["code"], n.get("airline")) for n in body["notices"]]
    assert ("no_airline_rules", "W6") in codes
    assert codes.count(("recall_not_checked", None)) == 1
    token = body["result_url"].rsplit("/", 1)[1]
    staff = client.get(f"/r/{token}").get_data(as_text=True)
    assert "notice-no_airline_rules" in staff and "Wizz Air (W6)" in staff


def test_every_flight_is_parsed_once(client, monkeypatch):
    """Issue 16: the API and the form validated each flight and threw it away, then parsed it
    again (a 2-flight check called parse_trip 4 times)."""
    from compliance import results

    calls = []
    real = results.parse_trip
    monkeypatch.setattr(results, "parse_trip", lambda *a, **k: calls.append(1) or real(*a, **k))
    legs = [{"airline": "EK", "origin": "DXB", "destination": "LHR"},
            {"airline": "LH", "origin": "FRA", "destination": "JFK"}]
    assert client.post("/api/v1/check", json={"device": {"wh": 50}, "legs": legs}
                       ).status_code == 200
    assert len(calls) == 2
    calls.clear()
    assert client.get("/check?wh=50&airline=EK&origin=DXB&destination=LHR&airline2=LH"
                      "&origin2=FRA&destination2=JFK").status_code == 200
    assert len(calls) == 2
    # Shape and value errors still come back together, each with its JSON path.
    body = client.post("/api/v1/check", json={"device": {"wh": [1], "count": 0}, "legs": [
        {"origin": "ZZZ"}, {"destination": 5}]}).get_json()
    assert [e["param"] for e in body["errors"]] == [
        "device.wh", "legs[1].destination", "device.count", "legs[0].origin"]
