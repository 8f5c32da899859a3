"""Security headers on every response, and templates that escape everything user-supplied."""

import re
from html.parser import HTMLParser

import pytest

from compliance.core.params import CHECK_PARAMS

from tests.helpers import make_app

ATTACKS = [
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "</title><svg onload=alert(1)>",
    "'><img src=x onerror=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
]


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def assert_security_headers(response, https: bool = False):
    where = f"{response.request.path} ({response.status_code})"
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {where}"
    policy = parse_csp(csp)
    assert policy["default-src"] == "'self'", where
    assert policy["script-src"] == "'self'", where
    assert policy["object-src"] == "'none'", where
    assert policy["base-uri"] == "'none'", where
    assert "frame-ancestors" in policy, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    hsts = response.headers.get("Strict-Transport-Security")
    if https:
        assert hsts and re.fullmatch(r"max-age=\d{7,}; includeSubDomains", hsts), where
    else:
        assert hsts is None, f"HSTS sent over plain HTTP on {where}"


def argument_free_get_routes(app) -> list[str]:
    return sorted({
        rule.rule for rule in app.url_map.iter_rules()
        if not rule.arguments and "GET" in rule.methods
    })


def a_result_path(client) -> str:
    body = client.get("/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR")
    return "/" + body.get_json()["result_url"].split("/", 3)[3]


def pages_to_check(app, client) -> list[str]:
    """Every argument-free route, a result page with its QR files, errors and a static file."""
    result = a_result_path(client)
    return argument_free_get_routes(app) + [
        result, result + "/qr.svg", result + "/qr.png", result.lower(),
        "/check?model=A1263&wh=abc", "/r/NOT-A-TOKEN", "/no-such-page",
        "/api/v1/check?nope=1", "/api/v1/no-such-endpoint", "/static/style.css",
    ]


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_route_sends_the_security_headers(built_db, https):
    app = make_app(built_db)
    client = app.test_client()
    base_url = "https://check.example" if https else "http://localhost"
    paths = pages_to_check(app, client)
    assert len(paths) >= 14
    for path in paths:
        with client.get(path, base_url=base_url) as response:
            assert response.status_code < 500, path
            assert_security_headers(response, https=https)


def test_hsts_behind_a_proxy_only_when_the_proxy_is_trusted(built_db):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "check.example"}
    direct = make_app(built_db).test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers
    proxied_app = make_app(built_db, TRUSTED_PROXY_HOPS=1)
    proxied = proxied_app.test_client().get("/", headers=forwarded)
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    api = proxied_app.test_client().get("/api/v1/check?wh=50", headers=forwarded).get_json()
    assert api["result_url"].startswith("HTTPS://CHECK.EXAMPLE/R/")


class MarkupAudit(HTMLParser):
    """Collects what a CSP-clean, injection-free page must not contain."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value and (
                value.strip().lower().startswith(("javascript:", "data:text/html"))
            ):
                self.problems.append(f"script URL in {name} of <{tag}>")
        if tag == "script":
            self._inline_script = not dict(attrs).get("src")

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.problems.append("inline <script> content")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False


def assert_clean_html(response, attack: str | None = None):
    text = response.get_data(as_text=True)
    where = f"{response.request.path}?{response.request.query_string.decode()}"
    if attack is not None and any(ch in attack for ch in "<>\"'"):
        assert attack not in text, f"unescaped input on {where}"
    audit = MarkupAudit()
    audit.feed(text)
    assert not audit.problems, f"{where}: {audit.problems}"


def test_pages_have_no_inline_script_handler_or_style(built_db):
    app = make_app(built_db)
    client = app.test_client()
    for path in pages_to_check(app, client):
        with client.get(path) as response:
            if response.mimetype == "text/html":
                assert_clean_html(response)


def _token_in(html: str) -> str:
    match = re.search(r'href="[^"]*/R/(1[A-Z2-7]+)"', html)
    assert match, "no result link on the page"
    return match.group(1)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("param", CHECK_PARAMS)
def test_injection_in_every_page_parameter_is_escaped(client, param, attack):
    """The attack lands in the answer, the form's error re-rendering, and, for free-text fields
    that a token carries (model, brand, serial), in the result page the QR code opens."""
    query = {"wh": "50", param: attack}
    response = client.get("/check", query_string=query)
    assert response.status_code in (200, 400)
    assert_clean_html(response, attack)
    if response.status_code == 400:
        return
    token = _token_in(response.get_data(as_text=True))
    for path in (f"/r/{token}", f"/R/{token}"):
        page = client.get(path)
        assert page.status_code == 200
        assert_clean_html(page, attack)
        assert "&lt;" in page.get_data(as_text=True) or "<" not in attack
    svg = client.get(f"/r/{token}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert attack not in svg.get_data(as_text=True)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("param", CHECK_PARAMS)
def test_injection_in_every_api_parameter_stays_data(client, param, attack):
    """The API answers JSON (never HTML a browser would render: nosniff), with free text kept
    exactly as given and any refusal naming the parameter."""
    response = client.get("/api/v1/check", query_string={"wh": "50", param: attack})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype in ("application/json", "application/problem+json")
    body = response.get_json()
    if response.status_code == 400:
        assert body["param"] == param
    else:
        assert response.status_code == 200
        assert body["device"][param] == attack


@pytest.mark.parametrize("attack", ATTACKS)
def test_injection_in_parameter_names_and_tokens_is_escaped(client, attack):
    page = client.get("/check", query_string={attack: "1"})
    assert page.status_code == 400
    assert_clean_html(page, attack)
    api = client.get("/api/v1/check", query_string={attack: "1"})
    assert api.status_code == 400 and api.mimetype == "application/problem+json"
    for path in (f"/r/{attack}", f"/r/1{attack}AAAAAAAAAAAAAAAAAAAA"):
        response = client.get(path)
        assert response.status_code in (400, 404)
        assert_clean_html(response, attack)
