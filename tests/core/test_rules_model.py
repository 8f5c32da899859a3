"""The rule model the audits asked for, checked through the real app and the real data:
the ICAO 2026 limits on domestic flights, Japan's rule on flights to and from Japan, Korea's
count above which approval is needed, "under 100 Wh", and the build checks for these fields."""

import json

import pytest

from compliance.data.build import build_database

from tests.helpers import edit_json, make_app, problems_for

AFTER = "2026-12-15"
BEFORE = "2026-03-01"


def check(client, **params):
    response = client.get("/api/v1/check", query_string={"wh": "37", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def reasons(body):
    return {r["rule_id"]: r for r in body["reasons"] if r["rule_id"]}


def conditions(body):
    return {c["code"] for c in body["conditions"]}


# --- ICAO 2026 on domestic flights ----------------------------------------------------------

@pytest.mark.parametrize("airline, origin, destination, national", [
    ("TG", "BKK", "CNX", "caat-general"),
    ("AC", "YYZ", "YVR", "tc-pedsguide"),
    ("KE", "GMP", "CJU", "molit-2025-03"),
    ("BR", "TSA", "KHH", "caa-tw-general"),
])
def test_the_icao_addendum_binds_domestic_flights_despite_an_older_national_rule(
        client, airline, origin, destination, national):
    trip = {"airline": airline, "origin": origin, "destination": destination, "count": "3"}
    after = check(client, date=AFTER, **trip)
    assert after["trip"]["kind"] == "domestic"
    assert national in reasons(after)
    assert reasons(after)["icao-ti-2026-addendum-1"]["verdict"] == "forbidden"
    assert after["verdict"] == "forbidden"
    assert "no_inflight_charging" not in conditions(after)  # forbidden: no conditions listed
    two = check(client, date=AFTER, **{**trip, "count": "2"})
    assert "no_inflight_charging" in conditions(two)

    before = check(client, date=BEFORE, **trip)
    assert national in reasons(before)
    assert not {"icao-ti-2025-2026", "icao-ti-2026-addendum-1"} & set(reasons(before))
    assert before["verdict"] in {"allowed", "approval_required"}


def test_tg_bkk_cnx_three_power_banks_before_and_after(client):
    trip = {"airline": "TG", "origin": "BKK", "destination": "CNX", "count": "3"}
    assert check(client, date=BEFORE, **trip)["verdict"] == "allowed"
    assert check(client, date=AFTER, **trip)["verdict"] == "forbidden"


def test_malaysian_domestic_trip_without_a_national_rule_gets_icao_at_home(client):
    trip = {"airline": "AK", "origin": "KUL", "destination": "BKI", "count": "3"}
    after = check(client, date=AFTER, **trip)
    assert after["verdict"] == "forbidden"
    assert reasons(after)["icao-ti-2026-addendum-1"]["verdict"] == "forbidden"
    before = check(client, date=BEFORE, **trip)
    assert "icao-ti-2025-2026" in reasons(before)
    assert before["verdict"] == "allowed"


def test_a_national_rule_newer_than_the_icao_version_decides_alone_at_home(client):
    # Japan's 2026 rule (mlit-2026-04) postdates the addendum: it alone binds JL HND->CTS.
    body = check(client, date=AFTER, airline="JL", origin="HND", destination="CTS", count="3")
    assert "mlit-2026-04" in reasons(body)
    assert "icao-ti-2026-addendum-1" not in reasons(body)
    assert body["verdict"] == "forbidden"


def test_a_stated_divergence_keeps_the_icao_version_off_and_the_answer_says_so(
        data_copy, tmp_path):
    path = data_copy / "rules.json"
    records = json.loads(path.read_text())
    caat = next(r for r in records if r["rule_id"] == "caat-general")
    caat["diverges_from"] = ["icao-ti-2026-addendum-1"]
    caat["divergence"] = "TEST STATEMENT: the count of 20 stays on domestic flights."
    path.write_text(json.dumps(records, ensure_ascii=False))
    db = tmp_path / "test.sqlite"
    build_database(data_copy, db)
    client = make_app(db).test_client()

    body = check(client, date=AFTER, airline="TG", origin="BKK", destination="CNX", count="3")
    assert "icao-ti-2026-addendum-1" not in reasons(body)
    assert body["verdict"] == "allowed"
    text = reasons(body)["caat-general"]["text"]
    assert "do not follow ICAO" in text and "TEST STATEMENT" in text
    # International flights from Thailand still get the addendum; the text says nothing there.
    abroad = check(client, date=AFTER, airline="TG", origin="BKK", destination="NRT", count="3")
    assert abroad["verdict"] == "forbidden"
    assert "TEST STATEMENT" not in reasons(abroad)["caat-general"]["text"]


# --- Japan: flights to and from Japan -------------------------------------------------------

@pytest.mark.parametrize("airline, origin, destination", [
    ("NH", "LHR", "HND"), ("JL", "JFK", "HND"), ("UA", "SFO", "NRT"), ("NH", "HND", "LHR"),
])
def test_japan_2026_covers_arrivals_and_departures(client, airline, origin, destination):
    body = check(client, date=AFTER, airline=airline, origin=origin, destination=destination)
    assert "mlit-2026-04" in reasons(body)
    assert {"no_inflight_use", "no_inflight_charging"} <= conditions(body)


def test_jal_and_ana_have_2026_versions(client):
    body = check(client, date=AFTER, airline="NH", origin="LHR", destination="CDG")
    assert "airline-nh-2026-04" in reasons(body) and "airline-nh-2025-07" not in reasons(body)
    assert "no_inflight_use" in conditions(body)
    old = check(client, date="2026-01-10", airline="NH", origin="LHR", destination="HND")
    assert "airline-nh-2025-07" in reasons(old) and "mlit-2026-04" not in reasons(old)
    assert "no_inflight_use" not in conditions(old)


# --- Korea: 6 or more need approval ---------------------------------------------------------

def test_six_power_banks_on_korean_air_need_approval_not_a_ban(client):
    trip = {"airline": "KE", "origin": "ICN", "destination": "LAX", "date": "2026-02-10"}
    six = check(client, count="6", **trip)
    assert six["verdict"] == "approval_required"
    assert reasons(six)["airline-ke-2026-01"]["verdict"] == "approval_required"
    assert reasons(six)["molit-2025-03"]["verdict"] == "approval_required"
    assert "airline_approval" in conditions(six)
    five = check(client, count="5", **trip)
    assert five["verdict"] == "allowed" and "airline_approval" not in conditions(five)
    # After the ICAO addendum its cap of 2 decides on the same route.
    assert check(client, **{**trip, "date": AFTER}, count="6")["verdict"] == "forbidden"


def test_every_korean_airline_record_reads_five_as_the_count_without_approval(dataset):
    korean = [r for r in dataset.rules if r["country"] == "KR"]
    assert len(korean) >= 11
    for rule in korean:
        assert rule["max_count_total"] != 5, rule["rule_id"]
        if rule.get("max_count_no_approval") is not None:
            assert rule["max_count_no_approval"] == 5


# --- Emirates "under 100 Wh" and other corrected records ------------------------------------

@pytest.mark.parametrize("wh, verdict", [("99.9", "allowed"), ("100", "forbidden"),
                                         ("120", "forbidden")])
def test_emirates_under_100_wh(client, wh, verdict):
    body = check(client, date=AFTER, airline="EK", origin="DXB", destination="LHR", wh=wh)
    assert reasons(body)["airline-ek-2025-10"]["verdict"] == verdict
    assert body["verdict"] == verdict


def test_exactly_100_wh_is_still_allowed_where_the_rule_says_not_exceeding(client):
    body = check(client, date=AFTER, airline="EY", origin="AUH", destination="LHR", wh="100")
    assert body["verdict"] == "allowed"


@pytest.mark.parametrize("params, rule_id, verdict", [
    ({"airline": "SA", "origin": "JNB", "destination": "CPT", "wh": "120"}, "airline-sa",
     "forbidden"),
    ({"airline": "U2", "origin": "LGW", "destination": "AMS", "wh": "120"}, "airline-u2",
     "approval_required"),
    ({"airline": "G9", "origin": "SHJ", "destination": "CAI", "wh": "120"}, "airline-g9",
     "forbidden"),
    ({"airline": "NZ", "origin": "AKL", "destination": "WLG", "unlabelled": "true"},
     "airline-nz-2025-12", "forbidden"),
    ({"airline": "EK", "origin": "DXB", "destination": "LHR", "unlabelled": "true"},
     "airline-ek-2025-10", "forbidden"),
])
def test_corrected_limits(client, params, rule_id, verdict):
    body = check(client, date=AFTER, **params)
    assert reasons(body)[rule_id]["verdict"] == verdict


@pytest.mark.parametrize("params, rule_id, first_day", [
    ({"airline": "AK", "origin": "KUL", "destination": "PEN"}, "airline-ak", "2025-04-01"),
    ({"airline": "AI", "origin": "DEL", "destination": "BOM"}, "dgca-in-2025-11", "2026-01-04"),
    ({"airline": "AZ", "origin": "FCO", "destination": "JFK"}, "airline-az-2026-01",
     "2026-01-15"),
    ({"airline": "SK", "origin": "CPH", "destination": "OSL"}, "airline-sk-2025-12",
     "2025-12-01"),
    ({"airline": "NT", "origin": "TFN", "destination": "LPA"}, "airline-nt-2026-02",
     "2026-02-04"),
    ({"airline": "AE", "origin": "TSA", "destination": "KNH"}, "airline-ae-2025-02",
     "2025-02-21"),
])
def test_dated_rules_start_on_their_day(client, params, rule_id, first_day):
    from datetime import date, timedelta

    day_before = (date.fromisoformat(first_day) - timedelta(days=1)).isoformat()
    assert rule_id not in reasons(check(client, date=day_before, **params))
    body = check(client, date=first_day, **params)
    assert rule_id in reasons(body)
    assert "no_inflight_use" in conditions(body)


@pytest.mark.parametrize("airline, origin, destination", [
    ("AY", "HEL", "ARN"), ("DY", "OSL", "BGO"), ("B7", "TSA", "MZG"), ("BL", "SGN", "HAN"),
    ("0V", "SGN", "VCS"), ("FD", "DMK", "CNX"), ("D7", "KUL", "NRT"),
])
def test_new_in_flight_use_bans(client, airline, origin, destination):
    body = check(client, date=AFTER, airline=airline, origin=origin, destination=destination)
    own = [r for r in body["reasons"] if r["scope"] == "airline"]
    assert own, f"no rule of {airline}"
    assert "no_inflight_use" in conditions(body)


# --- The build refuses what the model cannot mean -------------------------------------------

def problems_after(data_copy, change):
    """The build's problems once ``change`` has edited the rules, given by rule id."""
    edit_json(data_copy / "rules.json", lambda records: change({r["rule_id"]: r for r in records}))
    return problems_for(data_copy)


def test_build_refuses_a_divergence_without_the_statement_or_on_a_non_international_rule(
        data_copy):
    def change(rules):
        rules["caat-general"]["diverges_from"] = ["icao-ti-2026-addendum-1"]
        rules["tc-pedsguide"]["diverges_from"] = ["caat-general"]
        rules["tc-pedsguide"]["divergence"] = "x"
        rules["airline-tg-2025-03"]["diverges_from"] = ["icao-ti-2026-addendum-1"]
        rules["airline-tg-2025-03"]["divergence"] = "x"
    problems = problems_after(data_copy, change)
    assert any("caat-general" in p and "'divergence'" in p for p in problems)
    assert any("tc-pedsguide" in p and "not an international rule_id" in p for p in problems)
    assert any("airline-tg-2025-03" in p and "only a national authority" in p
               for p in problems)


def test_build_refuses_inconsistent_counts_and_scopes(data_copy):
    def change(rules):
        rules["molit-2025-03"]["max_count_total"] = 3
        rules["airline-ek-2025-10"]["applies_to"] = "departures_and_arrivals"
        rules["airline-g9"]["wh_limit_exclusive"] = True
        rules["airline-g9"]["max_wh_no_approval"] = None
    problems = problems_after(data_copy, change)
    assert any("molit-2025-03" in p and "max_count_no_approval" in p for p in problems)
    assert any("airline-ek-2025-10" in p and "applies_to" in p for p in problems)
    assert any("airline-g9" in p and "wh_limit_exclusive" in p for p in problems)


def test_build_refuses_proxies_unclassified_sources_and_unquoted_verified_rules(data_copy):
    def change(rules):
        rules["airline-hx-2025-04"]["source_url"] = (
            "https://www-scmp-com.libproxy1.nus.edu.sg/news/hong-kong/article/1")
        del rules["airline-uo-2025-04"]["source_kind"]
        rules["airline-ey"]["quote"] = " "
    problems = problems_after(data_copy, change)
    assert any("airline-hx-2025-04" in p and "proxy" in p for p in problems)
    assert any("airline-uo-2025-04" in p and "source_kind" in p for p in problems)
    assert any("airline-ey" in p and "quote" in p for p in problems)


def test_every_rule_is_classified_and_cites_no_copy(dataset):
    for rule in dataset.rules:
        assert rule["source_kind"] in {"official", "government_news", "news", "other"}
        for url in [rule["source_url"], *rule["other_sources"]]:
            assert "libproxy" not in url and "netlify" not in url and "newszop" not in url
        if rule["confidence"] == "verified":
            assert rule["source_kind"] in {"official", "government_news"}, rule["rule_id"]
            assert (rule.get("quote") or "").strip(), rule["rule_id"]


def test_rules_api_shows_the_new_fields(client):
    body = client.get("/api/v1/rules", query_string={"airline": "KE", "date": AFTER}).get_json()
    (ke,) = body["items"]
    assert ke["max_count_no_approval"] == 5 and ke["max_count_total"] is None
    jp = client.get("/api/v1/rules", query_string={"country": "JP", "scope": "authority",
                                                   "date": AFTER}).get_json()["items"]
    assert "departures_and_arrivals" in {r["applies_to"] for r in jp}
