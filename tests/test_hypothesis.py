"""Property-based tests: no query string, parameter value or token gives a 500 or a traceback,
and every refusal names the problem."""

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from compliance.core.params import CHECK_PARAMS
from compliance.results import tokens

from tests.helpers import TEST_SECRET, make_app

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(built_db):
    return make_app(built_db).test_client()


@pytest.fixture(scope="module")
def valid_token(client) -> str:
    body = client.get("/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR")
    return body.get_json()["result_url"].rsplit("/", 1)[1]


huge_numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e309", "-0", "0x10", "1_000", "1,5", "nan", "inf", "٣", "１２", "9" * 5000]),
)
values = st.one_of(
    st.text(max_size=80),
    st.text(min_size=60, max_size=3000),
    huge_numbers,
    st.sampled_from(["", " ", "true", "FALSE", "2026-02-30", "2026-12-24", "EK", "dxb", "A1263",
                     "\x00", "\u2028", "\ud7ff", "\U0010ffff", "%", "%%"]),
)
keys = st.one_of(st.sampled_from(CHECK_PARAMS), st.text(min_size=1, max_size=60))
query_pairs = st.lists(st.tuples(keys, values), max_size=8)
raw_bytes_queries = st.binary(max_size=300).map(lambda b: quote(b, safe="=&"))


def assert_no_traceback(text: str):
    assert "Traceback" not in text and 'File "' not in text


def check_api_response(response):
    assert response.status_code in (200, 400), response.status_code
    body = response.get_json()
    assert_no_traceback(response.get_data(as_text=True))
    if response.status_code == 400:
        assert response.mimetype == "application/problem+json"
        assert isinstance(body["param"], str) and body["param"]
        assert body["detail"].startswith(body["param"] + ": ")
        assert len(body["detail"]) > len(body["param"]) + 5
    else:
        assert response.mimetype == "application/json"
        assert body["verdict"] in ("allowed", "approval_required", "forbidden", "need_more_info")


def check_page_response(response):
    assert response.status_code in (200, 400), response.status_code
    text = response.get_data(as_text=True)
    assert_no_traceback(text)
    if response.status_code == 400:
        match = re.search(r'class="form-error"[^>]*role="alert".*?<a href="#([^"]*)">([^<]*)</a>',
                          text, re.DOTALL)
        assert match, "the form does not say which field is wrong"
        assert match.group(2).strip()


@SETTINGS
@given(query_pairs)
@example([("wh", "50"), ("wh", "60")])
@example([("count", "9" * 5000)])
@example([("date", "99999-01-01")])
def test_api_check_any_query(client, pairs):
    check_api_response(client.get("/api/v1/check?" + urlencode(pairs)))


@SETTINGS
@given(raw_bytes_queries)
@example("model=%FF%FE&wh=%C0%80")
@example("&&&=&=")
def test_api_check_any_bytes(client, query):
    check_api_response(client.get("/api/v1/check?" + query))


@SETTINGS
@given(query_pairs)
def test_check_page_any_query(client, pairs):
    check_page_response(client.get("/check?" + urlencode(pairs)))


@SETTINGS
@given(st.sampled_from(CHECK_PARAMS), values)
def test_one_bad_value_is_named(client, param, value):
    """With every other input valid, a refused value is blamed on its own parameter."""
    response = client.get("/api/v1/check", query_string={"model": "A1263", param: value})
    check_api_response(response)
    if response.status_code == 400:
        assert response.get_json()["param"] == param


token_texts = st.one_of(
    st.text(max_size=500),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=17, max_size=400).map(
        lambda t: "1" + t),
)


#: Every route that takes a token, as a path template; the JSON one only where it is served.
TOKEN_ROUTES = ["/r/{}", "/R/{}", "/r/{}/qr.svg", "/r/{}/qr.png", "/r/{}/card",
                "/api/v1/results/{}"]


def _result_paths(token: str) -> list[str]:
    quoted = quote(token, safe="")
    return [route.format(quoted) for route in TOKEN_ROUTES]


def test_every_token_route_is_covered(client):
    served = {rule.rule.replace("<token>", "{}") for rule in client.application.url_map.iter_rules()
              if "token" in rule.arguments}
    covered = set(TOKEN_ROUTES) | {"/R/{}/qr.svg", "/R/{}/qr.png", "/R/{}/card"}
    assert served <= covered, f"add the new token routes to TOKEN_ROUTES: {served - covered}"


def check_token_response(response, must_refuse: bool):
    text = response.get_data(as_text=True)
    assert_no_traceback(text if response.mimetype != "image/png" else "")
    # 308: Werkzeug merging the empty segment of "/r//qr.svg" into "/r/qr.svg", still refused.
    allowed = {400, 404, 308} if must_refuse else {200, 400, 404, 308}
    assert response.status_code in allowed, response.status_code
    if response.status_code == 400 and response.mimetype == "text/html":
        assert "CANNOT VERIFY" in text or "cannot be verified" in text
    if response.status_code == 400 and response.request.path.startswith("/api/"):
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["param"] == "token"


@SETTINGS
@given(token_texts)
def test_arbitrary_tokens_are_refused_cleanly(client, token):
    for path in _result_paths(token):
        check_token_response(client.get(path), must_refuse=True)


@SETTINGS
@given(st.data())
def test_altered_genuine_tokens_are_refused(client, valid_token, data):
    position = data.draw(st.integers(0, len(valid_token) - 1))
    replacement = data.draw(st.text(min_size=1, max_size=3))
    altered = valid_token[:position] + replacement + valid_token[position + 1:]
    if altered.upper() == valid_token:
        return
    for path in _result_paths(altered):
        check_token_response(client.get(path), must_refuse=True)


field_text = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", "0", "1", "zzzzzzzzzzzzzz", "-1", "nan", "inf", "1e400", "99999999", "A", "Z", "\x1f"]))
signed_bodies = st.one_of(
    st.binary(max_size=200),
    st.lists(field_text, min_size=15, max_size=15).map(lambda f: "\x1f".join(f).encode()),
)


@SETTINGS
@given(signed_bodies)
@example("\x1f".join(["A1263", "", "", "50", "", "", "1", "", "", "1", "A",
                      "EK", "DXB", "LHR", "zzzzzzzzzzzz"]).encode())
@example("\x1f".join(["A1263", "", "", "nan", "", "", "99999999999", "", "", "zzzzzzzzzzzzz",
                      "A", "", "", "", "0"]).encode())
def test_correctly_signed_but_garbled_payloads_never_crash(client, body):
    """Only the holder of the key can sign, but a payload the app would never write (say, from
    a future format or a bug) must still be refused, not crash the page."""
    token = tokens.FORMAT_VERSION + tokens._b32(body) + tokens._b32(tokens._tag(TEST_SECRET, body))
    for path in _result_paths(token):
        check_token_response(client.get(path), must_refuse=False)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]),
               max_size=40))
@example("")
@example(" ")
def test_unknown_parameter_is_named(client, name):
    if name in CHECK_PARAMS or name == "lang":
        return
    query = "?" + urlencode({name: "1"})
    api = client.get("/api/v1/check" + query)
    check_api_response(api)
    named = api.get_json()["param"]
    assert named == (name if name.strip() else repr(name))
    page = client.get("/check" + query)
    check_page_response(page)
    assert f'<a href="#{escape(named)}">{escape(named)}</a>' in page.get_data(as_text=True)
