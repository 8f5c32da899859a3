"""Rate limits (compliance.api.ratelimit, on the limits library): the API per address and per key,
the pages that write a manual code, off in tests unless set, on in production, and counted in
process while the shared store is down."""

import pytest

from compliance import create_app
from tests.helpers import TEST_SECRET, make_app

CHECK_PAGE = "/check?wh=50&airline=EK&origin=DXB&destination=LHR"


def test_limits_are_off_in_tests_by_default_and_on_in_production(built_db, monkeypatch):
    client = make_app(built_db).test_client()
    assert all(client.get("/api/v1/check?wh=50").status_code == 200 for _ in range(5))
    for name in ("FLASK_API_RATE_LIMIT", "FLASK_PAGE_RATE_LIMIT", "FLASK_PUBLIC_BASE_URL",
                 "FLASK_RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    production = create_app({"SECRET_KEY": TEST_SECRET, "DATABASE": str(built_db),
                             "DATA_AUTO_BUILD": False,
                             "PUBLIC_BASE_URL": "https://check.example.org"})
    assert production.config["API_RATE_LIMIT"] == "300/minute"
    assert production.config["PAGE_RATE_LIMIT"] == "120/minute"
    assert production.config["RATELIMIT_STORAGE_URI"] == "memory://"
    answer = production.test_client().get("/api/v1/check?wh=50",
                                          base_url="https://check.example.org")
    assert answer.headers["RateLimit-Limit"] == "300"
    assert answer.headers["RateLimit-Remaining"] == "299"


def test_429_after_the_limit_with_retry_after(built_db):
    client = make_app(built_db, API_RATE_LIMIT="3/minute").test_client()
    answers = [client.get("/api/v1/airlines?limit=1") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    refused = client.get("/api/v1/check?wh=50")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["type"].endswith("#problem-too-many-requests") and body["status"] == 429
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 60 and body["retry_after"] == retry
    assert "3 API requests per minute" in body["detail"]
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert client.options("/api/v1/check").status_code == 200
    assert client.get("/developers").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_limits_are_per_client_address(built_db):
    client = make_app(built_db, API_RATE_LIMIT="2/minute").test_client()
    for _ in range(2):
        assert client.get("/api/v1/rules?limit=1").status_code == 200
    assert client.get("/api/v1/rules?limit=1").status_code == 429
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/api/v1/rules?limit=1", environ_base=other).status_code == 200


def test_an_api_key_raises_the_limit_and_a_wrong_key_is_refused(built_db):
    app = make_app(built_db, API_RATE_LIMIT="2/minute", API_KEY_RATE_LIMIT="5/minute",
                   API_KEYS=["partner-key-1"])
    client = app.test_client()
    keyed = {"X-API-Key": "partner-key-1"}
    statuses = [client.get("/api/v1/airlines?limit=1", headers=keyed).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert client.get("/api/v1/airlines?limit=1").status_code == 200
    wrong = client.get("/api/v1/airlines", headers={"X-API-Key": "partner-key-2"})
    assert wrong.status_code == 401
    assert wrong.get_json()["type"].endswith("#problem-invalid-api-key")


def test_api_keys_from_the_environment_as_a_json_list(built_db, monkeypatch):
    monkeypatch.setenv("FLASK_API_KEYS", '["env-key-a", "env-key-b"]')
    client = make_app(built_db, API_RATE_LIMIT="1/minute",
                      API_KEY_RATE_LIMIT="10/minute").test_client()
    assert client.get("/api/v1/rules?limit=1").status_code == 200
    assert client.get("/api/v1/rules?limit=1").status_code == 429
    assert client.get("/api/v1/rules?limit=1",
                      headers={"X-API-Key": "env-key-b"}).status_code == 200


def test_pages_that_write_are_limited_and_reading_pages_are_not(built_db, tmp_path):
    client = make_app(built_db, PAGE_RATE_LIMIT="2/minute",
                      RESULT_CODES_DATABASE=str(tmp_path / "codes.sqlite")).test_client()
    first = client.get(CHECK_PAGE)
    assert first.status_code == 200 and first.headers["RateLimit-Remaining"] == "1"
    assert client.get(CHECK_PAGE.replace("wh=50", "wh=60")).status_code == 200
    refused = client.get(CHECK_PAGE.replace("wh=50", "wh=70"))
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    retry = int(refused.headers["Retry-After"])
    assert 1 <= retry <= 60
    assert f"Try again in {retry} seconds" in refused.get_data(as_text=True)
    for path in ("/", "/v", "/developers", "/healthz", "/api/v1/check?wh=50"):
        assert client.get(path).status_code == 200, path
    assert client.get(CHECK_PAGE, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 200


@pytest.mark.parametrize("text", ["60", "60/fortnight", "a/minute"])
def test_bad_limit_settings_are_refused(built_db, text):
    with pytest.raises(ValueError, match="API_RATE_LIMIT"):
        make_app(built_db, API_RATE_LIMIT=text)


@pytest.mark.parametrize("storage, says", [
    ("memory://", "kept by each server process"),
    ("redis://127.0.0.1:1/0", "shared by every instance"),
])
def test_the_developers_page_says_where_limits_are_counted(built_db, storage, says):
    app = make_app(built_db, API_RATE_LIMIT="60/minute", RATELIMIT_STORAGE_URI=storage)
    html = app.test_client().get("/developers").get_data(as_text=True)
    assert says in html


def test_a_store_that_cannot_be_reached_counts_in_process_and_is_logged(built_db, caplog):
    """Nothing listens on port 1: the limits still hold, counted by this process, and the
    checker keeps answering."""
    app = make_app(built_db, API_RATE_LIMIT="2/minute",
                   RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    statuses = [client.get("/api/v1/rules?limit=1").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "rate limit store unreachable" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_without_the_fallback_an_unreachable_store_lets_requests_through(built_db):
    app = make_app(built_db, API_RATE_LIMIT="1/minute",
                   RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                   RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False)
    client = app.test_client()
    assert [client.get("/api/v1/rules?limit=1").status_code for _ in range(3)] == [200] * 3
