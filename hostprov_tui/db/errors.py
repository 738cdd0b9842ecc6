"""Turn driver exceptions into one sentence a person understands (never a raw driver dump).

The SQLSTATE decides when the driver gives one (psycopg: ``sqlstate``; pyodbc: ``args[0]``);
words decide otherwise (SQLite, and connection failures that carry no SQLSTATE).
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from hostprov_tui.config.masking import mask_text
from hostprov_tui.db.urls import TargetUrl
from hostprov_tui.errors import ConcurrentChange, DatabaseUnavailable, HostprovError, SchemaMissing

_NOISE = re.compile(r"\[[^\]]*\]|\(\d+\)|\(SQL\w+\)|\s+")
_SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
_TIMEOUT_WORDS = ("timeout", "timed out", "canceling statement", "login timeout")
_MISSING = re.compile(
    r"no such (table|column)|invalid (object|column) name|"
    r"(relation|column|table|schema) \S+( of relation \S+)? does not exist",
    re.IGNORECASE,
)
_BUSY_WORDS = ("database is locked", "lock request time out", "deadlock")
#: Another transaction holds what we need: lock timeout, deadlock, serialisation failure.
_CONTENTION_STATES = {"55P03", "40P01", "40001"}
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
    args = getattr(orig, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and _SQLSTATE.match(args[0]):
        return args[0]
    return None


def _raw_message(orig: BaseException) -> str:
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
    "busy": (ConcurrentChange,
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
    "other": (DatabaseUnavailable, "The {name} database ({where}) failed: {text}.",
              "Run `hostprov check` for details."),
}
_STATE_KINDS = ((_CONTENTION_STATES, "busy"), (_TIMEOUT_STATES, "slow"),
                (_MISSING_STATES, "missing"), (_DENIED_STATES, "denied"))


def _kind_of_state(state: str) -> str | None:
    for states, kind in _STATE_KINDS:
        if state in states:
            return kind
    if state.startswith(("08", "57P")) or state == "3D000":
        return "unreachable"  # connection, shutdown, no such database
    return "login" if state.startswith("28") else None


def _kind_of_words(exc: DBAPIError, lowered: str) -> str:
    if exc.connection_invalidated:
        return "unreachable"
    if any(w in lowered for w in _BUSY_WORDS):
        return "busy"
    if _MISSING.search(lowered):
        return "missing"
    if "permission denied" in lowered or "read-only" in lowered or "readonly" in lowered:
        return "denied"
    if any(w in lowered for w in _TIMEOUT_WORDS):
        return "slow"
    if isinstance(exc, OperationalError):
        return "unreachable"
    return "missing" if isinstance(exc, ProgrammingError) else "other"


def translate_db_error(exc: DBAPIError, target: TargetUrl) -> HostprovError:
    state = sqlstate(exc)
    kind = "conflict" if isinstance(exc, IntegrityError) else (
        (state and _kind_of_state(state))
        or _kind_of_words(exc, _raw_message(getattr(exc, "orig", exc)).lower())
    )
    cls, sentence, hint = _SENTENCES[kind]
    fields = {"name": target.name, "NAME": target.name.upper(), "where": where(target),
              "text": driver_sentence(exc)}
    return cls(sentence.format(**fields), hint=hint.format(**fields))
