"""SQL Server failures from both drivers (pyodbc with any ODBC driver, Microsoft's mssql-python)
read as one thing a person understands: refused, unknown host, silent, TLS not trusted, login
failed (18456), no such database (4060), permission denied (229 …).

mssql-python raises ``Error(driver_error, ddbc_error)``: ``driver_error`` is a fixed phrase per
SQLSTATE (its ``exceptions.sqlstate_to_exception`` table), ``ddbc_error`` the ODBC driver's
text. pyodbc raises ``(sqlstate, text)``. Microsoft's driver reports a refused port, an unknown
host and a silent server alike as "Login timeout expired" through pyodbc; a short probe of the
endpoint (:func:`endpoint_problem`) then says which it was.
"""

from __future__ import annotations

import re
import socket
from typing import Literal

from hostprov_tui.db.timebox import TimedOut, call_with_timeout

#: mssql-python's ``driver_error`` phrase → the SQLSTATE it stands for.
MSSQLPYTHON_STATES = {
    "Client unable to establish connection": "08001",
    "Server rejected the connection": "08004",
    "Communication link failure": "08S01",
    "Connection failure during transaction": "08007",
    "Connection not open": "08003",
    "Invalid authorization specification": "28000",
    "Serialization failure": "40001",
    "Base table or view not found": "42S02",
    "Column not found": "42S22",
    "Timeout expired": "HYT00",
    "Connection timeout expired": "HYT01",
}
#: Windows socket codes as Microsoft's TCP provider prints them (also on Linux and macOS).
_REFUSED = ("0x2749", "0x274d", "connection refused", "actively refused")  # 10057, 10061
_UNKNOWN_HOST = ("0x2af9", "0x2afc", "name or service not known", "no such host",
                 "could not open a connection to sql server [53]")  # 11001, 11004
_SILENT = ("timeout error [258]", "login timeout expired")
_TLS = ("certificate verify failed", "self-signed certificate", "self signed certificate",
        "certificate chain was issued by an authority that is not trusted", "ssl provider")
_LOGIN = re.compile(r"login failed|\(18456\)|\(18470\)|\(18486\)|\(18488\)")
_NO_DATABASE = re.compile(r"cannot open database|\(4060\)|database '[^']*' does not exist|"
                          r"\(911\)")
_DENIED = re.compile(r"permission was denied|permission denied|\((229|230|262|297|300)\)")

Problem = Literal["refused", "unknown_host", "silent", "tls", "login", "no_database", "denied"]
#: How long the probe of a failed endpoint may take (refused and unknown are at once locally).
PROBE_S = 0.5


def mssqlpython_parts(orig: BaseException) -> tuple[str, str] | None:
    """(SQLSTATE or "", the ODBC driver's text) of an mssql-python error; None for others."""
    driver_error = getattr(orig, "driver_error", None)
    if not isinstance(driver_error, str):
        return None
    text = str(getattr(orig, "ddbc_error", "") or driver_error)
    state = MSSQLPYTHON_STATES.get(driver_error, "")
    found = re.search(r"SQLSTATE code: ([0-9A-Z]{5})", driver_error)
    return (found.group(1) if found else state), text


def mssql_problem(lowered: str, host: str | None, port: int | None) -> Problem | None:
    """What went wrong, from the driver's text (lower case); the endpoint probed when the text
    only says that the login timed out."""
    if any(w in lowered for w in _REFUSED):
        return "refused"
    if any(w in lowered for w in _UNKNOWN_HOST):
        return "unknown_host"
    if any(w in lowered for w in _TLS) and "certificate" in lowered:
        return "tls"
    if _NO_DATABASE.search(lowered):  # before the login: SQL Server's 4060 says "login failed"
        return "no_database"
    if _LOGIN.search(lowered):
        return "login"
    if _DENIED.search(lowered):
        return "denied"
    if "timeout error [258]" in lowered:
        return "silent"
    if "login timeout expired" in lowered:  # unprobed: the plain "did not answer in time"
        return endpoint_problem(host, port)
    return None


def endpoint_problem(host: str | None, port: int | None) -> Problem | None:
    """Refused, unknown host, or (it accepts TCP) silent: a bounded probe after a failure."""
    try:
        return call_with_timeout(lambda: _probe(host or "localhost", port or 1433), PROBE_S)
    except TimedOut:
        return None


def _probe(host: str, port: int) -> Problem | None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return "unknown_host"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.settimeout(PROBE_S)
        try:
            sock.connect(address)
        except ConnectionRefusedError:
            return "refused"
        except OSError:
            return None
    return "silent"


#: problem → (kind of :mod:`hostprov_tui.db.errors`, sentence, hint)
MSSQL_SENTENCES: dict[str, tuple[str, str, str]] = {
    "refused": ("unreachable",
                "The {name} database server ({where}) refused the connection: nothing accepts "
                "connections on that host and port.",
                "Check the host and port in the URL or connection string, and that SQL Server "
                "is running and listens on TCP there."),
    "unknown_host": ("unreachable",
                     "The {name} database server {host} is not a known host name ({where}).",
                     "Check the server name in the URL or connection string (and DNS)."),
    "silent": ("slow",
               "The {name} database server ({where}) accepted the connection but did not "
               "answer the login in time.",
               "Check that it is SQL Server and that it is not hung or overloaded; the limit is "
               "[database] connect_timeout_s."),
    "tls": ("unreachable",
            "The {name} database server ({where}) presented a TLS certificate this computer "
            "does not trust (self-signed, or from an authority not trusted here).",
            "ODBC Driver 18 and mssql-python encrypt and check the certificate by default: "
            "trust the server's certificate here, or for a development server add "
            "TrustServerCertificate=yes to the URL (TrustServerCertificate=True in a "
            "connection string)."),
    "login": ("login", "The {name} database ({where}) refused the login: {text}.",
              "Check the user in the URL and HOSTPROV_{NAME}__PASSWORD (or the password file), "
              "and that database {database} exists and the login may open it (mssql-python "
              "reports an unknown database as this failed login)."),
    "no_database": ("unreachable",
                    "The {name} database {database} cannot be opened on {host}: it does not "
                    "exist there, or the login may not open it ({text}).",
                    "Check the database name in the URL or connection string, and that the "
                    "login is a user of that database."),
    "denied": ("denied", "The {name} database ({where}) refused: the login may not do this "
               "({text}).",
               "Grant the login the rights hostprov needs (read on KSESSIONS; read and write on "
               "canvas.Sessions and canvas.HostSessions)."),
}
