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
    bounded = _bounded_connection_class(limit_s)
    if bounded is None:  # a psycopg without a bounded wait: the server's timeouts only
        return

    @event.listens_for(engine, "do_connect")
    def _tcp(_dialect: Any, _rec: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        # a peer gone from the network (no answer, not even a reset) is noticed by TCP
        for key, value in (("keepalives", 1), ("keepalives_idle", max(1, math.ceil(limit_s))),
                           ("keepalives_interval", 1), ("keepalives_count", 3),
                           ("tcp_user_timeout", int(limit_s * 1000))):
            cparams.setdefault(key, value)

    @event.listens_for(engine, "connect")
    def _bound(dbapi_conn: Any, _rec: Any) -> None:
        if isinstance(dbapi_conn, bounded.__bases__[0]):
            dbapi_conn.__class__ = bounded  # the same object, its waits bounded


_CLASSES: dict[float, Any] = {}


def _bounded_connection_class(limit_s: float) -> Any:
    """A psycopg Connection class whose every wait for the server ends after ``limit_s``
    (the same layout: a connection's class can be switched to it once it is made)."""
    if limit_s in _CLASSES:
        return _CLASSES[limit_s]
    import psycopg
    from psycopg import errors

    wait_timeout = getattr(errors, "_WaitTimeout", None)
    parameters = inspect.signature(psycopg.Connection.wait).parameters
    if wait_timeout is None or "timeout" not in parameters:
        _CLASSES[limit_s] = None
        return None

    class ClientTimeout(psycopg.OperationalError):
        """The server did not answer within the client's limit; the connection was closed."""

        def __init__(self, limit: float) -> None:
            super().__init__(f"no answer from the server within {limit:g} s (hostprov's own "
                             "limit); the connection was closed")
            self.client_limit_s = limit

    class BoundedConnection(psycopg.Connection):  # type: ignore[type-arg]
        __slots__ = ()
        client_limit_s = limit_s

        def wait(self, gen: Any, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is not None:
                return super().wait(gen, *args, **kwargs)
            try:
                return super().wait(gen, *args, timeout=self.client_limit_s, **kwargs)
            except wait_timeout:
                self.pgconn.finish()  # half a conversation: nothing more can be said on it
                raise ClientTimeout(self.client_limit_s) from None

    _CLASSES[limit_s] = BoundedConnection
    return BoundedConnection
