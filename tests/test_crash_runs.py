"""kill -9 at any line of a new run, on SQLite and on PostgreSQL (docs/design.md, "A session's
runs": nothing is lost).

A session has run (the app's Start, a participant, a question) and is over; `hostprov issue`
starts its new run in a real child process (tests/support/crash_cli.py, point "line") that
sends itself SIGKILL at the Nth line executed in the write path — every line, or a spread of
them when there are many. After every kill, against the real database:

* all or nothing: the session's participants and session data are all still there, or all
  gone with the row reset (Status 'Created');
* every removed row is, column for column, in an archive that does not say "uncommitted"
  (a final ``.jsonl`` or a ``.pending`` one), and an archive whose rows are still in the
  database is never a final one;
* the next new run of the session settles the pending archives: then no ``.pending`` file is
  left, a committed one is final, an uncommitted one says so (or is gone);
* every archive is mode 0600, and the audit file never holds a question's text.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Env
from tests.support.app_run import AppRun
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, utcnow
from tests.support.cli_run import hostprov, process_env, secret_env
from tests.support.crash_cli import CrashServer

REPO = Path(__file__).resolve().parent.parent
#: at most this many kill points per backend (spread over every line of the write path)
MAX_KILLS = 24

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("crash"), request)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    yield db
    db.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CrashServer]:
    srv = CrashServer(REPO, process_env({}))
    yield srv
    srv.close()


def _question(n: int) -> str:
    return f"Secret question number {n} about patience"


def _reseed(app: AppDb, ks: int, n: int) -> None:
    """The app runs the session again: tokens valid, Start, a participant, a question; then
    the run is over (ExpiresAt in the past)."""
    run = AppRun(app)
    app.set_expires(ks, utcnow() + timedelta(hours=1))
    row = app.session(ks)
    assert row is not None
    assert run.start(ks)
    guid = run.register(row["UserToken"], f"Amina {n}", f"a{n}@example.org", "PK")
    assert guid is not None
    assert run.submit_question(row["UserToken"], guid, _question(n))
    app.set_expires(ks, utcnow() - timedelta(minutes=1))


def _text(values: Any) -> str:
    """A row's values as comparable text, whoever read them (the test's raw SQL or the
    archive's JSON): booleans as 0/1, times with a T."""
    words = {"False": "0", "True": "1"}
    return json.dumps([words.get(str(v), str(v)).replace(" ", "T", 1)
                       if v is not None else "None" for v in values])


def _run_rows(app: AppDb, ks: int | list[int]) -> list[dict[str, Any]]:
    wanted = {ks} if isinstance(ks, int) else set(ks)
    out = []
    for table in ("Participants", "SessionData"):
        for r in app.rows(table):
            if int(r[1]) in wanted:
                out.append({"table": f"canvas.{table}", "key": _text(r)})
    return out


def _archives(env: Env) -> dict[Path, list[dict[str, Any]]]:
    folder = env.audit_path.parent / "archives"
    found: dict[Path, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("run-archive-*")) if folder.is_dir() else []:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        found[path] = [{"table": r["table"], "key": _text(r["row"].values())}
                       for r in lines[1:]]
    return found


def _same(a: dict[str, Any], archived: list[dict[str, Any]]) -> bool:
    """Is row ``a`` (read back from the database) among the archived rows, every column?"""
    return any(r["table"] == a["table"] and r["key"] == a["key"] for r in archived)


def _issue_args(env: Env, sessions: list[int], tmp: Path, n: int) -> list[str]:
    if len(sessions) == 1:
        return ["issue", "--ksessions-id", str(sessions[0])]
    ids = tmp / "ids.txt"
    ids.write_text("".join(f"{i}\n" for i in sessions), encoding="utf-8")
    return ["issue", "--from-file", str(ids), "--output", str(tmp / f"tokens-{n}.csv")]


def _kill(server: CrashServer, env: Env, issue: list[str], nth: int, trace: Path) -> int:
    config = env.write_config()
    args = ["--config", str(config), "-q", *issue]
    err = trace.with_suffix(".err")
    server.start("line", nth, 50, 0, args, secret_env(CRASH_TRACE=str(trace)), err)
    code = server.wait()
    assert "Traceback" not in err.read_text(), err.read_text()
    return code


@pytest.mark.parametrize("sessions", [1, 2], ids=["issue", "bulk"])
def test_kill_at_any_line_of_a_new_run_leaves_database_and_archives_agreeing(
    app_env: Env, app: AppDb, server: CrashServer, tmp_path: Path, sessions: int
) -> None:
    chosen = good_ksessions_ids(app_env)[:sessions]
    for i in chosen:
        first = hostprov(app_env, "issue", "--ksessions-id", str(i))
        assert first.code == 0, first.output
        _reseed(app, i, 0)
    counted = tmp_path / "count.trace"
    issue = _issue_args(app_env, chosen, tmp_path, 0)
    assert _kill(server, app_env, issue, 0, counted) == 0  # nothing killed: count the lines
    total = int(counted.read_text().split()[-1])
    assert total > 50, total
    kills = MAX_KILLS if sessions == 1 else MAX_KILLS // 2
    points = sorted({max(1, round(i * total / kills)) for i in range(1, kills + 1)}
                    | {1, 2, total - 1, total})
    outcomes = {"committed": 0, "rolled back": 0}
    for n, nth in enumerate(points, start=1):
        for i in chosen:
            _reseed(app, i, n)
        before = _run_rows(app, chosen)
        assert len(before) >= 2 * sessions
        issue = _issue_args(app_env, chosen, tmp_path, n)
        code = _kill(server, app_env, issue, nth, tmp_path / f"kill{n}.trace")
        assert code in (-9, 0), code
        after = _run_rows(app, chosen)
        rows = [app.session(i) for i in chosen]
        archives = _archives(app_env)
        if after == before:
            outcomes["rolled back"] += 1
            for path, rows in archives.items():
                if path.suffix == ".jsonl":
                    assert not any(_same(b, rows) for b in before), \
                        f"kill at line {nth}: a final archive holds rows still in the database"
        else:
            outcomes["committed"] += 1
            assert after == [], f"kill at line {nth}: a partial removal {after}"
            for row in rows:  # one chunk, one transaction: every session reset
                assert row is not None
                assert row["Status"] == "Created" and row["StartedAt"] is None
            kept = [rows for path, rows in archives.items() if path.suffix != ".uncommitted"]
            for b in before:
                assert any(_same(b, rows) for rows in kept), \
                    f"kill at line {nth}: a removed row is in no archive"
        # the next new run of the session settles what the kill left pending
        for i in chosen:
            settled = hostprov(app_env, "dry-run", "--ksessions-id", str(i))
            assert settled.code == 0, settled.output
        folder = app_env.audit_path.parent / "archives"
        assert not list(folder.glob("*.pending")), f"kill at line {nth}: a pending archive"
        now_archived = _archives(app_env)
        current = _run_rows(app, chosen)
        final = [r for path, rows in now_archived.items() if path.suffix == ".jsonl"
                 for r in rows]
        for path, rows in now_archived.items():
            if path.suffix == ".uncommitted":  # its rows: still here, or removed (and archived)
                for r in rows:   # by a later committed new run
                    assert r in current or r in final, f"kill at line {nth}: {path.name}"
        audit = app_env.audit_path.read_text(encoding="utf-8")
        assert "Secret question" not in audit
        if after == before:  # finish the new run, so that every kill meets the same state
            for i in chosen:
                done = hostprov(app_env, "issue", "--ksessions-id", str(i))
                assert done.code == 0, done.output
            assert _run_rows(app, chosen) == []
    assert outcomes["committed"] and outcomes["rolled back"], outcomes
