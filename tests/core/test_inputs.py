"""Numbers, errors, dates and tokens as people type them (issue 11), through the real app: the
API (GET and POST), the form, the widget, the CLI, the staff view and its JSON twin."""

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest

from compliance.core.capacity import NumberError, read_number
from compliance.results import tokens
from tests.helpers import page_text, token_of

SOON = (date.today() + timedelta(days=20)).isoformat()
EK = dict(airline="EK", origin="DXB", destination="LHR")


def api(client, **params):
    return client.get("/api/v1/check", query_string=params)


def verdict_section(response) -> str:
    html = response.get_data(as_text=True)
    return unescape(re.search(r'<section class="verdict[^"]*".*?</section>', html, re.S).group(0))


# --- 1. One number parser ---------------------------------------------------------------------

#: (query, the Wh the answer must use): decimal commas, thousands separators, units.
READINGS = [
    ({"wh": "99,9"}, 99.9),
    ({"wh": "99.9"}, 99.9),
    ({"wh": "27,5"}, 27.5),
    ({"wh": "74 Wh"}, 74),
    ({"wh": "74wh"}, 74),
    ({"wh": "100.0004"}, 100.0004),
    ({"wh": "1.234,5"}, 1234.5),
    ({"wh": "１００"}, 100),
    ({"mah": "20000", "v": "3,7"}, 74),
    ({"mah": "20000mAh", "v": "3.7V"}, 74),
    ({"mah": "20 000 mAh", "v": "3,7 V"}, 74),
    ({"mah": "10,000"}, 37),
    ({"mah": "10 000"}, 37),
    ({"mah": "10.000 mAh"}, 37),
    ({"mah": "20.000"}, 74),
    ({"mah": "10\u202f000"}, 37),
    ({"mah": "26800", "v": "3,85"}, 103.18),
    ({"mah": "10000", "v": "3,700"}, 37),
]


@pytest.mark.parametrize("query, wh", READINGS)
def test_numbers_are_read_as_people_write_them(client, query, wh):
    body = api(client, **query).get_json()
    assert body["device"]["wh"] == pytest.approx(wh, abs=1e-9)


#: (query, the field named, words of the message): never a guess off by ten or a thousand.
REFUSED = [
    ({"wh": "1,234"}, "wh", "decimal or as thousands"),
    ({"wh": "1.234"}, "wh", "decimal or as thousands"),
    ({"mah": "74 Wh"}, "mah", "is in Wh: this box takes mAh"),
    ({"wh": "20000 mAh"}, "wh", "is in mAh: this box takes Wh"),
    ({"mah": "10000", "v": "74 Wh"}, "v", "is in Wh: this box takes V"),
    ({"mah": "20 Ah"}, "mah", "is in Ah"),
    ({"mah": "1,2.3"}, "mah", "thousands groups have 3 digits"),
    ({"mah": "12 34"}, "mah", "thousands groups have 3 digits"),
    ({"wh": "99,9,9"}, "wh", "thousands groups have 3 digits"),
    ({"wh": "about 50"}, "wh", "is not a number"),
    ({"wh": "nan"}, "wh", "finite"),
]


@pytest.mark.parametrize("query, param, words", REFUSED)
def test_what_cannot_be_read_unambiguously_is_a_400_naming_the_field(client, query, param,
                                                                     words):
    response = api(client, **query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["param"] == param
    assert words in body["detail"]


def test_the_rules_per_field_for_one_separator_before_three_digits():
    # mAh: thousands (a mAh figure never has 3 decimals); V: decimal (no cell has 3700 V);
    # Wh: refused (1.234 Wh and 1234 Wh give opposite verdicts).
    assert read_number("10,000", "mah") == 10000
    assert read_number("3,700", "v") == 3.7
    with pytest.raises(NumberError):
        read_number("1,234", "wh")
    # A leading 0, or more than 3 digits before it, cannot be thousands.
    assert read_number("0,500", "wh") == 0.5
    assert read_number("1234.567", "wh") == 1234.567


def test_the_same_reading_through_post_form_widget_and_cli(client, runner):
    posted = client.post("/api/v1/check", json={
        "device": {"mah": "20000mAh", "v": "3,7"}, "legs": [{**EK, "date": SOON}]}).get_json()
    assert posted["device"]["wh"] == 74
    form = client.get("/check", query_string={"wh": "99,9", **EK, "date": SOON})
    assert form.status_code == 200
    assert "99.9 Wh" in page_text(form)
    widget = client.get("/embed/check", query_string={"mah": "20.000", "v": "3,7", **EK})
    assert widget.status_code == 200
    assert "74 Wh" in page_text(widget)
    result = runner.invoke(args=["check", "--wh", "27,5", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["device"]["wh"] == 27.5
    refused = runner.invoke(args=["check", "--mah", "74 Wh"])
    assert refused.exit_code != 0 and "--mah" in refused.output


# --- 2. A voltage the app believes is wrong ---------------------------------------------------


@pytest.mark.parametrize("volts", ["5", "5,0", "9", "12", "15", "20", "5.1"])
def test_a_usb_output_voltage_is_not_used_for_a_verdict(client, volts):
    body = api(client, mah="27000", v=volts, **EK).get_json()
    assert body["verdict"] == "need_more_info"
    assert body["device"]["wh"] is None
    assert body["device"]["wh_source"] == "usb_voltage"
    assert "wh" in body["missing"] and "v" in body["missing"]
    assert any("99.9 Wh" in note and "3.7 V" in note for note in body["device"]["assumptions"])


def test_the_staff_view_of_a_usb_voltage_result_is_not_a_signed_verdict(client):
    body = api(client, mah="27000", v="5", **EK, date=SOON).get_json()
    staff = client.get(f"/api/v1/results/{token_of(body)}").get_json()
    assert staff["verdict"] == "need_more_info" and not staff["changed"]
    [capacity] = [c["text"] for c in staff["label_checks"] if c["code"] == "capacity"]
    assert "27,000 mAh" in capacity or "27000 mAh" in capacity
    assert "USB output voltage" in capacity


def test_a_real_cell_voltage_still_gives_a_verdict(client):
    assert api(client, mah="27000", v="3.85", **EK).get_json()["verdict"] == "forbidden"
    assert api(client, mah="27000", v="3,6", **EK).get_json()["verdict"] == "allowed"


def test_the_answer_page_shows_the_likely_figure_at_3_7_volts(client):
    text = page_text(client.get("/check", query_string={"mah": "27000", "v": "5", **EK}))
    assert "MORE INFORMATION NEEDED" in text
    assert "27,000 mAh × 3.7 V ÷ 1000 = 99.9 Wh" in text
    assert "FORBIDDEN" not in text


# --- 3. Notices -------------------------------------------------------------------------------


def test_borderline_voltage_notice_is_next_to_the_verdict(client):
    body = api(client, mah="27000", **EK).get_json()
    [notice] = [n for n in body["notices"] if n["code"] == "assumed_voltage_borderline"]
    assert notice["v"] == 3.85 and notice["verdict"] == "forbidden"
    section = verdict_section(client.get("/check", query_string={"mah": "27000", **EK}))
    assert "The verdict depends on the cell voltage" in section
    assert "FORBIDDEN" in section
    assert not [n for n in api(client, mah="10000", **EK).get_json()["notices"]
                if n["code"] == "assumed_voltage_borderline"]


@pytest.mark.parametrize("lang", ["en", "zh", "ko", "ja"])
def test_no_internal_codes_in_sentences(client, lang):
    html = client.get("/check", query_string={"mah": "27000", "lang": lang, **EK}).get_data(
        as_text=True)
    text = re.sub(r"<[^>]+>", " ", html)
    for code in ("approval_required", "need_more_info", "assumed_voltage_borderline"):
        assert code not in text


def test_travel_date_passed_notice_on_the_api(client):
    past = api(client, wh="74", ccc="false", origin="PVG", destination="PEK",
               date="2025-01-01").get_json()
    assert past["verdict"] == "allowed"  # the CCC rule started on 28 June 2025
    [notice] = [n for n in past["notices"] if n["code"] == "travel_date_passed"]
    assert notice["date"] == "2025-01-01" and "2025-01-01" in notice["text"]
    future = api(client, wh="74", origin="PVG", destination="PEK", date=SOON).get_json()
    assert not [n for n in future["notices"] if n["code"] == "travel_date_passed"]


# --- 4. Every error at once -------------------------------------------------------------------


def test_the_api_lists_every_bad_field(client):
    response = api(client, wh="1,234", mah="abc", count="0", date="2026-02-30")
    body = response.get_json()
    assert response.status_code == 400
    assert [e["param"] for e in body["errors"]] == ["wh", "mah", "count", "date"]
    assert body["param"] == "wh" and body["detail"] == body["errors"][0]["detail"]
    assert all(e["detail"].startswith(e["param"] + ": ") for e in body["errors"])


def test_post_lists_every_bad_field_with_its_path(client):
    response = client.post("/api/v1/check", json={
        "device": {"wh": "1,234", "count": 0},
        "legs": [{"origin": "DXB"}, {"origin": "QQQ", "date": "2026-13-01"}]})
    body = response.get_json()
    assert response.status_code == 400
    assert [e["param"] for e in body["errors"]] == [
        "device.wh", "device.count", "legs[1].origin", "legs[1].date"]


def test_the_form_shows_each_error_next_to_its_field_and_a_summary(client):
    response = client.get("/check", query_string={
        "wh": "1,234", "count": "0", "date": "2026-02-30", "origin2": "FRA", "date2": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = re.search(r'<div class="form-error" id="error-summary"[^>]*>(.*?)</div>', html,
                        re.S)
    assert summary and 'tabindex="-1"' in summary.group(0) and "autofocus" in summary.group(0)
    assert "Please correct these 4 fields:" in summary.group(1)
    assert re.findall(r'href="#(\w+)"', summary.group(1)) == ["wh", "count", "date", "date2"]
    for field in ("wh", "count", "date", "date2"):
        assert f'id="{field}-error"' in html
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*'
                         rf'{field}-error', html)


def test_one_error_is_said_in_the_singular(client):
    html = client.get("/check", query_string={"count": "0"}).get_data(as_text=True)
    assert "Please correct this field:" in html


@pytest.mark.parametrize("lang, words", [
    ("zh", "不是数字"), ("ko", "숫자가 아닙니다"), ("ja", "数値ではありません")])
def test_errors_are_translated(client, lang, words):
    response = client.get("/check", query_string={"wh": "abc", "count": "0", "lang": lang})
    text = page_text(response)
    assert words in text
    assert "is not a number" not in text and "must be between" not in text


def test_plural_forms_of_the_count_limit(client):
    body = api(client, wh="74", count="2", **EK).get_json()
    assert "at most 1 such power bank per passenger" in body["headline"]
    assert "power banks per passenger" not in body["headline"]


# --- 5. Travel dates --------------------------------------------------------------------------


def test_the_form_refuses_a_date_in_the_past(client):
    response = client.get("/check", query_string={"wh": "74", **EK, "date": "2025-01-01"})
    assert response.status_code == 400
    assert "2025-01-01 has passed" in page_text(response)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert client.get("/check", query_string={"wh": "74", **EK, "date2": yesterday,
                                               "origin2": "LHR"}).status_code == 400
    assert client.get("/check", query_string={"wh": "74", **EK,
                                               "date": date.today().isoformat()}).status_code == 200


def test_the_staff_view_rechecks_a_passed_trip_under_todays_rules(client):
    # Issued (by the API) for a China domestic flight before the CCC rule: ALLOWED then.
    body = api(client, wh="74", ccc="false", origin="PVG", destination="PEK",
               date="2025-01-01").get_json()
    assert body["verdict"] == "allowed"
    token = token_of(body)
    staff = client.get(f"/api/v1/results/{token}").get_json()
    assert staff["verdict"] == "forbidden" and staff["changed"]
    [notice] = [n for n in staff["notices"] if n["code"] == "travel_date_passed"]
    assert notice["rechecked_for"] == date.today().isoformat()
    page = page_text(client.get(f"/r/{token}"))
    assert "re-checked as if flying today" in page
    assert "Signature verified. Re-checked now" not in page


def test_a_future_trip_is_rechecked_for_its_own_date(client):
    body = api(client, wh="74", **EK, date=SOON).get_json()
    staff = client.get(f"/api/v1/results/{token_of(body)}").get_json()
    assert staff["notices"] == [] or all(n["code"] != "travel_date_passed"
                                         for n in staff["notices"])
    assert "Signature verified. Re-checked now" in page_text(
        client.get(f"/r/{token_of(body)}"))


# --- 6. Tokens carry the exact claim ----------------------------------------------------------


@pytest.mark.parametrize("wh, verdict", [
    ("100", "allowed"), ("160", "approval_required"), ("100.0004", "approval_required"),
    ("99.9999", "allowed"), ("160.0004", "forbidden")])
def test_threshold_edges_survive_issue_and_verify(client, wh, verdict):
    body = api(client, wh=wh, date=SOON).get_json()
    assert body["verdict"] == verdict
    token = token_of(body)
    staff = client.get(f"/api/v1/results/{token}").get_json()
    assert staff["verdict"] == verdict and staff["verdict_at_issue"] == verdict
    assert not staff["changed"]
    assert staff["device"]["wh"] == float(wh)
    page = page_text(client.get(f"/r/{token}"))
    assert "Changed since issued" not in page


def test_mah_just_over_a_limit_is_not_rounded_down(client):
    # 27,028 mAh x 3.7 V = 100.0036 Wh: over 100 (it used to be rounded to 100.0, ALLOWED).
    body = api(client, mah="27028", v="3.7", date=SOON).get_json()
    assert body["device"]["wh"] == pytest.approx(100.0036)
    assert body["verdict"] == "approval_required"
    staff = client.get(f"/api/v1/results/{token_of(body)}").get_json()
    assert staff["verdict"] == "approval_required" and not staff["changed"]


def test_tokens_of_the_older_three_decimal_format_still_verify(monkeypatch):
    from datetime import datetime, timezone

    from compliance.core.model import Device, Trip
    from compliance.core.vocabulary import Verdict

    from tests.helpers import TEST_SECRET

    claim = tokens.Claim(Device(wh=99.9, mah=20000, v=3.7), (Trip(date=date(2026, 12, 24)),),
                         datetime(2026, 11, 25, tzinfo=timezone.utc), Verdict.ALLOWED)
    monkeypatch.setattr(tokens, "_num", lambda value: "" if value is None else
                        f"{value:.3f}".rstrip("0").rstrip("."))
    old = tokens.issue(claim, TEST_SECRET)
    monkeypatch.undo()
    assert tokens.verify(old, [TEST_SECRET]) == claim
    exact = tokens.Claim(Device(wh=100.0004), claim.trips, claim.issued_at, Verdict.ALLOWED)
    assert tokens.verify(tokens.issue(exact, TEST_SECRET), [TEST_SECRET]).device.wh == 100.0004
