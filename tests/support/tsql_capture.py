"""Capture what hostprov executes during a real flow on SQLite, for compiling it as T-SQL.

Every ClauseElement the services execute is taken at SQLAlchemy's ``before_execute`` event
(before any compilation, with its parameters and the connection it ran on), with the
transaction boundaries (``begin`` / ``commit`` / ``rollback``) and the reflection calls
(``Inspector.get_table_names/get_columns/get_indexes``) in between.

What only SQL Server gets — sp_getapplock, SET IDENTITY_INSERT, the version and database-name
queries — comes from the product's own SQL Server branches: those functions are called with a
:class:`AsMssql` connection whose dialect says "mssql". It records their text statements and
answers as the server would (the lock granted), and hands every other statement to the real
SQLite connection, so the flow still reads and writes real rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal

import pytest
from sqlalchemy import Connection, TextClause, event
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.sql import ClauseElement

from hostprov_tui.db.canvas_models import CANVAS_SCHEMA
from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.ksessions_models import KSESSIONS_SCHEMA
from hostprov_tui.services import connectivity, locking
from hostprov_tui.services.generations import base, guid, tokens
from hostprov_tui.services.generations.tokens import TokensGeneration

StepKind = Literal["sql", "begin", "commit", "rollback", "reflect"]
LOGICAL_SCHEMA = {"canvas": CANVAS_SCHEMA, "ksessions": KSESSIONS_SCHEMA}
#: Text statements that exist only because the flow runs on SQLite (never sent to SQL Server).
SQLITE_ONLY = ("sqlite_master",)
#: What the recorder answers for the SQL Server-only statements (``.scalar()``).
ANSWERS = {"sp_getapplock": 0, "SERVERPROPERTY": "16.0.1000.6", "DB_NAME()": "KSESSIONS_DEV"}


@dataclass
class Step:
    """One thing the flow did on one database, in order."""

    database: str
    kind: StepKind
    element: ClauseElement | None = None
    #: the distilled parameters, as SQLAlchemy compiles them: one dict per row (executemany)
    params: list[dict[str, Any]] = field(default_factory=list)
    #: a reflection call, e.g. ``get_columns('Sessions', schema='canvas')``
    call: str = ""


class Recorder:
    """The steps of one flow, from the events of both databases' engines."""

    def __init__(self, engines: dict[int, str]) -> None:
        self.engines = engines
        self.steps: list[Step] = []
        self._pending: dict[int, Step] = {}  # a statement whose autobegin may still follow

    def database(self, conn: Connection) -> str:
        for engine in (conn.engine, getattr(conn.engine, "_proxied", None)):
            if engine is not None and id(engine) in self.engines:
                return self.engines[id(engine)]
        raise AssertionError(f"a statement ran on an engine of neither database: {conn.engine}")

    def statement(self, conn: Connection, element: Any, params: list[dict[str, Any]]) -> None:
        if not isinstance(element, ClauseElement):
            return  # exec_driver_sql: SQLite's own BEGIN and PRAGMAs
        if isinstance(element, TextClause) and any(s in element.text for s in SQLITE_ONLY):
            return
        step = Step(self.database(conn), "sql", element, params)
        self.steps.append(step)
        self._pending[id(conn)] = step

    def executed(self, conn: Connection) -> None:
        self._pending.pop(id(conn), None)

    def boundary(self, conn: Connection, kind: StepKind) -> None:
        marker = Step(self.database(conn), kind)
        pending = self._pending.pop(id(conn), None)
        at = next((i for i in range(len(self.steps) - 1, -1, -1) if self.steps[i] is pending),
                  None) if kind == "begin" and pending is not None else None
        if at is None:
            self.steps.append(marker)
        else:  # SQLAlchemy's autobegin, inside the execution of the statement it precedes
            self.steps.insert(at, marker)

    def reflect(self, conn: Connection, call: str) -> None:
        self.steps.append(Step(self.database(conn), "reflect", call=call))


class AsMssql:
    """A connection whose dialect is "mssql": the product's SQL Server branch runs on it.

    Text statements (the SQL Server-only ones) are recorded and answered; anything else is
    executed by the real connection (and captured by its events like every statement)."""

    def __init__(self, conn: Connection, recorder: Recorder) -> None:
        self._conn = conn
        self._recorder = recorder
        self.dialect = SimpleNamespace(name="mssql")

    def execute(self, statement: Any, parameters: Any = None) -> Any:
        if not isinstance(statement, TextClause):
            return self._conn.execute(statement, parameters)
        params = [parameters] if isinstance(parameters, dict) else list(parameters or [])
        self._recorder.statement(self._conn, statement, params)
        self._recorder.executed(self._conn)
        answer = next((v for k, v in ANSWERS.items() if k in statement.text), None)
        return SimpleNamespace(scalar=lambda: answer)


def _distilled(multiparams: Any, params: Any) -> list[dict[str, Any]]:
    """The parameters as SQLAlchemy distils them for compilation (``_execute_clauseelement``)."""
    if multiparams:
        return [dict(p) for p in multiparams]
    return [dict(params)] if params else []


@contextmanager
def capture(prov: Any) -> Iterator[Recorder]:
    """Record every step ``prov`` takes on both databases while the block runs."""
    dbs = prov.ctx.databases()
    engines: dict[int, str] = {}
    for name, handle in (("canvas", dbs.canvas), ("ksessions", dbs.ksessions)):
        engines.setdefault(id(handle.base_engine), name)
        engines.setdefault(id(handle.engine), name)
    recorder = Recorder(engines)
    listeners: list[tuple[Any, str, Callable[..., Any]]] = [
        ("before_execute", lambda conn, elem, multi, params, _opts:
            recorder.statement(conn, elem, _distilled(multi, params))),
        ("before_cursor_execute", lambda conn, _cursor, _sql, _params, context, _many:
            context.compiled is not None and recorder.executed(conn)),
        ("begin", lambda conn: recorder.boundary(conn, "begin")),
        ("commit", lambda conn: recorder.boundary(conn, "commit")),
        ("rollback", lambda conn: recorder.boundary(conn, "rollback")),
    ]  # type: ignore[list-item]
    bases = {id(h.base_engine): h.base_engine for h in (dbs.canvas, dbs.ksessions)}
    hooked = [(engine, name, fn) for engine in bases.values() for name, fn in listeners]
    for engine, name, fn in hooked:
        event.listen(engine, name, fn)
    try:
        with pytest.MonkeyPatch.context() as patch:
            _as_mssql(patch, recorder)
            _reflection(patch, recorder)
            _fresh_handles(patch, recorder, listeners)
            yield recorder
    finally:
        for engine, name, fn in hooked:
            event.remove(engine, name, fn)


def _fresh_handles(
    patch: pytest.MonkeyPatch, recorder: Recorder, listeners: list[tuple[str, Any]]
) -> None:
    """The health check opens each database through an unpooled twin of its engine
    (``DatabaseHandle.fresh``): record it as that database too."""
    real = DatabaseHandle.fresh

    @contextmanager
    def fresh(self: DatabaseHandle) -> Iterator[DatabaseHandle]:
        with real(self) as twin:
            recorder.engines[id(twin.engine)] = recorder.engines[id(self.engine)]
            recorder.engines[id(twin.base_engine)] = recorder.engines[id(self.engine)]
            for name, fn in listeners:
                event.listen(twin.base_engine, name, fn)
            yield twin

    patch.setattr(DatabaseHandle, "fresh", fresh)


def _as_mssql(patch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    """Run the product's SQL Server branches (locks, IDENTITY_INSERT, version) on a recorder."""

    def locks(real: Callable[..., None]) -> Callable[..., None]:
        return lambda conn, ids, timeout_s: real(AsMssql(conn, recorder), ids, timeout_s)

    for module in (base, guid, tokens):
        for name in ("lock_ksessions_id", "lock_ksessions_ids"):
            if hasattr(module, name):
                patch.setattr(module, name, locks(getattr(locking, name)))
    insert = TokensGeneration._insert
    patch.setattr(TokensGeneration, "_insert",
                  lambda self, conn, rows: insert(self, AsMssql(conn, recorder), rows))
    for name in ("_version", "_dbname"):
        real = getattr(connectivity, name)
        patch.setattr(connectivity, name,
                      lambda conn, _backend, real=real: real(AsMssql(conn, recorder), "mssql"))


def _reflection(patch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    """Note each reflection call hostprov makes, with the schema SQL Server would be asked."""

    def noted(method: str) -> Callable[..., Any]:
        real = getattr(Inspector, method)

        def call(self: Inspector, *args: Any, **kwargs: Any) -> Any:
            conn = self.bind
            assert isinstance(conn, Connection), "hostprov reflects on a connection"
            database = recorder.database(conn)
            schema = kwargs.get("schema", args[1] if len(args) > 1 else None) \
                if method != "get_table_names" else kwargs.get("schema", args[0] if args else None)
            schema = schema or LOGICAL_SCHEMA[database]
            table = f"{args[0]!r}, " if method != "get_table_names" else ""
            recorder.reflect(conn, f"{method}({table}schema={schema!r})")
            return real(self, *args, **kwargs)

        return call

    for method in ("get_table_names", "get_columns", "get_indexes"):
        patch.setattr(Inspector, method, noted(method))
