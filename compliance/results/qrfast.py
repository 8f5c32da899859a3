"""A fast path through `qrcode` for the codes of result URLs, module for module the same.

`qrcode` builds each code from scratch: the function patterns, the format and version
information, Reed-Solomon over polynomial objects, and a walk of the whole matrix that asks, for
every module, whether it is free and whether the mask flips it. None of that depends on the URL
except the data codewords and their error correction. So, once per process:

* per (version, error level, mask) a *layout*: `qrcode` itself draws the function patterns and
  the format and version information (its own ``makeImpl`` steps, no data), and we record the
  free modules in its placement order, which of them the mask flips, and for every module of the
  matrix where its value comes from (a fixed function module or the n-th data bit);
* per number of error-correction codewords the generator polynomial as a table: for each of
  the 256 possible feedback bytes, the remainder it adds, as one integer (`qrcode`'s own
  generator from ``qrcode.LUT``, or the product it would compute).

Per URL only: the data codewords (an integer used as a bit buffer), the error correction of
each block (one table look-up, a shift and an XOR per codeword), the interleaving, and one
gather (``operator.itemgetter``, in C) of the matrix from the fixed modules and the masked bits.

``tests/results/test_qr.py`` compares the result with `qrcode` (same version, error level and mask) over
thousands of random result URLs and decodes them with zxing-cpp.
"""

from functools import lru_cache
from operator import itemgetter

import qrcode
import qrcode.base
import qrcode.LUT
import qrcode.util
from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER

_ALPHA_VALUE = {ord(c): i for i, c in enumerate(qrcode.util.ALPHA_NUM.decode())}
_PAD = bytes((qrcode.util.PAD0, qrcode.util.PAD1))
#: Each byte as its eight bits, most significant first, one byte (0 or 1) per bit.
_BITS8 = [bytes((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256)]


class Code:
    """A finished code: ``rows`` are the modules without the quiet zone, one ``bytes`` object
    per row, 1 for dark and 0 for light."""

    __slots__ = ("version", "error_correction", "mask_pattern", "modules_count", "rows")

    def __init__(self, version, error_correction, mask_pattern, rows):
        self.version = version
        self.error_correction = error_correction
        self.mask_pattern = mask_pattern
        self.modules_count = len(rows)
        self.rows = rows

    def modules(self) -> list[list[bool]]:
        """The matrix as `qrcode` keeps it (``QRCode.modules``)."""
        return [[bool(module) for module in row] for row in self.rows]

    def to_qrcode(self, box_size: int = 10, border: int = 4) -> qrcode.QRCode:
        """A `qrcode.QRCode` holding this matrix, for its image factories (PNG)."""
        code = qrcode.QRCode(version=self.version, error_correction=self.error_correction,
                             box_size=box_size, border=border, mask_pattern=self.mask_pattern)
        code.modules_count = self.modules_count
        code.modules = self.modules()
        code.data_cache = ()  # anything but None: qrcode would otherwise make the code again
        return code


def encode(text: str, error_correction: int, mask_pattern: int) -> Code:
    """The code `qrcode` makes for ``text`` as one segment in its most compact mode (what
    ``QRCode.add_data(text, optimize=0)`` does), in the smallest version, with ``mask_pattern``."""
    data = text.encode("utf-8")
    mode = qrcode.util.optimal_mode(data)
    bits, bit_count = _segment_bits(data, mode)
    version = _fit(mode, len(data), bit_count, error_correction)
    codewords = _data_codewords(mode, len(data), bits, bit_count, version, error_correction)
    final = _with_error_correction(codewords, version, error_correction)
    layout = _layout(version, error_correction, mask_pattern)
    return Code(version, error_correction, mask_pattern, layout.place(final))


def _segment_bits(data: bytes, mode: int) -> tuple[int, int]:
    """The data of one segment as (bits as an integer, number of bits), as QRData.write."""
    value = 0
    count = 0
    if mode == MODE_ALPHA_NUM:
        table = _ALPHA_VALUE
        end = len(data) - 1
        for i in range(0, end, 2):
            value = (value << 11) | (table[data[i]] * 45 + table[data[i + 1]])
        count = 11 * (len(data) // 2)
        if len(data) % 2:
            value = (value << 6) | table[data[-1]]
            count += 6
    elif mode == MODE_NUMBER:
        for i in range(0, len(data), 3):
            chunk = data[i:i + 3]
            length = qrcode.util.NUMBER_LENGTH[len(chunk)]
            value = (value << length) | int(chunk)
            count += length
    else:
        value = int.from_bytes(data, "big") if data else 0
        count = 8 * len(data)
    return value, count


def _fit(mode: int, length: int, bit_count: int, error_correction: int) -> int:
    limits = qrcode.util.BIT_LIMIT_TABLE[error_correction]
    for version in range(1, 41):
        needed = 4 + qrcode.util.length_in_bits(mode, version) + bit_count
        if needed <= limits[version]:
            return version
    raise qrcode.exceptions.DataOverflowError()


def _data_codewords(mode, length, bits, bit_count, version, error_correction) -> bytes:
    """The data codewords as qrcode.util.create_data lays them out: mode, length, data, up to
    four terminator zeros, zeros to the byte, then the alternating pad bytes."""
    length_bits = qrcode.util.length_in_bits(mode, version)
    value = (((mode << length_bits) | length) << bit_count) | bits
    count = 4 + length_bits + bit_count
    limit = qrcode.util.BIT_LIMIT_TABLE[error_correction][version]
    terminator = min(limit - count, 4)
    count += terminator
    value <<= terminator
    if count % 8:
        value <<= 8 - count % 8
        count += 8 - count % 8
    head = value.to_bytes(count // 8, "big")
    pad = (limit - count) // 8
    return head + (_PAD * ((pad + 1) // 2))[:pad]


@lru_cache(maxsize=None)
def _blocks(version: int, error_correction: int) -> tuple[tuple[int, int], ...]:
    """(data codewords, error-correction codewords) of each block."""
    return tuple((block.data_count, block.total_count - block.data_count)
                 for block in qrcode.base.rs_blocks(version, error_correction))


def _with_error_correction(codewords: bytes, version: int, error_correction: int) -> bytes:
    blocks = _blocks(version, error_correction)
    data_blocks = []
    ec_blocks = []
    offset = 0
    for data_count, ec_count in blocks:
        block = codewords[offset:offset + data_count]
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_remainder(block, ec_count))
    return _interleave(data_blocks) + _interleave(ec_blocks)


def _interleave(blocks: list[bytes]) -> bytes:
    if len({len(block) for block in blocks}) == 1:
        return bytes(value for column in zip(*blocks) for value in column)
    longest = max(len(block) for block in blocks)
    return bytes(block[i] for i in range(longest) for block in blocks if i < len(block))


def _remainder(block: bytes, ec_count: int) -> bytes:
    """The Reed-Solomon error-correction codewords of ``block``: the remainder of
    block(x)·x^ec_count divided by the generator, with the remainder register as an integer."""
    table = _generator_table(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << shift) - 1
    register = 0
    for value in block:
        register = ((register & keep) << 8) ^ table[(register >> shift) ^ value]
    return register.to_bytes(ec_count, "big")


@lru_cache(maxsize=None)
def _generator_table(ec_count: int) -> tuple[int, ...]:
    """For each feedback byte f, f times the generator's coefficients below the leading one,
    packed as an integer of ``ec_count`` bytes (the highest degree first)."""
    generator = _generator(ec_count)
    exp, log = qrcode.base.EXP_TABLE, qrcode.base.LOG_TABLE
    table = [0]
    for feedback in range(1, 256):
        product = bytes(0 if coefficient == 0 else exp[(log[feedback] + log[coefficient]) % 255]
                        for coefficient in generator[1:])
        table.append(int.from_bytes(product, "big"))
    return tuple(table)


def _generator(ec_count: int) -> list[int]:
    """The generator polynomial qrcode.util.create_bytes uses, highest degree first."""
    if ec_count in qrcode.LUT.rsPoly_LUT:
        return list(qrcode.LUT.rsPoly_LUT[ec_count])
    poly = qrcode.base.Polynomial([1], 0)
    for i in range(ec_count):
        poly = poly * qrcode.base.Polynomial([1, qrcode.base.gexp(i)], 0)
    return [poly[i] for i in range(len(poly))]


class _Layout:
    """What a (version, error level, mask) fixes: the function modules and, for every module,
    where its value comes from."""

    def __init__(self, version: int, error_correction: int, mask_pattern: int):
        code = qrcode.QRCode(version=version, error_correction=error_correction,
                             mask_pattern=mask_pattern)
        # qrcode's own makeImpl, without the data: the function patterns (its cached blank),
        # the format information and, from version 7, the version information.
        size = code.modules_count = version * 4 + 17
        code.modules = [[None] * size for _ in range(size)]
        code.setup_position_probe_pattern(0, 0)
        code.setup_position_probe_pattern(size - 7, 0)
        code.setup_position_probe_pattern(0, size - 7)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(False, mask_pattern)
        if version >= 7:
            code.setup_type_number(False)
        modules = code.modules
        mask = qrcode.util.mask_func(mask_pattern)
        # The free modules in the order QRCode.map_data fills them.
        order = []
        row, step = size - 1, -1
        for col in range(size - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if modules[row][c] is None:
                        order.append((row, c))
                row += step
                if row < 0 or row >= size:
                    row -= step
                    step = -step
                    break
        self.size = size
        self.data_modules = len(order)
        self.mask = int.from_bytes(bytes(1 if mask(r, c) else 0 for r, c in order), "big")
        # Sources for the gather: indices 0 and 1 are the constants light and dark; data bit n
        # is at index 2 + n.
        source = [[0 if module is False else 1 if module is True else -1 for module in line]
                  for line in modules]
        for n, (r, c) in enumerate(order):
            source[r][c] = 2 + n
        flat = [index for line in source for index in line]
        self.gather = itemgetter(*flat)

    def place(self, final: bytes) -> list[bytes]:
        """The rows of the matrix for these codewords (data then error correction,
        interleaved): bits past the codewords (the remainder bits) are light before masking."""
        bits = b"".join([_BITS8[value] for value in final])
        bits += bytes(self.data_modules - len(bits))
        masked = (int.from_bytes(bits, "big") ^ self.mask).to_bytes(self.data_modules, "big")
        flat = bytes(self.gather(b"\x00\x01" + masked))
        size = self.size
        return [flat[i:i + size] for i in range(0, size * size, size)]


@lru_cache(maxsize=None)
def _layout(version: int, error_correction: int, mask_pattern: int) -> _Layout:
    return _Layout(version, error_correction, mask_pattern)
