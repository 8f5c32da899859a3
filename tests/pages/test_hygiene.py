"""What browsers and crawlers expect of every site (favicon, robots.txt, a description, noindex
on one person's result, compressed responses), and the small wording and focus fixes found by
trying the pages as a new user would."""

import gzip
import json
import re

import brotli
import pytest

from compliance.data.build import build_database
from tests.helpers import make_app

RESULT = "/check?model=A1263&airline=EK&origin=DXB&destination=LHR"


def _token(client, query=RESULT) -> str:
    html = client.get(query).get_data(as_text=True)
    return re.search(r"/R/([0-9A-Z]+)", html).group(1)


# --- favicon, robots, description, noindex ----------------------------------------------------


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    svg = client.get(icon)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data


def test_robots_txt_keeps_crawlers_off_the_api_only(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "User-agent: *" in text and "Disallow: /api/" in text
    assert "Disallow: /\n" not in text


@pytest.mark.parametrize("lang", ["en", "zh", "ko", "ja"])
def test_every_page_has_a_description_in_its_language(client, lang):
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
    assert len(description) > 40
    if lang != "en":
        assert not description.startswith("May this power bank fly?")


def test_results_and_staff_pages_are_noindex(client):
    token = _token(client)
    for path in (RESULT, f"/r/{token}", f"/r/{token}/card", "/v", "/scan",
                 "/embed/check?wh=74&airline=LH&origin=FRA&destination=JFK"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("X-Robots-Tag") == "noindex", path
        assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True), path
    for path in ("/", "/developers", "/data"):
        response = client.get(path)
        assert "X-Robots-Tag" not in response.headers, path
        assert 'content="noindex"' not in response.get_data(as_text=True), path


# --- compression ------------------------------------------------------------------------------


def test_pages_scripts_and_json_are_compressed_when_the_browser_accepts_it(client):
    """Measured: the bytes sent with and without compression for the heaviest texts."""
    token = _token(client)
    html = client.get("/").get_data(as_text=True)
    style = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', html).group(1)
    rows = []
    for path in ("/", RESULT, f"/r/{token}", style, "/embed.js",
                 "/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR",
                 "/data/recalls.json"):
        plain = client.get(path)
        assert plain.status_code == 200, path
        assert "Content-Encoding" not in plain.headers, path
        br = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert br.headers.get("Content-Encoding") == "br", path
        assert "Accept-Encoding" in br.headers.get("Vary", ""), path
        gz = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gz.headers.get("Content-Encoding") == "gzip", path
        if path.startswith(("/check", "/api/v1/check")):
            # a fresh result each time (new token): compare the shape, not the bytes
            assert brotli.decompress(br.data).decode().count("<") == plain.get_data(
                as_text=True).count("<") or path.startswith("/api")
        else:
            assert brotli.decompress(br.data) == plain.data, path
            assert gzip.decompress(gz.data) == plain.data, path
        rows.append((path[:40], len(plain.data), len(gz.data), len(br.data)))
        assert len(br.data) < len(plain.data) / 2, path
    print("\n" + "\n".join(f"{p:40} plain {a:>7} gzip {b:>6} br {c:>6}" for p, a, b, c in rows))


def test_small_and_binary_responses_are_sent_as_they_are(client):
    token = _token(client)
    png = client.get(f"/r/{token}/qr.png", headers={"Accept-Encoding": "br, gzip"})
    assert png.status_code == 200 and "Content-Encoding" not in png.headers
    health = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in health.headers  # under 500 bytes


def test_conditional_requests_still_answer_304_when_compressed(client):
    first = client.get("/embed.js", headers={"Accept-Encoding": "br"})
    etag = first.headers["ETag"]
    again = client.get("/embed.js", headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304


# --- wording and focus fixes ------------------------------------------------------------------


def test_unknown_code_keeps_what_was_typed(client):
    response = client.get("/v?code=7k3m q9xd")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "UNKNOWN CODE" in html
    assert 'value="7k3m q9xd"' in html


def test_tampered_token_page_shows_no_empty_data_version(client):
    token = _token(client)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(f"/r/{tampered}")
    assert response.status_code == 400
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert "CANNOT VERIFY THIS RESULT" in text
    assert "Data version ." not in text and "Data version  ." not in text
    assert not re.search(r"Data version\s*\.", text)


def test_unlabelled_answer_does_not_ask_for_the_label(client):
    """The traveller said the label is missing: the answer must not ask for what is on it."""
    for query in ("unlabelled=true&airline=EK&origin=DXB&destination=LHR",
                  "unlabelled=true&airline=LH&origin=FRA&destination=JFK"):
        html = client.get("/check?" + query).get_data(as_text=True)
        assert "Wh printed on the label" not in html, query
        assert "Add the capacity from the label" not in html, query
        assert "Travel with a power bank whose capacity you can read on the label." in html


def test_scan_page_camera_errors_in_words_and_no_value_like_placeholders(client):
    html = client.get("/scan").get_data(as_text=True)
    assert "placeholder=" not in html
    for words in ("no camera was found on this device", "permission to use the camera was "
                  "refused", "the camera is in use by another app"):
        assert words in html
    script = client.get(re.search(r'src="(/static/scan\.js[^"]*)"', html).group(1))
    assert b"NotFoundError: \"camera-none\"" in script.data
    assert b"error.name || error.message" not in script.data


def test_developers_page_has_a_copy_button_for_the_snippet(client):
    html = client.get("/developers").get_data(as_text=True)
    assert re.search(r'<code id="embed-snippet">&lt;script src=&#34;[^&]+/embed\.js&#34;', html)
    assert 'data-copy="embed-snippet"' in html and "Copy the snippet" in html
    # hidden without JavaScript, where it could not work
    assert re.search(r'<button type="button" class="copy-button"[^>]* hidden>', html)


def test_copy_button_copies_the_snippet_in_a_browser(browser, live_server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(live_server + "/developers")
        page.click("text=Copy the snippet")
        page.wait_for_selector(".copy-status:has-text('Copied.')")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.inner_text("#embed-snippet")
        assert copied.startswith('<script src="') and "/embed.js" in copied
    finally:
        context.close()


# --- source kinds on the pages ----------------------------------------------------------------


@pytest.fixture
def kinds_client(data_copy, tmp_path):
    """The real data with the Emirates rule marked official and a CPSC recall of A1263 marked
    as a news report, as the data files will say once their sources are sorted."""
    rules = json.loads((data_copy / "rules.json").read_text())
    for rule in rules:
        if rule.get("airline") == "EK":
            rule["source_kind"] = "official"
    (data_copy / "rules.json").write_text(json.dumps(rules))
    recalls = json.loads((data_copy / "recalls.json").read_text())
    for recall in recalls:
        if recall["recall_id"] == "cpsc-2025-06-anker-a1263":
            recall["source_kind"] = "news"
    (data_copy / "recalls.json").write_text(json.dumps(recalls))
    db = tmp_path / "kinds.sqlite"
    build_database(data_copy, db)
    return make_app(db).test_client()


def test_result_and_staff_view_say_whether_each_source_is_official(kinds_client):
    html = kinds_client.get(RESULT).get_data(as_text=True)
    assert "Source: Emirates (official)" in html
    assert "Source: news report, not yet confirmed on the issuer's page" in html
    token = re.search(r"/R/([0-9A-Z]+)", html).group(1)
    staff = kinds_client.get(f"/r/{token}").get_data(as_text=True)
    assert "Source: Emirates (official)" in staff
    assert "Source: news report, not yet confirmed on the issuer's page" in staff
    zh = kinds_client.get(RESULT + "&lang=zh").get_data(as_text=True)
    assert "来源：Emirates（官方）" in zh
