"""QR codes for result URLs, as SVG for pages and print and PNG for download.

Result URLs are upper-case (see :mod:`compliance.results.tokens`) so they encode in alphanumeric
mode; error correction Q (25 %) survives glare on a phone screen and a creased printout; the
quiet zone
is the 4 modules the standard asks for. Generating a code is the costly part of a result page,
so codes are made once per URL and kept in a small in-process cache.
"""

import io
import re
from functools import lru_cache

import qrcode
import qrcode.constants

from . import qrfast

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QUIET_ZONE = 4
#: A fixed mask skips the trial of all eight masks (the slowest step); any mask is valid per the
#: standard, and the decoding test in the suite proves the codes still read.
MASK_PATTERN = 2


def matrix_uncached(url: str) -> qrfast.Code:
    """Build the code for ``url``: the same modules as `qrcode` makes with the same version,
    error level and mask (:mod:`compliance.results.qrfast` does the per-URL work only; ``./run
    bench``
    measures both, and the tests compare them module for module)."""
    return qrfast.encode(url, ERROR_CORRECTION, MASK_PATTERN)


def matrix_qrcode(url: str) -> qrcode.QRCode:
    """The same code built by `qrcode` alone (the reference for the tests and the benchmark)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE,
                         mask_pattern=MASK_PATTERN)
    code.add_data(url, optimize=0)
    code.make(fit=True)
    return code


#: The code most recently built per URL, so that a page asking for both the SVG and the
#: version of a new result builds it once.
_matrix = lru_cache(maxsize=32)(matrix_uncached)


@lru_cache(maxsize=2048)
def info(url: str) -> tuple[int, int]:
    """(QR version, modules per side without the quiet zone) for ``url``."""
    code = _matrix(url)
    return code.version, code.modules_count


@lru_cache(maxsize=2048)
def svg(url: str, title: str = "QR code") -> str:
    """A compact SVG: one path of horizontal runs, dark on a white background.

    qrcode's own SVG factories draw one rectangle per module (about 15 KB for a result URL);
    drawing runs instead keeps the inline code near 3 KB.
    """
    code = _matrix(url)
    size = code.modules_count + 2 * QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{_escape(title)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{_runs(code)}"/></svg>'
    )


def _runs(code: qrfast.Code) -> str:
    """The path of the dark modules, one ``M x y h len v1 h -len z`` bar per horizontal run.

    One regular-expression pass over all rows (joined by a light module, so no run crosses a
    row) and the coordinates' text from tables: a few hundred runs per code, this is most of
    the cost of drawing it."""
    stride = code.modules_count + 1
    rows = b"\x00".join(code.rows)
    x_text, y_text, bar_text = _X_TEXT, _Y_TEXT, _BAR_TEXT
    parts = []
    for run in _DARK_RUN.finditer(rows):
        start, end = run.span()
        y, x = divmod(start, stride)
        parts.append(x_text[x] + y_text[y] + bar_text[end - start])
    return "".join(parts)


#: Text of each x (with the move), y and bar length, the quiet zone added (version 40 at most).
_X_TEXT = [f"M{x + QUIET_ZONE} " for x in range(177)]
_Y_TEXT = [str(y + QUIET_ZONE) for y in range(177)]
_BAR_TEXT = [f"h{n}v1h-{n}z" for n in range(178)]


#: The matrix as bytes is 1 for dark and 0 for light modules; a run of ones is one horizontal
#: bar of the drawing.
_DARK_RUN = re.compile(b"\x01+")


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@lru_cache(maxsize=256)
def png(url: str, box_size: int = 10) -> bytes:
    image = matrix_uncached(url).to_qrcode(box_size, QUIET_ZONE).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
