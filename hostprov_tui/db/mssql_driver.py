"""Which Python driver reaches SQL Server: pyodbc (any installed ODBC driver) or Microsoft's
mssql-python (its own TDS client inside the wheel: nothing else to install).

``[canvas] driver`` / ``[ksessions] driver`` chooses: ``pyodbc``, ``mssql-python`` or ``auto``
(the default). ``auto`` takes mssql-python when it is installed and the URL names no ODBC driver,
or names one that is not installed (no driver manager, or no such driver); otherwise pyodbc.
Neither driver is imported here: mssql-python is looked up without importing it, and pyodbc is
imported only to list the ODBC drivers, for a SQL Server URL.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import URL

from hostprov_tui.config.settings import MssqlDriverSetting
from hostprov_tui.errors import ConfigError, DatabaseUnavailable

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from hostprov_tui.db.urls import TargetUrl

__all__ = ["MssqlDriverSetting", "choose_dbapi", "resolve_mssql_url"]

Dbapi = Literal["pyodbc", "mssqlpython"]

#: The connection-string keywords mssql-python accepts (lower case), from its documented
#: allow-list (``mssql_python.constants._ALLOWED_CONNECTION_STRING_PARAMS``); any other keyword
#: makes it refuse the whole string.
MSSQLPYTHON_KEYS = frozenset({
    "server", "address", "addr", "uid", "pwd", "authentication", "trusted_connection",
    "database", "encrypt", "trustservercertificate", "trust_server_certificate",
    "hostnameincertificate", "servercertificate", "serverspn", "multisubnetfailover",
    "applicationintent", "connectretrycount", "connectretryinterval", "keepalive",
    "keepaliveinterval", "ipaddresspreference", "packet size", "packetsize",
})
#: ODBC keywords that only tell pyodbc's driver what to load or how: mssql-python picks its
#: driver itself, sets APP itself, and hostprov never needs MARS (one statement at a time).
_DROPPED = frozenset({"driver", "app", "mars_connection", "multipleactiveresultsets", "dsn"})
_ODBC_PAIR = re.compile(r"\s*([^=;]+?)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)\s*(?:;|$)")
INSTALL_HINT = "Install it with pip install 'hostprov[mssql]' (or pipx install 'hostprov[mssql]')."


def mssql_python_installed() -> bool:
    """Is mssql-python importable (looked up, not imported)?"""
    return importlib.util.find_spec("mssql_python") is not None


def odbc_drivers() -> list[str] | None:
    """The ODBC drivers the driver manager knows; None when pyodbc cannot load at all."""
    try:
        import pyodbc
    except ImportError:
        return None
    return list(pyodbc.drivers())


def is_driver_path(name: str) -> bool:
    """An ODBC driver named by its library file (``DRIVER={/opt/…/libmsodbcsql-18.so}``)."""
    return "/" in name or "\\" in name


def odbc_driver_installed(name: str) -> bool:
    drivers = odbc_drivers()
    if drivers is None:
        return False
    return Path(name).is_file() if is_driver_path(name) else name in drivers


def named_odbc_driver(url: URL) -> str | None:
    """The ODBC driver a pyodbc URL names (``?driver=`` or ``DRIVER=`` in ``odbc_connect``)."""
    if "driver" in url.query:
        return str(url.query["driver"])
    pairs = odbc_pairs(str(url.query.get("odbc_connect", "")))
    return next((v for k, v in pairs if k.lower() == "driver"), None)


def odbc_pairs(text: str) -> list[tuple[str, str]]:
    """``key=value;…`` of an ODBC connection string; ``{…}`` values unwrapped."""
    pairs: list[tuple[str, str]] = []
    for match in _ODBC_PAIR.finditer(text):
        key, value = match.group(1), match.group(2).strip()
        if value.startswith("{") and value.endswith("}"):
            value = value[1:-1].replace("}}", "}")
        pairs.append((key, value))
    return pairs


def choose_dbapi(setting: str, url: URL, name: str, *, odbc_named: bool = True) -> Dbapi:
    """The driver for ``url`` under ``setting``. ``odbc_named`` is False when the ODBC driver
    name is only hostprov's default (a connection string without ``odbc_driver`` set)."""
    given = url.get_driver_name() if "+" in url.drivername else ""
    if given == "mssqlpython":
        if setting == "pyodbc":
            raise ConfigError(
                f"[{name}] url is an mssql+mssqlpython URL, but [{name}] driver is pyodbc.",
                hint=f"Use an mssql+pyodbc URL with ?driver=…, or set [{name}] driver to auto.",
            )
        return "mssqlpython"
    if setting == "pyodbc":
        return "pyodbc"
    if setting == "mssql-python":
        return "mssqlpython"
    if not mssql_python_installed():
        return "pyodbc"
    wanted = named_odbc_driver(url) if odbc_named else None
    if wanted is not None and odbc_driver_installed(wanted):
        return "pyodbc"
    return "mssqlpython" if _fits_mssqlpython(url) else "pyodbc"


def _fits_mssqlpython(url: URL) -> bool:
    """Can the URL's keywords go to mssql-python as they are (auto never drops one silently)?"""
    keys = [k.lower() for k in url.query if k != "odbc_connect"]
    keys += [k.lower() for k, _ in odbc_pairs(str(url.query.get("odbc_connect", "")))]
    return all(k in MSSQLPYTHON_KEYS or k in _DROPPED for k in keys)


def as_mssqlpython(url: URL, name: str) -> URL:
    """The same server, database and login as an ``mssql+mssqlpython`` URL: the ODBC driver
    name dropped, ``odbc_connect`` spread into host, port, database, user and keywords."""
    parts: dict[str, object] = {
        "username": url.username, "password": url.password, "host": url.host,
        "port": url.port, "database": url.database,
    }
    query: dict[str, str] = {}
    items = [(k, str(v)) for k, v in url.query.items() if k != "odbc_connect"]
    items += odbc_pairs(str(url.query.get("odbc_connect", "")))
    for key, value in items:
        lowered = key.lower()
        if lowered in ("server", "address", "addr"):
            host, _, port = value.removeprefix("tcp:").partition(",")
            parts["host"], parts["port"] = host.strip(), int(port) if port.strip() else None
        elif lowered == "database":
            parts["database"] = value
        elif lowered == "uid":
            parts["username"] = value
        elif lowered == "pwd":
            parts["password"] = value
        elif lowered in _DROPPED:
            continue
        elif lowered in MSSQLPYTHON_KEYS:
            query[key] = value
        else:
            raise ConfigError(
                f"[{name}] url has {key}=, which the mssql-python driver does not take.",
                hint=f"Remove it, or set [{name}] driver = \"pyodbc\" to use an ODBC driver.",
            )
    return URL.create("mssql+mssqlpython", query=query, **parts)  # type: ignore[arg-type]


def resolve_mssql_url(
    url: URL, setting: str, name: str, *, odbc_named: bool = True
) -> URL:
    """``url`` (``mssql`` or ``mssql+pyodbc`` or ``mssql+mssqlpython``) for the driver in use."""
    dbapi = choose_dbapi(setting, url, name, odbc_named=odbc_named)
    if dbapi == "mssqlpython":
        return as_mssqlpython(url, name)
    return url.set(drivername="mssql+pyodbc")


def check_mssql_python(name: str) -> None:
    """Refuse early, with the way to install it, when mssql-python is not there."""
    if not mssql_python_installed():
        raise DatabaseUnavailable(
            f"The {name} database is to be reached with Microsoft's mssql-python driver, which "
            "is not installed.",
            hint=INSTALL_HINT,
        )


#: ODBC ``SQLGetInfo`` codes (the same numbers in pyodbc and mssql-python)
SQL_DRIVER_NAME, SQL_DRIVER_VER = 6, 7


def mssql_driver_label(target: TargetUrl, conn: Connection | None = None) -> str | None:
    """What reaches a SQL Server target: ``mssql-python 1.16.0``, or ``pyodbc 5.5.0, ODBC
    driver FreeTDS``; with a connection, the ODBC driver library and its version too (as the
    driver reports them). None for other backends."""
    if target.backend != "mssql":
        return None
    odbc = named_odbc_driver(target.url) if target.dbapi == "pyodbc" else None
    if odbc and is_driver_path(odbc):
        odbc = Path(odbc).name  # the library file, not the folders it is in
    label = _dist_label(target.dbapi)
    if conn is not None:
        found = odbc_driver_info(conn.connection.dbapi_connection)
        if found:
            return f"{label}, ODBC driver {found}"
    return f"{label}, ODBC driver {odbc}" if odbc else label


def odbc_driver_info(raw: Any) -> str | None:
    """``libmsodbcsql-18.6.so.2.1 18.06.0002``: the ODBC driver library of a DB-API connection
    and its version (SQLGetInfo, answered by the driver itself); None when it cannot say."""
    try:
        return f"{raw.getinfo(SQL_DRIVER_NAME)} {raw.getinfo(SQL_DRIVER_VER)}"
    except Exception:  # a driver without SQLGetInfo: keep the plain label
        return None


def _dist_label(dbapi: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dist = "mssql-python" if dbapi == "mssqlpython" else dbapi
    try:
        return f"{dist} {version(dist)}"
    except PackageNotFoundError:
        return dist
