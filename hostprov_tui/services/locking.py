"""Serialising issuers of the same session, per backend, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import Connection, Select, text

from hostprov_tui.db.engines import lock_timeout_ms
from hostprov_tui.errors import ConcurrentChange, DatabaseBusy

#: First key of PostgreSQL's two-key advisory lock: "HP" — ours, not the app's.
_PG_NAMESPACE = 0x4850
#: SQL Server: an exclusive application lock owned by the transaction (the batch is kept as
#: T-SQL under tests/golden/tsql).
#: Opens the transaction sp_getapplock needs. With autocommit off the ODBC driver runs the
#: session with IMPLICIT_TRANSACTIONS ON, where only a statement that touches a table opens a
#: transaction — EXEC does not — and sp_getapplock with @LockOwner = 'Transaction' refuses to run
#: outside one (-999). Assigning a variable from canvas.Sessions (both generations have it)
#: opens it without a result set, and changes nothing when one is already open.
MSSQL_OPEN_TRANSACTION = "SELECT TOP (1) @opened = 1 FROM [canvas].[Sessions];"
MSSQL_APPLOCK = (
    "SET NOCOUNT ON; DECLARE @opened int; " + MSSQL_OPEN_TRANSACTION + " DECLARE @status int; "
    "EXEC @status = sp_getapplock @Resource = :res, @LockMode = 'Exclusive', "
    "@LockOwner = 'Transaction', @LockTimeout = :ms; SELECT @status"
)


def lock_ksessions_id(conn: Connection, ksessions_id: int, timeout_s: float) -> None:
    """Hold an exclusive transaction lock named after the KSESSIONS ID.

    It covers the moment the canvas session does not exist yet, so no row can be locked.
    SQLite needs nothing: the transaction began with BEGIN IMMEDIATE (one writer at a time).
    """
    backend = conn.dialect.name
    if backend == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :key)"),
            {"ns": _PG_NAMESPACE, "key": ksessions_id},
        )
    elif backend == "mssql":
        # sp_getapplock reports a timeout or deadlock by its return code, not by an error:
        # a negative status means the lock was NOT taken, so nothing may be written.
        status = conn.execute(
            text(MSSQL_APPLOCK),
            {"res": f"hostprov:ksessions:{ksessions_id}", "ms": lock_timeout_ms(timeout_s)},
        ).scalar()
        if status is not None and int(status) == -1:  # timed out: the wait used its bound
            raise DatabaseBusy(
                f"Another process is writing to KSESSIONS session {ksessions_id} and kept its "
                "lock past the statement timeout; nothing was saved.",
                hint="Try again when it has finished; [database] statement_timeout_s sets how "
                "long hostprov waits.",
            )
        if status is None or int(status) < 0:
            raise ConcurrentChange(
                f"Another operator is changing KSESSIONS session {ksessions_id} right now "
                f"(SQL Server lock status {status}).",
                hint="Nothing was saved. Try again in a moment.",
            )


def lock_ksessions_ids(conn: Connection, ids: list[int], timeout_s: float) -> None:
    """:func:`lock_ksessions_id` for every ID (a bulk chunk), in ascending order: no deadlock."""
    if not ids:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT count(pg_advisory_xact_lock(:ns, k)) FROM "
                 "(SELECT k FROM unnest(CAST(:keys AS integer[])) AS k ORDER BY k) AS ordered"),
            {"ns": _PG_NAMESPACE, "keys": sorted(ids)},
        )
    elif conn.dialect.name == "mssql":
        for ksessions_id in sorted(ids):
            lock_ksessions_id(conn, ksessions_id, timeout_s)
    # SQLite: the transaction began with BEGIN IMMEDIATE (one writer at a time)


def for_update(stmt: Select, table: object) -> Select:
    """``SELECT … FOR UPDATE`` on PostgreSQL, ``WITH (UPDLOCK, ROWLOCK)`` on SQL Server."""
    return stmt.with_for_update().with_hint(table, "WITH (UPDLOCK, ROWLOCK)", "mssql")
