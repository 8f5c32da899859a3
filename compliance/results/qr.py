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
    """A compact SVG: one stroked path of horizontal bars, dark on a white background.

    qrcode's own SVG factories draw one rectangle per module (about 15 KB for a result URL);
    one path of bars keeps the inline code near 4 KB.
    """
    code = _matrix(url)
    size = code.modules_count + 2 * QUIET_ZONE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{_escape(title)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="none" stroke="#000" stroke-width="1" d="{bars(code)}"/></svg>'
    )


def bars(code: qrfast.Code) -> str:
    """The dark modules as one path of relative moves and bars: a line of width 1 through the
    middle of each row of modules, drawn (``h``) over dark modules and lifted (``m``) over
    light ones; at each row's end the pen moves back and one row down.

    Being relative, the text of eight modules does not depend on where they are, so each
    row is cut into pieces of eight, padded with light modules, and each piece is looked up
    in a table of all 256 (one more kind for a row's last piece, which also holds the move
    to the next row): a few hundred look-ups in C (``map`` over the rows read as 64-bit
    integers) instead of a Python step per run, about 7 times faster, and the text is half
    as long."""
    count = code.modules_count
    pieces = count // _PIECE + 1  # at least one padding module per row, for the row's end
    padding = b"\x00" * (pieces * _PIECE - count - 1) + _ROW_END
    rows = padding.join(code.rows) + padding
    path = "".join(map(_piece_texts(pieces).__getitem__, memoryview(rows).cast("Q")))
    # The last row's move down goes nowhere: dropped.
    return f"M{QUIET_ZONE} {QUIET_ZONE}.5" + path[:path.rfind("m")]


#: Modules per piece: one 64-bit integer of one byte per module.
_PIECE = 8
#: The byte that marks a row's last piece (modules are bytes 0 and 1).
_ROW_END = b"\x02"
_RUN = re.compile(b"\x01+|\x00+")


def _as_key(piece: bytes) -> int:
    return memoryview(piece).cast("Q")[0]


def _run_texts(modules: bytes) -> list[str]:
    return [f"h{len(run)}" if run[0] else f"m{len(run)} 0" for run in _RUN.findall(modules)]


@lru_cache(maxsize=64)
def _piece_texts(pieces_per_row: int) -> dict[int, str]:
    """Path text per piece of eight modules, keyed by the piece read as a native 64-bit
    integer; a row's last piece (its last byte ``_ROW_END``) ends with the move to the start
    of the next row, less any light modules it would first have moved over."""
    texts = {}
    for pattern in range(1 << _PIECE):
        modules = bytes((pattern >> i) & 1 for i in range(_PIECE))
        texts[_as_key(modules)] = "".join(_run_texts(modules))
    for pattern in range(1 << (_PIECE - 1)):
        modules = bytes((pattern >> i) & 1 for i in range(_PIECE - 1))
        parts = _run_texts(modules)
        back = _PIECE * pieces_per_row - 1
        if parts and parts[-1].startswith("m"):
            back -= int(parts.pop()[1:-2])
        texts[_as_key(modules + _ROW_END)] = "".join(parts) + f"m-{back} 1"
    return texts


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


@lru_cache(maxsize=256)
def png(url: str, box_size: int = 10) -> bytes:
    image = matrix_uncached(url).to_qrcode(box_size, QUIET_ZONE).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
