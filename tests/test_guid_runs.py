"""The guid generation and a session's runs (docs/design.md, "A session's runs"): it refuses the
options of the tokens generation's runs (exit 2, nothing written), writes the hash to
canvas.Sessions.HostGuid where the app of that time had that column (and clears it on revoke),
and gives a new canvas row Status 'Created' explicitly. SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from tests.conftest import Env
from tests.support.cli_run import hostprov
from tests.support.db_state import snapshot


def _sessions_table(env: Env) -> str:
    return '"Sessions"' if env.backend == "sqlite" else 'canvas."Sessions"'


def _add_host_guid_column(env: Env) -> None:
    """The canvas.Sessions of the C# tool's time had a HostGuid column (the test builds it)."""
    engine = create_engine(env.canvas_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'ALTER TABLE {_sessions_table(env)} ADD "HostGuid" '
                              "VARCHAR(128) NULL"))
    finally:
        engine.dispose()


def _row(env: Env, ksessions_id: int) -> dict[str, Any]:
    engine = create_engine(env.canvas_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(f'SELECT * FROM {_sessions_table(env)} WHERE '
                                    '"KSessionsId" = :k'), {"k": ksessions_id}).mappings().one()
            return dict(row)
    finally:
        engine.dispose()


def _good(env: Env) -> int:
    found = hostprov(env, "sessions", "--json", "--active-only", "--limit", "200")
    assert found.code == 0, found.output
    return next(int(r["session_id"]) for r in found.json()["rows"] if r["transcripts"])


def test_guid_generation_refuses_the_options_of_runs(env: Env) -> None:
    ks = _good(env)
    before = snapshot(env.settings())
    for args in (("--scheduled-date", "2030-01-15"), ("--duration", "60"), ("--new-run",),
                 ("--scheduled-date", "2030-01-15", "--scheduled-time", "6:30 PM")):
        for command in ("issue", "dry-run"):
            done = hostprov(env, command, "--ksessions-id", str(ks), *args)
            assert done.code == 2, (command, args, done.output)
            assert "tokens generation" in done.output and "Traceback" not in done.output
    assert snapshot(env.settings()) == before


def test_host_guid_column_follows_issue_rotate_and_revoke(env: Env) -> None:
    _add_host_guid_column(env)
    ks = _good(env)
    first = hostprov(env, "issue", "--ksessions-id", str(ks), "--json")
    assert first.code == 0, first.output
    row = _row(env, ks)
    assert row["HostGuid"] == first.json()["hash"]
    assert row["Status"] == "Created"
    second = hostprov(env, "issue", "--ksessions-id", str(ks), "--json")
    assert second.code == 0, second.output
    assert _row(env, ks)["HostGuid"] == second.json()["hash"] != first.json()["hash"]
    revoked = hostprov(env, "revoke", "--ksessions-id", str(ks))
    assert revoked.code == 0, revoked.output
    assert _row(env, ks)["HostGuid"] is None


def test_new_canvas_rows_get_status_created_without_a_host_guid_column(env: Env) -> None:
    ks = _good(env)
    done = hostprov(env, "issue", "--ksessions-id", str(ks))
    assert done.code == 0, done.output
    row = _row(env, ks)
    assert row["Status"] == "Created" and "HostGuid" not in row
