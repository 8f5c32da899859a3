"""Manual result codes: the 8 characters under a QR code, resolved back to their token.

A manual code is an HMAC of the token (:func:`compliance.tokens.manual_code`), so it cannot be
turned back into the token by computation: resolving one needs a record of the tokens this site
issued. That record is the only state the app writes, and it lives in its own small SQLite file
(``RESULT_CODES_DATABASE``, default ``instance/result_codes.sqlite``), never in the read-only
data database. Tokens themselves need nothing shared: any instance with the key verifies them.
Manual codes resolve only on instances that share this file.

The file uses WAL mode, so page views read while checks write, and a busy timeout, so
concurrent writers from several threads or worker processes wait for each other instead of
failing. A failed write is logged and never breaks the check that issued the token: the QR code
still works, only the typed code would not resolve.
"""

import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from . import tokens
from .i18n import _

CODE_LENGTH = 8
#: Room for separators and spaces around a typed code; anything longer is not a code.
MAX_TYPED = 32
_CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
BUSY_TIMEOUT_SECONDS = 5

_SCHEMA = """
create table if not exists result_codes (
    code text primary key,
    token text not null,
    recorded_at text not null
) without rowid
"""


class MalformedCode(ValueError):
    """What was typed cannot be a manual code; the message says why."""


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


class CodeStore:
    """code -> token, in a writable SQLite file; one connection per thread."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False
        self._init_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                   isolation_level=None, check_same_thread=True)
            _retry_while_busy(lambda: _use_wal(conn))
            conn.execute("pragma synchronous = normal")
            with self._init_lock:
                if not self._ready:
                    _retry_while_busy(lambda: conn.execute(_SCHEMA))
                    self._ready = True
            self._local.conn = conn
        return conn

    def record(self, code: str, token: str, now: datetime | None = None) -> None:
        """Remember that ``code`` stands for ``token``; the newest token wins a code."""
        recorded = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()
        self._connection().execute(
            "insert into result_codes (code, token, recorded_at) values (?, ?, ?) "
            "on conflict(code) do update set token = excluded.token, "
            "recorded_at = excluded.recorded_at where token != excluded.token",
            (code, token.upper(), recorded),
        )

    def lookup(self, code: str) -> str | None:
        row = self._connection().execute(
            "select token from result_codes where code = ?", (code,)
        ).fetchone()
        return row[0] if row else None

    def prune(self, older_than: datetime) -> int:
        """Forget codes recorded before ``older_than``; returns how many were removed."""
        cursor = self._connection().execute(
            "delete from result_codes where recorded_at < ?",
            (older_than.replace(microsecond=0).isoformat(),))
        return cursor.rowcount

    def count(self) -> int:
        return self._connection().execute("select count(*) from result_codes").fetchone()[0]


def store() -> CodeStore:
    """The app's store, created on first use from ``RESULT_CODES_DATABASE``."""
    app = current_app._get_current_object()
    existing = app.extensions.get("result_codes")
    if existing is None:
        path = app.config.get("RESULT_CODES_DATABASE") or (
            Path(app.instance_path) / "result_codes.sqlite")
        existing = app.extensions.setdefault("result_codes", CodeStore(Path(path)))
    return existing


def remember(token: str, secret) -> str:
    """Record the manual code of a token just issued and return it; a write failure is
    logged, not raised (the token and its QR code work without the store)."""
    code = tokens.manual_code(token, secret)
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
