"""Which database a URL makes the driver open, judged the way the driver reads it.

The environment guard must judge the database the driver will actually connect to, not the one a
person reads in the URL's path. So the URL is first turned into the driver's own arguments by the
SQLAlchemy dialect that will connect (``create_connect_args``): for psycopg a ``dbname`` in the
query replaces the path; for pyodbc ``odbc_connect`` replaces everything and other query keys are
appended to the ODBC string. The ODBC string is then read as ODBC reads it (``{…}`` values,
case-insensitive keywords). Whatever cannot be judged with certainty — two different names, a
service or DSN that names the database elsewhere, a name that is itself a connection string — is a
:class:`Doubt`: the guard refuses it instead of guessing.

Other drivers (e.g. ``mssql+mssqlpython``) plug in with :func:`register_reader`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Judgement:
    """The database a URL opens (``name``), or why that cannot be said for certain (``doubt``)."""

    name: str
    doubt: str | None = None

    @property
    def certain(self) -> bool:
        return self.doubt is None


Reader = Callable[[URL], Judgement]
_READERS: dict[str, Reader] = {}

#: ODBC keywords that name the database, and those that may name it somewhere else.
_ODBC_NAMES = frozenset({"database", "initial catalog"})
_ODBC_ELSEWHERE = frozenset({"dsn", "filedsn"})
_ODBC_FILES = frozenset({"attachdbfilename", "savefile"})
#: libpq keywords that name the database elsewhere (a service file).
_PG_ELSEWHERE = frozenset({"service", "servicefile"})


def register_reader(drivername: str, reader: Reader) -> None:
    """Judge URLs of ``drivername`` (``backend+driver``) with ``reader``."""
    _READERS[drivername] = reader


@functools.lru_cache(maxsize=32)  # asked for every card, check and write: the URL is immutable
def judge_url(url: URL) -> Judgement:
    """The database ``url`` opens, or a doubt (one sentence) when that is not certain."""
    drivername = f"{url.get_backend_name()}+{url.get_driver_name()}"
    reader = _READERS.get(drivername)
    if reader is None:
        return Judgement("", f"hostprov cannot tell which database a {drivername} URL opens")
    try:
        return reader(url)
    except (ValueError, TypeError) as exc:  # the dialect could not read the URL at all
        return Judgement("", f"the URL cannot be read the way the driver would ({exc})")


def _sqlite(url: URL) -> Judgement:
    database = url.database or ":memory:"
    if any(c in database for c in "?#%"):
        return Judgement(Path(database).name, "the SQLite path holds ?, # or %, which the "
                                              "file: URI it is opened with reads differently")
    return Judgement(Path(database).name)


def _psycopg(url: URL) -> Judgement:
    lowered = {str(k).lower(): k for k in url.query}
    for key in _PG_ELSEWHERE & lowered.keys():
        return Judgement("", f"the URL names a libpq {lowered[key]}, which may name the database "
                             "in a file hostprov does not read")
    odd = [k for k in url.query if str(k).lower() in {"dbname", "database"} and k != "dbname"]
    if odd:
        return Judgement("", f"the URL's query sets {odd[0]}=, which libpq does not read as the "
                             "database (only dbname= is)")
    args = _connect_args(url)
    if isinstance(args, Judgement):
        return args
    name = args.get("dbname")
    if isinstance(name, tuple | list):
        return _twice([str(n) for n in name])
    if not name:
        return Judgement("", "the URL names no database, so libpq would pick one from the "
                             "environment (PGDATABASE or the user name)")
    name = str(name)
    if "=" in name or "://" in name:
        return Judgement(name, "the database name is itself a connection string")
    return Judgement(name)


def _pyodbc(url: URL) -> Judgement:
    odd = [k for k in url.query if str(k).lower() == "odbc_connect" and k != "odbc_connect"]
    if odd or isinstance(url.query.get("odbc_connect"), tuple):
        return Judgement("", "the URL's query gives odbc_connect more than once or in another "
                             "spelling")
    odbc = _connect_args(url)
    if isinstance(odbc, Judgement):
        return odbc
    judgement = judge_odbc(str(odbc))
    if "odbc_connect" in url.query and url.database and judgement.name \
            and url.database.lower() != judgement.name.lower():
        return Judgement(judgement.name, f"the URL's path says {url.database} but its "
                                         f"odbc_connect opens {judgement.name}")
    return judgement


def _connect_args(url: URL) -> Any:
    """The dialect's own arguments for the driver: a dict for psycopg, the ODBC string for
    pyodbc."""
    for key, value in url.query.items():
        if isinstance(value, tuple) and str(key).lower() in {"database", "initial catalog",
                                                              "dsn"}:
            return _twice([str(v) for v in value])
    dialect = url.get_dialect()()
    args, kwargs = dialect.create_connect_args(url)
    if url.get_backend_name() == "mssql":
        return args[0] if args else ""
    return kwargs


def judge_odbc(text: str) -> Judgement:
    """The database an ODBC connection string opens (``Database=`` / ``Initial Catalog=``)."""
    try:
        pairs = odbc_pairs(text)
    except ValueError as exc:
        return Judgement("", f"the ODBC connection string cannot be read for certain ({exc})")
    names = [value.strip() for key, value in pairs if key in _ODBC_NAMES]
    elsewhere = [key for key, _ in pairs if key in _ODBC_ELSEWHERE]
    files = [key for key, _ in pairs if key in _ODBC_FILES]
    if files:
        return Judgement("", f"the ODBC string sets {files[0]}, which opens a database file "
                             "hostprov cannot judge by name")
    distinct = {n.lower(): n for n in names}
    if len(distinct) > 1:
        return _twice(names)
    if not names or not names[0]:
        source = f"its {elsewhere[0].upper()}" if elsewhere else "the login's default database"
        return Judgement("", f"the ODBC string names no database, so {source} would choose it")
    return Judgement(names[0])


def odbc_pairs(text: str) -> list[tuple[str, str]]:
    """``keyword=value`` pairs of an ODBC string (keywords lower-cased, spaces collapsed);
    ``{…}`` values may hold ``;`` and ``}}``. ValueError when the text is not well formed."""
    pairs: list[tuple[str, str]] = []
    pos, size = 0, len(text)
    while pos < size:
        end = text.find("=", pos)
        semi = text.find(";", pos)
        if end < 0 or (0 <= semi < end):
            if text[pos:semi if semi >= 0 else size].strip():
                raise ValueError("a part without '='")
            pos = size if semi < 0 else semi + 1
            continue
        key = " ".join(text[pos:end].split()).lower()
        if any(c in key for c in "{}"):
            raise ValueError("a keyword with a brace")
        pos = end + 1
        start = pos
        while pos < size and text[pos] == " ":
            pos += 1
        if pos < size and text[pos] == "{":
            value, pos = _braced(text, pos)
            rest = text.find(";", pos)
            if text[pos:rest if rest >= 0 else size].strip():
                raise ValueError("text after a closing brace")
            pos = size if rest < 0 else rest + 1
        else:
            rest = text.find(";", start)
            value = text[start:rest if rest >= 0 else size]
            pos = size if rest < 0 else rest + 1
        pairs.append((key, value))
    return pairs


def _braced(text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char == "}":
            if text[pos + 1:pos + 2] == "}":
                out.append("}")
                pos += 2
                continue
            return "".join(out), pos + 1
        out.append(char)
        pos += 1
    raise ValueError("an unclosed brace")


def _twice(names: list[str]) -> Judgement:
    shown = " and ".join(dict.fromkeys(names))
    return Judgement("", f"it names the database more than once ({shown}), and which of them "
                         "the driver opens is not certain")


def credential_keys(query: Mapping[str, Any]) -> list[str]:
    """Query keys of a URL (and keywords of an ``odbc_connect`` in it) that carry a secret."""
    found = [str(k) for k in query if _is_credential(str(k))]
    odbc = query.get("odbc_connect")
    for text in odbc if isinstance(odbc, tuple) else (odbc,):
        if isinstance(text, str):
            found += [k for k in _loose_keys(text) if _is_credential(k)]
    return found


_CREDENTIAL = re.compile(r"(pass(word)?|pwd|secret|token|key|sslpassword|credential)",
                         re.IGNORECASE)
_NOT_CREDENTIAL = frozenset({"passfile", "sslkey", "sslrootcert", "sslcert", "keepalives",
                             "keepalives_idle", "keepalives_interval", "keepalives_count",
                             "keystoreauthentication", "columnencryption"})


def _is_credential(key: str) -> bool:
    flat = " ".join(key.split()).lower()
    return flat not in _NOT_CREDENTIAL and bool(_CREDENTIAL.search(flat))


def _loose_keys(text: str) -> list[str]:
    try:
        return [k for k, _ in odbc_pairs(text)]
    except ValueError:
        return [part.partition("=")[0] for part in text.split(";")]


#: psycopg's own keywords beside libpq's (psycopg.connect takes them out of the conninfo).
_PSYCOPG_KEYWORDS = frozenset({"prepare_threshold"})


def unknown_option(url: URL) -> str | None:
    """The first query key of a PostgreSQL URL that libpq does not know (it would refuse the
    connection with "invalid connection option"), or None."""
    if url.get_backend_name() != "postgresql" or not url.query:
        return None
    known = _libpq_keywords()
    for key in url.query:
        if key not in known and key not in _PSYCOPG_KEYWORDS:
            return str(key)
    return None


def _libpq_keywords() -> frozenset[str]:
    try:
        from psycopg import pq
    except ImportError:  # no driver: the connection reports it
        return frozenset()
    return frozenset(o.keyword.decode() for o in pq.Conninfo.get_defaults())


register_reader("sqlite+pysqlite", _sqlite)
register_reader("postgresql+psycopg", _psycopg)
register_reader("mssql+pyodbc", _pyodbc)
register_reader("mssql+mssqlpython", _pyodbc)  # its dialect builds the same ODBC-style string
