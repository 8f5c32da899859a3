"""Hostile input through the real app: the repros of issue 14 (huge numbers, int-string limits,
lone surrogates, cut chunked bodies, open redirect, forged Host, 405 without Allow,
``If-None-Match: *``, unbounded code store), and property tests over JSON bodies, every page and
every method."""

import io
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import create_app
from compliance.results import codes, tokens

from tests.helpers import TEST_SECRET, make_app

LEG = {"airline": "EK", "origin": "DXB", "destination": "LHR"}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def client(built_db, tmp_path_factory):
    codes_db = tmp_path_factory.mktemp("codes") / "result_codes.sqlite"
    return make_app(built_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()


def post(client, raw: str | bytes, **kwargs):
    return client.post("/api/v1/check", data=raw, content_type="application/json", **kwargs)


def chunked_post(client, raw: bytes):
    """A body without Content-Length, as a chunked upload reaches the app: the server
    terminates the stream and says so; Werkzeug's own stream then stops quietly at the limit."""
    return client.post("/api/v1/check", input_stream=io.BytesIO(raw),
                       content_type="application/json",
                       environ_overrides={"wsgi.input_terminated": True})


def assert_problem(response, status: int, param: str | None = None, words: str = ""):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if param is not None:
        assert body["param"] == param and body["detail"].startswith(param + ":")
    assert words in body["detail"]
    return body


# --- The three 500s ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["wh", "mah", "v"])
def test_an_integer_of_309_digits_in_a_capacity_is_a_400_naming_it(client, field):
    raw = '{"device": {"%s": %s}, "legs": [%s]}' % (field, "9" * 309, json.dumps(LEG))
    assert_problem(post(client, raw), 400, f"device.{field}", "309 digits")


@pytest.mark.parametrize("where", [
    '{"device": {"count": %s}, "legs": [{}]}',
    '{"device": {}, "legs": [{"date": %s}]}',
    '{"device": {}, "legs": [{}], "extra": [[%s]]}',
    '[%s]',
])
def test_an_integer_of_4301_digits_anywhere_is_a_400(client, where):
    response = post(client, where % ("1" * 4301))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"


def test_a_float_beyond_the_double_range_is_a_400(client):
    raw = '{"device": {"wh": 1e400}, "legs": [{}]}'
    assert_problem(post(client, raw), 400, "device.wh", "far too large")


@pytest.mark.parametrize("field", ["model", "brand", "serial"])
def test_a_lone_surrogate_in_a_text_field_is_a_400_naming_it(client, field):
    raw = '{"device": {"%s": "A\\ud800B"}, "legs": [%s]}' % (field, json.dumps(LEG))
    assert_problem(post(client, raw), 400, f"device.{field}", "lone surrogate")


def test_a_lone_surrogate_in_a_key_or_a_leg_is_a_400(client):
    assert_problem(post(client, '{"\\udfff": 1}'), 400, "body", "lone surrogate")
    raw = '{"device": {}, "legs": [{"airline": "\\ud83d"}]}'
    assert_problem(post(client, raw), 400, "legs[0].airline", "lone surrogate")


def test_a_body_over_the_limit_is_413_with_or_without_a_length(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    padding = " " * limit
    raw = '{"device": {"wh": 20}, "legs": [%s]%s}' % (json.dumps(LEG), padding)
    assert_problem(post(client, raw), 413)

    assert_problem(chunked_post(client, raw.encode()), 413)
    fits = '{"device": {"wh": 20}, "legs": [%s]}' % json.dumps(LEG)
    at_limit = chunked_post(client, (fits + " " * (limit - len(fits))).encode())
    assert at_limit.status_code == 200


# --- Links, hosts and HTTP manners ------------------------------------------------------------


def test_a_backslash_path_never_becomes_a_link_to_another_site(client):
    for path in ("/%5Cevil.example", "/%5C%5Cevil.example/x", "//evil.example/%2e%2e"):
        page = client.get(path)
        assert page.status_code == 404
        text = page.get_data(as_text=True)
        links = re.findall(r'href="([^"]*lang=[a-z]+)"', text)
        assert links and all(link.startswith("/?") for link in links), links
        assert "evil.example" not in " ".join(re.findall(r'href="([^"]*)"', text))


def test_language_links_still_point_at_the_same_page(client):
    text = client.get("/check?wh=20&airline=EK&origin=DXB&destination=LHR").get_data(
        as_text=True)
    assert 'href="/check?wh=20&amp;airline=EK&amp;origin=DXB&amp;destination=LHR&amp;lang=zh"' \
        in text


def production_app(built_db, tmp_path, **config):
    return create_app({"SECRET_KEY": TEST_SECRET, "DATABASE": str(built_db),
                       "DATA_AUTO_BUILD": False, "API_RATE_LIMIT": None,
                       "PAGE_RATE_LIMIT": None,
                       "RESULT_CODES_DATABASE": str(tmp_path / "codes.sqlite"), **config})


CHECK = "/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR"


def test_production_answers_only_for_the_public_host(built_db, tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_TRUSTED_HOSTS", raising=False)
    app = production_app(built_db, tmp_path, PUBLIC_BASE_URL="https://check.example.org")
    assert app.config["TRUSTED_HOSTS"] == ["check.example.org"]
    client = app.test_client()
    good = client.get(CHECK, base_url="https://check.example.org")
    assert good.status_code == 200
    assert good.get_json()["result_url"].startswith("HTTPS://CHECK.EXAMPLE.ORG/R/")
    for path in (CHECK, "/", "/scan", "/check?wh=20", "/v?code=ABCDEFGH"):
        forged = client.get(path, headers={"Host": "evil.example"})
        assert forged.status_code == 400, path
        assert "evil" not in forged.get_data(as_text=True).lower()
        assert forged.headers["Content-Security-Policy"]
    assert client.get(CHECK, headers={"Host": "evil.example"}).get_json()["param"] == "Host"


def test_production_without_a_public_url_answers_only_on_loopback(built_db, tmp_path,
                                                                   monkeypatch):
    monkeypatch.delenv("FLASK_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("FLASK_PUBLIC_BASE_URL", raising=False)
    client = production_app(built_db, tmp_path).test_client()
    assert client.get(CHECK, headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get(CHECK, headers={"Host": "localhost"}).status_code == 200
    assert client.get(CHECK, headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("host", ["", "a b", "evil.example/x", "évil", "<script>"])
def test_an_invalid_host_is_400_never_an_empty_result_url(client, host):
    answer = client.get(CHECK, headers={"Host": host})
    assert answer.status_code == 400
    assert b"HTTP:///" not in answer.data
    page = client.get("/check?wh=20", headers={"Host": host})
    assert page.status_code == 400 and b"HTTP:///" not in page.data


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/v1/check"), ("PUT", "/"), ("POST", "/check"), ("PATCH", "/r/X"),
    ("POST", "/api/v1/airlines"), ("DELETE", "/healthz"),
])
def test_every_405_says_which_methods_are_allowed(client, method, path):
    answer = client.open(path, method=method)
    assert answer.status_code == 405
    assert "GET" in answer.headers["Allow"]


def test_if_none_match_star_never_hides_a_400(client):
    assert client.get("/api/v1/airlines?limit=abc",
                      headers={"If-None-Match": "*"}).status_code == 400
    assert client.get("/api/v1/airlines?limit=2",
                      headers={"If-None-Match": "*"}).status_code == 304
    etag = client.get("/api/v1/airlines?limit=2").headers["ETag"]
    assert client.get("/api/v1/airlines?limit=2",
                      headers={"If-None-Match": etag}).status_code == 304


# --- The code store cannot grow without bound -------------------------------------------------


def test_a_flood_of_first_views_is_capped_per_client_per_minute(built_db, tmp_path):
    app = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "codes.sqlite"),
                   RESULT_CODES_PER_CLIENT_PER_MINUTE=25)
    client = app.test_client()
    statuses = [client.get(f"/check?wh={n + 1}&airline=EK&origin=DXB&destination=LHR")
                .status_code for n in range(40)]
    assert statuses == [200] * 25 + [429] * 15
    with app.app_context():
        assert codes.store().count() == 25
    refused = client.get("/check?wh=99&airline=EK&origin=DXB&destination=LHR")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    assert b"Try again in" in refused.data
    # Repeat views of results already recorded write nothing and are not refused.
    other = {"REMOTE_ADDR": "192.0.2.44"}
    assert client.get("/check?wh=99&airline=EK&origin=DXB&destination=LHR",
                      environ_base=other).status_code == 200
    with app.app_context():
        assert codes.store().count() == 26


def test_codes_expire_after_their_lifetime_and_are_pruned_automatically(tmp_path):
    store = codes.SQLiteCodeStore(tmp_path / "codes.sqlite", ttl=timedelta(days=60),
                                  flush_seconds=0)
    now = datetime.now(timezone.utc)
    store.record("NEW00000", "1NEW", now=now - timedelta(days=59))
    store.record("OLD00000", "1OLD", now=now - timedelta(days=61))
    assert store.lookup("OLD00000") is None and store.lookup("NEW00000") == "1NEW"
    assert store.count() == 2
    store._last_prune -= codes.PRUNE_EVERY_SECONDS + 1  # an hour later
    store.record("LATER000", "1LATER")
    assert store.count() == 2 and store.lookup("OLD00000") is None
    assert store.lookup("LATER000") == "1LATER"


def test_first_views_are_buffered_resolve_at_once_and_are_written_in_one_batch(tmp_path):
    path = tmp_path / "codes.sqlite"
    store = codes.SQLiteCodeStore(path, flush_seconds=0.2)
    reader = codes.SQLiteCodeStore(path)
    for n in range(50):
        store.record(f"C{n:07d}", f"TOKEN{n}")
    assert store.pending() == 50
    assert store.lookup("C0000049") == "TOKEN49"  # this process resolves it at once
    assert reader.lookup("C0000049") is None  # another one after the flush
    deadline = datetime.now() + timedelta(seconds=5)
    while store.pending() and datetime.now() < deadline:
        pass
    assert store.pending() == 0
    assert reader.lookup("C0000049") == "TOKEN49" and reader.count() == 50


def test_buffered_codes_are_written_at_exit(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "codes.sqlite"
    script = ("import sys; from compliance.results import codes; "
              f"s = codes.SQLiteCodeStore({str(path)!r}, flush_seconds=3600); "
              "[s.record(f'X{n:07d}', f'T{n}') for n in range(10)]; "
              "assert s.pending() == 10; sys.exit(0)")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert codes.SQLiteCodeStore(path).count() == 10


# --- Property tests: nothing an attacker sends gives a 500 -------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(allow_nan=False),
    st.text(alphabet=st.characters(codec=None), max_size=70),
    st.sampled_from(["\ud800", "A\udfffB", "٣", "1e309", "\x00", "\u2028"]),
)
field_names = st.sampled_from(["model", "brand", "serial", "wh", "mah", "v", "count", "ccc",
                               "unlabelled", "airline", "origin", "destination", "date",
                               "\ud800", "x"])
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(field_names, inner,
                                                                max_size=5),
    max_leaves=12,
)
bodies = st.one_of(
    st.fixed_dictionaries({"device": st.dictionaries(field_names, json_scalars, max_size=6),
                           "legs": st.lists(st.dictionaries(field_names, json_scalars,
                                                            max_size=5), max_size=9)}),
    st.dictionaries(st.sampled_from(["device", "legs", "x"]), json_values, max_size=3),
    json_values,
)


def _dumps(value) -> bytes:
    """JSON as a hostile client writes it: surrogates escaped, huge integers in full."""
    return json.dumps(value, ensure_ascii=True).encode()


@SETTINGS
@given(body=bodies)
def test_no_json_body_gives_a_500(client, body):
    try:
        raw = _dumps(body)
    except ValueError:  # an integer past Python's own str() limit: send its digits raw
        raw = b'{"device": {"wh": ' + b"9" * 5000 + b'}, "legs": [{}]}'
    response = post(client, raw)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    if response.status_code == 400:
        assert response.get_json()["detail"]


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_no_bytes_as_a_body_give_a_500(client, raw):
    assert post(client, raw).status_code in (200, 400)


PAGES = ["/", "/check", "/r/X", "/R/X/card", "/r/X/qr.svg", "/v", "/scan", "/embed",
         "/embed/check", "/api/v1/check", "/api/v1/airlines", "/api/v1/recalls",
         "/api/v1/rules", "/api/v1/models", "/api/v1/results/X", "/data", "/developers",
         "/api/docs", "/healthz", "/%5Cx", "/nowhere"]


@SETTINGS
@given(path=st.sampled_from(PAGES),
       method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
       query=st.lists(st.tuples(st.sampled_from(["model", "wh", "lang", "code", "q", "limit",
                                                 "airline", "date", "x", "\ud800"]),
                                st.text(max_size=40)), max_size=4),
       headers=st.dictionaries(st.sampled_from(["If-None-Match", "Accept-Language",
                                                "X-API-Key", "Content-Type", "Origin"]),
                               st.text(alphabet=st.characters(min_codepoint=32,
                                                              max_codepoint=126),
                                       max_size=30), max_size=3))
def test_no_page_method_query_or_header_gives_a_500(client, path, method, query, headers):
    from urllib.parse import quote

    qs = "&".join(f"{quote(k, errors='surrogatepass')}={quote(v, errors='surrogatepass')}"
                  for k, v in query)
    response = client.open(f"{path}?{qs}", method=method, headers=headers)
    assert response.status_code < 500, (method, path, qs, headers)


def test_tokens_made_from_surrogates_cannot_be_issued_through_any_interface(client):
    """The GET interfaces decode the query string themselves and never hand the engine a lone
    surrogate; the token encoder therefore only ever sees encodable text."""
    answer = client.get("/api/v1/check?model=%ED%A0%80&airline=EK&origin=DXB&destination=LHR")
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        token = answer.get_json()["result_url"].rsplit("/", 1)[1]
        assert tokens.verify(token, [TEST_SECRET])


def test_text_length_counts_what_was_sent(client):
    """The spec's maxLength is the length sent: 200 characters after leading spaces is over."""
    body = {"device": {"model": " \t" + "*" * 199}, "legs": [{}]}
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 400 and response.get_json()["param"] == "device.model"
    assert client.post("/api/v1/check", json={"device": {"model": " A1263 "},
                                              "legs": [{}]}).status_code == 200
