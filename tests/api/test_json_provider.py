"""The app's JSON provider (compliance.api.http.JSONProvider) writes exactly what Flask's
default provider writes: same bytes, same headers, for real API answers."""

from datetime import date
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider

from compliance.api.http import JSONProvider


def flask_default(app):
    provider = DefaultJSONProvider(app)
    for name in ("ensure_ascii", "sort_keys", "compact", "mimetype"):
        setattr(provider, name, getattr(app.json, name))
    return provider


def same_response(app, *args, **kwargs):
    ours = app.json.response(*args, **kwargs)
    theirs = flask_default(app).response(*args, **kwargs)
    assert ours.get_data() == theirs.get_data()
    assert ours.headers == theirs.headers
    return ours


def test_installed_with_the_apps_settings(app):
    assert type(app.json) is JSONProvider
    assert app.json.sort_keys is False  # create_app's setting survives the swap


def test_api_answers_byte_for_byte(app, client):
    queries = ["wh=20", "model=A1263&airline=EK&origin=DXB&destination=LHR", "mah=26800&v=5",
               "wh=150&airline=KE&origin=ICN&destination=NRT&count=3&ccc=false", "wh=abc",
               "unlabelled=true&airline=LH&origin=FRA&destination=JFK", "lang=zh&wh=99"]
    for query in queries:
        body = client.get(f"/api/v1/check?{query}").get_json()
        with app.test_request_context():
            same_response(app, body)
            same_response(app, body.get("verdict"), body.get("device"))
    with app.test_request_context():
        same_response(app, verdict="允许 ✓", when=date(2026, 12, 3), amount=Decimal("1.50"))
        same_response(app)
        app.json.sort_keys = True
        same_response(app, {"b": 1, "a": [1.5, None, "é"]})
        app.json.ensure_ascii = False
        same_response(app, {"b": "日本語", "a": 1})


def test_debug_output_is_flasks_indented_one(app):
    app.debug = True
    with app.test_request_context():
        response = same_response(app, {"a": [1, 2]})
    assert b'\n  "a"' in response.get_data()
