"""Turn driver exceptions into one sentence a person understands (never a raw driver dump).

The SQLSTATE decides when the driver gives one (psycopg: ``sqlstate``; pyodbc: ``args[0]``;
mssql-python: its ``driver_error`` phrase); SQL Server's own cases are read by
db/mssql_errors.py; words decide otherwise (SQLite, and connection failures that carry no SQLSTATE).
"""

from __future__ import annotations

import os
import re

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from hostprov_tui.config.masking import mask_text
from hostprov_tui.db.mssql_errors import MSSQL_SENTENCES, mssql_problem, mssqlpython_parts
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import (
    ConcurrentChange,
    DatabaseBusy,
    DatabaseUnavailable,
    HostprovError,
    SchemaMissing,
)

_NOISE = re.compile(r"\[[^\]]*\]|\(\d+\)|\(SQL\w+\)|\s+")
_SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
_TIMEOUT_WORDS = ("timeout", "timed out", "canceling statement", "login timeout")
_MISSING = re.compile(
    r"no such (table|column)|invalid (object|column) name|"
    r"(relation|column|table|schema) \S+( of relation \S+)? does not exist",
    re.IGNORECASE,
)
#: Another process held a lock past the timeout (SQLite's busy timeout, SQL Server's lock timeout).
_BUSY_WORDS = ("database is locked", "database table is locked", "lock request time out")
#: PostgreSQL: lock_timeout ran out (55P03).
_BUSY_STATES = {"55P03"}
#: Two transactions met and the server chose one to fail: trying again at once is fine.
_CONTENTION_STATES = {"40P01", "40001"}
_CONTENTION_WORDS = ("deadlock",)
#: The server answered but the statement ran out of time (or the login did).
_TIMEOUT_STATES = {"HYT00", "HYT01", "57014"}
#: The schema lacks a table, column or schema (PostgreSQL, ODBC).
_MISSING_STATES = {"42P01", "42703", "3F000", "42S02", "42S22"}
#: The login may not do this: insufficient privilege, read-only transaction.
_DENIED_STATES = {"42501", "25006"}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error, if the driver reports one."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str) and state:
        return state
    mssqlpython = mssqlpython_parts(orig)
    if mssqlpython is not None:
        return mssqlpython[0] or None
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
        return args[0]
    return None


def _raw_message(orig: BaseException) -> str:
    mssqlpython = mssqlpython_parts(orig)
    if mssqlpython is not None:
        return mssqlpython[1]  # mssql-python: the ODBC driver's text
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
        return str(args[1])  # pyodbc: (sqlstate, message)
    return str(orig)


def driver_sentence(exc: BaseException) -> str:
    """The first line of the driver's message, without bracket codes, masked, shortened."""
    orig = getattr(exc, "orig", exc)
    text = _raw_message(orig).strip()
    raw = text.splitlines()[0] if text else type(orig).__name__
    cleaned = _NOISE.sub(" ", raw).strip(" .;:")
    return mask_text(cleaned)[:240] or type(orig).__name__


def where(target: TargetUrl) -> str:
    host = target.url.host
    if target.backend == "sqlite":
        return f"SQLite file {target.sqlite_path}"
    port = f":{target.url.port}" if target.url.port else ""
    return f"{target.backend} on {host or 'localhost'}{port}/{target.database_name}"


def did_not_answer(target: TargetUrl, limit_s: float) -> DatabaseUnavailable:
    """The wall clock ran out (the driver's own timeout did not fire)."""
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) did not answer within {limit_s:g} s.",
        hint="Check the server and network; the limit is [database] connect_timeout_s.",
    )


#: kind → (error class, sentence, hint); {name} {NAME} {where} {text} are filled in
_SENTENCES: dict[str, tuple[type[HostprovError], str, str]] = {
    "busy": (DatabaseBusy,
             "Another process is writing to the {name} database ({where}) and kept it locked "
             "past the statement timeout; nothing was saved.",
             "Try again when it has finished; [database] statement_timeout_s sets how long "
             "hostprov waits."),
    "contention": (ConcurrentChange,
             "Another operator is changing the same session in the {name} database right now, "
             "so this change waited and gave up ({text}).",
             "Nothing was saved. Try again in a moment."),
    "conflict": (ConcurrentChange,
                 "The {name} database refused the write because another change to the same "
                 "session happened at the same moment ({text}).",
                 "Nothing was saved. Try again: the command is safe to repeat."),
    "unreachable": (DatabaseUnavailable, "The {name} database ({where}) is unreachable: {text}.",
                    "Check that the server is running and the URL, user and password are right."),
    "slow": (DatabaseUnavailable, "The {name} database ({where}) did not answer in time: {text}.",
             "Check the server and network, or raise [database] connect_timeout_s."),
    "missing": (SchemaMissing, "The {name} database ({where}) lacks a table or column: {text}.",
                "Run `hostprov check` to see what is missing."),
    "denied": (DatabaseUnavailable,
               "The {name} database ({where}) refused: the login may not do this ({text}).",
               "Grant the login the rights hostprov needs (read on KSESSIONS; read and write on "
               "canvas.Sessions and canvas.HostSessions)."),
    "login": (DatabaseUnavailable, "The {name} database ({where}) refused the login: {text}.",
              "Check the user in the URL and HOSTPROV_{NAME}__PASSWORD (or the password file)."),
    "full": (DatabaseUnavailable,
             "The disk holding the {name} database ({where}) is full, so the change could not "
             "be written; nothing was saved ({text}).",
             "Free space on that disk (or move the database elsewhere), then try again."),
    "other": (DatabaseUnavailable, "The {name} database ({where}) failed: {text}.",
              "Run `hostprov check` for details."),
    # SQLite: a file, not a server
    "no_file": (DatabaseUnavailable, "The {name} database file {path} does not exist.",
                "`hostprov db init` creates it{demo}; nothing else creates it, so that a "
                "moved or deleted file is noticed."),
    "read_only": (DatabaseUnavailable,
                  "The {name} database file {path} cannot be written: its folder {folder} or "
                  "the file is read-only (for this user, or the whole file system) ({text}); "
                  "nothing was saved.",
                  "Make both writable for this user (SQLite keeps its -wal and -shm files "
                  "beside the database)."),
    "file": (DatabaseUnavailable, "The {name} database file {path} cannot be opened: {text}.",
             "Check that it is a SQLite database and that this user may read and write it "
             "and its folder."),
}
#: A full disk, as SQLite (SQLITE_FULL), the OS and SQL Server (1105, 9002) say it.
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk is full",
               "filegroup is full", "is full due to")
_STATE_KINDS = ((_BUSY_STATES, "busy"), (_CONTENTION_STATES, "contention"),
                (_TIMEOUT_STATES, "slow"), (_MISSING_STATES, "missing"),
                (_DENIED_STATES, "denied"))


def _kind_of_state(state: str) -> str | None:
    for states, kind in _STATE_KINDS:
        if state in states:
            return kind
    if state == "53100":  # PostgreSQL: disk_full
        return "full"
    if state.startswith(("08", "57P")) or state == "3D000":
        return "unreachable"  # connection, shutdown, no such database
    return "login" if state.startswith("28") else None


def _kind_of_words(exc: DBAPIError, lowered: str) -> str:
    if exc.connection_invalidated:
        return "unreachable"
    if any(w in lowered for w in _FULL_WORDS):
        return "full"
    if any(w in lowered for w in _BUSY_WORDS):
        return "busy"
    if any(w in lowered for w in _CONTENTION_WORDS):
        return "contention"
    if _MISSING.search(lowered):
        return "missing"
    if "permission denied" in lowered or "read-only" in lowered or "readonly" in lowered:
        return "denied"
    if any(w in lowered for w in _TIMEOUT_WORDS):
        return "slow"
    if isinstance(exc, OperationalError):
        return "unreachable"
    return "missing" if isinstance(exc, ProgrammingError) else "other"


def _sqlite_kind(target: TargetUrl, kind: str, lowered: str) -> str:
    """A file is missing or read-only, not a server down: say so."""
    path = target.sqlite_path
    if path is None or kind not in ("unreachable", "denied", "other"):
        return kind
    if not path.exists():
        return "no_file"
    if "readonly" in lowered or "read-only" in lowered or not _writable(path):
        return "read_only"
    return "file"


def _writable(path: os.PathLike[str]) -> bool:
    folder = os.path.dirname(os.fspath(path)) or "."
    return os.access(folder, os.W_OK) and os.access(path, os.W_OK)


def translate_db_error(exc: DBAPIError, target: TargetUrl) -> HostprovError:
    limit_s = getattr(getattr(exc, "orig", None), "client_limit_s", None)
    if isinstance(limit_s, float | int):  # db/client_limits.py gave up waiting
        return no_answer_in_flight(target, float(limit_s))
    state = sqlstate(exc)
    lowered = _raw_message(getattr(exc, "orig", exc)).lower()
    kind = "conflict" if isinstance(exc, IntegrityError) else (
        (state and _kind_of_state(state)) or _kind_of_words(exc, lowered)
    )
    if target.backend == "sqlite":
        kind = _sqlite_kind(target, kind, lowered)
    cls, sentence, hint = _SENTENCES[kind]
    if target.backend == "mssql" and kind != "conflict":
        problem = mssql_problem(lowered, target.url.host, target.url.port)
        if problem is not None:
            kind, sentence, hint = MSSQL_SENTENCES[problem]
            cls = _SENTENCES[kind][0]
    path = target.sqlite_path
    fields = {"name": target.name, "NAME": target.name.upper(), "where": where(target),
              "text": driver_sentence(exc), "path": path,
              "folder": path.parent if path is not None else None,
              "demo": " (then `hostprov demo` fills it with the demo catalogue)"
              if target.name == "ksessions" else "",
              "host": target.url.host or "localhost", "database": target.database_name}
    return cls(sentence.format(**fields), hint=hint.format(**fields))


def no_answer_in_flight(target: TargetUrl, limit_s: float) -> DatabaseUnavailable:
    """A statement was sent and the server never answered (stopped, overloaded, cut off)."""
    return DatabaseUnavailable(
        f"The {target.name} database ({where(target)}) stopped answering: no reply within "
        f"{limit_s:g} s, so hostprov gave up waiting and closed the connection.",
        hint="Check that the server is running and reachable; [database] statement_timeout_s "
        "(plus a small margin) bounds every wait.",
    )
