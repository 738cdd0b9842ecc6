"""Real driver errors become the right typed error and sentence (no mocks: real failures)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import DatabaseUnavailable, HostprovError, SchemaMissing


def _translated(url: str, sql: str | None = None, **connect_args: Any) -> HostprovError:
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql or "SELECT 1"))
    except DBAPIError as exc:
        return translate_db_error(exc, TargetUrl("canvas", make_url(url)))
    finally:
        engine.dispose()
    raise AssertionError("the statement was expected to fail")


@pytest.mark.postgres
def test_postgres_missing_database_is_unreachable_not_schema(pg_server: Any) -> None:
    err = _translated(pg_server.url("hp_no_such_database_dev"))
    assert type(err) is DatabaseUnavailable
    assert "unreachable" in err.message and "does not exist" in err.message


@pytest.mark.postgres
def test_postgres_missing_table_is_schema_missing(pg_server: Any) -> None:
    err = _translated(pg_server.url(), 'SELECT * FROM canvas."NoSuchTable"')
    assert type(err) is SchemaMissing


@pytest.mark.postgres
def test_postgres_read_only_write_is_refused(pg_server: Any) -> None:
    err = _translated(pg_server.url(), "CREATE TABLE hp_never (x int)",
                      options="-c default_transaction_read_only=on")
    assert type(err) is DatabaseUnavailable
    assert "may not do this" in err.message


def test_sqlite_missing_table_is_schema_missing(tmp_path: Any) -> None:
    err = _translated(f"sqlite:///{tmp_path}/x.db", "SELECT * FROM nothing_here")
    assert type(err) is SchemaMissing


def test_odbc_refused_connection_is_unreachable_not_schema() -> None:
    from tests.support.pgserver import free_port

    url = f"mssql+pyodbc://sa@127.0.0.1:{free_port()}/KSESSIONS_DEV?driver=FreeTDS"
    err = _translated(url, timeout=2)
    assert type(err) is DatabaseUnavailable
    assert "is unreachable: Unable to connect" in err.message  # no "('08S01', ..." tuple
