"""The faster token signing and base32 give the same tokens, byte for byte, as the plain
standard-library code the format was defined with."""

import base64
import hashlib
import hmac
import os
import random
from datetime import date, datetime, timezone

from compliance.core.model import Device, Trip
from compliance.core.vocabulary import Verdict
from compliance.results import tokens


def test_b32_is_base64_b32encode_unpadded():
    for length in range(0, 200):
        for _ in range(5):
            data = os.urandom(length)
            assert tokens._b32(data) == base64.b32encode(data).decode().rstrip("=")


def reference_issue(claim, secret: str) -> str:
    """tokens.issue as first written: hmac.new and base64.b32encode."""
    key = hmac.new(secret.encode(), b"result-token-v1", hashlib.sha256).digest()
    token = tokens.issue(claim, secret)
    body = base64.b32decode(token[1:-16] + "=" * (-len(token[1:-16]) % 8))
    tag = hmac.new(key, body, hashlib.sha256).digest()[:10]
    return "1" + base64.b32encode(body).decode().rstrip("=") + \
        base64.b32encode(tag).decode().rstrip("=")


def test_tokens_and_manual_codes_unchanged():
    rng = random.Random(15)
    secret = "a-secret-for-this-test"
    for i in range(300):
        legs = tuple(Trip(date=date(2026, 1 + i % 12, 1 + i % 28), airline=rng.choice(["EK", None]),
                          origin=rng.choice(["DXB", "LHR", None]), destination="PVG")
                     for _ in range(rng.randint(1, 8)))
        claim = tokens.Claim(
            Device(model=rng.choice(["A1263", "PB-Z1", None]), wh=round(rng.uniform(1, 300), 1),
                   count=rng.randint(1, 5), ccc=rng.choice([True, False, None])),
            legs, datetime(2026, 11, 25, 8, i % 60, tzinfo=timezone.utc), Verdict.ALLOWED)
        token = tokens.issue(claim, secret)
        assert token == reference_issue(claim, secret)
        assert tokens.verify(token, [secret]) == claim
        key = hmac.new(secret.encode(), b"manual-code-v1", hashlib.sha256).digest()
        number = int.from_bytes(hmac.new(key, token.encode(), hashlib.sha256).digest()[:5], "big")
        expected = "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(number >> s) & 31]
                           for s in range(35, -1, -5))
        assert tokens.manual_code(token, secret) == expected
