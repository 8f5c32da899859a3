"""Many instances on real servers: redis-server, two gunicorn instances behind nginx sharing one
rate limit and one code store, codes that expire, and slow clients that nginx absorbs."""

import json
import re
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from bench.servers import (
    PROXY_SETTINGS,
    Gunicorn,
    Nginx,
    Redis,
    healthz_latencies,
    hold_slow_clients,
)
from compliance.results import tokens

from tests.helpers import ROOT

pytestmark = pytest.mark.server

SECRET = "scale-test-secret"
CHECK_PAGE = "/check?wh={wh}&airline=EK&origin=DXB&destination=LHR"
HEALTHZ_BUDGET_S = 1.0


@pytest.fixture
def redis_server(tmp_path):
    assert shutil.which("redis-server"), "redis-server is not installed: ./run test installs it"
    with Redis(tmp_path / "redis") as server:
        yield server


def shared_env(redis_server, **extra) -> dict:
    return {
        "FLASK_REDIS_URL": redis_server.url,
        "FLASK_RATELIMIT_STORAGE_URI": redis_server.url,
        "FLASK_TRUSTED_PROXY_HOPS": "1",
        **extra,
    }


def get(url: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_without_redirect(url: str) -> int:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def token_of_page(html: bytes) -> str:
    return re.search(rb'href="[^"]*/R/([0-9A-Z]+)', html).group(1).decode()


def test_two_instances_share_one_rate_limit_and_one_code_store(built_db, tmp_path,
                                                               redis_server):
    env = shared_env(redis_server, FLASK_API_RATE_LIMIT="10/minute")
    with Gunicorn(built_db, SECRET, workers=2, env=env) as one, \
            Gunicorn(built_db, SECRET, workers=2, env=env) as two, \
            Nginx(tmp_path / "nginx", [f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"]) \
            as balancer:
        # One limit for both instances (and all four workers): 10 API requests, then 429.
        answers = [get(balancer.url + "/api/v1/airlines?limit=1") for _ in range(14)]
        statuses = [a[0] for a in answers]
        upstreams = {a[1].get("X-Upstream") for a in answers}
        assert upstreams == {f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"}
        assert statuses == [200] * 10 + [429] * 4, statuses
        assert [int(a[1]["RateLimit-Remaining"]) for a in answers[:10]] == list(range(9, -1, -1))
        assert 1 <= int(answers[-1][1]["Retry-After"]) <= 60
        refused = json.loads(answers[-1][2])
        assert refused["type"].endswith("#problem-too-many-requests")

        # A code issued on one instance resolves on the other.
        status, _headers, page = get(one.url + CHECK_PAGE.format(wh=20))
        assert status == 200
        token = token_of_page(page)
        code = tokens.manual_code(token, SECRET)
        assert f"{code[:4]}-{code[4:]}".encode() in page
        assert status_without_redirect(f"{two.url}/v?code={code}") == 303
        status, _headers, page = get(f"{two.url}/v?code={code}")
        assert status == 200 and b"Signature verified" in page
        assert status_without_redirect(f"{balancer.url}/v?code={code}") == 303


def test_codes_expire_in_redis(built_db, tmp_path, redis_server):
    env = shared_env(redis_server, FLASK_RESULT_CODES_TTL_DAYS=str(3 / 86400))
    with Gunicorn(built_db, SECRET, workers=1, env=env) as one, \
            Gunicorn(built_db, SECRET, workers=1, env=env) as two:
        status, _headers, page = get(one.url + CHECK_PAGE.format(wh=30))
        assert status == 200
        code = tokens.manual_code(token_of_page(page), SECRET)
        assert status_without_redirect(f"{two.url}/v?code={code}") == 303
        time.sleep(4)
        assert status_without_redirect(f"{two.url}/v?code={code}") == 404
        assert status_without_redirect(f"{one.url}/v?code={code}") == 404


def test_sqlite_codes_written_in_batches_resolve_on_every_worker(built_db, tmp_path):
    """Without Redis, a first view writes nothing at once; the batch reaches the shared file
    within the flush interval, and a worker stopped at once still writes its batch."""
    codes_file = tmp_path / "db" / "codes.sqlite"
    codes_file.parent.mkdir()
    env = {"FLASK_RESULT_CODES_DATABASE": str(codes_file),
           "FLASK_RESULT_CODES_FLUSH_SECONDS": "0.3"}
    with Gunicorn(built_db, SECRET, workers=2, env=env) as server:
        tokens_seen = []
        for wh in range(40, 60):
            status, _headers, page = get(server.url + CHECK_PAGE.format(wh=wh))
            assert status == 200
            tokens_seen.append(token_of_page(page))
        time.sleep(1)
        for token in tokens_seen[:5]:
            code = tokens.manual_code(token, SECRET)
            assert status_without_redirect(f"{server.url}/v?code={code}") == 303
    env["FLASK_RESULT_CODES_FLUSH_SECONDS"] = "3600"
    with Gunicorn(built_db, SECRET, workers=1, env=env) as server:
        status, _headers, page = get(server.url + CHECK_PAGE.format(wh=77))
        late = tokens.manual_code(token_of_page(page), SECRET)
    import sqlite3

    with sqlite3.connect(codes_file) as conn:
        stored = {row[0] for row in conn.execute("select code from result_codes")}
    assert {tokens.manual_code(t, SECRET) for t in tokens_seen} <= stored
    assert late in stored, "a worker's buffered codes are written when it stops"


def test_64_slow_clients_through_nginx_leave_healthz_answering(built_db, tmp_path):
    with Gunicorn(built_db, SECRET, workers=2) as server, \
            Nginx(tmp_path / "nginx", [f"127.0.0.1:{server.port}"]) as balancer:
        stop, clients = hold_slow_clients(balancer.port, 64)
        try:
            latencies = healthz_latencies(balancer.url, 4, timeout=HEALTHZ_BUDGET_S)
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=5)
        assert latencies and None not in latencies, latencies
        worst = max(latencies)
        print(f"\n64 slow clients through nginx: {len(latencies)} /healthz answers, "
              f"worst {worst * 1000:.1f} ms")
        assert worst < HEALTHZ_BUDGET_S


def test_without_nginx_two_slow_clients_stall_a_two_worker_instance(built_db, tmp_path):
    """What the README warns about: a bare sync gunicorn is held by slow senders."""
    with Gunicorn(built_db, SECRET, workers=2) as server:
        stop, clients = hold_slow_clients(server.port, 2)
        try:
            time.sleep(0.3)
            latencies = healthz_latencies(server.url, 2, timeout=HEALTHZ_BUDGET_S)
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=5)
        assert None in latencies, "bare gunicorn answered despite two slow clients"


def test_nginx_refuses_oversized_requests_with_security_headers(built_db, tmp_path):
    with Gunicorn(built_db, SECRET, workers=1) as server, \
            Nginx(tmp_path / "nginx", [f"127.0.0.1:{server.port}"]) as balancer:
        long_line = balancer.url + "/api/v1/check?model=" + "A" * 6000
        status, headers, body = get(long_line)
        assert status == 414
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert json.loads(body)["status"] == 414
        request = urllib.request.Request(balancer.url + "/healthz",
                                         headers={"X-Big": "b" * 6000})
        try:
            urllib.request.urlopen(request, timeout=10)
            status, headers = 200, {}
        except urllib.error.HTTPError as error:
            status, headers = error.code, dict(error.headers)
        assert status == 400
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_chunked_body_over_the_limit_is_413_through_gunicorn(built_db):
    with Gunicorn(built_db, SECRET, workers=1) as server:
        body = b'{"device": {"wh": 20}, "legs": [{}]' + b" " * (70 * 1024) + b"}"
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            conn.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                         b"Connection: close\r\n\r\n")
            for start in range(0, len(body), 8192):
                chunk = body[start:start + 8192]
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.sendall(b"0\r\n\r\n")
            answer = b""
            while True:
                try:
                    data = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not data:
                    break
                answer += data
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer


def test_gunicorn_believes_forwarded_proto_only_with_trusted_hops(built_db):
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    with Gunicorn(built_db, SECRET, workers=1) as server:
        request = urllib.request.Request(server.url + "/healthz", headers=forged)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert "Strict-Transport-Security" not in response.headers
        request = urllib.request.Request(
            server.url + "/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR",
            headers=forged)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["result_url"].startswith("HTTP://127.0.0.1:")


def test_the_deployed_nginx_config_has_the_tested_settings():
    deployed = (ROOT / "deploy" / "nginx.conf").read_text()
    for line in PROXY_SETTINGS.strip().splitlines():
        assert line.strip() in deployed, line
    assert Path(ROOT / "deploy" / "security_headers.conf").exists()
