"""Every statement bounded on the client too, not only by the server's own timeouts.

The server enforces ``statement_timeout`` / ``lock_timeout`` (PostgreSQL), a lock timeout (SQL
Server) and SQLite its busy timeout; but a server that stops answering — its process stopped
(``kill -STOP``), a host gone from the network — enforces nothing, and a driver waiting for its
answer would wait for ever. So the client gives up too, a little after the server would have:

* PostgreSQL (psycopg): every wait for the server (statement, fetch, COMMIT, ROLLBACK, ping)
  ends after :func:`client_limit_s`; the connection is then closed (its state is unknown) and
  the error says so. TCP keepalives and ``tcp_user_timeout`` notice a dead peer on the network.
* SQL Server (pyodbc): the ODBC query timeout (``Connection.timeout``), set in engines.py.
* SQLite: the busy timeout (the only wait: another process holding the write lock).

The connect itself is bounded by [database] connect_timeout_s (engines.py's wall clock).
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from sqlalchemy import Engine, event

#: How long after the server's own statement timeout the client stops waiting: the server's
#: answer ("canceling statement due to statement timeout") is the better message.
MARGIN_SHARE = 0.1
MARGIN_MIN_S = 1.0
MARGIN_MAX_S = 5.0


def client_limit_s(statement_timeout_s: float) -> float:
    """How long the client waits for any one answer of the server."""
    margin = min(MARGIN_MAX_S, max(MARGIN_MIN_S, statement_timeout_s * MARGIN_SHARE))
    return statement_timeout_s + margin


def client_timeouts(engine: Engine, statement_timeout_s: float) -> Engine:
    """``engine`` with the client-side bound of its backend installed (PostgreSQL here; SQL
    Server's and SQLite's are set where their engine is made)."""
    if engine.dialect.name == "postgresql":
        _postgres(engine, client_limit_s(statement_timeout_s))
    return engine


def _postgres(engine: Engine, limit_s: float) -> None:
    bounded = _bounded_connection_class()
    if bounded is None:  # a psycopg without a bounded wait: the server's timeouts only
        return

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        # a peer gone from the network (no answer, not even a reset) is noticed by TCP
        for key, value in (("keepalives", 1), ("keepalives_idle", max(1, math.ceil(limit_s))),
                           ("keepalives_interval", 1), ("keepalives_count", 3),
                           ("tcp_user_timeout", int(limit_s * 1000))):
            cparams.setdefault(key, value)
        conn = bounded.connect(*cargs, **cparams)
        conn.client_limit_s = limit_s
        return conn


_CLASS: list[Any] = []


def _bounded_connection_class() -> Any:
    """A psycopg Connection whose every wait for the server ends after ``client_limit_s``."""
    if _CLASS:
        return _CLASS[0]
    import psycopg
    from psycopg import errors

    wait_timeout = getattr(errors, "_WaitTimeout", None)
    parameters = inspect.signature(psycopg.Connection.wait).parameters
    if wait_timeout is None or "timeout" not in parameters:
        _CLASS.append(None)
        return None

    class ClientTimeout(psycopg.OperationalError):
        """The server did not answer within the client's limit; the connection was closed."""

        def __init__(self, limit_s: float) -> None:
            super().__init__(f"no answer from the server within {limit_s:g} s (hostprov's own "
                             "limit); the connection was closed")
            self.client_limit_s = limit_s

    class BoundedConnection(psycopg.Connection):  # type: ignore[type-arg]
        client_limit_s: float = 0.0

        def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
            limit = self.client_limit_s
            if limit <= 0 or kwargs.get("timeout") is not None:
                return super().wait(gen, *args, **kwargs)
            try:
                return super().wait(gen, *args, timeout=limit, **kwargs)
            except wait_timeout:
                self.pgconn.finish()  # half a conversation: nothing more can be said on it
                raise ClientTimeout(limit) from None

    _CLASS.append(BoundedConnection)
    return BoundedConnection
