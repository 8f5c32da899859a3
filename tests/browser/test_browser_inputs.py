"""Numbers typed on a 390 px phone: the live calculation and the server read them alike, and
the error summary takes focus. Real headless Chromium against the real app."""

import re

import pytest
from playwright.sync_api import expect

from compliance.core.capacity import NumberError, read_number

pytestmark = pytest.mark.browser

#: (box, typed text): what people type, readable and not, in every box.
TYPED = [
    ("wh", "99,9"), ("wh", "99.9"), ("wh", "27,5"), ("wh", "74 Wh"), ("wh", "74wh"),
    ("wh", "100.0004"), ("wh", "1,234"), ("wh", "1.234"), ("wh", "1.234,5"), ("wh", "0,500"),
    ("wh", "20000 mAh"), ("wh", "about 50"), ("wh", "1e2"), ("wh", "99,9,9"), ("wh", "１００"),
    ("wh", ".5"), ("wh", "nan"),
    ("mah", "20000"), ("mah", "20000mAh"), ("mah", "10,000"), ("mah", "10 000"),
    ("mah", "10.000 mAh"), ("mah", "20.000"), ("mah", "10\u202f000"), ("mah", "1.000.000"),
    ("mah", "10.000,5"), ("mah", "10,000.5"), ("mah", "1,2.3"), ("mah", "12 34"),
    ("mah", "74 Wh"), ("mah", "10,00"), ("mah", "２００００"), ("mah", "20 Ah"),
    ("v", "3,7"), ("v", "3.7V"), ("v", "3,700"), ("v", "3,85 v"), ("v", "5"), ("v", "74 Wh"),
]


def server_reading(text: str, field: str):
    try:
        return read_number(text, field)
    except NumberError:
        return None


def test_the_browser_reads_numbers_by_the_servers_rules(phone, live_server):
    phone.goto(live_server + "/")
    for field, text in TYPED:
        browser = phone.evaluate("([t, f]) => window.powerbankReadNumber(t, f)", [text, field])
        assert browser == server_reading(text, field), (field, text)


def test_decimal_commas_typed_give_the_same_wh_live_and_in_the_answer(phone, live_server,
                                                                      output_dir):
    phone.goto(live_server + "/")
    live = phone.locator("#wh-live")
    phone.locator("#wh").press_sequentially("99,9")
    expect(live).to_contain_text("99.9 Wh")
    phone.screenshot(path=output_dir / "wh-decimal-comma.png")
    phone.click("button.primary")
    phone.wait_for_selector(".verdict")
    assert "99.9 Wh" in phone.inner_text("main")

    phone.goto(live_server + "/")
    phone.locator("#mah").press_sequentially("20000")
    phone.locator("#v").press_sequentially("3,7")
    expect(live).to_contain_text("20,000 mAh × 3.7 V ÷ 1000 = 74 Wh")
    phone.screenshot(path=output_dir / "mah-decimal-comma-voltage.png")
    phone.click("button.primary")
    phone.wait_for_selector(".calc-box")
    assert "20,000 mAh × 3.7 V ÷ 1000 = 74 Wh" in phone.inner_text(".calc-box")


@pytest.mark.parametrize("field, text", [
    ("mah", "10.000 mAh"), ("mah", "20000mAh"), ("mah", "10 000"), ("wh", "1,234"),
    ("mah", "74 Wh")])
def test_typing_into_the_box_agrees_with_the_answer(phone, live_server, field, text):
    """The same string typed into the page: the live line shows the server's reading, and
    the answer (or the error) after submitting agrees."""
    phone.goto(live_server + "/")
    phone.locator(f"#{field}").press_sequentially(text)
    live = phone.locator("#wh-live")
    expected = server_reading(text, field)
    if expected is None:
        expect(live).to_contain_text("cannot be read")
    else:
        wh = expected * 3.7 / 1000 if field == "mah" else expected
        expect(live).to_contain_text(f"{wh:,.4f}".rstrip("0").rstrip(".") + " Wh")
    phone.click("button.primary")
    phone.wait_for_load_state()
    body = phone.inner_text("main")
    if expected is None:
        assert phone.locator(f"#{field}-error").is_visible()
    else:
        assert f"{wh:,.4f}".rstrip("0").rstrip(".") + " Wh" in body


def test_every_error_at_once_and_the_summary_takes_focus(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    phone.fill("#wh", "1,234")
    phone.click("#more summary")  # "how many" is under "More details"
    phone.fill("#count", "0")
    phone.fill("#date", "2025-01-01")
    phone.click("button.primary")
    summary = phone.locator("#error-summary")
    summary.wait_for()
    expect(summary).to_be_focused()
    assert re.search(r"Please correct these 3 fields", summary.inner_text())
    for field in ("wh", "count", "date"):
        assert phone.locator(f"#{field}-error").is_visible()
    assert summary.bounding_box()["width"] <= 390
    phone.screenshot(path=output_dir / "error-summary.png")
    summary.locator("a[href='#count']").click()
    expect(phone.locator("#count")).to_be_focused()
