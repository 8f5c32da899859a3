"""Behaviour that followed from where code sat (issue 16): the QR label in the reader's language,
one wording for the flight that decides, the data version on the invalid-token page, and QR
downloads that check the signature without re-running the engine. Through the real app."""

import re

from compliance import results
from tests.helpers import token_of

TWO_LEGS = dict(wh=74, airline="LH", origin="FRA", destination="PVG",
                airline2="MU", origin2="PVG", destination2="PEK")
TWO_LEGS_JSON = {"device": {"wh": 74},
                 "legs": [{"airline": "LH", "origin": "FRA", "destination": "PVG"},
                          {"airline": "MU", "origin": "PVG", "destination": "PEK"}]}
ZH_QR_LABEL = 'aria-label="此结果的二维码"'


def issue(client, **params) -> str:
    return token_of(client.get("/api/v1/check", query_string=params).get_json())


def test_the_qr_label_is_chinese_on_the_chinese_check_page(client):
    html = client.get("/check", query_string={"wh": 20, "lang": "zh"}).get_data(as_text=True)
    assert ZH_QR_LABEL in html
    assert 'aria-label="QR code of this result"' not in html


def test_the_qr_label_is_chinese_on_the_chinese_result_page(client):
    token = issue(client, wh=20)
    html = client.get(f"/r/{token}?lang=zh").get_data(as_text=True)
    assert ZH_QR_LABEL in html
    english = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert 'aria-label="QR code of this result"' in english


def test_the_api_names_the_deciding_flight_as_the_page_does(client):
    body = client.post("/api/v1/check", json=TWO_LEGS_JSON).get_json()
    assert body["headline"].startswith("Flight 2 (MU PVG→PEK) decides: ")
    page = client.get("/check", query_string=TWO_LEGS).get_data(as_text=True)
    assert "Flight 2 (MU PVG→PEK) decides: " in page


def test_the_api_headline_of_the_deciding_flight_is_translated(client):
    body = client.post("/api/v1/check", json=TWO_LEGS_JSON,
                       headers={"Accept-Language": "zh"}).get_json()
    assert body["headline"].startswith("由航班 2（MU PVG→PEK）决定：")
    assert "Leg" not in body["headline"]


def test_the_invalid_token_page_shows_the_data_version(client, dataset):
    response = client.get("/r/NOT-A-REAL-TOKEN")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"<code>{dataset.version}</code>" in html


def test_qr_downloads_check_the_signature_without_re_running_the_engine(client, monkeypatch):
    token = issue(client, wh=20)
    expected_svg = client.get(f"/r/{token}/qr.svg").get_data()
    expected_png = client.get(f"/r/{token}/qr.png").get_data()

    def engine_must_not_run(*args, **kwargs):
        raise AssertionError("a QR download re-ran the engine")

    monkeypatch.setattr(results, "evaluate_itinerary", engine_must_not_run)
    svg = client.get(f"/r/{token.lower()}/qr.svg")
    png = client.get(f"/r/{token}/qr.png")
    assert svg.status_code == 200 and svg.get_data() == expected_svg
    assert png.status_code == 200 and png.get_data() == expected_png
    assert re.search(r"<svg[^>]+viewBox", svg.get_data(as_text=True))
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/r/{altered}/qr.svg").status_code == 400
    assert client.get(f"/r/{altered}/qr.png").status_code == 400


def test_a_qr_download_of_an_altered_code_says_so_in_the_readers_language(client):
    token = issue(client, wh=20)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/r/{altered}/qr.png?lang=zh")
    assert response.status_code == 400
    assert "无法验证此结果代码。" in response.get_data(as_text=True)
