"""The OpenAPI document is the API's contract: it lists exactly the routes the app serves, and
the app's real answers to many generated requests (hostile ones included) fit its schemas."""

import json
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from compliance.api.openapi import SPEC
from compliance.web.problems import PROBLEM_TYPES
from tests.helpers import ROOT, make_app

SPEC_URI = "urn:powerbank-check:openapi"
REGISTRY = Registry().with_resource(
    SPEC_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012))
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def pointer(*parts) -> str:
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validator(*parts) -> Draft202012Validator:
    """A validator for the schema at ``parts`` inside the spec, its $refs resolved there."""
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/{pointer(*parts)}"}, registry=REGISTRY)


def operations():
    return [(path, method, op) for path, methods in SPEC["paths"].items()
            for method, op in methods.items()]


@pytest.fixture(scope="module")
def api(built_db):
    return make_app(built_db).test_client()


@pytest.fixture(scope="module")
def tokens(api):
    """Genuine result tokens, for routes that take one in the path."""
    found = []
    for query in ["wh=50", "model=A1366&wh=74&airline=LH&origin=FRA&destination=JFK",
                  "mah=30000&v=3.7&count=2"]:
        found.append(api.get("/api/v1/check?" + query).get_json()["result_url"].split("/R/")[1])
    return found


def fill_path(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


# --- The spec and the routes ------------------------------------------------------------------


def test_spec_lists_exactly_the_api_routes(app):
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            served |= {(path, method) for method in rule.methods & METHODS}
    documented = {(path, method.upper()) for path, method, _op in operations()}
    assert served, "no /api/v1 routes found"
    assert served - documented == set(), "routes missing from the spec"
    assert documented - served == set(), "spec lists routes the app does not serve"


def test_spec_schemas_are_valid_json_schema_and_every_ref_resolves():
    for name, schema in SPEC["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    resolver = REGISTRY.resolver(base_uri=SPEC_URI)
    found = list(refs(SPEC))
    assert found
    for ref in found:
        resolver.lookup(ref)


def test_every_operation_documents_its_errors():
    for path, method, op in operations():
        assert op["operationId"] and op["summary"], path
        for status in ("200", "400", "429"):
            assert status in op["responses"], (path, method, status)
        for parameter in op.get("parameters", []):
            assert parameter["description"] and parameter["schema"], (path, parameter)


def test_openapi_json_is_served_with_this_servers_url(client):
    response = client.get("/api/openapi.json", base_url="https://check.example.org")
    body = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert body["openapi"].startswith("3.1")
    assert body["servers"] == [{"url": "https://check.example.org"}]
    assert {k: v for k, v in body.items() if k != "servers"} == json.loads(json.dumps(
        {k: v for k, v in SPEC.items() if k != "servers"}))


def test_docs_page_shows_every_operation_schema_and_parameter(client):
    response = client.get("/api/docs")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    for path, _method, op in operations():
        assert f'id="op-{op["operationId"]}"' in html
        for parameter in op.get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in html
    for name in SPEC["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "<script" not in html and "style=" not in html
    assert "fields may be added" in html


@pytest.mark.parametrize("path, method, op", [o for o in operations() if o[1] == "get"],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_documented_parameter_is_accepted(api, tokens, path, method, op):
    url = fill_path(path, {"token": tokens[0]})
    query_parameters = [p for p in op["parameters"] if p["in"] == "query"]
    required = {p["name"]: p["example"] for p in query_parameters if p.get("required")}
    response = api.get(url, query_string=required)
    assert response.status_code == 200, response.get_json()
    for parameter in query_parameters:
        if "example" not in parameter:
            continue
        query = {**required, parameter["name"]: _query_value(parameter["example"])}
        if parameter["name"] == "v":
            query["mah"] = 10000
        response = api.get(url, query_string=query)
        assert response.status_code == 200, (parameter["name"], response.get_json())


def _query_value(example):
    return str(example).lower() if isinstance(example, bool) else example


def test_problem_types_link_to_the_developers_page(client):
    html = client.get("/developers").get_data(as_text=True)
    for slug in PROBLEM_TYPES:
        assert f'id="problem-{slug}"' in html
    assert client.get("/api/v1/nope").get_json()["type"] == "/developers#problem-not-found"


# --- Generated requests -----------------------------------------------------------------------

HOSTILE = [
    "", " ", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "a\u2028b", "../../etc/passwd",
    "%00", "A" * 5000, "😀", "９９", "NaN", "-0", "1e309", "0x10", "ＡＮＫＥＲ Ａ１２６３",
    "null", "true", "[]", "{}", "\t\n", "🇨🇳", "2026-02-29", "0000-00-00", "99999999999999999999",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


def value_strategy(schema: dict):
    """Plausible values for a query parameter, mixed with junk and hostile strings."""
    plausible = []
    if "enum" in schema:
        plausible.append(st.sampled_from([str(v) for v in schema["enum"]]))
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema.get("minimum", -10), schema.get("maximum", 10**6)
        plausible.append(st.integers(low - 2, high + 2).map(str))
    if kind == "number":
        plausible.append(st.floats(allow_nan=True, allow_infinity=True).map(str))
        plausible.append(st.floats(0, 200).map(lambda x: f"{x:.2f}"))
    if kind == "boolean":
        plausible.append(st.sampled_from(["true", "false", "1", "0", "yes", "no", "maybe"]))
    if schema.get("format") == "date":
        plausible.append(st.dates().map(lambda d: d.isoformat()))
    if "pattern" in schema and kind == "string":
        plausible.append(st.from_regex(schema["pattern"], fullmatch=True))
    plausible.append(st.text(alphabet=string.ascii_letters + string.digits + "- .",
                             max_size=12))
    return st.one_of(*plausible, TEXT, st.sampled_from(HOSTILE))


def query_strategy(op: dict):
    optional = {p["name"]: value_strategy(p["schema"]) for p in op.get("parameters", [])
                if p["in"] == "query"}
    known = st.fixed_dictionaries({}, optional=optional)
    unknown = st.dictionaries(st.sampled_from(["colour", "x", "Q", "limit ", "__proto__"]),
                              TEXT, max_size=1)
    return st.tuples(known, st.one_of(st.just({}), unknown)).map(lambda t: {**t[0], **t[1]})


def check_against_spec(response, path: str, method: str, op: dict) -> None:
    status = str(response.status_code)
    assert response.status_code != 500, response.get_data(as_text=True)[:500]
    assert status in op["responses"], (status, response.get_data(as_text=True)[:300])
    documented = op["responses"][status]
    if "content" not in documented:
        return
    media = next(iter(documented["content"]))
    assert response.mimetype == media, (status, response.mimetype)
    body = response.get_json()
    errors = sorted(validator("paths", path, method, "responses", status, "content", media,
                              "schema").iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("path, method, op", [o for o in operations() if o[1] == "get"],
                         ids=lambda value: value if isinstance(value, str) else "")
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_generated_get_requests_get_answers_that_fit_the_spec(api, tokens, path, method, op,
                                                             data):
    query = data.draw(query_strategy(op), label="query")
    token = data.draw(st.one_of(
        st.sampled_from(tokens),
        st.sampled_from(tokens).map(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B")),
        st.sampled_from(tokens).map(str.lower),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=1, max_size=60),
        TEXT, st.sampled_from(HOSTILE),
    ).filter(lambda t: t.strip(" ./\t\n") and "/" not in t and "\\" not in t), label="token")
    response = api.get(fill_path(path, {"token": token}), query_string=query)
    check_against_spec(response, path, method, op)


POST_OP = SPEC["paths"]["/api/v1/check"]["post"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


def field_values(schema: dict):
    return st.one_of(value_strategy(schema), JSON_VALUES,
                     st.floats(0.1, 300), st.integers(-5, 60), st.booleans(), st.none())


def _props(name: str) -> dict:
    return SPEC["components"]["schemas"][name]["properties"]


DEVICE = st.fixed_dictionaries({}, optional={k: field_values(v)
                                             for k, v in _props("DeviceInput").items()})
LEG = st.fixed_dictionaries({}, optional={k: field_values(v)
                                          for k, v in _props("LegInput").items()})
PLAUSIBLE_LEG = st.fixed_dictionaries({}, optional={
    "airline": st.sampled_from(["EK", "CA", "LH", "KE", "MU", "QF", "ek", None]),
    "origin": st.sampled_from(["DXB", "PEK", "SHA", "CAN", "FRA", "ICN", "JFK", "LHR", None]),
    "destination": st.sampled_from(["PVG", "HKG", "NRT", "SYD", "lhr", None]),
    "date": st.dates().map(lambda d: d.isoformat()),
})
BODIES = st.one_of(
    st.fixed_dictionaries({"device": DEVICE,
                           "legs": st.lists(st.one_of(LEG, PLAUSIBLE_LEG), max_size=10)}),
    st.fixed_dictionaries({"device": st.fixed_dictionaries({}, optional={
        "model": st.sampled_from(["A1263", "anker a-1263", "A1366", "PB-1", None]),
        "wh": st.floats(1, 200), "mah": st.integers(1000, 40000), "count": st.integers(1, 4),
        "ccc": st.booleans(), "unlabelled": st.booleans()}),
        "legs": st.lists(PLAUSIBLE_LEG, min_size=1, max_size=8)}),
    JSON_VALUES,
)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, raw=st.one_of(st.none(), st.binary(max_size=64)))
def test_generated_itineraries_get_answers_that_fit_the_spec(api, body, raw):
    if raw is not None:
        response = api.post("/api/v1/check", data=raw, content_type="application/json")
    else:
        response = api.post("/api/v1/check", json=body)
    check_against_spec(response, "/api/v1/check", "post", POST_OP)


def test_every_problem_type_the_code_sends_is_documented():
    """Each slug passed to problems.problem() anywhere in the app is in PROBLEM_TYPES (and so
    on /developers), found by reading the source, not by listing them again here."""
    import ast

    sent = set()
    for path in (ROOT / "compliance").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "problem"
                    and len(node.args) >= 4 and isinstance(node.args[3], ast.Constant)):
                sent.add(node.args[3].value)
    assert "invalid-host" in sent and "invalid-parameter" in sent
    assert sent <= set(PROBLEM_TYPES), sent - set(PROBLEM_TYPES)
