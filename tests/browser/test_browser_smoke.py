"""The main path in a real headless browser at a phone size."""

import pytest

from tests.helpers import fill

pytestmark = pytest.mark.browser


def test_form_to_result_to_verified_page(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    fill(phone, {"model": "A1366", "wh": "74", "airline": "LH", "origin": "FRA",
                 "destination": "JFK"})
    phone.click("button[type=submit]")
    phone.wait_for_selector(".verdict-forbidden")
    assert "FORBIDDEN" in phone.inner_text(".verdict-word")
    phone.screenshot(path=output_dir / "result.png", full_page=True)
    phone.click("text=Open the verifiable result")
    phone.wait_for_selector(".verified")
    assert "/R/1" in phone.url
    phone.screenshot(path=output_dir / "verified.png", full_page=True)
