"""Is hostprov pointed at the same databases as the NOOR Canvas app? ("drift")

Compares, for canvas and KSESSIONS, the app's connection string (``appsettings.json`` plus its
environment file) with hostprov's own target: kind of database, server (host, instance, port),
database, login, encryption, and whether the passwords are the same. Names are compared as
SQL Server compares them: server, database and login names ignore case; ``.``, ``(local)``,
``localhost``, ``127.0.0.1`` and ``::1`` are the same machine; no port means 1433 (for a default
instance). Passwords are compared by HMAC under a key made for this one comparison and are never
part of a result.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from sqlalchemy.engine import URL

from hostprov_tui.config.adonet import (
    AdoNetConnection,
    ConnectionStringError,
    parse_connection_string,
)
from hostprov_tui.config.appsettings import AppSettings, AppTargets, load_app_settings
from hostprov_tui.config.settings import Settings, password_variable
from hostprov_tui.db.urls import DbName, TargetUrl, target_url
from hostprov_tui.errors import ConfigError

PasswordCheck = Literal["same", "different", "yours-missing", "app-missing", "none", "not-used"]
DEFAULT_PORT = 1433
_LOCAL_HOSTS = frozenset({".", "(local)", "localhost", "127.0.0.1", "::1", "[::1]"})
_LABELS: dict[DbName, str] = {"canvas": "canvas", "ksessions": "KSESSIONS"}
_KIND_LABELS = {"mssql": "SQL Server", "sqlite": "embedded SQLite", "postgresql": "PostgreSQL"}
_TRUE = frozenset({"yes", "true", "1", "mandatory"})
_FALSE = frozenset({"no", "false", "0", "optional"})


@dataclass(frozen=True)
class Difference:
    """One way in which hostprov's target differs from the app's."""

    field: str  # kind | server | database | user | encrypt | trust_server_certificate | password
    app: str
    yours: str
    sentence: str


@dataclass(frozen=True)
class DatabaseDrift:
    """The comparison for one of canvas / KSESSIONS."""

    name: DbName
    app_connection: str | None  # the name in ConnectionStrings, e.g. DefaultConnection
    app: str  # "AHHOME/KSESSIONS_DEV as sa" (never a password)
    yours: str
    differences: tuple[Difference, ...] = ()
    password: PasswordCheck = "none"
    note: str | None = None  # e.g. why nothing was compared

    @property
    def label(self) -> str:
        return _LABELS[self.name]

    @property
    def compared(self) -> bool:
        return self.app_connection is not None

    @property
    def same(self) -> bool:
        return not self.differences

    @property
    def sentence(self) -> str:
        if not self.compared:
            return f"{self.label}: {self.note or 'not compared'}"
        if self.same:
            return f"{self.label}: same database as the app ({self.app}) ✓"
        return self.differences[0].sentence


@dataclass(frozen=True)
class DriftReport:
    """Both comparisons, and where the app's settings came from."""

    files: tuple[str, ...]
    environment: str
    environment_source: str
    databases: tuple[DatabaseDrift, ...]
    ignored: tuple[str, ...] = ()

    @property
    def same(self) -> bool:
        return all(d.same for d in self.databases)

    @property
    def lines(self) -> tuple[str, ...]:
        """One line per difference (or one ✓ line per database when it matches)."""
        out: list[str] = []
        for db in self.databases:
            if db.differences:
                out.extend(d.sentence for d in db.differences)
            else:
                out.append(db.sentence)
        return tuple(out)

    @property
    def differences(self) -> tuple[Difference, ...]:
        return tuple(d for db in self.databases for d in db.differences)

    @property
    def sentence(self) -> str:
        if self.same:
            return "same database as the app ✓"
        found = self.differences
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        return found[0].sentence + more


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def drift_from_file(
    settings: Settings,
    path: Path,
    environment: str | None = None,
    *,
    canvas_name: str | None = None,
    ksessions_name: str | None = None,
) -> DriftReport:
    """Read the app's settings file (and its environment file) and compare."""
    app = load_app_settings(
        path, environment, configured_environment=settings.tui.app_environment
    )
    return compare(settings, app, app.map_targets(canvas_name, ksessions_name))


def configured_drift(settings: Settings) -> DriftReport | None:
    """The comparison with ``[tui] app_settings``; None when that is not configured."""
    if settings.tui.app_settings is None:
        return None
    return drift_from_file(settings, settings.tui.app_settings)


def compare(settings: Settings, app: AppSettings, targets: AppTargets) -> DriftReport:
    databases: list[DatabaseDrift] = []
    for name in ("canvas", "ksessions"):
        entry = targets.get(name)
        mine = target_url(getattr(settings, name), name)
        if entry is None:
            databases.append(DatabaseDrift(
                name, None, "", _describe_target(mine).label,
                note=f"the app settings name no {_LABELS[name]} connection string",
            ))
            continue
        databases.append(compare_one(name, entry.name, entry.require(), mine))
    return DriftReport(
        files=tuple(str(f) for f in app.files),
        environment=app.environment,
        environment_source=app.environment_source,
        databases=tuple(databases),
        ignored=targets.ignored,
    )


def compare_one(
    name: DbName, app_connection: str, app: AdoNetConnection, yours_url: TargetUrl
) -> DatabaseDrift:
    """Compare one app connection string with one hostprov target."""
    mine = _describe_target(yours_url)
    theirs = _from_connection(app)
    label = _LABELS[name]
    diffs: list[Difference] = []
    if mine.kind != "mssql":
        diffs.append(Difference(
            "kind", f"SQL Server {theirs.label}", mine.label,
            f"{label}: app uses SQL Server {theirs.label}, you use {mine.label} ✗",
        ))
        return DatabaseDrift(name, app_connection, theirs.label, mine.label, tuple(diffs))
    diffs.extend(_field_diffs(label, theirs, mine))
    password = _password_check(theirs, mine)
    env = password_variable(name)
    if password == "different":
        diffs.append(Difference(
            "password", "set", "set",
            f"{label}: your password ({env} or {name}.password_file) differs from the app's ✗",
        ))
    elif password == "yours-missing":
        diffs.append(Difference(
            "password", "set", "not set",
            f"{label}: the app logs in with a password but you have none (set {env}) ✗",
        ))
    return DatabaseDrift(
        name, app_connection, theirs.label, mine.label, tuple(diffs), password,
        note="the app file holds no password, so passwords were not compared"
        if password == "app-missing" else None,
    )


# ---------------------------------------------------------------------------------------------
# Normalised endpoints
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Endpoint:
    kind: str
    host: str = ""
    instance: str | None = None
    port: int | None = None
    database: str = ""
    user: str | None = None
    integrated: bool = False
    encrypt: str | None = None  # yes | no | strict | None (driver default: yes)
    trust: bool | None = None
    password: SecretStr | None = None

    @property
    def label(self) -> str:
        """``server/database as login`` for SQL Server, else ``SQLite canvas.db`` and the like."""
        if self.kind != "mssql":
            return f"{_KIND_LABELS.get(self.kind, self.kind)} {self.database}"
        return f"{self.server_text}/{self.database or '(no database)'} as {self.login_text}"

    @property
    def server_key(self) -> tuple[str, str | None, int | None]:
        host = self.host.strip().rstrip(".").casefold()
        host = "localhost" if host in _LOCAL_HOSTS or not host else host
        instance = self.instance.casefold() if self.instance else None
        if instance == "mssqlserver":
            instance = None
        port = self.port if self.port is not None else (None if instance else DEFAULT_PORT)
        return host, instance, port

    @property
    def server_text(self) -> str:
        text = f"{self.host}\\{self.instance}" if self.instance else self.host
        return f"{text},{self.port}" if self.port is not None else text

    @property
    def login_key(self) -> str:
        return "(windows login)" if self.integrated else (self.user or "").casefold()

    @property
    def login_text(self) -> str:
        return "the Windows login" if self.integrated else (self.user or "no user")

    @property
    def encrypt_key(self) -> str:
        return self.encrypt or "yes"

    @property
    def encrypt_text(self) -> str:
        return f"Encrypt={self.encrypt}" if self.encrypt else "Encrypt=yes (driver default)"


def _from_connection(c: AdoNetConnection) -> _Endpoint:
    return _Endpoint(
        kind="mssql",
        host=c.server,
        instance=c.instance,
        port=c.port,
        database=c.database or "",
        user=c.user,
        integrated=c.integrated_security,
        encrypt=_normal_encrypt(c.encrypt),
        trust=c.trust_server_certificate,
        password=c.password if c.password and c.password.get_secret_value() else None,
    )


def _describe_target(target: TargetUrl) -> _Endpoint:
    if target.backend != "mssql":
        return _Endpoint(kind=target.backend, database=target.database_name)
    url = target.url
    query = {k.casefold(): str(v) for k, v in url.query.items()}
    if "odbc_connect" in query:
        return _from_odbc_connect(url, query["odbc_connect"])
    host, _, instance = (url.host or "").partition("\\")
    password = SecretStr(url.password) if url.password else None
    integrated = query.get("trusted_connection", "").casefold() in _TRUE
    user = None if integrated else url.username
    return _Endpoint(
        kind="mssql",
        host=host,
        instance=instance or None,
        port=url.port,
        database=url.database or "",
        user=user,
        integrated=integrated,
        encrypt=_normal_encrypt(query.get("encrypt")),
        trust=_bool_word(query.get("trustservercertificate")),
        password=password,
    )


def _from_odbc_connect(url: URL, odbc: str) -> _Endpoint:
    try:
        parsed = parse_connection_string(odbc)
    except ConnectionStringError as exc:
        raise ConfigError(f"The odbc_connect part of your URL cannot be read: {exc}") from None
    endpoint = _from_connection(parsed)
    if endpoint.password is None and url.password:
        return replace(endpoint, password=SecretStr(url.password))
    return endpoint


def _normal_encrypt(word: str | None) -> str | None:
    if word is None or not word.strip():
        return None
    folded = word.strip().casefold()
    if folded in _TRUE:
        return "yes"
    if folded in _FALSE:
        return "no"
    return folded


def _bool_word(word: str | None) -> bool | None:
    if word is None:
        return None
    folded = word.strip().casefold()
    return True if folded in _TRUE else False if folded in _FALSE else None


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


def _field_diffs(label: str, app: _Endpoint, yours: _Endpoint) -> list[Difference]:
    diffs: list[Difference] = []
    if app.server_key != yours.server_key:
        diffs.append(Difference(
            "server", app.server_text, yours.server_text,
            f"{label}: app uses server {app.server_text}, you use {yours.server_text} ✗",
        ))
    if app.database.casefold() != yours.database.casefold():
        diffs.append(Difference(
            "database", app.database, yours.database,
            f"{label}: app uses {app.database or '(no database)'}, "
            f"you use {yours.database or '(no database)'} ✗",
        ))
    if app.login_key != yours.login_key:
        diffs.append(Difference(
            "user", app.login_text, yours.login_text,
            f"{label}: app logs in as {app.login_text}, you log in as {yours.login_text} ✗",
        ))
    if app.encrypt_key != yours.encrypt_key:
        diffs.append(Difference(
            "encrypt", app.encrypt_text, yours.encrypt_text,
            f"{label}: app uses {app.encrypt_text}, you use {yours.encrypt_text} ✗",
        ))
    if bool(app.trust) != bool(yours.trust):
        app_text = f"TrustServerCertificate={'yes' if app.trust else 'no'}"
        yours_text = f"TrustServerCertificate={'yes' if yours.trust else 'no'}"
        diffs.append(Difference(
            "trust_server_certificate", app_text, yours_text,
            f"{label}: app uses {app_text}, you use {yours_text} ✗",
        ))
    return diffs


def _password_check(app: _Endpoint, yours: _Endpoint) -> PasswordCheck:
    if app.integrated and yours.integrated:
        return "not-used"
    if app.password is None and yours.password is None:
        return "none"
    if app.password is None:
        return "app-missing"
    if yours.password is None:
        return "yours-missing"
    return "same" if same_secret(app.password, yours.password) else "different"


def same_secret(a: SecretStr, b: SecretStr) -> bool:
    """Compare two secrets by HMAC-SHA256 under a one-off random key (constant time)."""
    key = secrets.token_bytes(32)
    digest_a = hmac.new(key, a.get_secret_value().encode("utf-8"), hashlib.sha256).digest()
    digest_b = hmac.new(key, b.get_secret_value().encode("utf-8"), hashlib.sha256).digest()
    return hmac.compare_digest(digest_a, digest_b)
