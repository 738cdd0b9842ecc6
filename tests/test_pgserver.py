"""Tests for the throwaway PostgreSQL server used by the test-suite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors as pg_errors

try:
    from tests.support.pgserver import PostgresServer, process_alive
except ImportError:  # pytest "prepend" import mode puts tests/ itself on sys.path
    from support.pgserver import PostgresServer, process_alive  # type: ignore[no-redef]

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.NullPool)


def test_missing_binaries_raise_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(RuntimeError, match=r"initdb.*pg_ctl.*HOSTPROV_PG_BIN"):
        PostgresServer(bin_dir=tmp_path)
    monkeypatch.setenv("HOSTPROV_PG_BIN", str(tmp_path / "nope"))
    with pytest.raises(RuntimeError, match=r"PostgreSQL server binaries not found.*nope"):
        PostgresServer()


def test_server_runs_and_creates_database(pg: PostgresServer) -> None:
    assert pg.is_running
    assert pg.url().startswith(f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/")
    assert (
        pg.url("db", "u", "p w/@") == f"postgresql+psycopg://u:p%20w%2F%40@127.0.0.1:{pg.port}/db"
    )

    url = pg.create_database("app_db")
    assert url == pg.url("app_db")
    with _engine(url).connect() as conn:
        assert conn.scalar(sa.text("SELECT current_database()")) == "app_db"
        assert conn.scalar(sa.text("SHOW server_encoding")) == "UTF8"
        assert conn.scalar(sa.text("SHOW fsync")) == "off"

    pg.drop_database("app_db")
    rows = pg.execute("SELECT count(*) FROM pg_database WHERE datname = 'app_db'")
    assert rows == [(0,)]


def test_select_only_role_cannot_write(pg: PostgresServer) -> None:
    pg.create_database("perm_db")
    pg.execute(
        "CREATE SCHEMA inv;"
        " CREATE TABLE inv.hosts (id int PRIMARY KEY, name text);"
        " INSERT INTO inv.hosts VALUES (1, 'a');",
        database="perm_db",
    )
    pg.create_role("reader", password="s3cret")
    pg.execute(
        "GRANT CONNECT ON DATABASE perm_db TO reader;"
        " GRANT USAGE ON SCHEMA inv TO reader;"
        " GRANT SELECT ON ALL TABLES IN SCHEMA inv TO reader;",
        database="perm_db",
    )

    engine = _engine(pg.url("perm_db", user="reader", password="s3cret"))
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT current_user")) == "reader"
        assert conn.scalar(sa.text("SELECT name FROM inv.hosts WHERE id = 1")) == "a"

    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as excinfo:
        conn.execute(sa.text("INSERT INTO inv.hosts VALUES (2, 'b')"))
    assert isinstance(excinfo.value.orig, pg_errors.InsufficientPrivilege)
    assert "permission denied" in str(excinfo.value.orig)

    with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as excinfo:
        conn.execute(sa.text("CREATE TABLE inv.evil (x int)"))
    assert isinstance(excinfo.value.orig, pg_errors.InsufficientPrivilege)

    assert pg.execute("SELECT count(*) FROM inv.hosts", database="perm_db") == [(1,)]


def test_stop_and_start_keeps_data(pg: PostgresServer) -> None:
    url_before = pg.url()
    pg.execute("CREATE TABLE survivors (id int)")
    pg.execute("INSERT INTO survivors VALUES (42)")

    pg.stop()  # immediate stop, i.e. a simulated crash
    assert not pg.is_running
    with pytest.raises(psycopg.OperationalError):
        pg.execute("SELECT 1")

    pg.start()
    assert pg.is_running
    assert pg.url() == url_before  # same port, same data directory
    assert pg.execute("SELECT id FROM survivors") == [(42,)]


def test_temp_dir_and_process_gone_after_exit() -> None:
    started = time.perf_counter()
    with PostgresServer() as server:
        base = server.base_dir
        assert base is not None and base.is_dir()
        pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
        assert server.execute("SELECT 1") == [(1,)]
    assert not base.exists()
    assert not server.is_running
    assert not process_alive(pid)  # gone (or an unreaped zombie, which is as good)
    assert time.perf_counter() - started < 10


def test_cleanup_happens_even_when_body_raises() -> None:
    holder: list[PostgresServer] = []
    with pytest.raises(ZeroDivisionError), PostgresServer() as server:
        holder.append(server)
        base = server.base_dir
        _ = 1 / 0
    assert base is not None and not base.exists()
    assert not holder[0].is_running
