"""The staff screens in real headless Chromium at a phone size: /scan (manual lookup, camera
scanning with a fake camera that films a QR code, offline recall lookups through the service
worker) and the staff view of a result, with screenshots in tests/output/."""

import json
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from PIL import Image

from compliance.data.build import build_database
from compliance.results import qr, run_check

from tests.helpers import (
    CHROMIUM_ARGS, PHONE, ROOT, TEST_ONLY_MODEL, TEST_ONLY_RECALL, make_app, phone_page, serve_app,
)

pytestmark = pytest.mark.browser


def watch_console(page) -> list:
    """Collect console errors (a CSP violation is one), uncaught exceptions and failed
    requests (the browser's own favicon probe aside)."""
    problems = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", on_response)
    return problems


def check_token(base: str, page, **query) -> str:
    response = page.request.get(base + "/api/v1/check", params=query)
    assert response.ok, response.text()
    return response.json()["result_url"].rsplit("/", 1)[1]


def assert_large_targets(page, selector: str):
    small = page.eval_on_selector_all(selector, """els => els
        .filter(e => e.offsetParent !== null)
        .map(e => [e.id || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
        .filter(([name, h]) => h < 48)""")
    assert small == [], small


def test_scan_manual_lookup_at_phone_size(phone, live_server, output_dir):
    problems = watch_console(phone)
    phone.goto(live_server + "/scan")
    phone.wait_for_selector("#offline-status:has-text('data version')")
    assert_large_targets(phone, "button, input, .action")
    phone.screenshot(path=output_dir / "scan.png", full_page=True)

    phone.locator("#lookup-model").press_sequentially("a136", delay=40)
    phone.locator("#lookup-model-list [role=option]", has_text="A1366").first.click()
    assert phone.input_value("#lookup-model") == "A1366"
    phone.fill("#lookup-wh", "74")
    phone.locator("#lookup-airline").press_sequentially("Lufthansa", delay=30)
    phone.locator("#lookup-airline-list [role=option]", has_text="LH").first.click()
    assert phone.input_value("#lookup-airline") == "LH"
    phone.fill("#lookup-origin", "FRA")
    phone.fill("#lookup-destination", "JFK")
    phone.click("#lookup button[type=submit]")
    phone.wait_for_selector("#lookup-result .verdict-forbidden")
    assert "FORBIDDEN" in phone.inner_text("#lookup-result .verdict-word")
    assert "recalled" in phone.inner_text("#lookup-result .headline")
    assert phone.url.endswith("/scan"), "the verdict comes inline, in one step"
    phone.screenshot(path=output_dir / "scan-lookup.png", full_page=True)

    phone.click("#lookup-result a.action")
    phone.wait_for_selector(".verdict-big.verdict-forbidden")
    assert "/R/1" in phone.url
    assert problems == []


def test_scan_lookup_names_a_bad_field(phone, live_server):
    phone.goto(live_server + "/scan")
    phone.fill("#lookup-model", "A1366")
    phone.fill("#lookup-origin", "XXX")
    phone.click("#lookup button[type=submit]")
    phone.wait_for_selector("#lookup-error:not([hidden])")
    assert "origin" in phone.inner_text("#lookup-error").lower() or \
        "XXX" in phone.inner_text("#lookup-error")
    assert phone.get_attribute("#lookup-origin", "aria-invalid") == "true"


def test_scan_page_works_without_javascript(browser, live_server):
    with phone_page(browser, java_script_enabled=False) as page:
        page.goto(live_server + "/scan")
        page.fill("#lookup-model", "A1366")
        page.fill("#lookup-wh", "74")
        page.click("#lookup button[type=submit]")
        page.wait_for_selector(".verdict-forbidden")
        assert "/check?" in page.url


def test_offline_lookup_uses_the_saved_recall_list(offline_scan, output_dir):
    page = offline_scan
    assert "Offline" in page.inner_text("#offline-status")
    page.fill("#lookup-model", "anker a-1647")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-result .verdict-forbidden")
    result = page.inner_text("#lookup-result")
    assert "OFFLINE: RECALLED" in result
    assert "saved recall list only" in result and "need a connection" in result
    page.screenshot(path=output_dir / "scan-offline.png", full_page=True)

    page.fill("#lookup-model", "Ｘｉａｏｍｉ PLM03ZM")
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#lookup-result .verdict-offline")
    assert "NOT ON THE RECALL LIST" in page.inner_text("#lookup-result")


def test_staff_views_at_phone_size(phone, live_server, built_db, data_copy, tmp_path,
                                   output_dir):
    """Screenshots of the staff view in each state it can be in, checked for what matters."""
    allowed = check_token(live_server, phone, model="PLM03ZM", airline="KE", origin="ICN",
                          destination="NRT")
    phone.goto(f"{live_server}/R/{allowed}")
    phone.wait_for_selector(".verdict-big.verdict-allowed")
    assert "127.0.0.1" in phone.inner_text(".host-name")
    assert_large_targets(phone, ".action")
    phone.screenshot(path=output_dir / "staff-allowed.png", full_page=True)
    phone.screenshot(path=output_dir / "staff-allowed-first-screen.png")

    ccc = check_token(live_server, phone, model="BI-B41", airline="CA", origin="PEK",
                      destination="PVG")
    phone.goto(f"{live_server}/R/{ccc}")
    checks = phone.inner_text(".checklist")
    assert "CCC" in checks and "Serial or batch code" in checks
    phone.screenshot(path=output_dir / "staff-need-more-info.png", full_page=True)

    phone.goto(f"{live_server}/R/{allowed[:-2]}")
    assert "CANNOT VERIFY" in phone.inner_text("main")
    phone.screenshot(path=output_dir / "staff-invalid.png", full_page=True)

    recalls = json.loads((data_copy / "recalls.json").read_text())
    (data_copy / "recalls.json").write_text(json.dumps(recalls + [TEST_ONLY_RECALL]))
    changed_db = tmp_path / "changed.sqlite"
    build_database(data_copy, changed_db)
    issuing = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "codes.sqlite"))
    with issuing.test_request_context():
        old = datetime.now(timezone.utc) - timedelta(days=40)
        token = run_check({"model": TEST_ONLY_MODEL, "wh": "50", "airline": "BA",
                           "origin": "LHR", "destination": "JFK"}, now=old).token
    with serve_app(make_app(changed_db, RESULT_CODES_DATABASE=str(tmp_path / "codes.sqlite"))) as base:
        phone.goto(f"{base}/R/{token}")
        phone.wait_for_selector(".verdict-big.verdict-forbidden")
        assert "now FORBIDDEN because" in phone.inner_text("#changed")
        assert "STALE RESULT" in phone.inner_text("#stale")
        phone.screenshot(path=output_dir / "staff-changed-stale.png", full_page=True)
        phone.screenshot(path=output_dir / "staff-changed-stale-first-screen.png")


def test_card_fits_a_phone_screen_and_one_a6_sheet(browser, phone, live_server, output_dir):
    allowed = check_token(live_server, phone, model="PLM03ZM", airline="KE", origin="ICN",
                          destination="NRT")
    phone.goto(f"{live_server}/R/{allowed}/card")
    phone.wait_for_selector(".result-card svg")
    phone.screenshot(path=output_dir / "card.png", full_page=True)
    pdf = phone.pdf(prefer_css_page_size=True)
    (output_dir / "card.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1, "one A6 sheet"
    width, height = map(float, re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert abs(width - 297.6) < 1 and abs(height - 419.5) < 1, "A6 is 105 x 148 mm"

    # The printable area of A6 with the 5 mm margins of card.css, at 96 px per inch.
    sheet = browser.new_page(viewport={"width": 359, "height": 522})
    sheet.emulate_media(media="print")
    sheet.goto(f"{live_server}/R/{allowed}/card")
    assert sheet.evaluate("document.documentElement.scrollHeight") <= 522
    sheet.screenshot(path=output_dir / "card-print-a6.png")
    sheet.close()


def y4m_of(url: str, path):
    """A one-frame YUV4MPEG2 video of the QR code of ``url``: Chromium's fake camera plays it."""
    width, height = 640, 480
    code = Image.open(BytesIO(qr.png(url, box_size=8))).convert("L")
    side = min(440, code.size[0])
    code = code.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * (width * height // 4)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@contextmanager
def camera_filming(browser, video_path):
    """A second Chromium whose camera films ``video_path``, in a phone-sized page."""
    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-video-capture={video_path}"]
    instance = browser.browser_type.launch(executable_path=browser_path(), args=args)
    try:
        context = instance.new_context(**PHONE)
        context.grant_permissions(["camera"])
        yield context.new_page()
    finally:
        instance.close()


def browser_path() -> str:
    import shutil

    return shutil.which("chromium")


def filmed_result(live_server, phone, tmp_path):
    """A forbidden result (A1366) and a video of its QR code for the fake camera."""
    check = phone.request.get(live_server + "/api/v1/check", params={"model": "A1366", "wh": 74})
    url = check.json()["result_url"]
    video = tmp_path / "result-qr.y4m"
    y4m_of(url, video)
    return url.rsplit("/", 1)[1], video


def test_camera_scan_of_a_result_qr_opens_the_staff_view(browser, live_server, tmp_path,
                                                         output_dir, phone):
    token, video = filmed_result(live_server, phone, tmp_path)
    with camera_filming(browser, video) as page:
        problems = watch_console(page)
        page.goto(live_server + "/scan")
        page.click("#camera-start")
        page.wait_for_url(f"**/R/{token}", timeout=20000)
        page.wait_for_selector(".verdict-big.verdict-forbidden")
        page.screenshot(path=output_dir / "scanned-staff-view.png")
        assert problems == []


def platform_qr_detector(formats: list[str]) -> str:
    """An init script giving the page a ``BarcodeDetector`` like the one phones ship (headless
    Chromium on Linux has none), so that /scan takes its native path. It reads frames with
    this site's own vendored jsQR, loaded under another name so that the page's fallback
    cannot use it; ``window.platformDetections`` counts the frames it was asked to read."""
    decoder = (ROOT / "static" / "vendor" / "jsQR.js").read_text(encoding="utf-8")
    return (
        "(function () { var module = {exports: {}}, exports = module.exports;\n"
        + decoder
        + "\nvar decode = module.exports;\n"
        "window.platformDetections = 0;\n"
        "window.BarcodeDetector = function (options) { this.formats = options.formats; };\n"
        f"window.BarcodeDetector.getSupportedFormats = function () {{ return Promise.resolve({json.dumps(formats)}); }};\n"
        "window.BarcodeDetector.prototype.detect = function (source) {\n"
        "  window.platformDetections += 1;\n"
        "  var canvas = document.createElement('canvas');\n"
        "  canvas.width = source.videoWidth; canvas.height = source.videoHeight;\n"
        "  var context = canvas.getContext('2d');\n"
        "  context.drawImage(source, 0, 0);\n"
        "  var image = context.getImageData(0, 0, canvas.width, canvas.height);\n"
        "  var code = decode(image.data, image.width, image.height);\n"
        "  return Promise.resolve(code ? [{rawValue: code.data, format: 'qr_code'}] : []);\n"
        "};\n"
        "})();"
    )


@pytest.mark.parametrize("formats, native", [(["qr_code", "ean_13"], True), (["ean_13"], False)],
                         ids=["detector-reads-qr", "detector-without-qr"])
def test_camera_scan_uses_the_platform_detector_when_it_reads_qr(
        browser, live_server, tmp_path, phone, formats, native):
    """With a BarcodeDetector that reads QR codes the page hands it the video itself and never
    downloads jsQR; with one that does not, it falls back to jsQR. Either way the scan opens
    the staff view."""
    token, video = filmed_result(live_server, phone, tmp_path)
    with camera_filming(browser, video) as page:
        problems = watch_console(page)
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.add_init_script(platform_qr_detector(formats))
        page.goto(live_server + "/scan")
        page.click("#camera-start")
        page.wait_for_url(f"**/R/{token}", timeout=20000)
        page.wait_for_selector(".verdict-big.verdict-forbidden")
        downloaded_jsqr = any("jsQR" in address for address in requested)
        assert downloaded_jsqr is not native
        assert problems == []


def test_camera_scan_of_a_look_alike_site_is_refused(browser, live_server, tmp_path,
                                                     output_dir, phone):
    token = check_token(live_server, phone, wh=50)
    video = tmp_path / "look-alike.y4m"
    y4m_of(f"HTTPS://CHECK-EXAMPLE.ORG.EVIL.TEST/R/{token}", video)
    with camera_filming(browser, video) as page:
        page.goto(live_server + "/scan")
        page.click("#camera-start")
        page.wait_for_selector("#scan-warning:not([hidden])", timeout=20000)
        warning = page.inner_text("#scan-warning")
        assert "check-example.org.evil.test" in warning and "look-alike" in warning
        assert page.url.endswith("/scan")
        page.screenshot(path=output_dir / "scan-look-alike.png", full_page=True)


def test_staff_pages_pass_axe(browser, live_server):
    """Automated accessibility rules (axe-core) on /scan, /v and a staff view."""
    axe = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
    with phone_page(browser, bypass_csp=True) as page:
        token = check_token(live_server, page, model="BI-B41", airline="CA", origin="PEK",
                            destination="PVG")
        for path in ["/scan", "/v", f"/R/{token}", f"/R/{token}/card", "/v?code=ZZZZZZZZ"]:
            page.goto(live_server + path)
            page.add_script_tag(content=axe)
            violations = page.evaluate(
                "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})"
                ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.length))")
            assert violations == [], (path, violations)
