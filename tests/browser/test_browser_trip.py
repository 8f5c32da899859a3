"""The trip typed by name in real headless Chromium on a 390 px phone: the airline and airport
comboboxes, their visible "no match" line, the answer for EK DXB->LHR, and the same names
without JavaScript (read as codes, or offered as choices)."""

import pytest
from playwright.sync_api import expect

from tests.helpers import PHONE, fill, phone_page

pytestmark = pytest.mark.browser


def pick(page, field: str, typed: str, code: str) -> None:
    """Type into a combobox as a person does and pick ``code`` from its list."""
    box = page.locator(f"#{field}")
    box.click()
    box.press_sequentially(typed, delay=40)
    option = page.locator(f"#{field}-list [role=option]", has_text=code).first
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert option.bounding_box()["width"] <= PHONE["viewport"]["width"]
    option.click()
    assert box.input_value() == code
    assert box.get_attribute("aria-expanded") == "false"
    expect(page.locator(f"#{field}-status")).to_contain_text(code)


def test_emirates_dubai_heathrow_picked_from_the_lists(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    phone.fill("#wh", "50")
    airline = phone.locator("#airline")
    assert airline.get_attribute("role") == "combobox"
    pick(phone, "airline", "Emirates", "EK")
    phone.locator("#trip").scroll_into_view_if_needed()
    pick(phone, "origin", "Dubai", "DXB")
    phone.locator("#destination").press_sequentially("Heathrow", delay=40)
    options = phone.locator("#destination-list [role=option]")
    options.first.wait_for()
    phone.screenshot(path=output_dir / "airport-suggestions.png")
    phone.locator("#destination").press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    phone.locator("#destination").press("Enter")
    assert phone.locator("#destination").input_value() == "LHR"
    phone.click("button.primary")
    phone.wait_for_selector(".verdict")
    text = phone.inner_text("main")
    assert "Emirates (EK)" in text and "DXB" in text and "LHR" in text
    assert "United Kingdom" in text
    phone.screenshot(path=output_dir / "ek-dxb-lhr.png", full_page=True)


def test_no_match_is_said_in_a_visible_line(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    box = phone.locator("#origin")
    box.press_sequentially("Xqzzyville", delay=30)
    status = phone.locator("#origin-status")
    expect(status).to_contain_text("No airport matches this")
    assert status.is_visible() and status.bounding_box()["height"] > 5
    assert phone.locator("#origin-list").is_hidden()
    phone.screenshot(path=output_dir / "no-match.png")


def test_a_cjk_city_finds_its_airports(phone, live_server):
    phone.goto(live_server + "/?lang=ko")
    phone.locator("#destination").press_sequentially("인천", delay=60)
    option = phone.locator("#destination-list [role=option]").first
    option.wait_for()
    assert "ICN" in option.inner_text()


def test_an_added_flight_has_working_comboboxes(phone, live_server):
    phone.goto(live_server + "/")
    phone.click("button.add-leg")
    legs = phone.locator("fieldset.leg")
    expect(legs).to_have_count(3)
    third = phone.locator("#airline3")
    assert third.get_attribute("role") == "combobox"
    assert phone.locator("#airline3-list").count() == 1
    pick(phone, "airline3", "Korean", "KE")


def test_without_javascript_names_resolve_or_offer_choices(browser, live_server, output_dir):
    with phone_page(browser, java_script_enabled=False) as page:
        page.goto(live_server + "/")
        fill(page, {"wh": "50", "airline": "Emirates", "origin": "Dubai", "destination": "London"})
        page.click("button.primary")
        choices = page.locator("#destination-choices a")
        choices.first.wait_for()
        assert page.locator("#destination-error").is_visible()
        page.screenshot(path=output_dir / "choices.png", full_page=True)
        page.locator("#destination-choices a", has_text="LHR").click()
        page.wait_for_selector(".verdict")
        text = page.inner_text("main")
        assert "Emirates (EK)" in text
        assert "“Emirates” → EK" in text and "“Dubai” → DXB" in text
        page.goto(live_server + "/")
        fill(page, {"wh": "50", "airline": "Emirates", "origin": "Dubai",
                    "destination": "Heathrow"})
        page.click("button.primary")
        page.wait_for_selector(".verdict")
        assert "“Heathrow” → LHR" in page.inner_text("main")
