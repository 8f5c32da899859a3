"""The QR code as Chromium draws it on the result page: read back by a real decoder, and every
module where the matrix puts it (the SVG is one stroked path of bars; see
compliance.results.qr.bars)."""

import io

import pytest
import zxingcpp
from PIL import Image

from compliance.results import qr

pytestmark = pytest.mark.browser

#: Screen pixels per module: a whole number, so that each module is a square of pixels.
SCALE = 6


def test_the_result_pages_qr_code_reads_back_module_for_module(browser, live_server):
    context = browser.new_context(viewport={"width": 800, "height": 1200},
                                  device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(live_server + "/check?model=A1263&wh=37&airline=EK&origin=DXB"
                  "&destination=LHR")
        page.click("text=Open the verifiable result")
        page.wait_for_selector(".verified")
        url = page.url.upper()  # the code holds the URL upper-cased (alphanumeric mode)
        markup = page.locator(".qr-card .qr svg").first.evaluate("(node) => node.outerHTML")
        # The page's own SVG alone (on a blank page: the site's CSP refuses inline styles) at
        # a whole number of pixels per module, at the origin, so module edges fall on pixel
        # edges.
        side = int(markup.split('viewBox="0 0 ', 1)[1].split()[0])
        page = context.new_page()
        page.set_content(f"<style>body{{margin:0}}svg{{display:block;width:{side * SCALE}px;"
                         f"height:{side * SCALE}px}}</style>{markup}")
        image = Image.open(io.BytesIO(page.locator("svg").screenshot())).convert("L")
    finally:
        context.close()
    assert image.size == (side * SCALE, side * SCALE)
    decoded = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in decoded] == [url]
    code = qr.matrix_uncached(url)
    border = qr.QUIET_ZONE
    for y in range(side):
        for x in range(side):
            inside = border <= x < side - border and border <= y < side - border
            dark = inside and code.rows[y - border][x - border] == 1
            # Every pixel of the module, not only its centre: no seam, no overlap.
            block = image.crop((x * SCALE, y * SCALE, (x + 1) * SCALE, (y + 1) * SCALE))
            low, high = block.getextrema()
            assert (high < 64) if dark else (low > 192), (x, y, dark, low, high)
