"""The engine for Microsoft's mssql-python driver (``mssql+mssqlpython`` URLs)."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from hostprov_tui.config.settings import DatabaseOptions
from hostprov_tui.db.mssql_driver import check_mssql_python
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import DatabaseUnavailable


def mssqlpython_engine(
    target: TargetUrl, opts: DatabaseOptions, pool_args: dict[str, Any]
) -> Engine:
    """mssql-python: the ODBC Driver 18 engine inside the wheel, no driver manager.
    ``timeout`` is its login timeout (as pyodbc's), ``Connection.timeout`` the query timeout;
    SQLAlchemy's dialect turns the driver's own pool off (SQLAlchemy pools)."""
    check_mssql_python(target.name)
    try:
        engine = create_engine(
            target.url,
            connect_args={"timeout": max(1, math.ceil(opts.connect_timeout_s))},
            **pool_args,
        )
    except (ImportError, OSError) as exc:  # installed, but its native part does not load
        raise DatabaseUnavailable(
            f"Microsoft's mssql-python driver is installed but cannot be loaded ({exc}), so the "
            f"{target.name} database cannot be reached.",
            hint="Reinstall it (pip install --force-reinstall mssql-python), or set "
            f"[{target.name}] driver = \"pyodbc\" with an installed ODBC driver.",
        ) from None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: ConnectionPoolEntry) -> None:
        dbapi_conn.timeout = max(1, math.ceil(opts.statement_timeout_s))  # query timeout

    return engine
