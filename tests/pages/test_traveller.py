"""Server-rendered pages through the Flask test client."""

import re


def test_index_has_a_labelled_field_for_every_input(client):
    html = client.get("/").get_data(as_text=True)
    for name in ["model", "brand", "wh", "mah", "v", "count", "ccc", "serial", "airline",
                 "origin", "destination", "date"]:
        assert re.search(rf'<label for="{name}">', html), name
        assert re.search(rf'id="{name}" name="{name}"', html), name
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline scripts break the CSP"


def test_check_page_shows_verdict_reasons_sources_and_qr(client):
    response = client.get("/check", query_string=dict(model="A1366", wh=74, airline="LH",
                                                      origin="FRA", destination="JFK"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "verdict-forbidden" in html and "FORBIDDEN" in html
    assert "Recalled" in html and "Remedy" in html
    assert "https://" in html and "Lufthansa" in html
    assert "<svg" in html and "/R/1" in html
    assert re.search(r"Code <strong>[0-9A-Z]{4}-[0-9A-Z]{4}</strong>", html)


def test_allowed_page_lists_conditions(client):
    html = client.get("/check?wh=50&airline=KE&origin=ICN&destination=NRT").get_data(
        as_text=True)
    assert "verdict-allowed" in html
    assert "Do not use it to charge devices on board." in html


def test_bad_input_re_renders_the_form_with_the_error_tied_to_its_field(client):
    response = client.get("/check?wh=abc&model=A1263")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="wh-error"' in html
    assert re.search(r'id="wh" name="wh" value="abc"[^>]*aria-invalid="true"', html)
    assert 'aria-describedby="wh-error"' in html
    assert 'value="A1263"' in html


def test_user_input_is_escaped_everywhere(client):
    attack = '<script>alert(1)</script>'
    html = client.get("/check", query_string=dict(model=attack, wh=50)).get_data(as_text=True)
    assert attack not in html
    assert "&lt;script&gt;" in html
    error_page = client.get("/check", query_string=dict(model=attack, wh="x"))
    assert attack not in error_page.get_data(as_text=True)


def test_result_page_re_evaluates_and_shows_issue_time_and_data_version(client, dataset):
    api = client.get("/api/v1/check?model=A1366&wh=74").get_json()
    path = "/" + api["result_url"].split("/", 3)[3]
    html = client.get(path).get_data(as_text=True)
    assert "Signature verified" in html
    assert dataset.version in html
    assert "Issued" in html and "UTC" in html
    assert "localhost" in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert "Back to the check" in response.get_data(as_text=True)
