"""Reading and writing test databases directly (never through the services under test).

`snapshot` reads every row of the 7 tables, so a test can prove that nothing changed;
`writable` opens both databases with KSESSIONS writable, for test data the tool itself never
writes; `blank_env` gives empty databases (no tables) on a backend.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select, update

from hostprov_tui.config.settings import Settings
from hostprov_tui.db.canvas_models import CanvasBase, CanvasSession, HostSession
from hostprov_tui.db.engines import Databases, open_databases
from hostprov_tui.db.ksessions_models import (
    Category,
    KSession,
    KSessionsBase,
    SessionTranscript,
)

Snapshot = dict[str, list[tuple[Any, ...]]]


@contextmanager
def writable(settings: Settings) -> Iterator[Databases]:
    """Both databases, KSESSIONS included, open for writing test data."""
    dbs = open_databases(settings, create=True)
    try:
        yield dbs
    finally:
        dbs.dispose()


def snapshot(settings: Settings) -> Snapshot:
    """Every row of the 7 tables, ordered by primary key."""
    out: Snapshot = {}
    with writable(settings) as dbs:
        for handle, base in ((dbs.canvas, CanvasBase), (dbs.ksessions, KSessionsBase)):
            with handle.engine.connect() as conn:
                for table in base.metadata.sorted_tables:
                    stmt = select(table).order_by(*table.primary_key.columns)
                    out[table.fullname] = [tuple(r) for r in conn.execute(stmt)]
    assert len(out) == 7
    return out


def row_counts(settings: Settings) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(settings).items()}


def host_rows(settings: Settings) -> list[dict[str, Any]]:
    with writable(settings) as dbs, dbs.canvas.engine.connect() as conn:
        rows = conn.execute(select(HostSession).order_by(HostSession.HostSessionId))
        return [dict(r._mapping) for r in rows]


def canvas_rows(settings: Settings) -> list[dict[str, Any]]:
    with writable(settings) as dbs, dbs.canvas.engine.connect() as conn:
        rows = conn.execute(select(CanvasSession).order_by(CanvasSession.SessionId))
        return [dict(r._mapping) for r in rows]


def set_host_expiry(settings: Settings, host_session_id: int, expires: datetime) -> None:
    with writable(settings) as dbs, dbs.canvas.engine.begin() as conn:
        conn.execute(
            update(HostSession)
            .where(HostSession.HostSessionId == host_session_id)
            .values(ExpiresAt=expires)
        )


def insert_canvas_session(settings: Settings, ksessions_id: int | None, title: str) -> int:
    """A canvas session made by the app itself (the identity is the database's)."""
    now = datetime(2026, 1, 1, 12, 0)
    with writable(settings) as dbs, dbs.canvas.engine.begin() as conn:
        return int(conn.execute(
            insert(CanvasSession)
            .values(KSessionsId=ksessions_id, GroupId=uuid.uuid4(), Title=title,
                    CreatedAt=now, ModifiedAt=now)
            .returning(CanvasSession.SessionId)
        ).scalar_one())


def add_ksession(
    settings: Settings, name: str, *, description: str | None = None, transcripts: int = 1,
    active: bool = True,
) -> int:
    """A KSESSIONS session written by the test (the tool never writes KSESSIONS)."""
    with writable(settings) as dbs, dbs.ksessions.engine.begin() as conn:
        return _add_ksession(conn, name, description, transcripts, active)


def _add_ksession(
    conn: Connection, name: str, description: str | None, transcripts: int, active: bool
) -> int:
    sid = int(conn.execute(select(func.max(KSession.SessionID))).scalar_one()) + 1
    cat = conn.execute(select(Category.CategoryID, Category.GroupID).limit(1)).one()
    conn.execute(insert(KSession).values(
        SessionID=sid, GroupID=cat[1], CategoryID=cat[0], SessionName=name,
        Description=description, IsActive=active,
    ))
    first = int(conn.execute(select(func.max(SessionTranscript.TranscriptID))).scalar_one())
    for k in range(transcripts):
        conn.execute(insert(SessionTranscript).values(
            TranscriptID=first + k + 1, SessionID=sid, Transcript=f"part {k + 1}"
        ))
    return sid


def blank_urls(backend: str, tmp: Path, request: pytest.FixtureRequest) -> tuple[str, str]:
    """Two empty databases (no tables at all) on ``backend``: (canvas URL, KSESSIONS URL)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp}/canvas.db", f"sqlite:///{tmp}/ksessions.db"
    pg = request.getfixturevalue("pg_server")
    name = f"hp_{uuid.uuid4().hex[:10]}"
    return pg.create_database(f"{name}_dev"), pg.create_database(f"{name}_ks_dev")
