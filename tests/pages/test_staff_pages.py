"""The staff side of a result as pages: the verified view, the printable card, the QR and
downloads, and the files of the scanning screen. Through the real app and the real data, with the
Flask client."""

import html
import re
from datetime import datetime, timezone
from io import BytesIO

import zxingcpp
from PIL import Image

from tests.helpers import ROOT, issue, issue_at, page_html, verification


def test_staff_view_shows_host_claim_and_label_checks(staff_client):
    token = issue(staff_client, model="A1263", brand="Anker", wh=37, count=2)
    text = page_html(staff_client, f"/r/{token}")
    assert re.search(r'class="host-name">localhost<', text)
    assert "Check the label for:" in text
    assert "Model number: A1263" in text and "Capacity: 37 Wh printed" in text
    assert "Claimed device" in text and "<dd>2</dd>" in text
    assert "CCC" not in text.split("Check the label for:")[1].split("</ul>")[0]


def test_itinerary_shows_each_leg_verdict(staff_app, staff_client):
    token = issue_at(
        staff_app, {"model": "PLM03ZM"}, datetime.now(timezone.utc),
        legs=[{"airline": "LH", "origin": "FRA", "destination": "PEK"},
              {"airline": "CA", "origin": "PEK", "destination": "PVG"}])
    body = verification(staff_client, token)
    assert [leg["trip"]["origin"] for leg in body["legs"]] == ["FRA", "PEK"]
    text = page_html(staff_client, f"/r/{token}")
    assert "Each flight" in text
    for leg in body["legs"]:
        assert f'leg-verdict verdict-{leg["verdict"]}' in text
    assert text.count('class="leg-verdict') == 2
    assert "LH FRA → PEK" in text and "CA PEK → PVG" in text


def test_result_and_check_pages_offer_svg_png_and_card(staff_client):
    query = dict(model="A1263", wh=37)
    token = issue(staff_client, **query)
    for text in (page_html(staff_client, f"/r/{token}"),
                 page_html(staff_client, "/check?model=A1263&wh=37")):
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/qr\.svg" download', text)
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/qr\.png" download', text)
        assert re.search(r'href="/[rR]/1[A-Z2-7]+/card"', text)
        assert "Printable card" in text


def test_card_has_qr_verdict_device_date_code_and_host(staff_client):
    token = issue(staff_client, model="A1647", brand="Anker", wh=74, airline="EK",
                  origin="DXB", destination="LHR")
    body = verification(staff_client, token)
    response = staff_client.get(f"/r/{token}/card")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "<svg" in text and 'class="card-verdict verdict-forbidden"' in text
    assert "FORBIDDEN" in text and "Anker A1647 · 74.0 Wh · × 1" in text
    assert "EK DXB → LHR" in text
    assert datetime.fromisoformat(body["issued_at"]).strftime("%Y-%m-%d") in text
    assert f"{body['code'][:4]}-{body['code'][4:]}" in text
    assert '<p class="card-host">localhost</p>' in text and "localhost/v" in text
    assert "<script>" not in text and 'style="' not in text
    css = (ROOT / "static" / "card.css").read_text()
    assert "size:105mm 148mm" in css


def test_card_says_what_the_answer_could_not_check(staff_client):
    """Issue 10: no model given -> the card says plainly that no recall was checked."""
    token = issue(staff_client, wh=74, airline="EK", origin="DXB", destination="LHR")
    text = html.unescape(staff_client.get(f"/r/{token}/card").get_data(as_text=True))
    assert 'class="card-notice notice-recall_not_checked"' in text
    assert "Not checked against recalls: no model number given." in text
    with_model = issue(staff_client, model="A1647", wh=74, airline="EK", origin="DXB",
                       destination="LHR")
    assert "card-notice" not in staff_client.get(f"/r/{with_model}/card").get_data(
        as_text=True)


def test_app_rendered_qr_png_decodes_to_the_result_url(staff_client):
    check = staff_client.get("/api/v1/check?model=A1263&wh=37&airline=EK&origin=DXB"
                             "&destination=LHR").get_json()
    token = check["result_url"].rsplit("/", 1)[1]
    png = staff_client.get(f"/R/{token}/qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(png.data)))
    assert [d.text for d in decoded] == [check["result_url"]]


def test_scan_page_has_labelled_inputs_and_no_inline_script_or_style(staff_client):
    response = staff_client.get("/scan")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S)
    assert scripts and all('src="/static/' in attrs and not body for attrs, body in scripts)
    assert 'style="' not in text
    assert not re.search(r"\son[a-z]+=", text)
    for field in ["lookup-model", "lookup-wh", "lookup-mah", "lookup-airline", "lookup-origin",
                  "lookup-destination", "code"]:
        assert f'<label for="{field}">' in text, field
    assert 'action="/check"' in text and 'data-combo="model"' in text
    assert 'data-models-url="/api/v1/models"' in text


def test_recall_list_for_offline_use_covers_every_recalled_model(staff_client, dataset):
    body = staff_client.get("/scan/recalls.json").get_json()
    assert body["data_version"] == dataset.version
    assert datetime.fromisoformat(body["generated_at"]).tzinfo is not None
    assert set(body["by_model_key"]) == set(dataset.recalls_by_model) | set(
        dataset.recall_aliases)
    assert len(body["recalls"]) == len(dataset.recalls)
    scoped = {body["recalls"][i]["status"] for i in body["by_model_key"]["A1263"]}
    assert scoped == {"check_serial"}
    entries = [body["recalls"][i] for i in body["by_model_key"]["A1647"]]
    assert {e["status"] for e in entries} == {"recalled", "check_serial"}
    entry = next(e for e in entries if e["status"] == "recalled")
    assert entry["brand"] == "Anker" and "A1647" in entry["models"]
    assert entry["source_url"].startswith("http")
    assert set(entry) == {"models", "brand", "product", "status", "scope_detail", "agency",
                          "date", "source_url"}


def test_service_worker_is_served_from_the_root_and_not_cached(staff_client):
    response = staff_client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    for path in ["scan", "scan/recalls.json", "static/scan.js", "static/vendor/jsQR.js"]:
        assert f'"{path}"' in script
    assert "register" in (ROOT / "static" / "scan.js").read_text()


def test_vendored_decoder_keeps_its_origin_and_licence():
    script = (ROOT / "static" / "vendor" / "jsQR.js").read_text()
    assert "jsQR 1.4.0" in script.splitlines()[1] and "Apache License" in script[:600]
    assert "Apache License" in (ROOT / "static" / "vendor" / "jsQR.LICENSE").read_text()
    readme = (ROOT / "static" / "vendor" / "README.md").read_text()
    assert "jsqr" in readme and "1.4.0" in readme and "Apache" in readme
