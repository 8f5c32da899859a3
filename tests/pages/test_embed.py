"""The embeddable widget: framing policy, presets, theming without inline styles, the script."""

import re
from datetime import date, timedelta

import pytest

from compliance.web.problems import PROBLEM_TYPES
from tests.helpers import make_app


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1).strip()


CHECK = dict(model="A1366", wh=74, airline="LH", origin="FRA", destination="JFK")


def test_embed_views_may_be_framed_by_any_origin_by_default(client):
    assert frame_ancestors(client.get("/embed")) == "*"
    assert frame_ancestors(client.get("/embed/check", query_string=CHECK)) == "*"
    assert frame_ancestors(client.get("/embed/check?wh=abc")) == "*"
    assert frame_ancestors(client.get("/embed?accent=red")) == "*"


@pytest.mark.parametrize("path", ["/", "/check?wh=50", "/developers", "/api/docs",
                                  "/api/v1/airlines", "/embed.js", "/embed/theme.css?accent=%23aabbcc",
                                  "/nope"])
def test_every_other_page_refuses_framing(client, path):
    assert frame_ancestors(client.get(path)) == "'none'"


def test_frame_ancestors_come_from_configuration(built_db):
    allowed = "https://www.airline.example https://book.example"
    client = make_app(built_db, EMBED_FRAME_ANCESTORS=allowed).test_client()
    assert frame_ancestors(client.get("/embed?airline=EK")) == allowed
    assert frame_ancestors(client.get("/developers")) == "'none'"


def test_presets_and_options_carry_through_the_form(client):
    response = client.get("/embed", query_string=dict(
        airline="EK", lang="en", theme="dark", accent="#FFCC00", hide_airline="1",
        parent_origin="https://Www.Airline.example"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/embed/check"' in html
    assert '<input type="hidden" name="airline" value="EK">' in html
    assert 'id="airline"' not in html
    for name, value in [("theme", "dark"), ("accent", "#ffcc00"), ("hide_airline", "1"),
                        ("lang", "en"), ("parent_origin", "https://www.airline.example")]:
        assert f'<input type="hidden" name="{name}" value="{value}">' in html, name
    assert 'class="embed embed-dark embed-accent"' in html
    assert 'data-parent-origin="https://www.airline.example"' in html
    assert 'href="/embed/theme.css?accent=%23ffcc00"' in html


def test_airline_picker_is_shown_unless_hidden(client):
    html = client.get("/embed?airline=EK").get_data(as_text=True)
    assert re.search(r'id="airline" name="airline" value="EK"', html)


def test_no_inline_style_or_script_in_widget_pages(client):
    for response in [client.get("/embed?theme=dark&accent=%23123456"),
                     client.get("/embed/check", query_string={**CHECK, "accent": "#123456"})]:
        html = response.get_data(as_text=True)
        assert "style=" not in html
        assert "<style" not in html
        assert re.findall(r"<script[^>]*>", html) == [
            '<script src="/static/embed-frame.js" defer>']
        assert not re.search(r"\son[a-z]+=", html)


def test_embed_check_shows_verdict_qr_and_a_way_back_with_the_options(client):
    response = client.get("/embed/check", query_string={**CHECK, "theme": "dark"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "verdict-forbidden" in html and "<svg" in html and "/R/1" in html
    assert re.search(r"Code <strong>[0-9A-Z]{4}-[0-9A-Z]{4}</strong>", html)
    assert 'href="/embed?airline=LH&amp;theme=dark"' in html


def _days_ahead(days: int) -> str:
    """A travel date still to come (the form refuses past dates)."""
    return (date.today() + timedelta(days=days)).isoformat()


def test_itineraries_work_inside_the_frame(client):
    html = client.get("/embed?airline=EK").get_data(as_text=True)
    assert 'formaction="/embed#trip"' in html
    response = client.get("/embed/check", query_string=dict(
        wh=74, airline="EK", origin="DXB", destination="PEK", airline2="CA", origin2="PEK",
        destination2="SHA", date=_days_ahead(30), date2=_days_ahead(31)))
    assert response.status_code == 200
    assert "verdict-" in response.get_data(as_text=True)


def test_bad_check_input_re_renders_the_form_inside_the_frame(client):
    response = client.get("/embed/check?wh=abc&airline=EK&hide_airline=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="wh-error"' in html and 'action="/embed/check"' in html
    assert '<input type="hidden" name="hide_airline" value="1">' in html


@pytest.mark.parametrize("params, param", [
    (dict(accent="red"), "accent"),
    (dict(accent="#ffcc0"), "accent"),
    (dict(accent="#ffcc00\n"), "accent"),
    (dict(accent="#ffcc00;}body{x:y"), "accent"),
    (dict(theme="purple"), "theme"),
    (dict(hide_airline="perhaps"), "hide_airline"),
    (dict(lang="<script>"), "lang"),
    (dict(parent_origin="javascript:alert(1)"), "parent_origin"),
    (dict(parent_origin="https://a.example/path"), "parent_origin"),
    (dict(parent_origin="https://a.example\n"), "parent_origin"),
    (dict(parent_origin="https://user@a.example"), "parent_origin"),
    (dict(parent_origin="https://a.example:70000"), "parent_origin"),
    (dict(colour="red"), "colour"),
])
def test_bad_widget_options_are_named_on_a_framed_error_page(client, params, param):
    response = client.get("/embed", query_string=params)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"<code>{param}</code>" in html
    assert frame_ancestors(response) == "*"
    assert "theme.css" not in html and "data-parent-origin" not in html


def test_unknown_preset_airline_is_shown_as_a_field_error(client):
    response = client.get("/embed?airline=0Z")
    assert response.status_code == 400
    assert 'id="airline-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("accent, text", [("#ffcc00", "#000000"), ("#0B4F8A", "#ffffff"),
                                          ("#ffffff", "#000000"), ("#000000", "#ffffff")])
def test_theme_stylesheet_picks_the_more_legible_text_colour(client, accent, text):
    response = client.get("/embed/theme.css", query_string={"accent": accent})
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.get_data(as_text=True) == (
        f":root{{--embed-accent:{accent.lower()};--embed-on-accent:{text}}}\n")
    assert "max-age" in response.headers["Cache-Control"]


@pytest.mark.parametrize("query", ["accent=red", "accent=%23ffcc00%0A}", "",
                                   "accent=%23ffcc00&accent=%23000000",
                                   "accent=%23ffcc00&x=1"])
def test_theme_stylesheet_refuses_anything_but_one_hex_colour(client, query):
    response = client.get("/embed/theme.css?" + query)
    assert response.status_code == 400
    assert "--embed-accent" not in response.get_data(as_text=True)


def test_embed_script_is_served_at_the_short_url(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "powerbank-check:resize" in body and "event.origin !== widgetOrigin" in body
    assert "event.source !== frame.contentWindow" in body


def test_developers_page_has_snippet_live_example_promise_and_problem_types(client):
    response = client.get("/developers", base_url="https://check.example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ('&lt;script src=&#34;https://check.example.org/embed.js&#34; '
            'data-airline=&#34;EK&#34;&gt;&lt;/script&gt;') in html
    assert '<script src="/embed.js" data-airline="EK"' in html
    assert "no field is ever renamed or removed" in html
    for slug in PROBLEM_TYPES:
        assert f'id="problem-{slug}"' in html
    for path in ["/api/v1/check", "/api/v1/airlines", "/api/v1/recalls", "/api/v1/rules",
                 "/api/v1/models"]:
        assert path in html
    assert "style=" not in html
