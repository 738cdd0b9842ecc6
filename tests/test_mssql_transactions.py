"""How the SQL Server drivers open transactions, seen on the wire (tests/support/tds_server.py logs
each TDS request): with autocommit off (SQLAlchemy's, and the DB-API default of mssql-python and
pyodbc) the driver itself begins a transaction with a TDS transaction-manager request
(TM_BEGIN_XACT, MS-TDS 2.2.6.9) right after the login, before any statement, and a rollback asks
for the next one in the same request. So under Microsoft's ODBC Driver 18 (through mssql-python or
pyodbc) and FreeTDS at TDS 7.4, a statement never runs outside a transaction, and
``sp_getapplock … @LockOwner = 'Transaction'`` as the first statement finds one. hostprov's lock
batch still opens it itself first (services/locking.py), which also covers a driver in
implicit-transaction mode.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.tds_server import DENIED, TdsServer
from tests.test_mssql_real_driver import DRIVERS, HAS_FREETDS, LIBRARY


def raw_connect(driver: str, port: int) -> Any:
    """The driver's own DB-API connection (autocommit off), no hostprov, no SQLAlchemy."""
    cs = f"Server=127.0.0.1,{port};Database=KSESSIONS_DEV;UID=sa;PWD=x;Encrypt=no"
    if driver == "mssql-python":
        import mssql_python

        mssql_python.pooling(enabled=False)
        return mssql_python.connect(cs, timeout=5)
    import pyodbc

    if driver == "freetds":
        return pyodbc.connect(f"DRIVER=FreeTDS;Server=127.0.0.1;Port={port};"
                              "Database=KSESSIONS_DEV;UID=sa;PWD=x;TDS_Version=7.4", timeout=5)
    return pyodbc.connect(f"DRIVER={{{LIBRARY}}};{cs}", timeout=5)


def settled(server: TdsServer, count: int) -> list[str]:
    """What the server saw, once it has seen ``count`` things (it serves on its own thread)."""
    for _ in range(100):
        if len(server.seen) >= count:
            break
        time.sleep(0.02)
    return [s for s in server.seen if s != "request 0x03"]  # pyodbc's type-info RPCs


@pytest.mark.parametrize("driver", [*DRIVERS, pytest.param("freetds", marks=pytest.mark.skipif(
    not HAS_FREETDS, reason="FreeTDS is not registered with unixODBC here"))])
def test_the_driver_begins_a_transaction_before_the_first_statement(
    driver: str, tmp_path: Path
) -> None:
    server = TdsServer("denied", tmp_path, errors=DENIED)
    try:
        conn = raw_connect(driver, server.port)
        assert not conn.autocommit
        cursor = conn.cursor()
        with pytest.raises(Exception, match="SELECT permission was denied"):
            cursor.execute("SELECT 1")
        seen = settled(server, 4)
        conn.rollback()
        conn.close()
    finally:
        server.close()
    first = next(i for i, s in enumerate(seen) if s.startswith("request"))
    assert seen[:3] == ["prelogin", "login", "TM_BEGIN_XACT"], seen
    assert "TM_BEGIN_XACT" in seen[:first], "a transaction is open before the first statement"


@pytest.mark.parametrize(("driver", "library"), [
    ("mssql-python", "libmsodbcsql-18"), ("pyodbc", "libmsodbcsql-18"), ("freetds", "libtdsodbc"),
])
def test_the_odbc_driver_and_its_version_as_check_names_them(
    driver: str, library: str, tmp_path: Path
) -> None:
    if (driver == "pyodbc" and LIBRARY is None) or (driver == "freetds" and not HAS_FREETDS):
        pytest.skip("driver not available here")
    from hostprov_tui.db.mssql_driver import odbc_driver_info

    server = TdsServer("denied", tmp_path, errors=DENIED)
    try:
        conn = raw_connect(driver, server.port)
        info = odbc_driver_info(conn)
        conn.close()
    finally:
        server.close()
    assert info is not None and info.startswith(library), info
    assert re.fullmatch(r"\S+ \d{2}\.\d{2}\.\d{4}", info), info
