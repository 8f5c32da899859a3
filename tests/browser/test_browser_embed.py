"""The widget as an airline would use it: a host page on another origin embeds it with the
one-line script tag; a check runs inside the iframe, and the iframe follows its content's
height through postMessage. Real headless Chromium."""

import json
import time

import pytest

from tests.helpers import serve_directory

pytestmark = pytest.mark.browser

FRAME = "iframe.powerbank-check-frame"


@pytest.fixture
def host_page(live_server, tmp_path):
    """An 'airline' page served by a plain HTTP server on another port: another origin."""
    (tmp_path / "host.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example Air: what can I bring?</title></head>
<body>
<h1>Example Air: what can I bring?</h1>
<script src="{live_server}/embed.js" data-airline="LH" data-theme="dark"
        data-accent="#ffcc00"></script>
<p id="after-widget">Text after the widget.</p>
</body></html>
""", encoding="utf-8")
    with serve_directory(tmp_path) as url:
        yield url


def _heights(page, frame):
    """(iframe height on the host page, the widget's content height inside the frame)."""
    outer = page.evaluate(
        f"document.querySelector('{FRAME}').getBoundingClientRect().height")
    inner = frame.evaluate("document.body.scrollHeight")
    return outer, inner


def _wait_until_fitted(page, frame, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        outer, inner = _heights(page, frame)
        if abs(outer - inner) <= 3:
            return outer, inner
        if time.monotonic() > deadline:
            raise AssertionError(f"iframe {outer}px never fitted its content {inner}px")
        time.sleep(0.05)


def test_widget_on_another_origin_runs_a_check_and_follows_its_height(
        browser, live_server, host_page, output_dir):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(host_page + "/host.html")

    iframe = page.locator(FRAME)
    iframe.wait_for()
    src = iframe.get_attribute("src")
    assert src.startswith(live_server + "/embed?")
    assert "parent_origin=" + host_page.replace(":", "%3A").replace("/", "%2F") in src
    assert page.evaluate(f"document.querySelector('{FRAME}').nextElementSibling.id") == \
        "after-widget"
    widget = page.frame_locator(FRAME)
    widget.locator("#model").wait_for()
    frame = iframe.element_handle().content_frame()

    form_outer, form_inner = _wait_until_fitted(page, frame)
    assert form_outer != 640, "the iframe kept its initial height: no resize message arrived"
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    button = widget.get_by_role("button", name="Check", exact=True)
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(255, 204, 0)"
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
    assert frame.evaluate("getComputedStyle(document.body).backgroundColor") == \
        "rgb(22, 22, 22)"
    page.screenshot(path=output_dir / "host-form.png", full_page=True)

    page.evaluate("window.postMessage({type: 'powerbank-check:resize', height: 3000}, '*')")
    page.wait_for_timeout(300)
    assert _heights(page, frame)[0] == form_outer, "a message from the host page was believed"

    widget.locator("#model").fill("A1366")
    widget.locator("#wh").fill("74")
    widget.locator("#origin").fill("FRA")
    widget.locator("#destination").fill("JFK")
    button.click()
    widget.locator(".verdict-forbidden").wait_for()
    assert "FORBIDDEN" in widget.locator(".verdict-word").inner_text()
    widget.locator(".qr svg").wait_for()

    frame = iframe.element_handle().content_frame()
    result_outer, result_inner = _wait_until_fitted(page, frame)
    assert abs(result_outer - form_outer) > 20, "the iframe did not follow the new content"
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert "/embed/check?" in frame.url and "parent_origin=" in frame.url
    page.screenshot(path=output_dir / "host-result.png", full_page=True)

    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], \
        problems
    (output_dir / "heights.json").write_text(json.dumps({
        "form": {"iframe_px": form_outer, "content_scroll_height_px": form_inner},
        "result": {"iframe_px": result_outer, "content_scroll_height_px": result_inner},
        "initial_iframe_px": 640,
    }, indent=2))
    context.close()


def test_live_example_on_the_developers_page_works_under_the_strict_csp(browser, live_server):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    problems, failed = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    page.goto(live_server + "/developers")
    iframe = page.locator(".live-example " + FRAME)
    iframe.wait_for()
    page.frame_locator(FRAME).locator("#model").wait_for()
    outer, inner = _wait_until_fitted(page, iframe.element_handle().content_frame())
    assert outer > 640
    assert not failed, failed
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], \
        problems
    context.close()
