"""Errors a person understands, from Microsoft's real SQL Server driver, without a server.

Two ways to the same driver, both from the wheels of the test extra (no apt): mssql-python, and
pyodbc loading ``libmsodbcsql-18`` from the ``mssql-python-odbc`` wheel by path
(``DRIVER={/…/libmsodbcsql-18….so}``; pyodbc itself needs unixODBC's libodbc.so.2). Local
endpoints make each failure for real: a closed port (refused), a listener that never answers
(silent), a name that does not resolve, and a tiny TDS responder (tests/support/tds_server.py)
that presents a self-signed certificate or answers the login with SQL Server's errors 18456 and
4060. Permission denied needs a logged-in session, so it is checked with the driver's own error
classes and the texts SQL Server documents (error 229). Durations are printed, not asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from hostprov_tui.config.settings import DatabaseOptions, DatabaseTarget
from hostprov_tui.db.engines import DatabaseHandle, make_engine
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.urls import target_url
from hostprov_tui.errors import DatabaseUnavailable
from tests.support.pgserver import free_port
from tests.support.tds_server import DENIED, NO_DATABASE, TdsServer
from tests.test_mssql import SilentListener

CONNECT_TIMEOUT_S = 2
OPTIONS = DatabaseOptions(connect_timeout_s=CONNECT_TIMEOUT_S, statement_timeout_s=5)


def microsoft_odbc_library() -> Path | None:
    """libmsodbcsql-18 as the mssql-python-odbc wheel ships it for this Linux."""
    try:
        import mssql_python_odbc
    except ImportError:
        return None
    root = Path(mssql_python_odbc.__file__).parent / "libs" / "linux" / "debian_ubuntu"
    found = sorted(root.glob("*/lib/libmsodbcsql-18*.so*"))
    return found[0] if found else None


def pyodbc_loads() -> bool:
    try:
        import pyodbc  # noqa: F401
    except ImportError:
        return False
    return True


LIBRARY = microsoft_odbc_library()


def freetds_registered() -> bool:
    if not pyodbc_loads():
        return False
    import pyodbc

    return "FreeTDS" in pyodbc.drivers()


HAS_FREETDS = freetds_registered()
DRIVERS = [
    pytest.param("mssql-python", id="mssql-python"),
    pytest.param("pyodbc", id="pyodbc+msodbcsql18", marks=pytest.mark.skipif(
        LIBRARY is None or not pyodbc_loads(),
        reason="needs the mssql-python-odbc wheel and unixODBC's libodbc.so.2")),
]


def url(driver: str, host: str, port: int, query: str = "") -> str:
    if driver == "mssql-python":
        return f"mssql+mssqlpython://sa@{host}:{port}/KSESSIONS_DEV{'?' + query if query else ''}"
    extra = f"&{query}" if query else ""
    return f"mssql+pyodbc://sa@{host}:{port}/KSESSIONS_DEV?driver={LIBRARY}{extra}"


#: for the TDS stand-in, which answers at once: room for a busy machine, not a wait
STAND_IN = DatabaseOptions(connect_timeout_s=15, statement_timeout_s=15)


def connect_error(address: str, monkeypatch: pytest.MonkeyPatch,
                  options: DatabaseOptions = OPTIONS) -> DatabaseUnavailable:
    """What connecting through the product's engine raises (the typed error, never a driver's)."""
    monkeypatch.setenv("HOSTPROV_CANVAS__PASSWORD", "not-the-password")
    target = target_url(DatabaseTarget(url=address), "canvas")
    engine = make_engine(target, options)
    handle = DatabaseHandle(target, engine, engine, options.connect_timeout_s + 2, options)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            handle.connect()
    finally:
        engine.dispose()
    assert "Driver Error" not in caught.value.message and "[Microsoft]" not in caught.value.message
    assert caught.value.exit_code == 3
    return caught.value


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    listener = SilentListener()
    yield listener
    listener.close()


@pytest.mark.parametrize("driver", DRIVERS)
def test_refused_port(driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    err = connect_error(url(driver, "127.0.0.1", port), monkeypatch)
    assert err.message == (f"The canvas database server (mssql on 127.0.0.1:{port}/KSESSIONS_DEV) "
                           "refused the connection: nothing accepts connections on that host and "
                           "port.")


@pytest.mark.parametrize("driver", DRIVERS)
def test_silent_server(driver: str, silent: SilentListener,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    err = connect_error(url(driver, "127.0.0.1", silent.port), monkeypatch)
    assert silent.accepted, "the driver must have reached the listener"
    assert "accepted the connection but did not answer the login in time" in err.message
    assert "connect_timeout_s" in (err.hint or "")


@pytest.mark.parametrize("driver", DRIVERS)
def test_unknown_host(driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    err = connect_error(url(driver, "no-such-host.invalid", 1433), monkeypatch)
    assert err.message.startswith(
        "The canvas database server no-such-host.invalid is not a known host name")


@pytest.mark.parametrize("driver", DRIVERS)
def test_self_signed_certificate_under_the_default_encrypt(
    driver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ODBC Driver 18 encrypts and checks the certificate by default (Encrypt=yes)."""
    server = TdsServer("tls", tmp_path)
    try:
        err = connect_error(url(driver, "127.0.0.1", server.port), monkeypatch, STAND_IN)
    finally:
        server.close()
    assert "presented a TLS certificate this computer does not trust" in err.message
    assert "TrustServerCertificate=yes" in (err.hint or "")
    assert "prelogin" in server.seen


@pytest.mark.parametrize("driver", DRIVERS)
def test_login_failed_18456(driver: str, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    server = TdsServer("error", tmp_path)
    try:
        err = connect_error(url(driver, "127.0.0.1", server.port, "Encrypt=no"), monkeypatch,
                            STAND_IN)
    finally:
        server.close()
    assert "login" in server.seen
    assert err.message == (f"The canvas database (mssql on 127.0.0.1:{server.port}/KSESSIONS_DEV)"
                           " refused the login: Login failed for user 'sa'.")
    assert "HOSTPROV_CANVAS__PASSWORD" in (err.hint or "")
    assert "not-the-password" not in err.message + (err.hint or "")


@pytest.mark.parametrize("driver", DRIVERS)
def test_unknown_database_4060(driver: str, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """SQL Server sends 4060 then 18456. pyodbc reports the first (the database), mssql-python
    only the last (the login): its sentence's hint then names the database."""
    server = TdsServer("error", tmp_path, errors=NO_DATABASE)
    try:
        err = connect_error(url(driver, "127.0.0.1", server.port, "Encrypt=no"), monkeypatch,
                            STAND_IN)
    finally:
        server.close()
    if driver == "pyodbc":
        assert err.message.startswith(
            "The canvas database KSESSIONS_DEV cannot be opened on 127.0.0.1: it does not exist "
            "there, or the login may not open it")
    else:
        assert "refused the login" in err.message
        assert "database KSESSIONS_DEV exists" in (err.hint or "")


DENIED_229 = ("The SELECT permission was denied on the object 'Sessions', database "
              "'KSESSIONS_DEV', schema 'canvas'.")


@pytest.mark.parametrize("driver", ["mssql-python", "pyodbc"])
def test_permission_denied_229_documented(driver: str) -> None:
    """The exception each driver raises for SQL Server's error 229 (SQLSTATE 42000)."""
    if driver == "mssql-python":
        from mssql_python.exceptions import ProgrammingError

        orig: Exception = ProgrammingError("Syntax error or access violation",
                                           f"[Microsoft][SQL Server]{DENIED_229}")
    else:
        pyodbc = pytest.importorskip("pyodbc")
        orig = pyodbc.ProgrammingError(
            "42000", f"[42000] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]"
            f"{DENIED_229} (229) (SQLExecDirectW)")
    target = target_url(DatabaseTarget(url="mssql+mssqlpython://sa@db/KSESSIONS_DEV"), "canvas")
    exc = DBAPIError.instance("SELECT 1", None, orig, DBAPIError)
    err = translate_db_error(exc, target)
    assert isinstance(err, DatabaseUnavailable) and err.exit_code == 3
    assert err.message == ("The canvas database (mssql on db/KSESSIONS_DEV) refused: the login "
                           f"may not do this ({DENIED_229.rstrip('.')}).")


def test_the_sqlstates_read_back_from_mssql_python_match_its_own_table() -> None:
    """mssql-python keeps only a phrase per SQLSTATE; hostprov maps it back (db/mssql_errors.py).
    Each phrase must be the one the installed driver raises for that SQLSTATE."""
    from mssql_python.exceptions import sqlstate_to_exception

    from hostprov_tui.db.mssql_errors import MSSQLPYTHON_STATES

    for phrase, state in MSSQLPYTHON_STATES.items():
        raised = sqlstate_to_exception(state, "")
        assert raised is not None and raised.driver_error == phrase, state


@pytest.mark.parametrize(("text", "problem"), [
    # Microsoft's texts on Windows (documented) beside the Linux ones the endpoints above produce
    ("[Microsoft][ODBC Driver 18 for SQL Server]SSL Provider: The certificate chain was issued "
     "by an authority that is not trusted.", "tls"),
    ("[Microsoft][ODBC Driver 18 for SQL Server]TCP Provider: No connection could be made "
     "because the target machine actively refused it.", "refused"),
    ("[Microsoft][SQL Server]CREATE CERTIFICATE permission denied in database 'X'. (15151)",
     "denied"),
    ("[Microsoft][SQL Server]Lock request time out period exceeded. (1222)", None),
])
def test_documented_texts(text: str, problem: str | None) -> None:
    from hostprov_tui.db.mssql_errors import mssql_problem

    assert mssql_problem(text.lower(), "db", 1433) == problem


@pytest.mark.parametrize("driver", DRIVERS)
def test_permission_denied_229_from_the_real_driver(
    driver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in logs the client in and answers every statement with error 229: SQLAlchemy's
    first queries on the new connection are refused as SQL Server refuses them."""
    server = TdsServer("denied", tmp_path, errors=DENIED)
    try:
        err = connect_error(url(driver, "127.0.0.1", server.port, "Encrypt=no"), monkeypatch,
                            STAND_IN)
    finally:
        server.close()
    assert "TM_BEGIN_XACT" in server.seen, server.seen
    assert err.message == (
        f"The canvas database (mssql on 127.0.0.1:{server.port}/KSESSIONS_DEV) refused: the "
        f"login may not do this ({DENIED_229.rstrip('.')}).")
