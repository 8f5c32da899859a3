"""At the gate in ten seconds: on a 390 x 844 phone, the verdict and the QR code (with its
manual code) are both fully on the first screen, for every kind of answer, on the traveller's
result page, in the staff view and inside the widget on an airline's page (where the frame is as
tall as its content and the page scrolls the verdict into view after a check). Measured with
bounding boxes in real headless Chromium; screenshots of each state go to tests/output/."""

import re
import time

import pytest

from tests.helpers import PHONE, phone_page, serve_directory

pytestmark = pytest.mark.browser

VIEWPORT_H = PHONE["viewport"]["height"]
FRAME = "iframe.powerbank-check-frame"

#: name -> (form fields, the verdict word the page must show)
CASES = {
    "allowed": ({"wh": "74", "airline": "LH", "origin": "FRA", "destination": "JFK"},
                "ALLOWED"),
    "approval": ({"wh": "150", "airline": "LH", "origin": "FRA", "destination": "JFK"},
                 "AIRLINE APPROVAL NEEDED"),
    "forbidden": ({"model": "A1366", "wh": "74", "airline": "LH", "origin": "FRA",
                   "destination": "JFK"}, "FORBIDDEN"),
    "some-units": ({"model": "A1263", "airline": "EK", "origin": "DXB", "destination": "LHR"},
                   "CHECK THE SERIAL"),
    "itinerary": ({"wh": "74", "airline": "LH", "origin": "FRA", "destination": "PVG",
                   "airline2": "MU", "origin2": "PVG", "destination2": "PEK"}, None),
}


def _query(fields: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in fields.items())


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, "element not rendered"
    return box


def _assert_in_first_screen(boxes: dict, name: str) -> None:
    for what, box in boxes.items():
        # one pixel of slack for sub-pixel scrolling
        assert box["y"] >= -1 and box["y"] + box["height"] <= VIEWPORT_H, (
            f"{name}: {what} spans {box['y']:.0f}-{box['y'] + box['height']:.0f} px, outside "
            f"the first {VIEWPORT_H} px")


@pytest.fixture(autouse=True)
def _fresh_report(output_dir):
    (output_dir / "boxes.txt").unlink(missing_ok=True)


def _report(output_dir, name: str, boxes: dict) -> None:
    line = " ".join(f"{what} {b['y']:.0f}-{b['y'] + b['height']:.0f}" for what, b in
                    boxes.items())
    print(f"\n{name}: {line}")
    with open(output_dir / "boxes.txt", "a", encoding="utf-8") as out:
        out.write(f"{name}: {line}\n")


@pytest.mark.parametrize("name", list(CASES))
def test_traveller_and_staff_see_verdict_and_qr_on_the_first_screen(
        browser, live_server, output_dir, name):
    fields, word = CASES[name]
    with phone_page(browser) as page:
        page.goto(f"{live_server}/check?{_query(fields)}")
        verdict = page.locator(".verdict").first
        if word:
            assert verdict.locator(".verdict-word").inner_text().strip().endswith(word)
        boxes = {"verdict": _box(verdict), "next step": _box(page.locator(".next-step")),
                 "QR": _box(page.locator(".qr-card .qr svg")),
                 "code": _box(page.locator(".qr-card .code"))}
        _report(output_dir, f"traveller {name}", boxes)
        page.screenshot(path=output_dir / f"traveller-{name}.png")
        _assert_in_first_screen(boxes, f"traveller {name}")
        # the order: verdict, then the next step, then the QR
        assert boxes["verdict"]["y"] < boxes["next step"]["y"] < boxes["QR"]["y"]

        token = re.search(r"/R/([0-9A-Z]+)", page.content()).group(1)
        page.goto(f"{live_server}/r/{token}")
        boxes = {"verdict": _box(page.locator(".verdict")),
                 "decision": _box(page.locator("#decision")),
                 "QR": _box(page.locator(".qr-card .qr svg")),
                 "code": _box(page.locator(".qr-card .code"))}
        _report(output_dir, f"staff {name}", boxes)
        page.screenshot(path=output_dir / f"staff-{name}.png")
        _assert_in_first_screen(boxes, f"staff {name}")
        if word:
            assert page.locator(".verdict-word").inner_text().strip().endswith(word)


@pytest.fixture(scope="module")
def host_page(live_server, tmp_path_factory):
    """An airline's page on another origin: a heading, some text, then the widget."""
    root = tmp_path_factory.mktemp("host")
    filler = "".join(f"<p>Baggage rule {i}: what you may bring on board.</p>" for i in range(8))
    (root / "host.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport"
content="width=device-width, initial-scale=1"><title>Example Air</title></head>
<body><h1>Example Air: what can I bring?</h1>{filler}
<script src="{live_server}/embed.js"></script>
<p id="after-widget">Text after the widget.</p>
</body></html>
""", encoding="utf-8")
    with serve_directory(root) as url:
        yield url


def _wait_for(condition, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("name", list(CASES))
def test_widget_result_fits_its_frame_and_scrolls_into_view(browser, live_server, host_page,
                                                           output_dir, name):
    """The traveller fills the widget's form and taps Check: the frame grows to its whole
    content (nothing clipped), and the host page scrolls so that the verdict and the QR code
    are on the first screen."""
    fields, word = CASES[name]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(host_page + "/host.html")
        widget = page.frame_locator(FRAME)
        widget.locator("#model").wait_for()
        for field, value in fields.items():
            widget.locator("#" + field).fill(value)
        widget.locator("button.primary").click()
        widget.locator(".verdict").wait_for()
        frame = next(f for f in page.frames if f.url.startswith(live_server + "/embed/check"))

        def fitted():
            outer = page.evaluate(
                f"document.querySelector('{FRAME}').getBoundingClientRect().height")
            inner = frame.evaluate("document.documentElement.scrollHeight")
            return (outer, inner) if abs(outer - inner) <= 2 else None

        outer, inner = _wait_for(fitted, "the frame to fit its content")
        assert inner > 1000, "a result with details is taller than one screen"

        def boxes():
            frame_top = page.evaluate(
                f"document.querySelector('{FRAME}').getBoundingClientRect().top")
            found = {}
            for what, selector in (("verdict", ".verdict"), ("QR", ".qr-card .qr svg"),
                                   ("code", ".qr-card .code")):
                rect = frame.evaluate(
                    f"(() => {{ const r = document.querySelector('{selector}')"
                    ".getBoundingClientRect(); return {y: r.top, height: r.height}; })()")
                found[what] = {"y": frame_top + rect["y"], "height": rect["height"]}
            return found

        _wait_for(lambda: abs(boxes()["verdict"]["y"]) <= 2, "the page to scroll the verdict "
                  "to the top")
        measured = boxes()
        _report(output_dir, f"widget {name} (frame {outer:.0f} px = content {inner:.0f} px)",
                measured)
        page.screenshot(path=output_dir / f"widget-{name}.png")
        _assert_in_first_screen(measured, f"widget {name}")
        if word:
            assert frame.locator(".verdict-word").inner_text().strip().endswith(word)
        assert problems == []
    finally:
        context.close()
