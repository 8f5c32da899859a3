"""The app's JSON provider (compliance.api.http.JSONProvider, orjson) writes what Flask's default
provider writes: the same JSON, keys in the same order, the same headers, for real API
answers; only text outside ASCII is UTF-8 rather than escapes."""

import json
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
    assert in_order(ours.get_data()) == in_order(theirs.get_data())
    assert ours.get_data().endswith(b"\n")
    assert ours.headers.get("Content-Type") == theirs.headers.get("Content-Type")
    assert set(ours.headers.keys()) == set(theirs.headers.keys())
    return ours


def in_order(body: bytes):
    """The JSON read back with every object as its list of (key, value) pairs, so key order
    counts too."""
    return json.loads(body, object_pairs_hook=list)


def test_installed_with_the_apps_settings(app):
    assert type(app.json) is JSONProvider
    assert app.json.sort_keys is False  # create_app's setting survives the swap


def test_api_answers_as_flask_writes_them(app, client):
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
        assert "日本語".encode() in app.json.response({"b": "日本語"}).get_data()


def test_chinese_answer_is_utf8_and_reads_back(client):
    response = client.get("/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR",
                          headers={"Accept-Language": "zh"})
    assert response.mimetype == "application/json"
    assert "召回".encode() in response.get_data()
    assert "召回" in response.get_json()["headline"]


def test_debug_output_is_flasks_indented_one(app):
    app.debug = True
    with app.test_request_context():
        response = same_response(app, {"a": [1, 2]})
    assert b'\n  "a"' in response.get_data()
