"""Identification in the browser: the gate screen's offline lookup agrees with the server.

/scan keeps a saved recall list for use without a connection; static/identify.js applies the
server's identification rules to it. The same descriptions typed into both must give the same
recall status (the one allowed difference: a model number that is only in our capacity
catalogue, which the saved list does not carry, may be asked about offline where the server
knows it is not recalled: the cautious side).
"""

import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "identification.json"
TYPED = [case["input"]["model"] for case in json.loads(GOLDEN.read_text())["checks"]
         if "model" in case["input"]] + [
    "Anker PowerCore 10000 ZX-90210", "Anker ZX-90210", "Anker 20K 22.5W", "a-1647",
    "Ｘｉａｏｍｉ PLM03ZM", "Samsung", "belkin",
]


@pytest.fixture
def scan_page(phone, live_server):
    phone.goto(live_server + "/scan")
    phone.wait_for_function("window.PowerBankIdentify !== undefined")
    return phone


def test_offline_identification_agrees_with_the_server(scan_page, live_server):
    from urllib.request import urlopen
    from urllib.parse import urlencode

    offline = scan_page.evaluate(
        """async (typed) => {
            const list = await (await fetch('/scan/recalls.json')).json();
            const identifier = new window.PowerBankIdentify(list);
            return typed.map((text) => identifier.identify(text, '').status);
        }""", TYPED)
    differ = []
    for text, status in zip(TYPED, offline):
        query = urlencode({"model": text, "wh": "37", "date": "2026-11-20"})
        with urlopen(f"{live_server}/api/v1/check?{query}") as response:
            body = json.load(response)
        server = body["recall"]["status"]
        identified = body["device"]["identified_as"] or {}
        catalogue_only = (server == "not_listed" and identified.get("source") == "catalogue")
        if status != server and not (catalogue_only and status == "possible_match"):
            differ.append((text, server, status))
    assert not differ, differ


def test_a_name_typed_offline_on_the_gate_screen_is_a_possible_match(offline_scan, output_dir):
    page = offline_scan
    page.fill("#lookup-model", "Anker PowerCore 10000")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-result[data-status=possible_match]")
    text = page.inner_text("#lookup-result")
    assert "POSSIBLY RECALLED" in text and "A1263" in text
    page.screenshot(path=output_dir / "scan-offline-name.png", full_page=True)
    page.fill("#lookup-model", "\u04101647")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-result[data-status=recalled]")
