"""QR codes for result URLs, as SVG for pages and print and PNG for download.

Result URLs are upper-case (see :mod:`compliance.tokens`) so they encode in alphanumeric mode;
error correction Q (25 %) survives glare on a phone screen and a creased printout; the quiet zone
is the 4 modules the standard asks for. Generating a code is the costly part of a result page,
so codes are made once per URL and kept in a small in-process cache.
"""

import io
from functools import lru_cache
from itertools import groupby

import qrcode
import qrcode.constants

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QUIET_ZONE = 4
#: A fixed mask skips the trial of all eight masks (the slowest step); any mask is valid per the
#: standard, and the decoding test in the suite proves the codes still read.
MASK_PATTERN = 2


def matrix_uncached(url: str) -> qrcode.QRCode:
    """Build the code for ``url``; the fixed mask makes this several times faster than trying
    all eight (``./run bench`` measures both)."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECTION, border=QUIET_ZONE, mask_pattern=MASK_PATTERN
    )
    code.add_data(url, optimize=0)
    code.best_fit()  # sets the version; make(fit=True) would work it out twice
    code.make(fit=False)
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
    matrix = _matrix(url).get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        for dark, modules in groupby(row):
            length = len(list(modules))
            if dark:
                runs.append(f"M{x} {y}h{length}v1h-{length}z")
            x += length
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{_escape(title)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@lru_cache(maxsize=256)
def png(url: str, box_size: int = 10) -> bytes:
    code = matrix_uncached(url)
    code.box_size = box_size
    image = code.make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
