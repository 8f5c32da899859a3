"""The traveller's pages in real headless Chromium at a phone size: autocomplete, the mAh
calculation, a two-flight trip with a domestic China flight, the language switch, the form
without JavaScript, and the weight of the first load of /."""

import gzip

import pytest
from playwright.sync_api import expect

from tests.helpers import PHONE, fill, phone_page

pytestmark = pytest.mark.browser

PAGE_WEIGHT_LIMIT = 50 * 1024


def test_model_typed_with_autocomplete(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    model = phone.locator("#model")
    assert model.get_attribute("role") == "combobox"
    model.press_sequentially("a136", delay=60)
    options = phone.locator("#model-list [role=option]")
    options.first.wait_for()
    assert model.get_attribute("aria-expanded") == "true"
    assert "A1366" in options.first.inner_text()
    assert "recalled" in options.first.inner_text()
    phone.screenshot(path=output_dir / "suggestions.png")
    model.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert model.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    model.press("Enter")
    assert model.input_value() == "A1366"
    assert phone.locator("#brand").input_value() == "Anker"
    assert model.get_attribute("aria-expanded") == "false"
    model.fill("")
    model.press_sequentially("a12", delay=60)
    options.first.wait_for()
    model.press("Escape")
    assert phone.locator("#model-list").is_hidden()
    model.fill("A1366")
    phone.fill("#wh", "74")
    phone.click("button.primary")
    phone.wait_for_selector(".verdict-forbidden")
    assert "Check your unit or claim the remedy" in phone.inner_text(".next-steps") \
        or "Read the recall notice" in phone.inner_text(".next-steps")
    phone.screenshot(path=output_dir / "recalled-result.png", full_page=True)


def test_mah_entry_shows_the_calculation_live_and_on_the_result(phone, live_server,
                                                                 output_dir):
    phone.goto(live_server + "/")
    phone.click("#label-guide summary")
    guide = phone.locator("#label-guide svg")
    guide.wait_for(state="visible")
    assert guide.bounding_box()["width"] <= PHONE["viewport"]["width"]
    phone.locator("#label-guide").scroll_into_view_if_needed()
    phone.screenshot(path=output_dir / "label-guide.png")
    phone.fill("#mah", "20000")
    phone.fill("#v", "3.7")
    live = phone.locator("#wh-live")
    live.wait_for(state="visible")
    expect(live).to_contain_text("= 74 Wh")
    assert "20,000 mAh × 3.7 V ÷ 1000 = 74 Wh" in live.inner_text()
    live.scroll_into_view_if_needed()
    phone.screenshot(path=output_dir / "live-calculation.png")
    phone.fill("#v", "5")
    expect(live).to_contain_text("USB output")
    phone.fill("#v", "3.7")
    phone.click("button.primary")
    phone.wait_for_selector(".calc-box")
    calc = phone.inner_text(".calc-box")
    assert "20,000 mAh × 3.7 V ÷ 1000 = 74 Wh" in calc
    assert "20,000 mAh × 5 V ÷ 1000 = 100 Wh" in calc
    phone.locator(".calc-box").scroll_into_view_if_needed()
    phone.screenshot(path=output_dir / "result-calculation.png")


def test_two_flights_with_a_domestic_china_flight(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    fill(phone, {"wh": "74", "airline": "LH", "origin": "FRA", "destination": "PVG",
                 "airline2": "MU", "origin2": "PVG", "destination2": "PEK"})
    phone.click("button.add-leg")
    third = phone.locator("fieldset.leg[data-leg='3']")
    assert third.locator("legend").inner_text() == "Flight 3"
    assert phone.evaluate("document.activeElement.id") == "airline3"
    assert phone.locator("label[for=origin3]").count() == 1
    phone.screenshot(path=output_dir / "form-three-rows.png", full_page=True)
    phone.click("button.primary")
    phone.wait_for_selector(".verdict-need_more_info")
    assert "Flight 2 (MU PVG→PEK) decides" in phone.inner_text(".headline")
    legs = phone.locator(".leg-list > li")
    assert legs.count() == 2
    assert "ALLOWED" in legs.nth(0).inner_text() and "Lufthansa" in legs.nth(0).inner_text()
    second = legs.nth(1).inner_text()
    assert "MORE INFORMATION NEEDED" in second and "decides the answer" in second
    assert "domestic flight within China" in second and "CCC" in second
    phone.screenshot(path=output_dir / "two-flights-result.png", full_page=True)


def test_language_switch_to_chinese_and_korean(phone, live_server, output_dir):
    phone.goto(live_server + "/")
    phone.click("text=简体中文")
    phone.wait_for_url("**lang=zh**")
    assert phone.inner_text("h1") == "这个充电宝能带上飞机吗？"
    assert phone.get_attribute("html", "lang") == "zh-Hans"
    phone.screenshot(path=output_dir / "form-chinese.png")
    fill(phone, {"wh": "74", "airline": "MU", "origin": "PVG", "destination": "PEK"})
    phone.click("details.more-details summary")  # the optional fields are folded away
    phone.select_option("#ccc", "false")
    phone.click("button.primary")
    phone.wait_for_selector(".verdict-forbidden")
    assert "lang=zh" in phone.url
    assert "禁止携带" in phone.inner_text(".verdict-word")
    assert "中国国内航班" in phone.inner_text(".device")
    phone.screenshot(path=output_dir / "result-chinese.png", full_page=True)
    phone.click("text=한국어")
    phone.wait_for_url("**lang=ko**")
    assert "origin=PVG" in phone.url and "ccc=false" in phone.url
    assert "반입 금지" in phone.inner_text(".verdict-word")
    assert phone.get_attribute("html", "lang") == "ko"
    assert "CAAC" in phone.inner_text(".reasons")
    phone.screenshot(path=output_dir / "result-korean.png", full_page=True)


def test_form_without_javascript(browser, live_server, output_dir):
    with phone_page(browser, java_script_enabled=False) as page:
        page.goto(live_server + "/")
        assert page.locator("#model").get_attribute("role") is None
        assert page.locator("fieldset.leg").count() == 2
        fill(page, {"mah": "20000", "airline": "LH", "origin": "FRA", "destination": "PVG",
                    "airline2": "MU", "origin2": "PVG", "destination2": "PEK"})
        page.click("button.add-leg-submit")
        page.wait_for_selector("fieldset.leg[data-leg='3']")
        assert page.input_value("#destination2") == "PEK"
        assert page.input_value("#mah") == "20000"
        assert page.input_value("#origin3") == ""
        page.screenshot(path=output_dir / "no-js-added-row.png", full_page=True)
        page.click("button.primary")
        page.wait_for_selector(".verdict")
        assert page.locator(".leg-list > li").count() == 2
        assert "20,000 mAh × 3.7 V ÷ 1000 = 74 Wh" in page.inner_text(".calc-box")
        page.screenshot(path=output_dir / "no-js-result.png", full_page=True)


def test_first_load_of_the_form_is_under_50_kb(browser, live_server, output_dir):
    """Every request of a first visit to / (empty cache), as transferred by this server
    (which does not compress) and as gzip at level 6 would send each body."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    try:
        page.goto(live_server + "/", wait_until="networkidle")
        rows = []
        for response in responses:
            sizes = response.request.sizes()
            body = response.body()
            headers = sizes["responseHeadersSize"]
            rows.append((response.url.replace(live_server, ""), response.status,
                         headers + sizes["responseBodySize"],
                         headers + len(gzip.compress(body, compresslevel=6))))
    finally:
        context.close()
    raw_total = sum(row[2] for row in rows)
    gzip_total = sum(row[3] for row in rows)
    lines = [f"{'request':60} {'status':>6} {'as sent':>8} {'gzip':>8}"]
    lines += [f"{url[:60]:60} {status:>6} {raw:>8} {gz:>8}" for url, status, raw, gz in rows]
    lines.append(f"{'total (' + str(len(rows)) + ' requests)':60} {'':>6} {raw_total:>8} "
                 f"{gzip_total:>8}")
    report = "\n".join(lines)
    print("\nFirst load of / (bytes, headers included):\n" + report)
    (output_dir / "page-weight.txt").write_text(report + "\n")
    assert any(url.startswith("/static/traveller.js") for url, *_ in rows)
    assert all(url.startswith("/") for url, *_ in rows), "no third-party requests"
    assert gzip_total < PAGE_WEIGHT_LIMIT


@pytest.mark.parametrize("width", [360, 430])
def test_pages_fit_small_phones_without_sideways_scrolling(browser, live_server, output_dir,
                                                           width):
    context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 800}})
    page = context.new_page()
    try:
        for name, path in [("form", "/?lang=ja"),
                           ("result", "/check?mah=20000&airline=LH&origin=FRA&destination=PVG"
                                      "&airline2=MU&origin2=PVG&destination2=PEK&lang=ja")]:
            page.goto(live_server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            page.screenshot(path=output_dir / f"{name}-{width}.png")
    finally:
        context.close()
