"""Identification in the browser: the gate screen's offline lookup agrees with the server.

/scan keeps a saved recall list for use without a connection; static/identify.js applies the
server's identification rules to it. The same descriptions typed into both must give the same
recall status (the one allowed difference: a model number that is only in our capacity
catalogue, which the saved list does not carry, may be asked about offline where the server
knows it is not recalled: the cautious side).
"""

import json

import pytest

from tests.helpers import GOLDEN_DIR

GOLDEN = GOLDEN_DIR / "identification.json"
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
    from urllib.parse import urlencode
    from urllib.request import urlopen

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


def _pick_the_recalled_suggestion(page, input_id: str, typed: str, model: str, flag: str):
    """Type as a person does, wait for the list, check the recalled product is marked in the
    answer's words, and tap it."""
    page.locator(f"#{input_id}").press_sequentially(typed, delay=30)
    option = page.locator(f"#{input_id}-list [role=option]", has_text=model).first
    option.wait_for()
    assert flag in option.inner_text()
    option.click()
    assert page.input_value(f"#{input_id}") == model


def test_a_name_typed_on_the_form_suggests_the_recalled_product_and_checks_it(
        phone, live_server, output_dir):
    """Issue 10: "anker powercore" lists the recalled PowerCore 10000 (A1263, some units
    recalled by CPSC and Anker), marked; picking it gives the recall answer."""
    phone.goto(live_server + "/")
    _pick_the_recalled_suggestion(phone, "model", "anker powercore", "A1263",
                                  "some units recalled")
    phone.screenshot(path=output_dir / "form-name-suggestion.png")
    phone.click("button.primary")
    phone.wait_for_selector("section.verdict")
    verdict = phone.inner_text("section.verdict")
    assert "CHECK THE SERIAL" in verdict
    assert "recall" in phone.inner_text("#recall-h").lower()


def test_the_same_name_offline_on_the_gate_screen(offline_scan, output_dir):
    page = offline_scan
    _pick_the_recalled_suggestion(page, "lookup-model", "anker powercore", "A1263",
                                  "some units recalled")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-result[data-status=check_serial]")
    assert "SOME UNITS RECALLED" in page.inner_text("#lookup-result")
    page.screenshot(path=output_dir / "scan-offline-name-suggestion.png", full_page=True)
