"""Schema: `db init` builds only empty databases; `check` reports what an existing one lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.schema import check_schema, init_schema
from hostprov_tui.errors import SchemaMissing
from tests.conftest import Env
from tests.support.cli_run import hostprov
from tests.support.db_state import blank_urls, snapshot

#: canvas.Sessions as an old deployment had it: no KSessionsId, and no HostSessions table.
_OLD_SESSIONS = """CREATE TABLE {table} (
    "SessionId" BIGINT PRIMARY KEY,
    "GroupId" VARCHAR(36) NOT NULL,
    "Title" VARCHAR(200),
    "Description" VARCHAR(1000),
    "Status" VARCHAR(50),
    "ParticipantCount" INTEGER,
    "MaxParticipants" INTEGER,
    "StartedAt" TIMESTAMP,
    "EndedAt" TIMESTAMP,
    "ExpiresAt" TIMESTAMP,
    "CreatedAt" TIMESTAMP NOT NULL,
    "ModifiedAt" TIMESTAMP NOT NULL
)"""


@pytest.fixture
def blank(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    canvas_url, ks_url = blank_urls(backend, tmp_path, request)
    return Env(backend, canvas_url, ks_url, tmp_path / "audit.jsonl", tmp_path)


@pytest.fixture
def old_canvas(blank: Env) -> Env:
    """KSESSIONS complete; canvas holds only an old Sessions table (built by raw DDL)."""
    dbs = open_databases(blank.settings(), create=True)
    try:
        init_schema(dbs.ksessions)
    finally:
        dbs.dispose()
    table = '"Sessions"' if blank.backend == "sqlite" else 'canvas."Sessions"'
    engine = create_engine(blank.canvas_url)
    try:
        with engine.begin() as conn:
            if blank.backend != "sqlite":
                conn.execute(text("CREATE SCHEMA canvas"))
            conn.execute(text(_OLD_SESSIONS.format(table=table)))
    finally:
        engine.dispose()
    return blank


def _canvas_columns(env: Env) -> dict[str, list[str]]:
    engine = create_engine(env.canvas_url)
    schema = None if env.backend == "sqlite" else "canvas"
    try:
        insp = inspect(engine)
        return {t: [c["name"] for c in insp.get_columns(t, schema=schema)]
                for t in insp.get_table_names(schema=schema)}
    finally:
        engine.dispose()


def test_db_init_builds_empty_databases_once(blank: Env) -> None:
    assert hostprov(blank, "check").code == 3  # nothing there yet
    run = hostprov(blank, "db", "init", "--json")
    assert run.code == 0, run.output
    created = {d["database"]: d["created"] for d in run.json()["databases"]}
    assert sorted(created["canvas"]) == ["canvas.HostSessions", "canvas.Sessions"]
    assert len(created["ksessions"]) == 5
    check = hostprov(blank, "check", "--json")
    assert check.code == 0, check.output
    assert check.json()["canvas"]["schema_ok"] and check.json()["ksessions"]["schema_ok"]
    assert {name: len(rows) for name, rows in snapshot(blank.settings()).items()} == {
        "canvas.Sessions": 0, "canvas.HostSessions": 0, "dbo.Speakers": 0, "dbo.Groups": 0,
        "dbo.Categories": 0, "dbo.Sessions": 0, "dbo.SessionTranscripts": 0,
    }
    again = hostprov(blank, "db", "init")
    assert again.code == 0 and again.stdout.count("already present") == 2


def test_check_reports_missing_tables_and_columns(old_canvas: Env) -> None:
    dbs = open_databases(old_canvas.settings())
    try:
        report = check_schema(dbs.canvas)
        assert report.missing_tables == ("canvas.HostSessions",)
        assert report.missing_columns == ("canvas.Sessions.KSessionsId",)
        assert not report.ok and not report.empty
        assert "canvas.HostSessions" in report.sentence()
        assert "canvas.Sessions.KSessionsId" in report.sentence()
        assert check_schema(dbs.ksessions).ok
    finally:
        dbs.dispose()
    run = hostprov(old_canvas, "check", "--json")
    assert run.code == 3, run.output
    canvas = run.json()["canvas"]
    assert canvas["reachable"] is True and canvas["schema_ok"] is False
    assert set(canvas["missing"]) == {"canvas.HostSessions", "canvas.Sessions.KSessionsId"}
    human = hostprov(old_canvas, "check")
    assert human.code == 3 and "KSessionsId" in human.stdout


def test_issue_against_an_incomplete_schema_exits_3(old_canvas: Env) -> None:
    dbs = open_databases(old_canvas.settings(), create=True)
    try:
        from hostprov_tui.db.demo import fill_demo

        fill_demo(dbs.ksessions, sessions=20, seed=7)
    finally:
        dbs.dispose()
    run = hostprov(old_canvas, "issue", "--ksessions-id", "1", "--json")
    assert run.code == 3, run.output
    assert run.json()["error"]["code"] == "schema_missing"
    assert "hostprov check" in (run.json()["error"]["hint"] or "")


def test_init_never_alters_an_existing_table(old_canvas: Env) -> None:
    before = _canvas_columns(old_canvas)
    run = hostprov(old_canvas, "db", "init", "--json")
    assert run.code == 3, run.output
    message = run.json()["error"]["message"]
    assert "will not touch it" in message and "KSessionsId" in message
    assert _canvas_columns(old_canvas) == before
    assert "HostSessions" not in before
    dbs = open_databases(old_canvas.settings(), create=True)
    try:
        with pytest.raises(SchemaMissing):
            init_schema(dbs.canvas)
        assert init_schema(dbs.ksessions).already_present
    finally:
        dbs.dispose()
    assert _canvas_columns(old_canvas) == before
