"""ADO.NET / SQL Server connection strings → SQLAlchemy ``mssql+pyodbc`` URLs.

The grammar is small enough to read by hand: ``key=value`` segments separated by ``;``. Keys are
case-insensitive and trimmed; values are trimmed unless quoted. A value may be quoted with ``"`` or
``'`` (a doubled quote inside is one literal quote) or wrapped ODBC-style in ``{...}`` (a doubled
``}}`` inside is one literal ``}``); a ``;`` inside quotes or braces belongs to the value. Empty
segments are ignored, an empty value unsets its key, and the last occurrence of a key wins.

No error message produced here ever contains a password value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import SecretStr
from sqlalchemy.engine import URL

from hostprov_tui.config.adonet_server import (
    ConnectionStringError,
    parse_server,
)
from hostprov_tui.config.adonet_server import clip as _clip
from hostprov_tui.config.adonet_server import (
    is_digits as _is_digits,
)
from hostprov_tui.config.adonet_text import (
    MASK,
    QUOTES,
    mask_passwords,
    render_connection,
    scrub_passwords,
    strip_passwords,
    yes_no,
)
from hostprov_tui.config.size_limits import MAX_CONNECTION_TEXT

__all__ = [
    "DEFAULT_ODBC_DRIVER",
    "MASK",
    "AdoNetConnection",
    "ConnectionStringError",
    "EncryptMode",
    "parse_connection_string",
]

DEFAULT_ODBC_DRIVER = "ODBC Driver 18 for SQL Server"

EncryptMode = Literal["yes", "no", "strict", "mandatory", "optional"]
Description = dict[str, str | int | bool | None]


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

_FIELD_BY_KEY: dict[str, str] = {
    "server": "server",
    "data source": "server",
    "address": "server",
    "addr": "server",
    "network address": "server",
    "database": "database",
    "initial catalog": "database",
    "user id": "user",
    "uid": "user",
    "user": "user",
    "password": "password",
    "pwd": "password",
    "integrated security": "integrated_security",
    "trusted_connection": "integrated_security",
    "encrypt": "encrypt",
    "trustservercertificate": "trust_server_certificate",
    "trust server certificate": "trust_server_certificate",
    "connection timeout": "connect_timeout",
    "connect timeout": "connect_timeout",
    "timeout": "connect_timeout",
    "multipleactiveresultsets": "multiple_active_result_sets",
    "multiple active result sets": "multiple_active_result_sets",
    "application name": "application_name",
    "app": "application_name",
}

_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})
_ENCRYPT_WORDS: dict[str, EncryptMode] = {
    "true": "yes",
    "yes": "yes",
    "false": "no",
    "no": "no",
    "strict": "strict",
    "mandatory": "mandatory",
    "optional": "optional",
}
# ODBC Driver 17 only knows yes/no; 18 also knows strict. Mandatory/Optional are SqlClient words.
_ODBC_ENCRYPT: dict[str, str] = {"mandatory": "yes", "optional": "no"}
_KEY_END = re.compile(r"[=;]")


# ---------------------------------------------------------------------------------------------
# The parsed connection
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoNetConnection:
    """One parsed connection string. ``repr``/``str`` never show the password."""

    server: str
    port: int | None = None
    instance: str | None = None
    database: str | None = None
    user: str | None = None
    password: SecretStr | None = None
    integrated_security: bool = False
    encrypt: EncryptMode | None = None
    trust_server_certificate: bool | None = None
    connect_timeout: int | None = None
    multiple_active_result_sets: bool | None = None
    application_name: str | None = None
    extras: dict[str, str] = field(default_factory=dict, hash=False)
    _masked_source: str = field(default="", repr=False, compare=False)
    _source_without_password: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.masked()

    @property
    def server_with_instance(self) -> str:
        """The host as SQL Server expects it: ``host`` or ``host\\INSTANCE``."""
        return f"{self.server}\\{self.instance}" if self.instance else self.server

    def masked(self) -> str:
        """The connection string as written, with every password value replaced by ``***``."""
        return self._masked_source or render_connection(self)

    def without_password(self) -> str:
        """The connection string as written, with every ``Password=``/``Pwd=`` segment removed.

        What goes into a config file: everything the app says except the secret.
        """
        if self._source_without_password is not None:
            return self._source_without_password
        return render_connection(replace(self, password=None, _masked_source=""))

    def describe(self) -> Description:
        """The fields that matter when comparing two configurations; no secret in it."""
        return {
            "server": self.server,
            "port": self.port,
            "instance": self.instance,
            "database": self.database,
            "user": self.user,
            "encrypt": self.encrypt,
            "trust_server_certificate": self.trust_server_certificate,
            "integrated_security": self.integrated_security,
            "password_set": bool(self.password and self.password.get_secret_value()),
        }

    def connect_args(self) -> dict[str, int]:
        """Keyword arguments for ``create_engine(connect_args=...)``: pyodbc's login timeout."""
        return {} if self.connect_timeout is None else {"timeout": self.connect_timeout}

    def to_url(self, driver: str = DEFAULT_ODBC_DRIVER, password: SecretStr | None = None) -> URL:
        """A ``mssql+pyodbc`` URL; ``password`` overrides the parsed one. (db/urls.py turns it
        into an ``mssql+mssqlpython`` URL when that is the driver in use: db/mssql_driver.py.)

        The password is inside the URL object so it can connect, but SQLAlchemy renders it as
        ``***`` unless ``render_as_string(hide_password=False)`` is asked for.
        """
        if not self.database:
            raise ConnectionStringError(
                "no database given (expected Database= or Initial Catalog=), and without one "
                "SQLAlchemy's pyodbc dialect would read the server name as a DSN"
            )
        if not driver.strip():
            raise ConnectionStringError("the ODBC driver name is empty")
        username, secret = self._credentials(password)
        return URL.create(
            "mssql+pyodbc",
            username=username,
            password=secret.get_secret_value() if secret is not None else None,
            host=self.server_with_instance,
            port=self.port,
            database=self.database,
            query=self._odbc_query(driver.strip()),
        )

    def _credentials(self, override: SecretStr | None) -> tuple[str | None, SecretStr | None]:
        if self.integrated_security:
            return None, None
        if not self.user:
            raise ConnectionStringError(
                "no user given (expected User Id= or Integrated Security=true), so there is "
                "no way to log in"
            )
        return self.user, override if override is not None else self.password

    def _odbc_query(self, driver: str) -> dict[str, str]:
        query = {"driver": driver}
        if self.integrated_security:
            query["Trusted_Connection"] = "yes"
        if self.encrypt is not None:
            query["Encrypt"] = _ODBC_ENCRYPT.get(self.encrypt, self.encrypt)
        if self.trust_server_certificate is not None:
            query["TrustServerCertificate"] = yes_no(self.trust_server_certificate)
        if self.multiple_active_result_sets is not None:
            query["MARS_Connection"] = yes_no(self.multiple_active_result_sets)
        if self.application_name:
            query["APP"] = self.application_name
        return query


def parse_connection_string(text: str) -> AdoNetConnection:
    """Parse an ADO.NET / SQL Server connection string.

    Raises :class:`ConnectionStringError` with one sentence naming the bad part.
    """
    if len(text) > MAX_CONNECTION_TEXT:
        raise ConnectionStringError(
            f"it is {len(text):,} characters long; a real one is under {MAX_CONNECTION_TEXT:,}, "
            "so hostprov does not parse it")
    segments: list[_Segment] = []
    try:
        _tokenize(text, segments)
        return _build(text, segments)
    except ConnectionStringError as error:
        scrub_passwords(error, segments)
        raise


# ---------------------------------------------------------------------------------------------
# Tokenizing: text → segments
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    number: int  # 1-based position among the ";"-separated segments, empty ones included
    key: str  # as written, trimmed: used in messages
    name: str  # lower-cased, inner whitespace collapsed: used for lookup
    value: str  # unquoted and unescaped
    start: int  # span of the value token (quotes included) in the source text
    end: int
    segment_start: int = 0  # span of the whole segment, key and trailing ";" included
    segment_end: int = 0

    @property
    def field_name(self) -> str | None:
        return _FIELD_BY_KEY.get(self.name)


def _normalise_key(key: str) -> str:
    return " ".join(key.split()).lower()


def _tokenize(text: str, out: list[_Segment]) -> None:
    """Append each ``key=value`` segment of ``text`` to ``out`` (so a caller sees partial work)."""
    if not text.strip():
        raise ConnectionStringError("the connection string is empty")
    pos, number, previous_key = 0, 0, ""
    while pos < len(text):
        number += 1
        match = _KEY_END.search(text, pos)
        stop = match.start() if match else len(text)
        if match is None or match.group() == ";":
            _check_blank_segment(text[pos:stop], number, previous_key)
            pos = stop + 1
            continue
        key = text[pos:stop].strip()
        if not key:
            raise ConnectionStringError(f'segment {number} has no key name before its "=" sign')
        value, start, end, next_pos = _read_value(text, stop + 1, key)
        span_end = min(next_pos, len(text))
        out.append(_Segment(number, key, _normalise_key(key), value, start, end, pos, span_end))
        pos = next_pos
        previous_key = key


def _check_blank_segment(raw: str, number: int, previous_key: str) -> None:
    if not raw.strip():
        return
    if _FIELD_BY_KEY.get(_normalise_key(previous_key)) == "password":
        # Most likely the rest of an unquoted password that contains ";": never echo it.
        raise ConnectionStringError(
            f'segment {number} (right after "{previous_key}") has no "=" sign; '
            'if the password contains ";", wrap it in quotes'
        )
    raise ConnectionStringError(f'segment {number} "{_clip(raw.strip())}" has no "=" sign')


def _read_value(text: str, pos: int, key: str) -> tuple[str, int, int, int]:
    """Read the value that starts at ``pos``.

    Returns the value, the start and end of its token in ``text`` and where the next segment starts.
    """
    start = _skip_spaces(text, pos)
    if start < len(text) and (text[start] in QUOTES or text[start] == "{"):
        value, end = _read_delimited(text, start, key)
        after = _skip_spaces(text, end)
        if after < len(text) and text[after] != ";":
            closer = "brace" if text[start] == "{" else "quote"
            raise ConnectionStringError(
                f'unexpected text after the closing {closer} in the value of "{key}"'
            )
        return value, start, end, after + 1
    stop = text.find(";", start)
    stop = len(text) if stop < 0 else stop
    value = text[start:stop].rstrip()
    return value, start, start + len(value), stop + 1


def _read_delimited(text: str, start: int, key: str) -> tuple[str, int]:
    """Read a quoted or braced value; return it unescaped and the index after its closer."""
    opener = text[start]
    closer = "}" if opener == "{" else opener
    parts: list[str] = []
    pos = start + 1
    while True:
        close = text.find(closer, pos)
        if close < 0:
            what = 'brace "{"' if opener == "{" else "quote"
            raise ConnectionStringError(f'unterminated {what} in the value of "{key}"')
        parts.append(text[pos:close])
        if not text.startswith(closer, close + 1):
            return "".join(parts), close + 1
        parts.append(closer)  # a doubled closer is one literal character
        pos = close + 2


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


# ---------------------------------------------------------------------------------------------
# Building: segments → AdoNetConnection
# ---------------------------------------------------------------------------------------------


def _build(text: str, segments: list[_Segment]) -> AdoNetConnection:
    known, extras = _last_wins(segments)
    server = known.get("server")
    if server is None:
        raise ConnectionStringError("no server given (expected Server= or Data Source=)")
    host, port, instance = parse_server(server.key, server.value)
    return AdoNetConnection(
        server=host,
        port=port,
        instance=instance,
        database=_text_of(known, "database"),
        user=_text_of(known, "user"),
        password=_password_of(known),
        integrated_security=_bool_of(known, "integrated_security", allow_sspi=True) or False,
        encrypt=_encrypt_of(known),
        trust_server_certificate=_bool_of(known, "trust_server_certificate"),
        connect_timeout=_timeout_of(known),
        multiple_active_result_sets=_bool_of(known, "multiple_active_result_sets"),
        application_name=_text_of(known, "application_name"),
        extras=extras,
        _masked_source=mask_passwords(text, segments),
        _source_without_password=strip_passwords(text, segments),
    )


def _last_wins(segments: list[_Segment]) -> tuple[dict[str, _Segment], dict[str, str]]:
    """Known fields → their last segment, and unknown keys → their last value (empty unsets)."""
    known: dict[str, _Segment] = {}
    extras: dict[str, str] = {}
    for segment in segments:
        name = segment.field_name
        if name is None:
            extras.pop(segment.name, None)
            if segment.value:
                extras[segment.name] = segment.value
        else:
            known.pop(name, None)
            if segment.value:
                known[name] = segment
    return known, extras


def _text_of(known: dict[str, _Segment], name: str) -> str | None:
    segment = known.get(name)
    return segment.value if segment else None


def _password_of(known: dict[str, _Segment]) -> SecretStr | None:
    segment = known.get("password")
    return SecretStr(segment.value) if segment else None


def _bool_of(known: dict[str, _Segment], name: str, *, allow_sspi: bool = False) -> bool | None:
    segment = known.get(name)
    if segment is None:
        return None
    word = segment.value.lower()
    if word in _TRUE_WORDS or (allow_sspi and word == "sspi"):
        return True
    if word in _FALSE_WORDS:
        return False
    choices = "true, false, yes, no or sspi" if allow_sspi else "true, false, yes or no"
    raise ConnectionStringError(f'"{segment.key}" must be {choices}, got "{_clip(segment.value)}"')


def _encrypt_of(known: dict[str, _Segment]) -> EncryptMode | None:
    segment = known.get("encrypt")
    if segment is None:
        return None
    mode = _ENCRYPT_WORDS.get(segment.value.lower())
    if mode is None:
        raise ConnectionStringError(
            f'"{segment.key}" must be true, false, yes, no, strict, mandatory or optional, '
            f'got "{_clip(segment.value)}"'
        )
    return mode


def _timeout_of(known: dict[str, _Segment]) -> int | None:
    segment = known.get("connect_timeout")
    if segment is None:
        return None
    if not _is_digits(segment.value):
        raise ConnectionStringError(
            f'"{segment.key}" must be a whole number of seconds, got "{_clip(segment.value)}"'
        )
    return int(segment.value)
