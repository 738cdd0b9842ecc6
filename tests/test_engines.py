"""Engines: the SQLite pool must hand each thread its own connection and never close a busy one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from hostprov_tui.db.engines import open_databases
from tests.conftest import Env


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_engines_use_a_queue_pool(env: Env) -> None:
    dbs = open_databases(env.settings())
    try:
        assert isinstance(dbs.canvas.base_engine.pool, QueuePool)
        assert isinstance(dbs.ksessions.base_engine.pool, QueuePool)
    finally:
        dbs.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_many_threads_query_at_once_without_losing_a_connection(env: Env) -> None:
    """More threads than the pool size (the TUI's workers + probes): each query completes."""
    dbs = open_databases(env.settings())
    errors: list[BaseException] = []
    counts: list[int] = []
    start = threading.Barrier(12)

    def work() -> None:
        try:
            start.wait()
            for _ in range(20):
                with dbs.ksessions.engine.connect() as conn:
                    count = conn.execute(text('SELECT count(*) FROM "Sessions"')).scalar()
                    counts.append(int(count or 0))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(12)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        dbs.dispose()
    assert errors == []
    assert len(counts) == 12 * 20 and len(set(counts)) == 1 and counts[0] > 0
