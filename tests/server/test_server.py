"""Real servers on loopback: gunicorn workers through a data rebuild, a short load test, and two
instances behind nginx sharing one secret and one data artifact."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.servers import Gunicorn, Nginx, http_get, run_wrk
from bench.workload import Inputs, load_mix
from compliance.data.build import build_database
from compliance.data.dataset import load_dataset

from tests.helpers import ROOT

pytestmark = pytest.mark.server

SECRET = "server-test-secret"
CHECK = "/api/v1/check?model=A1263&airline=EK&origin=DXB&destination=LHR"


class Hammer(threading.Thread):
    """Sends API checks back to back and records (start, end, status, data_version|error)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.results, self.stopping = url, [], threading.Event()

    def run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                status, body = http_get(self.url + CHECK, timeout=10)
                outcome = json.loads(body).get("data_version") if status == 200 else body[:200]
            except Exception as error:  # every failure counts, whatever its kind
                status, outcome = None, repr(error)
            self.results.append((started, time.monotonic(), status, outcome))

    def stop(self):
        self.stopping.set()
        self.join(timeout=20)

    def failures(self):
        return [r for r in self.results if r[2] != 200]

    def versions_since(self, moment: float) -> set:
        return {r[3] for r in self.results if r[0] > moment}


def flask_data_build(data_dir: Path, db_path: Path) -> subprocess.CompletedProcess:
    """The documented rebuild: ``flask --app app data build``, as a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(FLASK_DATA_DIR=str(data_dir), FLASK_DATABASE=str(db_path))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "data", "build"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def reformat_json(path: Path) -> None:
    """Rewrite a data file with other whitespace: the same records, a new source hash, hence a
    new data version (no record is changed or invented)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def wait_for_requests(hammer: Hammer, count: int, timeout: float = 30):
    target = len(hammer.results) + count
    deadline = time.monotonic() + timeout
    while len(hammer.results) < target and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(hammer.results) >= target, "the hammer stalled"


def test_rebuild_under_load_swaps_atomically_and_a_failed_build_keeps_serving(
        tmp_path, data_copy):
    db_path = tmp_path / "db" / "compliance.sqlite"
    old_version = build_database(data_copy, db_path).data_version
    with Gunicorn(db_path, SECRET, workers=2) as server:
        hammer = Hammer(server.url)
        hammer.start()
        try:
            wait_for_requests(hammer, 30)
            reformat_json(data_copy / "rules.json")
            built = flask_data_build(data_copy, db_path)
            assert built.returncode == 0, built.stdout + built.stderr
            rebuilt_at = time.monotonic()
            new_version = load_dataset(db_path).version
            assert new_version != old_version
            wait_for_requests(hammer, 60)

            assert hammer.failures() == []
            assert {r[3] for r in hammer.results} == {old_version, new_version}
            assert hammer.versions_since(rebuilt_at) == {new_version}

            stamp = db_path.stat()
            (data_copy / "recalls.json").write_text('[{"recall_id": "broken"', encoding="utf-8")
            failed = flask_data_build(data_copy, db_path)
            failed_at = time.monotonic()
            assert failed.returncode != 0
            assert "data/recalls.json" in failed.stdout + failed.stderr
            wait_for_requests(hammer, 60)
        finally:
            hammer.stop()
        assert hammer.failures() == []
        assert hammer.versions_since(failed_at) == {new_version}
        after = db_path.stat()
        assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)
        assert sorted(p.name for p in db_path.parent.iterdir()
                      if p.name.startswith(db_path.name + ".")) == []
        print(f"\n{len(hammer.results)} checks during two rebuilds, 0 failures; "
              f"{old_version} -> {new_version}, failed build kept {new_version}")


def test_short_load_has_no_server_errors(built_db, tmp_path):
    """A 5-second version of the benchmark's load test (./run bench --load runs 60 s)."""
    assert shutil.which("wrk"), "wrk is not installed: ./run test installs it"
    inputs = Inputs(load_dataset(built_db), seed=11)
    with Gunicorn(built_db, SECRET, workers=2) as server:
        result_paths = []
        for query in inputs.distinct_check_queries(20):
            status, body = http_get(f"{server.url}/api/v1/check?{query}")
            assert status == 200, body
            result_paths.append("/" + json.loads(body)["result_url"].split("/", 3)[3])
        paths = load_mix(inputs, result_paths, 3000)
        figures = run_wrk(server.url, paths, tmp_path, seconds=5, connections=64)
    print(f"\n5 s at 64 connections: {figures['requests']} requests ({figures['rps']:.0f}/s), "
          f"2xx {figures['s2xx']}, 4xx {figures['s4xx']}, 5xx {figures['s5xx']}, "
          f"connection errors {figures['connection_errors']}, p99 {figures['p99_ms']:.0f} ms")
    assert figures["requests"] > 200
    assert figures["s2xx"] > 0 and figures["s4xx"] > 0, "the mix must hold valid and invalid"
    assert figures["s5xx"] == 0
    assert figures["connection_errors"] == 0


def _token(body: bytes) -> str:
    return json.loads(body)["result_url"].rsplit("/", 1)[1]


def test_two_instances_behind_nginx_share_tokens(built_db, tmp_path):
    """Same secret and data artifact: a token issued by one instance verifies on the other and
    through the load balancer; an instance with another secret refuses it."""
    assert Path("/usr/sbin/nginx").exists(), "nginx is not installed: ./run test installs it"
    with Gunicorn(built_db, SECRET, workers=1) as one, \
            Gunicorn(built_db, SECRET, workers=1) as two, \
            Gunicorn(built_db, "another-secret", workers=1) as stranger, \
            Nginx(tmp_path / "nginx", [f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"]) \
            as balancer:
        status, body = http_get(one.url + CHECK)
        assert status == 200
        token = _token(body)
        assert json.loads(body)["result_url"] == f"HTTP://127.0.0.1:{one.port}/R/{token}"

        status, page = http_get(f"{two.url}/r/{token}")
        assert status == 200
        assert json.loads(http_get(two.url + "/healthz")[1])["data_version"].encode() in page

        upstreams = set()
        for _ in range(6):
            import urllib.request

            with urllib.request.urlopen(f"{balancer.url}/R/{token}", timeout=10) as response:
                assert response.status == 200
                upstreams.add(response.headers["X-Upstream"])
        assert upstreams == {f"127.0.0.1:{one.port}", f"127.0.0.1:{two.port}"}
        assert http_get(f"{balancer.url}/r/{token}/qr.svg")[0] == 200

        status, body = http_get(balancer.url + CHECK)
        assert status == 200
        via_balancer = _token(body)
        assert json.loads(body)["result_url"].startswith(f"HTTP://127.0.0.1:{balancer.port}/R/")
        assert http_get(f"{one.url}/r/{via_balancer}")[0] == 200
        assert http_get(f"{two.url}/r/{via_balancer}")[0] == 200

        assert http_get(f"{stranger.url}/r/{token}")[0] == 400
        foreign = _token(http_get(stranger.url + CHECK)[1])
        assert http_get(f"{balancer.url}/r/{foreign}")[0] == 400
        assert http_get(f"{one.url}/r/{foreign}")[0] == 400
