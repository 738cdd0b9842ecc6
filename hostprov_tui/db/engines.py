"""One engine per database (the same engine when both URLs are equal), with timeouts."""

from __future__ import annotations

import math
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, Pool, QueuePool

from hostprov_tui.config.private_file import create_private_file, make_private_folder
from hostprov_tui.config.settings import DatabaseOptions, Settings
from hostprov_tui.db.canvas_models import CANVAS_SCHEMA
from hostprov_tui.db.client_limits import client_timeouts
from hostprov_tui.db.errors import did_not_answer, translate_db_error
from hostprov_tui.db.ksessions_models import KSESSIONS_SCHEMA
from hostprov_tui.db.mssql_engine import mssqlpython_engine
from hostprov_tui.db.odbc import check_odbc_driver
from hostprov_tui.db.timebox import TimedOut, call_with_timeout
from hostprov_tui.db.urls import DbName, TargetUrl, target_url
from hostprov_tui.errors import ConfigError, DatabaseUnavailable

#: Execution option: begin the SQLite transaction with BEGIN IMMEDIATE (take the write lock).
SQLITE_IMMEDIATE = "hostprov_sqlite_immediate"
#: Share of the statement timeout spent waiting for a lock held by another operator.
LOCK_SHARE = 0.8


@dataclass
class DatabaseHandle:
    """An engine and what it points at. ``engine`` already maps the schema for SQLite."""

    target: TargetUrl
    engine: Engine
    base_engine: Engine
    #: wall-clock bound of :meth:`connect` (0: none); set from [database] connect_timeout_s
    connect_limit_s: float = 0.0
    #: how the engine was made, so :meth:`fresh` can make an unpooled twin
    options: DatabaseOptions | None = None
    read_only: bool = False

    @property
    def name(self) -> DbName:
        return self.target.name

    @property
    def backend(self) -> str:
        return self.target.backend

    def schema(self, logical: str) -> str | None:
        """The schema to name in reflection: SQLite keeps each schema in its own file."""
        return None if self.backend == "sqlite" else logical

    def connect(self) -> Connection:
        """A connection, or a typed error (never a driver exception). A server is also bounded
        by the wall clock: some drivers ignore their login timeout, and a silent server would
        hang the caller. (An embedded SQLite file is opened directly.)"""
        try:
            if self.backend == "sqlite" or self.connect_limit_s <= 0:
                return self.engine.connect()
            return call_with_timeout(self.engine.connect, self.connect_limit_s)
        except TimedOut:
            raise did_not_answer(self.target, self.connect_limit_s) from None
        except DBAPIError as exc:
            raise translate_db_error(exc, self.target) from None

    @contextmanager
    def fresh(self) -> Iterator[DatabaseHandle]:
        """This database through an engine without a pool: every connection is opened anew
        (a health check must see the file or server as it is now, not a pooled connection)."""
        if self.options is None:
            yield self
            return
        base = make_engine(self.target, self.options, read_only=self.read_only,
                           poolclass=NullPool)
        schema = CANVAS_SCHEMA if self.name == "canvas" else KSESSIONS_SCHEMA
        try:
            yield replace(self, engine=_mapped(base, schema), base_engine=base)
        finally:
            base.dispose()


@dataclass
class Databases:
    canvas: DatabaseHandle
    ksessions: DatabaseHandle
    shared: bool = field(default=False)

    @contextmanager
    def write_connections(
        self, timings: list[str] | None = None
    ) -> Iterator[tuple[Connection, Connection]]:
        """The canvas connection (its transaction takes the write lock at once on SQLite) and
        the KSESSIONS one (the same when one database holds both). Raises typed errors;
        ``timings`` collects "canvas in 3 ms"-style notes."""
        opened: list[Connection] = []
        try:
            for handle in (self.canvas, self.ksessions):
                if handle is self.ksessions and self.shared:
                    break
                started = time.perf_counter()
                opened.append(handle.connect())
                if timings is not None:
                    timings.append(f"{handle.name} in {_ms(time.perf_counter() - started)}")
            canvas_conn = opened[0].execution_options(**{SQLITE_IMMEDIATE: True})
            yield canvas_conn, opened[1] if len(opened) > 1 else canvas_conn
        finally:
            for conn in opened:
                conn.close()

    def dispose(self) -> None:
        self.canvas.base_engine.dispose()
        if not self.shared:
            self.ksessions.base_engine.dispose()


def open_databases(
    settings: Settings, *, create: bool = False, ksessions_read_only: bool = True
) -> Databases:
    """Engines for both databases; connecting happens lazily, on first use."""
    canvas_t = target_url(settings.canvas, "canvas")
    ks_t = target_url(settings.ksessions, "ksessions")
    opts = settings.database
    limit = opts.connect_timeout_s + 2  # the driver's own login timeout comes first
    if canvas_t.same_database_as(ks_t):
        if canvas_t.backend == "sqlite":
            raise ConfigError(
                "canvas and KSESSIONS point at the same SQLite file, but both have a table "
                "named Sessions.",
                hint="Give each its own file, e.g. data/canvas.db and data/ksessions.db.",
            )
        base = make_engine(canvas_t, opts, create=create)
        return Databases(
            DatabaseHandle(canvas_t, base, base, limit, opts),
            DatabaseHandle(ks_t, base, base, limit, opts), shared=True,
        )
    ks_read_only = ksessions_read_only and not create
    canvas_base = make_engine(canvas_t, opts, create=create)
    ks_base = make_engine(ks_t, opts, create=create, read_only=ks_read_only)
    return Databases(
        DatabaseHandle(canvas_t, _mapped(canvas_base, CANVAS_SCHEMA), canvas_base, limit, opts),
        DatabaseHandle(ks_t, _mapped(ks_base, KSESSIONS_SCHEMA), ks_base, limit, opts,
                       ks_read_only),
    )


def _mapped(engine: Engine, schema: str) -> Engine:
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(schema_translate_map={schema: None})


def make_engine(
    target: TargetUrl, opts: DatabaseOptions, *, create: bool = False, read_only: bool = False,
    poolclass: type[Pool] | None = None,
) -> Engine:
    """An engine for ``target``; ``poolclass=NullPool`` opens every connection anew."""
    if target.backend == "sqlite":
        return _sqlite_engine(target, opts, create=create, read_only=read_only,
                              poolclass=poolclass or QueuePool)
    pooling: dict[str, Any] = {} if poolclass is None else {"poolclass": poolclass}
    if target.backend == "postgresql":
        return client_timeouts(_postgres_engine(target, opts, read_only=read_only,
                                                pooling=pooling), opts.statement_timeout_s)
    return _mssql_engine(target, opts, pooling)


def _sqlite_engine(
    target: TargetUrl, opts: DatabaseOptions, *, create: bool, read_only: bool,
    poolclass: type[Pool],
) -> Engine:
    path = target.sqlite_path
    if path is None:
        raise ConfigError(f"The {target.name} SQLite URL needs a file path, not :memory:.")
    mode = "rwc" if create else "rw"

    def connect() -> sqlite3.Connection:
        if create:  # a new database is the operator's alone: folder 0700, file 0600
            make_private_folder(path.parent)
            create_private_file(path)
        return sqlite3.connect(
            f"file:{path}?mode={mode}",
            uri=True,
            timeout=opts.statement_timeout_s,
            check_same_thread=False,
        )

    # The URL names no file (the creator opens it), so SQLAlchemy would pick SingletonThreadPool,
    # which closes other threads' connections once more than five threads connect: a crash.
    sizes = {"pool_size": 5, "max_overflow": 20} if poolclass is QueuePool else {}
    engine = create_engine(
        "sqlite+pysqlite://", creator=connect, poolclass=poolclass, **sizes
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, rec: ConnectionPoolEntry) -> None:
        rec.info["file"] = _file_identity(path)
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(opts.statement_timeout_s * 1000)}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi: Any, rec: ConnectionPoolEntry, _proxy: Any) -> None:
        # A pooled connection keeps a deleted or replaced file open: it would read and write a
        # file nobody else sees. The pool then opens the path anew (and fails if it is gone).
        if rec.info.get("file") != _file_identity(path):
            raise DisconnectionError(f"{path} is no longer the file this connection opened")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: sqlite3.Connection | None, _rec: ConnectionPoolEntry) -> None:
        # A COMMIT that SQLite refused (a deferred constraint) leaves its transaction open, and
        # SQLAlchemy, counting it as ended, skips the reset: roll it back before reuse.
        if dbapi_conn is not None and dbapi_conn.in_transaction:
            dbapi_conn.rollback()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(SQLITE_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _file_identity(path: os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path`` now; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def lock_timeout_ms(statement_timeout_s: float) -> int:
    """How long to wait for another operator's lock: most of the statement timeout."""
    return max(1, int(statement_timeout_s * 1000 * LOCK_SHARE))


def _postgres_engine(
    target: TargetUrl, opts: DatabaseOptions, *, read_only: bool, pooling: dict[str, Any]
) -> Engine:
    options = f"-c statement_timeout={int(opts.statement_timeout_s * 1000)}"
    # A lock wait gives up first (55P03: "another operator, try again"), before the statement
    # timeout would report the server as too slow.
    options += f" -c lock_timeout={lock_timeout_ms(opts.statement_timeout_s)}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return create_engine(
        target.url,
        connect_args={
            "connect_timeout": max(1, math.ceil(opts.connect_timeout_s)),
            "options": options,
            "application_name": "hostprov",
        },
        **_pool_args(opts, pooling),
    )


def _pool_args(opts: DatabaseOptions, pooling: dict[str, Any]) -> dict[str, Any]:
    if pooling.get("poolclass") is NullPool:
        return pooling
    return {"pool_pre_ping": True, "pool_timeout": opts.connect_timeout_s, **pooling}


def _mssql_engine(target: TargetUrl, opts: DatabaseOptions, pooling: dict[str, Any]) -> Engine:
    if target.dbapi == "mssqlpython":  # Microsoft's mssql-python: db/mssql_engine.py
        return mssqlpython_engine(target, opts, _pool_args(opts, pooling))
    check_odbc_driver(target)
    try:
        engine = create_engine(
            target.url,
            connect_args={"timeout": max(1, math.ceil(opts.connect_timeout_s))},
            **_pool_args(opts, pooling),
        )
    except ImportError as exc:  # pragma: no cover - guarded by check_odbc_driver
        raise DatabaseUnavailable(f"pyodbc cannot be loaded: {exc}.") from None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: ConnectionPoolEntry) -> None:
        dbapi_conn.timeout = max(1, math.ceil(opts.statement_timeout_s))  # query timeout

    return engine


def _ms(seconds: float) -> str:
    """A connect time for people: "3 ms", or "under 1 ms" rather than "0 ms"."""
    ms = seconds * 1000
    return "under 1 ms" if ms < 1 else f"{ms:.0f} ms"
