"""Signed result tokens: round trip, tampering, key rotation, and the QR that carries them."""

import re
from datetime import date, datetime, timezone

import pytest
import zxingcpp
from PIL import Image

from compliance.core.model import Device, Trip
from compliance.core.vocabulary import Verdict
from compliance.results import qr, tokens

from tests.helpers import TEST_SECRET, make_app

CLAIM = tokens.Claim(
    device=Device(model="Anker A1263", brand="Anker", serial="AB12", wh=None, mah=10000, v=3.7,
                  count=2, ccc=True),
    trips=(Trip(date=date(2026, 12, 24), airline="EK", origin="DXB", destination="LHR"),
           Trip(date=date(2026, 12, 26), airline=None, origin="LHR", destination=None)),
    issued_at=datetime(2026, 11, 25, 10, 30, tzinfo=timezone.utc),
    verdict_at_issue=Verdict.NEED_MORE_INFO,
)


def test_round_trip():
    token = tokens.issue(CLAIM, TEST_SECRET)
    assert re.fullmatch(r"1[A-Z2-7]+", token)
    assert tokens.verify(token, [TEST_SECRET]) == CLAIM
    assert tokens.verify(token.lower(), [TEST_SECRET]) == CLAIM


def test_every_single_character_alteration_is_refused():
    token = tokens.issue(CLAIM, TEST_SECRET)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for index, original in enumerate(token):
        for replacement in alphabet[:8] + "9=-_":
            if replacement == original:
                continue
            altered = token[:index] + replacement + token[index + 1:]
            with pytest.raises(tokens.InvalidToken):
                tokens.verify(altered, [TEST_SECRET])


def test_truncated_extended_and_forged_tokens_are_refused():
    token = tokens.issue(CLAIM, TEST_SECRET)
    for bad in [token[:-1], token[1:], token + "A", token[: len(token) // 2], "", "1", "x" * 500,
                tokens.issue(CLAIM, "another-secret")]:
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(bad, [TEST_SECRET])


def test_rotated_key_still_verifies_while_listed():
    old = tokens.issue(CLAIM, "old-key")
    assert tokens.verify(old, [TEST_SECRET, "old-key"]) == CLAIM
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(old, [TEST_SECRET])


def test_manual_code_is_eight_unambiguous_characters():
    code = tokens.manual_code(tokens.issue(CLAIM, TEST_SECRET), TEST_SECRET)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", code)
    assert tokens.normalize_manual_code(code[:4].lower() + "-" + code[4:]) == code


def decode_png(data: bytes) -> str:
    from io import BytesIO

    results = zxingcpp.read_barcodes(Image.open(BytesIO(data)))
    assert len(results) == 1
    return results[0].text


def test_qr_png_decodes_to_the_url_and_is_small():
    one_leg = tokens.Claim(CLAIM.device, CLAIM.trips[:1], CLAIM.issued_at, CLAIM.verdict_at_issue)
    url = "HTTPS://POWERBANK.EXAMPLE/R/" + tokens.issue(one_leg, TEST_SECRET)
    assert decode_png(qr.png(url)) == url
    version, modules = qr.info(url)
    assert version <= 8 and modules == 17 + 4 * version


def test_check_page_qr_decodes_to_result_url_which_opens_the_result(client):
    api = client.get("/api/v1/check", query_string=dict(model="A1366", wh=74)).get_json()
    page = client.get("/check", query_string=dict(model="A1366", wh=74))
    assert page.status_code == 200
    svg = re.search(r"<svg.*?</svg>", page.get_data(as_text=True), re.S).group(0)
    assert 'fill="#fff"' in svg
    token = api["result_url"].rsplit("/", 1)[1]
    png = client.get(f"/r/{token}/qr.png")
    assert png.mimetype == "image/png"
    decoded = decode_png(png.data)
    assert decoded == api["result_url"]
    path = decoded.split("/", 3)[3]
    opened = client.get("/" + path)
    assert opened.status_code == 200
    assert "FORBIDDEN" in opened.get_data(as_text=True)


def test_qr_svg_route_serves_svg(client):
    api = client.get("/api/v1/check", query_string=dict(wh=50)).get_json()
    response = client.get(api["qr_svg_url"].replace("http://localhost", ""))
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml")


def test_altered_token_page_shows_no_verdict(client):
    api = client.get("/api/v1/check", query_string=dict(wh=50)).get_json()
    token = api["result_url"].rsplit("/", 1)[1]
    altered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    response = client.get(f"/r/{altered}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "CANNOT VERIFY" in text
    assert "ALLOWED" not in text and "verdict-allowed" not in text
    assert client.get(f"/r/{altered}/qr.png").status_code == 400


def test_token_signed_with_another_app_secret_is_refused(built_db):
    other = make_app(built_db, SECRET_KEY="someone-else")
    token = other.test_client().get("/api/v1/check?wh=50").get_json()["result_url"].split("/")[-1]
    ours = make_app(built_db)
    assert ours.test_client().get(f"/r/{token}").status_code == 400
    rotated = make_app(built_db, SECRET_KEY_FALLBACKS=["someone-else"])
    assert rotated.test_client().get(f"/r/{token}").status_code == 200
