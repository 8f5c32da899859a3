"""The fast QR path (compliance.results.qrfast) against qrcode itself, and the codes read back by a real
decoder (zxing-cpp); the QR version of a typical result URL."""

import random
import re
from io import BytesIO

import pytest
import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image

from compliance.results import qr, qrfast, run_check

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#: Base URLs as compliance.results.result_url makes them: scheme and host upper-cased, any path
#: kept as configured (PUBLIC_BASE_URL), then /R/ and the token.
BASES = ["HTTP://LOCALHOST", "HTTPS://CHECK.EXAMPLE.ORG", "HTTP://127.0.0.1:5000",
         "HTTPS://POWERBANK-CHECK.AIRPORT.EXAMPLE.COM/tools/powerbank"]


def random_result_urls(n: int, seed: int) -> list[str]:
    """Result URLs of the shapes result_url makes: "1" + base32 payload + base32 tag, from a
    single leg (about 90 characters) to itineraries of up to eight legs (near 400)."""
    rng = random.Random(seed)
    urls = []
    for _ in range(n):
        length = rng.choice([rng.randint(20, 120), rng.randint(60, 110), rng.randint(120, 400)])
        token = "1" + "".join(rng.choice(BASE32) for _ in range(length))
        urls.append(f"{rng.choice(BASES)}/R/{token}")
    return urls


def qrcode_reference(text: str, error_correction: int, mask: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=error_correction, mask_pattern=mask)
    code.add_data(text, optimize=0)
    code.make(fit=True)
    return code


def test_same_modules_as_qrcode_over_thousands_of_result_urls():
    urls = random_result_urls(3000, seed=15)
    versions = set()
    for url in urls:
        reference = qr.matrix_qrcode(url)
        fast = qr.matrix_uncached(url)
        assert (fast.version, fast.modules_count) == (reference.version,
                                                      reference.modules_count), url
        assert fast.modules() == reference.modules, url
        versions.add(fast.version)
    # Single legs to eight-leg itineraries: many versions, both sides of version 7 (where the
    # version information appears) and of version 10 (where the length field grows).
    assert min(versions) <= 5 and max(versions) >= 14 and 7 in versions and 10 in versions


@pytest.mark.parametrize("error_correction", [qrcode.constants.ERROR_CORRECT_L,
                                              qrcode.constants.ERROR_CORRECT_M,
                                              qrcode.constants.ERROR_CORRECT_Q,
                                              qrcode.constants.ERROR_CORRECT_H])
def test_same_modules_as_qrcode_for_every_mask_level_and_mode(error_correction):
    """Every mask and error level, and the other modes (digits only, bytes, UTF-8), so that a
    different base URL or a lower-case one still gets qrcode's exact code."""
    rng = random.Random(error_correction)
    texts = random_result_urls(40, seed=error_correction)
    texts += ["".join(rng.choice("0123456789") for _ in range(rng.randint(1, 300)))
              for _ in range(20)]
    texts += ["https://check.example.org/r/" + "".join(rng.choice(BASE32.lower() + "/?=&")
                                                      for _ in range(rng.randint(0, 200)))
              for _ in range(20)]
    texts += ["https://例え.jp/R/" + "Ü" * rng.randint(0, 60) for _ in range(5)]
    for i, text in enumerate(texts):
        mask = i % 8
        reference = qrcode_reference(text, error_correction, mask)
        fast = qrfast.encode(text, error_correction, mask)
        assert fast.version == reference.version, text
        assert fast.modules() == reference.modules, (text, mask)


def test_up_to_version_40():
    text = "HTTPS://CHECK.EXAMPLE.ORG/R/" + "A" * 2390
    reference = qrcode_reference(text, qrcode.constants.ERROR_CORRECT_Q, 2)
    fast = qrfast.encode(text, qrcode.constants.ERROR_CORRECT_Q, 2)
    assert fast.version == reference.version == 40
    assert fast.modules() == reference.modules
    assert drawn_modules(qr.svg.__wrapped__(text, "QR code")) == qrcode_dark_modules(text)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        qrfast.encode(text * 2, qrcode.constants.ERROR_CORRECT_Q, 2)


_PATH = re.compile(r'<path fill="none" stroke="#000" stroke-width="1" d="([^"]*)"/></svg>$')


def drawn_modules(svg_text: str) -> tuple[int, set[tuple[int, int]]]:
    """What the SVG draws, read back as a pen would: the side of its square in modules and
    the (x, y) of every module covered by a bar. A bar is a line of width 1 through the
    middle of a row (``y + 0.5``), so it covers the modules of that row from its start to
    its end; a module covered twice, or a bar off the grid or outside the square, fails."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg_text)[1])
    assert 'shape-rendering="crispEdges"' in svg_text
    assert f'<rect width="{size}" height="{size}" fill="#fff"/>' in svg_text
    path = _PATH.search(svg_text)[1]
    assert re.fullmatch(r"M\d+ \d+\.5(?:h\d+|m-?\d+ -?\d+)*", path), path[:80]
    x, y = 0.0, 0.0
    dark = set()
    for command, numbers in re.findall(r"([Mmh])([^Mmh]*)", path):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            assert (y - 0.5).is_integer() and x.is_integer() and 0 < y < size
            for column in range(int(x), int(x + values[0])):
                assert 0 <= column < size and (column, int(y)) not in dark
                dark.add((column, int(y)))
            x += values[0]
    return size, dark


def qrcode_dark_modules(url: str) -> tuple[int, set[tuple[int, int]]]:
    """qrcode's own matrix for ``url`` (quiet zone included) as the same kind of set."""
    matrix = qr.matrix_qrcode(url).get_matrix()
    return len(matrix), {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row)
                         if on}


def test_svg_draws_exactly_qrcodes_modules():
    for url in random_result_urls(300, seed=7):
        assert drawn_modules(qr.svg.__wrapped__(url, "QR code")) == qrcode_dark_modules(url)


def test_svg_draws_exactly_the_modules_at_every_version():
    """Every side from 21 to 177 modules against the pieces of eight the drawing cuts rows
    into (rows ending on a dark module, on a light one, with one module of padding or
    seven)."""
    for version in range(1, 41):
        reference = qrcode.QRCode(version=version, error_correction=qr.ERROR_CORRECTION,
                                  border=qr.QUIET_ZONE, mask_pattern=qr.MASK_PATTERN)
        reference.add_data("HTTP://X/R/1ABC", optimize=0)  # fits version 1
        reference.make(fit=False)
        code = qrfast.Code(version, qr.ERROR_CORRECTION, qr.MASK_PATTERN,
                           [bytes(row) for row in reference.modules])
        side = code.modules_count + 2 * qr.QUIET_ZONE
        svg_text = (f'<svg viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
                    f'<rect width="{side}" height="{side}" fill="#fff"/>'
                    f'<path fill="none" stroke="#000" stroke-width="1" d="{qr.bars(code)}"/>'
                    "</svg>")
        matrix = reference.get_matrix()
        expected = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
        assert drawn_modules(svg_text) == (side, expected), version


def test_png_is_qrcodes_own_image():
    url = random_result_urls(1, seed=3)[0]
    reference = qr.matrix_qrcode(url)
    reference.box_size = 10
    out = BytesIO()
    reference.make_image().save(out)
    assert qr.png.__wrapped__(url) == out.getvalue()


def test_codes_decode_with_zxing_cpp():
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    urls = random_result_urls(60, seed=11)
    for url in urls:
        image = Image.open(BytesIO(qr.png.__wrapped__(url, box_size=3)))
        results = zxingcpp.read_barcodes(image)
        assert [r.text for r in results] == [url]
        assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def as_image(code: qrfast.Code, scale: int = 2):
    """The fast matrix as a grey image with the quiet zone, dark on white, for the decoder."""
    from PIL import Image

    border = qr.QUIET_ZONE
    width = code.modules_count + 2 * border
    light = b"\xff" * width
    pixels = light * border
    for row in code.rows:
        pixels += b"\xff" * border + row.translate(DARK_ON_WHITE) + b"\xff" * border
    pixels += light * border
    image = Image.frombytes("L", (width, width), pixels)
    return image.resize((width * scale, width * scale), Image.NEAREST)


DARK_ON_WHITE = bytes.maketrans(b"\x00\x01", b"\xff\x00")


def test_every_code_of_the_comparison_decodes():
    """The 3,000 codes of the comparison, each from the fast matrix, read back by zxing-cpp."""
    zxingcpp = pytest.importorskip("zxingcpp")

    for url in random_result_urls(3000, seed=15):
        results = zxingcpp.read_barcodes(as_image(qr.matrix_uncached(url)),
                                         formats=zxingcpp.BarcodeFormat.QRCode)
        assert [r.text for r in results] == [url]


def test_typical_result_url_is_a_low_qr_version_with_a_4_module_quiet_zone(staff_app):
    """Prints the figures quoted in the issue note: a single-leg check with model, airline and
    route, then the same with a Wh figure too."""
    typical = {"model": "A1263", "airline": "EK", "origin": "DXB", "destination": "LHR",
               "date": "2026-12-24"}
    for values, highest_version in [(typical, 6), ({**typical, "wh": "37"}, 7)]:
        with staff_app.test_request_context():
            token = run_check(values).token
        url = "HTTPS://CHECK.EXAMPLE.ORG/R/" + token
        version, modules = qr.info(url)
        print(f"\n{sorted(values)}: URL {len(url)} chars (token {len(token)}): QR version "
              f"{version}, {modules}x{modules} modules + 4-module quiet zone, correction Q")
        assert version <= highest_version and modules == 17 + 4 * version
        image = Image.open(BytesIO(qr.png(url, box_size=4)))
        assert image.size[0] == (modules + 2 * qr.QUIET_ZONE) * 4
        assert [d.text for d in zxingcpp.read_barcodes(image)] == [url]
