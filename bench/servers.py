"""Real server processes on loopback for the benchmark and the server tests: gunicorn with the
repository's config file, nginx in front of several instances, wrk to load them, and slow
(slowloris) clients to hold connections open.

Everything binds 127.0.0.1 and lives in a temporary directory; every process started here is
stopped by the object that started it (by its own pid, never by name).
"""

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
NGINX = "/usr/sbin/nginx"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """(status, body) of a GET, 4xx and 5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py`` on an ephemeral loopback port, over ``db_path``."""

    def __init__(self, db_path: Path, secret: str, workers: int = 2, env: dict | None = None):
        self.db_path, self.secret, self.workers = Path(db_path), secret, workers
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.log: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN"))}
        env.update(
            FLASK_SECRET_KEY=self.secret,
            FLASK_DATABASE=str(self.db_path),
            FLASK_DATA_AUTO_BUILD="false",
            # All load comes from one address: the per-client limits would answer 429.
            FLASK_API_RATE_LIMIT="100000000/second",
            FLASK_PAGE_RATE_LIMIT="100000000/second",
            FLASK_RESULT_CODES_PER_CLIENT_PER_MINUTE="1000000000",
            FLASK_RESULT_CODES_DATABASE=str(self.db_path.parent / "result_codes.sqlite"),
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30) -> "Gunicorn":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG),
             "-b", "127.0.0.1:0", "-w", str(self.workers)],
            cwd=ROOT, env=self.environment(), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )
        listening = threading.Event()

        def read_log():
            for line in self.process.stderr:
                self.log.append(line.rstrip("\n"))
                match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    listening.set()

        self._reader = threading.Thread(target=read_log, daemon=True)
        self._reader.start()
        wait_until(lambda: listening.is_set() or self.process.poll() is not None, timeout,
                   "gunicorn to listen")
        if self.port is None:
            self.stop()
            raise RuntimeError("gunicorn did not start:\n" + "\n".join(self.log[-30:]))
        wait_until(lambda: len(self.worker_pids()) == self.workers, timeout,
                   "the workers to boot")
        wait_until(lambda: http_get(self.url + "/healthz")[0] == 200, timeout, "/healthz")
        return self

    def worker_pids(self) -> list[int]:
        """Children of the master, read from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """User plus system CPU time used so far by all workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def memory(self) -> list[dict]:
        """Resident (RSS) and proportional (PSS: shared pages divided among the processes
        sharing them) size of each worker, in MB."""
        sizes = []
        for pid in self.worker_pids():
            rss = _proc_kb(f"/proc/{pid}/status", "VmRSS")
            pss = _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss")
            sizes.append({"pid": pid, "rss_mb": rss / 1024, "pss_mb": pss / 1024})
        return sizes

    def stop(self) -> None:
        _terminate(self.process, signal.SIGTERM, 20)
        if self.process:
            self._reader.join(timeout=5)
            self.process.stderr.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _terminate(process: subprocess.Popen | None, sig: int, timeout: float) -> None:
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _proc_kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


#: What deploy/nginx.conf sets for slow and oversized clients (tests/server/test_scale.py checks that
#: both say the same): whole requests are buffered before gunicorn sees them, slow senders
#: are dropped, and request lines or headers longer than gunicorn accepts are refused here.
PROXY_SETTINGS = """\
    client_max_body_size 64k;
    client_body_buffer_size 64k;
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 10s;
    keepalive_timeout 15s;
    large_client_header_buffers 4 4k;
    proxy_request_buffering on;
    proxy_buffering on;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout 2s;
    proxy_read_timeout 30s;
    proxy_next_upstream error timeout http_502 http_503;
"""

#: nginx's own refusals (oversized request line or headers, bad requests) carry the same
#: security headers as the app's answers, and a JSON problem body.
ERROR_PAGES = """\
        error_page 400 494 /_nginx/400;
        error_page 413 /_nginx/413;
        error_page 414 /_nginx/414;
        location = /_nginx/400 {
            internal;
            include security_headers.conf;
            return 400 '{"type": "/developers#problem-bad-request", "title": "Bad Request", "status": 400, "detail": "The request line or a header is malformed or too long (at most 4 KB each)."}\\n';
        }
        location = /_nginx/414 {
            internal;
            include security_headers.conf;
            return 414 '{"type": "/developers#problem-uri-too-long", "title": "URI Too Long", "status": 414, "detail": "The request line is longer than 4 KB."}\\n';
        }
        location = /_nginx/413 {
            internal;
            include security_headers.conf;
            return 413 '{"type": "/developers#problem-request-entity-too-large", "title": "Request Entity Too Large", "status": 413, "detail": "Request bodies are at most 64 KB."}\\n';
        }
"""

SECURITY_HEADERS = """\
default_type application/problem+json;
add_header Content-Security-Policy "default-src 'none'; base-uri 'none'; frame-ancestors 'none'" always;
add_header X-Content-Type-Options nosniff always;
add_header Referrer-Policy strict-origin-when-cross-origin always;
add_header Cross-Origin-Opener-Policy same-origin always;
"""


class _Server:
    """A server process started by ``start()``, stopped by ``stop_signal``, usable in ``with``."""

    stop_signal = signal.SIGTERM
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        _terminate(self.process, self.stop_signal, 10)
        if self.process:
            self.process.stderr.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Redis(_Server):
    """``redis-server`` as the current user on a free loopback port, data in ``directory``
    (no snapshots, no append-only file: the tests need a store, not durability)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> "Redis":
        import shutil

        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--save", "", "--appendonly", "no", "--daemonize", "no",
             "--protected-mode", "yes", "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def answering():
            if self.process.poll() is not None:
                raise RuntimeError("redis-server exited: " + self.process.stderr.read())
            return self.ping()

        wait_until(answering, timeout, "redis-server")
        return self

    def ping(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class Nginx(_Server):
    """nginx as the current user, prefix and logs in ``directory``, balancing ``upstreams``."""

    def __init__(self, directory: Path, upstreams: list[str]):
        self.directory = Path(directory)
        self.upstreams = upstreams
        self.port = _free_port()
        self.worker_connections = 1024
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        servers = "\n".join(f"        server {u};" for u in self.upstreams)
        d = self.directory
        return f"""
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections {self.worker_connections}; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{PROXY_SETTINGS}
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
{ERROR_PAGES}
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""

    def start(self, timeout: float = 15) -> "Nginx":
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        (self.directory / "security_headers.conf").write_text(SECURITY_HEADERS)
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.directory), "-e", str(self.directory / "error.log"),
             "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )

        def answering():
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited: " + self.process.stderr.read()
                                   + (self.directory / "error.log").read_text())
            try:
                return http_get(self.url + "/healthz", timeout=1)[0] == 200
            except OSError:
                return False

        wait_until(answering, timeout, "nginx")
        return self

    #: nginx finishes the requests it is serving on SIGQUIT.
    stop_signal = signal.SIGQUIT


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlowClient(threading.Thread):
    """A slowloris client: sends a request line and then one header byte every ``pause``
    seconds (``mode="trickle"``), or opens the socket and sends nothing (``mode="idle"``).

    With ``reconnect``, a connection the server closes (nginx drops a client that has not sent
    its headers within ``client_header_timeout``) is opened again at once, so that ``count``
    slow connections stay held for as long as the run lasts; ``opened`` and ``dropped`` count
    them. ``holding`` says whether a connection is open now.
    """

    def __init__(self, port: int, stop: threading.Event, pause: float = 0.5,
                 mode: str = "trickle", reconnect: bool = False):
        super().__init__(daemon=True)
        if mode not in ("trickle", "idle"):
            raise ValueError(f"mode must be trickle or idle, not {mode!r}")
        self.port, self.stop, self.pause = port, stop, pause
        self.mode, self.reconnect = mode, reconnect
        self.connected = threading.Event()
        self.holding = False
        self.opened = self.dropped = self.failed = 0

    def run(self):
        while not self.stop.is_set():
            try:
                self._hold_one()
            except OSError:
                self.failed += 1
            self.holding = False
            self.connected.set()
            if not self.reconnect:
                return

    def _hold_one(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            if self.mode == "trickle":
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            self.opened += 1
            self.holding = True
            self.connected.set()
            while not self.stop.is_set():
                # Wait for the pause, or until the server closes the connection.
                readable, _w, _x = select.select([conn], [], [], self.pause)
                if readable and not conn.recv(4096):
                    self.dropped += 1  # closed by the server
                    return
                if self.mode == "trickle" and not readable and not self.stop.is_set():
                    conn.sendall(b"a")


def hold_slow_clients(port: int, count: int, stop: threading.Event | None = None, **options):
    """Start ``count`` :class:`SlowClient` threads on ``port`` and wait until each has
    connected (or failed to); returns the event that stops them (``stop``, or a new one) and
    the clients."""
    stop = stop or threading.Event()
    clients = [SlowClient(port, stop, **options) for _ in range(count)]
    for client in clients:
        client.start()
    for client in clients:
        client.connected.wait(5)
    return stop, clients


def healthz_latencies(url: str, seconds: float, timeout: float,
                      pause: float = 0.05) -> list[float | None]:
    """``GET /healthz`` one after another for ``seconds``: the latency of each in seconds, or
    None when it failed or took longer than ``timeout``."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status, _body = http_get(url + "/healthz", timeout=timeout)
            latencies.append(time.monotonic() - started if status == 200 else None)
        except OSError:
            latencies.append(None)
        time.sleep(pause)
    return latencies


def run_wrk(base_url: str, paths: list[str], directory: Path, seconds: float,
            connections: int, threads: int = 2, timeout_s: int = 5) -> dict:
    """Load ``base_url`` with wrk cycling through ``paths`` (each thread its own share, so a
    path repeats only once the list is used up) and return the figures as a dict."""
    directory.mkdir(parents=True, exist_ok=True)
    paths_file = directory / f"paths-{time.monotonic_ns()}.txt"
    threads = max(1, min(threads, connections))
    shares = paths * -(-threads // len(paths))  # at least one path per thread
    paths_file.write_text("\n".join(shares) + "\n")
    completed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", f"{timeout_s}s", "-s", str(WRK_SCRIPT), base_url,
         "--", str(paths_file), str(threads)],
        capture_output=True, text=True, timeout=seconds + 60,
    )
    paths_file.unlink(missing_ok=True)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n"
                           f"{completed.stderr}")
    figures = json.loads(lines[-1])
    figures["seconds"] = figures["duration_us"] / 1e6
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["p50_ms"] = figures["p50_us"] / 1000
    figures["p99_ms"] = figures["p99_us"] / 1000
    figures["connection_errors"] = (figures["connect_errors"] + figures["read_errors"]
                                    + figures["write_errors"] + figures["timeouts"])
    figures["distinct_paths"] = len(set(paths))
    return figures
