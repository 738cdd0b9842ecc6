"""Are both databases reachable, how fast, what are they, are they allowed, is the schema there?"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.errors import did_not_answer, translate_db_error
from hostprov_tui.db.mssql_driver import mssql_driver_label
from hostprov_tui.db.schema import check_schema
from hostprov_tui.db.timebox import TimedOut, call_with_timeout
from hostprov_tui.errors import HostprovError, SchemaMissing
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.guard import database_verdict
from hostprov_tui.services.readiness import readiness
from hostprov_tui.services.results import ConnectivityReport, DatabaseStatus

_VERSION_SQL = {
    "sqlite": "SELECT sqlite_version()",
    "postgresql": "SHOW server_version",
    "mssql": "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(64))",
}
_DBNAME_SQL = {"postgresql": "SELECT current_database()", "mssql": "SELECT DB_NAME()"}


def check_connectivity(ctx: ServiceContext, *, audit: bool = True) -> ConnectivityReport:
    """Probe both databases (each bounded by the connect timeout) and check their schemas."""
    dbs = ctx.databases()
    # Both probes at once: a silent server costs one timeout, not one per database.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="hostprov-probe") as pool:
        pending = [pool.submit(probe_database, handle, ctx.settings.environment,
                               ctx.settings.canvas.generation)
                   for handle in (dbs.canvas, dbs.ksessions)]
        canvas, ksessions = (future.result() for future in pending)
    report = ConnectivityReport(ctx.settings.environment, canvas, ksessions, dbs.shared)
    if audit:
        record_check(ctx, canvas, ksessions)
    return report


def probe_one(ctx: ServiceContext, name: str) -> DatabaseStatus:
    """One database's card (``name``: canvas or ksessions), so that one answers without
    waiting for the other (a silent server holds only its own card)."""
    dbs = ctx.databases()
    handle = dbs.canvas if name == "canvas" else dbs.ksessions
    return probe_database(handle, ctx.settings.environment, ctx.settings.canvas.generation)


def record_check(ctx: ServiceContext, canvas: DatabaseStatus, ksessions: DatabaseStatus) -> None:
    """The audit record of a check of both databases."""
    bad = [d for d in (canvas, ksessions) if not (d.reachable and d.schema_ok)]
    ctx.audit.record(
        "check",
        "ok" if not bad else "failed",
        message="both databases reachable, schema complete"
        if not bad
        else "; ".join(f"{d.name}: {d.error or d.schema_verdict}" for d in bad),
    )


def probe_database(
    handle: DatabaseHandle, environment: str, generation: str = "auto"
) -> DatabaseStatus:
    """Reachable? How fast, what server, allowed here, schema complete (and, for canvas, which
    generation of it)? ``generation`` is the ``[canvas] generation`` setting."""
    limit_s = handle.connect_limit_s
    target = handle.target
    verdict = database_verdict(environment, target)
    base = {
        "name": handle.name,
        "url": target.masked,
        "backend": target.backend,
        "database": target.database_name,
        "environment_ok": verdict.allowed,
        "environment_verdict": verdict.sentence,
        "driver": mssql_driver_label(target),
    }
    latency, version, dbname = None, None, None  # SchemaMissing may come before the ping
    try:
        with handle.fresh() as fresh:  # opened anew: never a pooled view of a file now gone
            latency, version, dbname, driver = call_with_timeout(lambda: _ping(fresh), limit_s)
            schema = call_with_timeout(lambda: check_schema(fresh, generation), limit_s)
            ready = call_with_timeout(lambda: readiness(fresh, schema), limit_s)
    except SchemaMissing as exc:  # reachable, but of the wrong generation or of neither
        return DatabaseStatus(
            **{**base, "database": dbname or target.database_name},
            reachable=latency is not None, latency_ms=latency, server_version=version,
            schema_ok=False,
            schema_verdict=exc.message, hint=exc.hint,
        )
    except TimedOut:
        late = did_not_answer(target, limit_s)
        return DatabaseStatus(**base, reachable=False, error=late.message, hint=late.hint)
    except HostprovError as exc:
        return DatabaseStatus(**base, reachable=False, error=exc.message, hint=exc.hint)
    except DBAPIError as exc:
        err = translate_db_error(exc, target)
        return DatabaseStatus(**base, reachable=False, error=err.message, hint=err.hint)
    return DatabaseStatus(
        **{**base, "database": dbname or target.database_name, "driver": driver},
        reachable=True,
        latency_ms=latency,
        server_version=version,
        schema_ok=schema.ok,
        schema_verdict=" ".join((schema.sentence(), *ready)),
        missing=schema.missing_tables + schema.missing_columns,
        generation=schema.generation,
        readiness=ready,
    )


def _ping(handle: DatabaseHandle) -> tuple[float, str, str | None, str | None]:
    try:
        with handle.engine.connect() as conn:
            started = time.perf_counter()
            conn.execute(text("SELECT 1")).scalar()
            latency = round((time.perf_counter() - started) * 1000, 2)
            return (latency, _version(conn, handle.backend), _dbname(conn, handle.backend),
                    mssql_driver_label(handle.target, conn))
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None


def _version(conn: Connection, backend: str) -> str:
    value = conn.execute(text(_VERSION_SQL[backend])).scalar()
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mssql": "SQL Server"}[backend]
    return f"{label} {value}"


def _dbname(conn: Connection, backend: str) -> str | None:
    sql = _DBNAME_SQL.get(backend)
    return str(conn.execute(text(sql)).scalar()) if sql else None
