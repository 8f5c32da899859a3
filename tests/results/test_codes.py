"""Manual codes: the eight characters staff type when a QR will not scan, as they type them;
the store they live in (its own WAL database, shared or not, edited, unwritable, pruned, written
by several processes at once). Through the real app and the real data, with the Flask client."""

import html
import re
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from compliance.results import codes, tokens
from tests.helpers import TEST_SECRET, issue, make_app, page_html, verification


def as_staff_would_type(code: str) -> str:
    """Lower case, a hyphen and a space, and the look-alike letters for 0 and 1."""
    typed = (code[:4] + "- " + code[4:]).lower()
    return typed.replace("0", "o").replace("1", "I")


def test_manual_code_resolves_to_the_same_result(staff_client):
    token = issue(staff_client, model="BI-B41", airline="CA", origin="PEK", destination="PVG")
    code = verification(staff_client, token)["code"]
    text = page_html(staff_client, f"/r/{token}")
    assert f"{code[:4]}-{code[4:]}" in text

    response = staff_client.get("/v", query_string={"code": as_staff_would_type(code)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{token}")
    opened = staff_client.get("/v", query_string={"code": code}, follow_redirects=True)
    assert opened.status_code == 200
    assert "MORE INFORMATION NEEDED" in opened.get_data(as_text=True)


def test_code_shown_on_the_travellers_page_resolves(staff_client):
    page = page_html(staff_client, "/check?model=A1366&wh=74&airline=LH&origin=FRA"
                                   "&destination=JFK")
    code = re.search(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>", page).group(1)
    opened = staff_client.get("/v", query_string={"code": code.lower()}, follow_redirects=True)
    assert opened.status_code == 200
    assert "verdict-big verdict-forbidden" in opened.get_data(as_text=True)
    assert opened.request.path.upper().startswith("/R/1")


def test_confusable_characters_normalise():
    assert codes.parse_code(" ab0l-1oiz ") == "AB0110" + "1Z"


@pytest.mark.parametrize("typed, reason", [
    ("ABC", "a code has 8 characters; 3 were given"),
    ("ABCDEFGHJ", "a code has 8 characters; 9 were given"),
    ("UUUU-2222", "codes never contain U"),
    ("----", "no code was given"),
    ("A" * 40, "far longer"),
])
def test_malformed_code_is_a_400_that_says_why(staff_client, typed, reason):
    response = staff_client.get("/v", query_string={"code": typed})
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert reason in text
    assert 'aria-invalid="true"' in text and 'id="code-error"' in text


def test_unknown_code_is_a_404_page(staff_client):
    response = staff_client.get("/v?code=ZZZZ-ZZZZ")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "UNKNOWN CODE" in text and "ZZZZ-ZZZZ" in text
    assert "verdict-allowed" not in text and "verdict-forbidden" not in text


def test_v_without_code_is_a_labelled_form(staff_client):
    text = page_html(staff_client, "/v")
    assert '<label for="code">' in text and 'id="code" name="code"' in text
    assert 'action="/v"' in text


def test_codes_live_in_their_own_writable_wal_database(staff_client, codes_db, built_db):
    db_before = built_db.stat().st_mtime_ns
    token = issue(staff_client, wh=20)
    assert codes_db.exists()
    with sqlite3.connect(codes_db) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("select code, token from result_codes").fetchall()
    assert (tokens.manual_code(token, TEST_SECRET), token) in rows
    assert built_db.stat().st_mtime_ns == db_before


def test_codes_resolve_only_where_the_store_is_shared(built_db, codes_db, tmp_path):
    first = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()
    sharing = make_app(built_db, RESULT_CODES_DATABASE=str(codes_db)).test_client()
    separate = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "other.sqlite"))
    token = issue(first, wh=20)
    code = tokens.manual_code(token, TEST_SECRET)
    assert sharing.get(f"/v?code={code}").status_code == 303
    assert separate.test_client().get(f"/v?code={code}").status_code == 404
    # The token itself verifies anywhere with the key; opening it records its code there.
    assert separate.test_client().get(f"/r/{token}").status_code == 200
    assert separate.test_client().get(f"/v?code={code}").status_code == 303


def test_a_row_edited_in_the_store_does_not_redirect(staff_app, staff_client, codes_db):
    real = issue(staff_client, wh=20)
    other = issue(staff_client, wh=200)
    code = tokens.manual_code(real, TEST_SECRET)
    with sqlite3.connect(codes_db) as conn:
        conn.execute("update result_codes set token = ? where code = ?", (other, code))
    assert staff_client.get(f"/v?code={code}").status_code == 404


def test_an_unwritable_store_never_breaks_a_check(built_db, tmp_path):
    blocked = tmp_path / "a-directory"
    blocked.mkdir()
    client = make_app(built_db, RESULT_CODES_DATABASE=str(blocked)).test_client()
    assert client.get("/api/v1/check?wh=20").status_code == 200
    assert client.get("/check?wh=20").status_code == 200
    assert client.get("/v?code=ZZZZZZZZ").status_code == 503


def test_prune_codes_forgets_old_codes_only(staff_app, codes_db):
    store = codes.CodeStore(codes_db)
    now = datetime.now(timezone.utc)
    store.record("OLD00000", "1OLD", now=now - timedelta(days=61))
    store.record("NEW00000", "1NEW", now=now - timedelta(days=59))
    result = staff_app.test_cli_runner().invoke(args=["prune-codes"])
    assert result.exit_code == 0 and "Removed 1 manual code(s)" in result.output
    assert store.lookup("OLD00000") is None and store.lookup("NEW00000") == "1NEW"


def _write_codes(args):
    path, worker, count = args
    store = codes.CodeStore(path)
    for n in range(count):
        store.record(f"W{worker}N{n:05d}", f"TOKEN-{worker}-{n}")
    return count


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path):
    """Several workers opening a fresh file at the same moment is the case SQLite does not
    wait for by itself (switching to WAL), so it is repeated on new files."""
    with ProcessPoolExecutor(max_workers=6) as pool:
        for attempt in range(6):
            path = tmp_path / f"result_codes-{attempt}.sqlite"
            written = sum(pool.map(_write_codes, [(path, w, 100) for w in range(6)]))
            store = codes.CodeStore(path)
            assert written == store.count() == 600
            assert store.lookup("W5N00099") == "TOKEN-5-99"
