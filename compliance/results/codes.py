"""Manual result codes: the 8 characters under a QR code, resolved back to their token.

A manual code is an HMAC of the token (:func:`compliance.results.tokens.manual_code`), so it
cannot be turned back into the token by computation: resolving one needs a record of the tokens
this site
issued. That record is the only state the app writes. Tokens themselves need nothing shared:
any instance with the key verifies them.

Two stores, chosen by configuration:

- ``REDIS_URL`` set (environment ``FLASK_REDIS_URL``, e.g. ``redis://cache:6379/0``): every code
  is one Redis key with a time-to-live of ``RESULT_CODES_TTL_DAYS``. Every instance pointing at
  the same Redis resolves every code, and Redis forgets expired codes by itself.
- Otherwise a small SQLite file (``RESULT_CODES_DATABASE``, default
  ``instance/result_codes.sqlite``), never the read-only data database. Manual codes then
  resolve only on instances sharing this file. Rows older than ``RESULT_CODES_TTL_DAYS`` never
  resolve and are deleted automatically (a minute after start, then hourly, by each process
  that writes); ``flask prune-codes`` remains for a manual clean-up.

Writes off the hot path (SQLite): a first view does not write. Its code goes into an in-process
buffer that :meth:`SQLiteCodeStore.lookup` reads first, so the code resolves at once in that
process; a background thread writes the buffer in one transaction every
``RESULT_CODES_FLUSH_SECONDS`` (default 0.5; 0 writes at once, the default under tests), and
the buffer is written when the process exits (``atexit`` and gunicorn's ``worker_exit`` hook).
What this costs: another worker process resolves the code after at most that interval, and a
worker killed outright (SIGKILL, power loss) loses the codes of its last interval; their QR
codes still verify, and opening the result again records the code again.

Growth is bounded: ``RESULT_CODES_PER_CLIENT_PER_MINUTE`` (default 120, off under tests) caps
the codes one client address may add per minute, counted in the rate limiter's store (shared
when that is Redis). Over the cap the request is answered 429 *before* the code is shown, so a
code on screen is always a recorded one.

Store failures are :class:`StoreError` (a :class:`sqlite3.Error`, so one ``except`` covers both
stores): a failed write is logged and never breaks the check that issued the token.
"""

import atexit
import os
import sqlite3
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask import current_app, has_request_context
from flask.cli import with_appcontext
from werkzeug.exceptions import TooManyRequests

from compliance.core.messages import _

from . import tokens, utcnow

CODE_LENGTH = 8
#: Room for separators and spaces around a typed code; anything longer is not a code.
MAX_TYPED = 32
_CROCKFORD = frozenset(tokens.CROCKFORD_ALPHABET)
BUSY_TIMEOUT_SECONDS = 5
#: The buffer is written at once when it holds this many codes, whatever the interval.
MAX_PENDING = 512
PRUNE_EVERY_SECONDS = 3600
REDIS_PREFIX = "powerbank:code:"

_SCHEMA = """
create table if not exists result_codes (
    code text primary key,
    token text not null,
    recorded_at text not null
) without rowid;
create index if not exists result_codes_recorded_at on result_codes (recorded_at);
"""


class MalformedCode(ValueError):
    """What was typed cannot be a manual code; the message says why."""


class StoreError(sqlite3.Error):
    """The code store cannot be read or written (Redis down, file not writable...)."""


class TooManyCodes(TooManyRequests):
    """This client added more codes in the current minute than the cap allows."""

    def __init__(self, retry_after: int):
        super().__init__(_("Too many results were asked for from this address. Try again in "
                           "%(seconds)s seconds.", seconds=retry_after))
        self.retry_after = retry_after


def parse_code(text: str) -> str:
    """The canonical code for what staff typed, or :class:`MalformedCode` saying why not."""
    if len(text or "") > MAX_TYPED:
        raise MalformedCode(_("a code has %(expected)s characters; this is far longer",
                              expected=CODE_LENGTH))
    code = tokens.normalize_manual_code(text or "")
    if not code:
        raise MalformedCode(_("no code was given"))
    wrong = sorted({ch for ch in code if ch not in _CROCKFORD})
    if wrong:
        raise MalformedCode(_(
            "codes never contain %(characters)s (they use the digits 0-9 and the letters A-Z "
            "without I, L, O and U)", characters=", ".join(wrong)))
    if len(code) != CODE_LENGTH:
        raise MalformedCode(_("a code has %(expected)s characters; %(given)s were given",
                                expected=CODE_LENGTH, given=len(code)))
    return code


def _use_wal(conn: sqlite3.Connection) -> None:
    if conn.execute("pragma journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("pragma journal_mode = wal")


def _retry_while_busy(operation, deadline_seconds: float = BUSY_TIMEOUT_SECONDS):
    """Run ``operation``, retrying while another process holds the file.

    Why: SQLite skips the busy handler when switching a new file to WAL (and when two
    processes create the schema at once), returning "database is locked" at once instead of
    waiting. Several worker processes opening a fresh store at the same moment hit exactly
    that, so those first statements get the waiting the busy timeout gives every other one.
    """
    deadline = time.monotonic() + deadline_seconds
    pause = 0.005
    while True:
        try:
            return operation()
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            if not busy or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


_open_stores: "weakref.WeakSet" = weakref.WeakSet()


def flush_all() -> None:
    """Write every buffered code of this process (at exit, and from gunicorn's hooks)."""
    for open_store in list(_open_stores):
        try:
            open_store.flush()
        except sqlite3.Error:
            pass


atexit.register(flush_all)


class SQLiteCodeStore:
    """code -> token in a writable SQLite file; one connection per thread; buffered writes."""

    def __init__(self, path: Path, ttl: timedelta = timedelta(days=60),
                 flush_seconds: float = 0.0, logger=None):
        self.path = Path(path)
        self.ttl = ttl
        self.flush_seconds = flush_seconds
        self.logger = logger
        self._local = threading.local()
        self._ready = False
        self._init_lock = threading.Lock()
        self._pending: dict[str, tuple[str, str]] = {}
        self._inflight: dict[str, tuple[str, str]] = {}
        self._pending_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._pid = os.getpid()
        # The first automatic prune comes a minute after start, then one an hour.
        self._last_prune = time.monotonic() - PRUNE_EVERY_SECONDS + 60
        _open_stores.add(self)

    def _after_fork(self) -> None:
        """A forked worker starts with its own connections, buffer and flush thread."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._local = threading.local()
            self._pending, self._inflight = {}, {}
            self._pending_lock = threading.Lock()
            self._flusher = None

    def _connection(self) -> sqlite3.Connection:
        self._after_fork()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                   isolation_level=None, check_same_thread=True)
            _retry_while_busy(lambda: _use_wal(conn))
            conn.execute("pragma synchronous = normal")
            with self._init_lock:
                if not self._ready:
                    _retry_while_busy(lambda: conn.executescript(_SCHEMA))
                    self._ready = True
            self._local.conn = conn
        return conn

    def record(self, code: str, token: str, now: datetime | None = None) -> None:
        """Remember that ``code`` stands for ``token``; the newest token wins a code."""
        row = (token.upper(), _stamp(now or datetime.now(timezone.utc)))
        if self.flush_seconds <= 0:
            self._write({code: row})
            self._prune_when_due()
            return
        self._after_fork()
        with self._pending_lock:
            self._pending[code] = row
            full = len(self._pending) >= MAX_PENDING
        if full:
            self.flush()
        else:
            self._start_flusher()

    def _write(self, rows: dict[str, tuple[str, str]]) -> None:
        conn = self._connection()
        conn.execute("begin immediate")
        try:
            conn.executemany(
                "insert into result_codes (code, token, recorded_at) values (?, ?, ?) "
                "on conflict(code) do update set token = excluded.token, "
                "recorded_at = excluded.recorded_at where token != excluded.token",
                [(code, token, stamp) for code, (token, stamp) in rows.items()])
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise

    def flush(self) -> int:
        """Write the buffer in one transaction; on failure the codes stay buffered."""
        self._after_fork()
        with self._pending_lock:
            rows, self._pending = self._pending, {}
            # Readable while being written, so the code never disappears in between.
            self._inflight = rows
        if rows:
            try:
                self._write(rows)
            except sqlite3.Error:
                with self._pending_lock:
                    for code, row in rows.items():
                        self._pending.setdefault(code, row)
                raise
            finally:
                with self._pending_lock:
                    self._inflight = {}
        self._prune_when_due()
        return len(rows)

    def _prune_when_due(self) -> None:
        """Automatic expiry: delete rows past the time-to-live, at most once an hour."""
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            self._last_prune = time.monotonic()
            self.prune(datetime.now(timezone.utc) - self.ttl)

    def _start_flusher(self) -> None:
        if self._flusher is not None and self._flusher.is_alive():
            return
        with self._init_lock:
            if self._flusher is not None and self._flusher.is_alive():
                return
            self._flusher = threading.Thread(target=self._flush_loop, daemon=True,
                                             name="result-codes-flush")
            self._flusher.start()

    def _flush_loop(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            try:
                self.flush()
            except sqlite3.Error as error:
                if self.logger is not None:
                    self.logger.warning("manual codes not written yet: %s", error)

    def pending(self) -> int:
        with self._pending_lock:
            return len(self._pending) + len(self._inflight)

    def lookup(self, code: str) -> str | None:
        self._after_fork()
        with self._pending_lock:
            row = self._pending.get(code) or self._inflight.get(code)
        if row is not None:
            return row[0]
        cutoff = _stamp(datetime.now(timezone.utc) - self.ttl)
        found = self._connection().execute(
            "select token from result_codes where code = ? and recorded_at >= ?",
            (code, cutoff)).fetchone()
        return found[0] if found else None

    def prune(self, older_than: datetime) -> int:
        """Forget codes recorded before ``older_than``; returns how many were removed."""
        cursor = self._connection().execute(
            "delete from result_codes where recorded_at < ?", (_stamp(older_than),))
        return cursor.rowcount

    def count(self) -> int:
        return self.pending() + self._connection().execute(
            "select count(*) from result_codes").fetchone()[0]


#: The name earlier code and tests use.
CodeStore = SQLiteCodeStore


class RedisCodeStore:
    """code -> token as Redis keys that expire after the time-to-live."""

    def __init__(self, url: str, ttl: timedelta = timedelta(days=60),
                 prefix: str = REDIS_PREFIX):
        import redis

        self._errors = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.ttl, self.prefix = ttl, prefix

    def _call(self, operation):
        try:
            return operation()
        except self._errors as error:
            raise StoreError(f"Redis: {error}") from error

    def record(self, code: str, token: str, now: datetime | None = None) -> None:
        age = datetime.now(timezone.utc) - now if now else timedelta(0)
        seconds = int((self.ttl - age).total_seconds())
        if seconds <= 0:
            return
        self._call(lambda: self.client.set(self.prefix + code, token.upper(), ex=seconds))

    def lookup(self, code: str) -> str | None:
        value = self._call(lambda: self.client.get(self.prefix + code))
        return value.decode() if value is not None else None

    def flush(self) -> int:
        return 0

    def pending(self) -> int:
        return 0

    def prune(self, older_than: datetime) -> int:
        """Nothing to do: Redis drops each code when its time-to-live ends."""
        return 0

    def count(self) -> int:
        return self._call(lambda: sum(1 for _ in self.client.scan_iter(
            match=self.prefix + "*", count=1000)))

    def time_to_live(self, code: str) -> int:
        return self._call(lambda: self.client.ttl(self.prefix + code))


def ttl_of(app) -> timedelta:
    days = app.config.get("RESULT_CODES_TTL_DAYS")
    if days is None:
        days = 2 * app.config["RESULT_MAX_AGE_DAYS"]
    return timedelta(days=float(days))


def store():
    """The app's store, created on first use from ``REDIS_URL`` or ``RESULT_CODES_DATABASE``."""
    app = current_app._get_current_object()
    existing = app.extensions.get("result_codes")
    if existing is None:
        if app.config.get("REDIS_URL"):
            created = RedisCodeStore(app.config["REDIS_URL"], ttl_of(app))
        else:
            # Defaults (instance folder; 0.5 s, 0 under tests): compliance/config.py.
            path = app.config["RESULT_CODES_DATABASE"]
            flush = app.config["RESULT_CODES_FLUSH_SECONDS"]
            created = SQLiteCodeStore(Path(path), ttl_of(app), float(flush), app.logger)
        existing = app.extensions.setdefault("result_codes", created)
    return existing


def _charge_client() -> None:
    """Count one new code for this client; :class:`TooManyCodes` over the cap. The count is
    kept by the API's rate limiter, which installs ``client_counter`` on the app."""
    cap = current_app.config["RESULT_CODES_PER_CLIENT_PER_MINUTE"]  # 120; off under tests
    if not cap or not has_request_context():
        return
    count = current_app.extensions.get("client_counter")
    if count is None:
        return
    try:
        allowed, retry = count(f"{int(cap)}/minute", "codes")
    except Exception as error:  # the limiter's store is down: its own limits fail open too
        current_app.logger.warning("manual code cap not counted: %s", error)
        return
    if not allowed:
        raise TooManyCodes(retry)


def remember(token: str, secret) -> str:
    """Record the manual code of a token just issued and return it; a write failure is
    logged, not raised (the token and its QR code work without the store). Over the
    per-client cap this raises :class:`TooManyCodes` (429), so the code is never shown."""
    code = tokens.manual_code(token, secret)
    _charge_client()
    try:
        store().record(code, token)
    except sqlite3.Error as error:
        current_app.logger.warning("manual code %s not recorded: %s", code, error)
    return code


def resolve(code: str, secrets: list) -> str | None:
    """The token a canonical ``code`` stands for, if this site issued it.

    The stored token is checked against the code again (with every key still accepted), so a
    row changed by hand in the file cannot send staff to another result.
    """
    token = store().lookup(code)
    if token is None:
        return None
    if any(tokens.manual_code(token, secret) == code for secret in secrets if secret):
        return token
    return None


@click.command("prune-codes")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep codes recorded in the last DAYS days (default: twice "
                   "RESULT_MAX_AGE_DAYS).")
@with_appcontext
def prune_codes_command(days):
    """Forget manual codes of old results (their QR codes still verify)."""
    days = 2 * current_app.config["RESULT_MAX_AGE_DAYS"] if days is None else days
    removed = store().prune(utcnow() - timedelta(days=days))
    click.echo(f"Removed {removed} manual code(s) recorded more than {days} days ago.")
