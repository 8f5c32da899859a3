"""The result pages as arranged for the gate: verdict, the one next step, then the QR; the
"some units recalled" state with its own word and one action; recall scopes of the trip's
countries first; a staff decision line. Through the real app and the real data."""

import re

import pytest

SOME_UNITS = "model=A1263&airline=EK&origin=DXB&destination=LHR"


def _html(client, query: str) -> str:
    response = client.get("/check?" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _staff(client, query: str) -> tuple[str, dict]:
    html = _html(client, query)
    token = re.search(r"/R/([0-9A-Z]+)", html).group(1)
    page = client.get(f"/r/{token}").get_data(as_text=True)
    body = client.get(f"/api/v1/results/{token}").get_json()
    return page, body


@pytest.mark.parametrize("query", [
    "wh=74&airline=LH&origin=FRA&destination=JFK",
    SOME_UNITS,
    "model=A1366&wh=74",
    "wh=74&airline=LH&origin=FRA&destination=PVG&airline2=MU&origin2=PVG&destination2=PEK",
])
def test_result_order_is_verdict_next_step_qr_then_details(client, query):
    html = _html(client, query)
    positions = [html.index(marker) for marker in (
        'class="verdict verdict-', 'class="next-step', 'class="qr-card"', 'id="reasons-h"')]
    assert positions == sorted(positions)
    # per-rule reasons are collapsible
    reasons = html[html.index('id="reasons-h"'):]
    assert reasons.count("<details>") >= 1


def test_some_units_is_its_own_state_with_one_action(client):
    html = _html(client, SOME_UNITS)
    verdict = re.search(r'<section class="verdict verdict-(\w+)"', html).group(1)
    assert verdict == "check_serial"
    assert "CHECK THE SERIAL" in html and "MORE INFORMATION NEEDED" not in html
    step = html[html.index('class="next-step'):html.index('class="qr-card"')]
    actions = re.findall(r'class="primary-action" href="([^"]+)"', step)
    assert actions == ["https://www.anker.com/product-recalls"]  # the CPSC recall's checker
    assert "Open the serial checker" in step
    # A1263's recalls publish no serial patterns: say so, and do not ask for it again
    assert "The serial cannot be checked on this site" in step
    assert "The serial or batch code, checked against the recall" not in html


def test_some_units_with_a_serial_typed_does_not_ask_again(client):
    html = _html(client, SOME_UNITS + "&serial=AXXXX1234")
    assert "CHECK THE SERIAL" in html
    assert "The serial AXXXX1234 cannot be checked here" in html
    assert "What would settle it" not in html or "The serial or batch code" not in html


def test_recall_scopes_of_the_trip_come_first_others_are_folded(client):
    """A1263 on a US trip: the CPSC recall (US) is shown, Japan's is folded away."""
    html = _html(client, "model=A1263&airline=AA&origin=JFK&destination=LAX")
    recall = html[html.index('class="recall'):]
    open_part, folded = recall.split('<details class="elsewhere">', 1)
    assert "CPSC (US)" in open_part and "(JP)" not in open_part
    assert "Recalls in other countries (1)" in folded and "(JP)" in folded


def test_no_recall_concerns_the_trip_all_are_shown_checker_first(client):
    html = _html(client, SOME_UNITS)
    recall = html[html.index('class="recall'):]
    assert '<details class="elsewhere">' not in recall
    assert recall.index("CPSC (US)") < recall.index("(JP)")


@pytest.mark.parametrize("query, code, text", [
    ("model=A1366&wh=74", "refuse_recalled", "Refuse: recalled model"),
    ("wh=150&airline=LH&origin=FRA&destination=JFK", "ask_approval",
     "Ask for approval from the airline"),
    ("wh=74&airline=LH&origin=FRA&destination=JFK", "accept_if_label",
     "Accept if the label shows: Capacity: 74 Wh printed"),
    (SOME_UNITS, "check_serial", "Check the serial: accept only if"),
    ("wh=400&airline=LH&origin=FRA&destination=JFK", "refuse", "Refuse: 400 Wh is over"),
])
def test_staff_view_leads_with_a_decision(client, query, code, text):
    page, body = _staff(client, query)
    assert body["decision"]["code"] == code
    assert body["decision"]["text"].startswith(text)
    decision = re.search(r'<p class="decision decision-(\w+)" id="decision">([^<]+)</p>', page)
    assert decision.group(1) == code and decision.group(2).startswith(text)
    # the decision comes before the checklist, and the traveller's headline is not shown
    assert page.index('id="decision"') < page.index('id="label-h"')
    assert "before you fly" not in page[:page.index('id="label-h"')]


def test_staff_serial_check_quotes_the_recall_of_the_trip(client):
    page, body = _staff(client, "model=A1263&airline=AA&origin=JFK&destination=LAX")
    serial = [c["text"] for c in body["label_checks"] if c["code"] == "serial"]
    assert serial and "(CPSC)" in serial[0] and "JAN" not in serial[0]


def test_widget_result_has_the_same_order_and_states(client):
    response = client.get("/embed/check?" + SOME_UNITS)
    html = response.get_data(as_text=True)
    assert "CHECK THE SERIAL" in html
    assert html.index('class="next-step') < html.index('class="qr-card"')


def test_embed_script_allows_tall_results_and_scrolls_to_the_verdict(client):
    script = client.get("/embed.js").get_data(as_text=True)
    limit = int(re.search(r"MAX_HEIGHT = (\d+)", script).group(1))
    assert limit >= 20000  # the longest real result is about 6,000-7,000 px
    assert "powerbank-check:result" in script and "scrollTo" in script


def test_where_the_recall_lists_the_serials_the_serial_typed_settles_it(client):
    """Belkin BPB002: the CPSC recall names the affected serials (those beginning "35S").
    (BPD005 no longer fits: its ACCC, OPSS and Japanese recalls take every unit.)"""
    html = _html(client, "model=BPB002&airline=AA&origin=JFK&destination=LAX")
    assert "CHECK THE SERIAL" in html
    assert "Or type the serial here" in html and "#serial" in html
    assert "cannot be checked" not in html
    recalled = _html(client, "model=BPB002&serial=35S12345678901&airline=AA&origin=JFK"
                             "&destination=LAX")
    assert "FORBIDDEN" in recalled and "CHECK THE SERIAL" not in recalled
    fine = _html(client, "model=BPB002&serial=12345678901234&airline=AA&origin=JFK"
                         "&destination=LAX")
    assert re.search(r'<section class="verdict verdict-allowed"', fine)
