"""A database another process keeps locked: hostprov waits at most the statement timeout, then
says so in one sentence, exits non-zero and writes nothing.

The lock is held by a second real process (tests/support/lock_holder.py) that lets go only when
the test tells it to, so each command below ended while the lock was still held: its wait was
bounded by the timeout, not by the other process. Before, SQLite's "database is locked" was
retried three times (3 × the timeout for one issue) and a bulk run waited once per ID.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from hostprov_tui.config.settings import DatabaseOptions
from hostprov_tui.errors import DatabaseBusy
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env
from tests.support.cli_run import run_process, secret_env
from tests.support.contention import canvas_rows
from tests.support.lock_holder import LockHolder

TIMEOUT = "0.5"
SENTENCE = "Another process is writing to the canvas database"


def _holder(env: Env) -> LockHolder:
    if env.backend == "sqlite":
        return LockHolder("sqlite", str(make_url(env.canvas_url).database))
    database = make_url(env.canvas_url).database
    assert database is not None
    # hostprov reads the host rows FOR UPDATE: an EXCLUSIVE table lock makes it wait
    return LockHolder("postgres", env.pg.conninfo(database),
                      'LOCK TABLE canvas."HostSessions" IN EXCLUSIVE MODE')


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_locked_database_is_one_sentence_and_nothing_written(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    config = env.write_config()
    environ = secret_env(HOSTPROV_DATABASE__STATEMENT_TIMEOUT_S=TIMEOUT)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(str(i) for i in (ids.good, ids.good2, ids.inactive)) + "\n")
    out = tmp_path / "guids.csv"
    with _holder(env) as holder:
        one = run_process(["--config", str(config), "issue", "--ksessions-id", str(ids.good)],
                          environ, tmp_path)
        assert holder.holding  # it gave up while the lock was held
        bulk = run_process(["--config", str(config), "issue", "--from-file", str(ids_file),
                            "--output", str(out)], environ, tmp_path)
        assert holder.holding
    assert one.code == 1, one.output
    text = _flat(one.stderr)
    assert SENTENCE in text and "nothing was saved" in text
    assert "Traceback" not in one.output and "Unexpected" not in one.output
    assert bulk.code == 1, bulk.output
    assert SENTENCE in _flat(bulk.stderr)
    assert not out.exists()  # no GUID, no file
    prov = Provisioner(env.settings(), operator="t")
    try:
        assert canvas_rows(prov, ids.good) == [] and canvas_rows(prov, ids.good2) == []
    finally:
        prov.close()


def test_the_lock_is_waited_for_once(env: Env, ids: DemoIds) -> None:
    """One wait per command: no retry of a lock that already used the whole timeout, and a bulk
    run stops at the first (before: one wait per ID)."""
    settings = env.settings(database=DatabaseOptions(connect_timeout_s=3,
                                                     statement_timeout_s=float(TIMEOUT)))
    prov = Provisioner(settings, operator="t")
    waits: list[str] = []  # the statement that starts each attempt at the lock
    marker = "BEGIN IMMEDIATE" if env.backend == "sqlite" else "pg_advisory_xact_lock"

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if marker in statement:
            waits.append(statement)

    engine = prov.ctx.databases().canvas.base_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        with _holder(env) as holder:
            with pytest.raises(DatabaseBusy) as caught:
                prov.issue(Target(ksessions_id=ids.good))
            assert len(waits) == 1, waits
            assert "nothing was saved" in caught.value.message
            waits.clear()
            result = prov.issue_many([ids.good, ids.good2, ids.inactive, ids.good + 1000])
            assert holder.holding
        assert len(waits) == 1, waits
        assert [i.error_code for i in result.items] == ["database_busy"] * 3 + ["not_found"] \
            or all(i.error_code == "database_busy" for i in result.items)
        assert result.exit_code == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
        prov.close()
