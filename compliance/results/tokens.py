"""Compact signed result tokens, the payload of every result QR code.

A token carries the traveller's claim (device and trip), when it was issued and the verdict at
that time, and an HMAC-SHA256 tag (truncated to 80 bits) made with the app's secret key. It
holds no personal data. Tokens use only upper-case base32 characters so that the whole result
URL fits the QR code's dense alphanumeric mode, keeping the code small and quick to scan.

Layout: ``"1" + base32(payload) + base32(tag)``; the payload is the claim's fields joined by the
unit separator (a control character that validated input can never contain). Capacities are
written exactly as evaluated (shortest round-trip decimal), so re-evaluation cannot flip a
verdict at a limit by rounding.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache

from compliance.core.model import Device, Trip
from compliance.core.vocabulary import MAX_LEGS, Verdict

FORMAT_VERSION = "1"
TAG_BYTES = 10
TAG_CHARS = 16
MAX_TOKEN_CHARS = 400
_SEPARATOR = "\x1f"
_EPOCH = date(2000, 1, 1)
_ISSUE_EPOCH = 1_700_000_000
_DEVICE_FIELDS = 11
_TRIP_FIELDS = 4


class InvalidToken(ValueError):
    """The token was altered, truncated, forged or signed with a key we no longer hold."""


@dataclass(frozen=True)
class Claim:
    device: Device
    #: One trip, or the legs of an itinerary in order.
    trips: tuple[Trip, ...]
    issued_at: datetime
    verdict_at_issue: Verdict


@lru_cache(maxsize=32)
def _key(secret: str | bytes, purpose: str) -> bytes:
    """A key per purpose derived from the app secret (derived once per secret and purpose)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=32)
def _keyed_mac(secret: str | bytes, purpose: str):
    """An HMAC-SHA256 keyed for ``purpose``, with no data yet: each signature copies it.

    ``hmac.digest()`` in one call looked cheaper, but with OpenSSL 3 every call looks up the
    algorithm again; inside a request that cost about 37 microseconds a signature here, a
    copy of a keyed context about 5 (``./run bench``)."""
    return hmac.new(_key(secret, purpose), digestmod=hashlib.sha256)


def _mac(secret, purpose: str, data: bytes) -> bytes:
    mac = _keyed_mac(secret, purpose).copy()
    mac.update(data)
    return mac.digest()


def _tag(secret, body: bytes) -> bytes:
    return _mac(secret, "result-token-v1", body)[:TAG_BYTES]


_B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#: Every 10-bit value as its two base32 characters.
_B32_PAIRS = [a + b for a in _B32_ALPHABET for b in _B32_ALPHABET]


def _b32(data: bytes) -> str:
    """``base64.b32encode(data)`` without the padding, the same characters at about half the
    cost (the data as one integer, two characters per table look-up)."""
    bits = len(data) * 8
    chars = -(-bits // 5)
    number = int.from_bytes(data, "big") << (chars * 5 - bits + 5 * (chars % 2))
    pairs = _B32_PAIRS
    text = "".join([pairs[(number >> shift) & 1023]
                    for shift in range(10 * ((chars + 1) // 2 - 1), -1, -10)])
    return text[:chars]


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _num(value: float | None) -> str:
    """The exact figure that was evaluated: Python's shortest round-trip text of the float
    (``100.0004``, ``74``), so the staff view re-evaluates the very same number. (Tokens issued
    before kept 3 decimals; they hold plain decimals too and verify unchanged.)"""
    if value is None:
        return ""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _flag(value: bool | None) -> str:
    return "" if value is None else "1" if value else "0"


def issue(claim: Claim, secret) -> str:
    d = claim.device
    fields = [
        d.model, d.brand, d.serial, _num(d.wh), _num(d.mah), _num(d.v), str(d.count),
        _flag(d.ccc), _flag(d.unlabelled or None),
        _base36(int(claim.issued_at.timestamp()) - _ISSUE_EPOCH),
        claim.verdict_at_issue.short_code,
    ]
    for trip in claim.trips:
        fields += [trip.airline, trip.origin, trip.destination,
                   _base36((trip.date - _EPOCH).days)]
    body = _SEPARATOR.join(f or "" for f in fields).encode()
    return FORMAT_VERSION + _b32(body) + _b32(_tag(secret, body))


def verify(token: str, secrets: list) -> Claim:
    """Return the claim inside ``token`` if any of ``secrets`` signed it; else raise."""
    if not isinstance(token, str) or not 1 + TAG_CHARS < len(token) <= MAX_TOKEN_CHARS:
        raise InvalidToken("the code has the wrong length")
    token = token.upper()
    if token[0] != FORMAT_VERSION:
        raise InvalidToken("unknown token format")
    body_text, tag_text = token[1:-TAG_CHARS], token[-TAG_CHARS:]
    try:
        body, tag = _unb32(body_text), _unb32(tag_text)
    except (ValueError, base64.binascii.Error):
        raise InvalidToken("the code contains characters that cannot be decoded") from None
    if _b32(body) != body_text or _b32(tag) != tag_text:
        raise InvalidToken("the code is not in canonical form")
    if not any(hmac.compare_digest(_tag(secret, body), tag) for secret in secrets if secret):
        raise InvalidToken("the signature does not match")
    try:
        return _parse(body.decode())
    except (ValueError, UnicodeDecodeError, IndexError, OverflowError) as exc:
        raise InvalidToken(f"signed but unreadable: {exc}") from None


def _parse(text: str) -> Claim:
    f = text.split(_SEPARATOR)
    legs = len(f) - _DEVICE_FIELDS
    if legs < _TRIP_FIELDS or legs % _TRIP_FIELDS or legs // _TRIP_FIELDS > MAX_LEGS:
        raise ValueError("wrong number of fields")
    device = Device(
        model=f[0] or None, brand=f[1] or None, serial=f[2] or None,
        wh=_opt_float(f[3]), mah=_opt_float(f[4]), v=_opt_float(f[5]), count=int(f[6]),
        ccc=_opt_flag(f[7]), unlabelled=f[8] == "1",
    )
    issued = datetime.fromtimestamp(int(f[9], 36) + _ISSUE_EPOCH, tz=timezone.utc)
    trips = tuple(
        Trip(
            airline=f[i] or None, origin=f[i + 1] or None, destination=f[i + 2] or None,
            date=date.fromordinal(_EPOCH.toordinal() + int(f[i + 3], 36)),
        )
        for i in range(_DEVICE_FIELDS, len(f), _TRIP_FIELDS)
    )
    return Claim(device, trips, issued, Verdict.from_short_code(f[10]))


def _opt_float(text: str) -> float | None:
    return float(text) if text else None


def _opt_flag(text: str) -> bool | None:
    return None if text == "" else text == "1"


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("dates before the epoch cannot be encoded")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


#: The manual code's letters: Crockford's base 32 (no I, L, O, U: never misread for 1, 0, V).
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def manual_code(token: str, secret) -> str:
    """An 8-character code staff can type when a camera fails (Crockford base32, no I/L/O/U)."""
    digest = _mac(secret, "manual-code-v1", token.upper().encode())
    number = int.from_bytes(digest[:5], "big")
    return "".join(CROCKFORD_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))


def normalize_manual_code(text: str) -> str:
    """Accept codes as staff type them: any case, spaces or hyphens, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))
