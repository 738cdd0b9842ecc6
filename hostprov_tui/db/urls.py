"""From configuration to a SQLAlchemy URL with its password, for canvas or KSESSIONS."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from hostprov_tui.config.masking import mask_url
from hostprov_tui.config.secrets import database_password
from hostprov_tui.config.settings import DatabaseTarget
from hostprov_tui.errors import ConfigError

DbName = Literal["canvas", "ksessions"]
Backend = Literal["sqlite", "postgresql", "mssql"]

_DEFAULT_DRIVERS: dict[str, str] = {
    "postgresql": "psycopg",
    "mssql": "pyodbc",
    "sqlite": "pysqlite",
}
_SUPPORTED = {"sqlite+pysqlite", "postgresql+psycopg", "mssql+pyodbc", "mssql+mssqlpython"}


@dataclass(frozen=True)
class TargetUrl:
    """A database URL ready to connect (password inside), and how to show it."""

    name: DbName
    url: URL
    #: built from ``[name] connection_string`` (+ ``odbc_driver``), not from a URL
    from_connection_string: bool = False

    @property
    def backend(self) -> Backend:
        return self.url.get_backend_name()  # type: ignore[return-value]

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    @property
    def dbapi(self) -> str:
        """The Python driver: pysqlite, psycopg, pyodbc or mssqlpython."""
        return self.url.get_driver_name()

    @property
    def database_name(self) -> str:
        """The database the driver opens as a person names it: file name for SQLite, catalogue
        otherwise (config/database_name.py reads the URL the way the driver does)."""
        from hostprov_tui.config.database_name import judge_url

        return judge_url(self.url).name

    @property
    def sqlite_path(self) -> Path | None:
        if self.backend != "sqlite" or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    @property
    def is_embedded(self) -> bool:
        return self.backend == "sqlite"

    def same_database_as(self, other: TargetUrl) -> bool:
        return self.url.render_as_string(hide_password=False) == other.url.render_as_string(
            hide_password=False
        )


def target_url(target: DatabaseTarget, name: DbName) -> TargetUrl:
    """Build the URL of ``target`` (``url`` or ADO.NET ``connection_string``) with its password."""
    if target.url and target.connection_string:
        raise ConfigError(
            f"[{name}] sets both url and connection_string; keep only one of them."
        )
    password = database_password(target, name)
    if target.connection_string:
        from hostprov_tui.config.adonet import ConnectionStringError, parse_connection_string

        try:
            parsed = parse_connection_string(target.connection_string)
            url = parsed.to_url(driver=target.odbc_driver, password=password)
        except ConnectionStringError as exc:
            raise ConfigError(f"[{name}] connection_string: {exc}") from None
        return TargetUrl(name, _for_driver(url, target, name,
                                           odbc_named="odbc_driver" in target.model_fields_set),
                         from_connection_string=True)
    if not target.url:
        raise ConfigError(
            f"No {name} database is configured.",
            hint=f"Set [{name}] url in config.toml or HOSTPROV_{name.upper()}__URL.",
        )
    from hostprov_tui.config.size_limits import check_text_length

    check_text_length(target.url, f"[{name}] url")
    try:
        url = make_url(target.url)
    except ArgumentError:
        raise ConfigError(
            f"[{name}] url is not a database URL: {_safe_prefix(target.url)}",
            hint="Expected e.g. sqlite:///data/canvas.db, postgresql+psycopg://user@host/db, "
            "mssql+mssqlpython://user@host/db or mssql+pyodbc://user@host/db?driver=FreeTDS.",
        ) from None
    backend = url.get_backend_name()
    driver = url.get_driver_name() if "+" in url.drivername else _DEFAULT_DRIVERS.get(backend, "")
    full = f"{backend}+{driver}"
    if full not in _SUPPORTED:
        raise ConfigError(
            f"[{name}] uses {url.drivername}, which hostprov does not support.",
            hint="Use sqlite, postgresql+psycopg, mssql+mssqlpython or mssql+pyodbc.",
        )
    url = url.set(drivername=full)
    _refuse_unknown_option(url, name)
    if password is not None:
        url = url.set(password=password.get_secret_value())
    return TargetUrl(name, _for_driver(url, target, name))


def _for_driver(url: URL, target: DatabaseTarget, name: str, *, odbc_named: bool = True) -> URL:
    """A SQL Server URL for the driver in use ([name] driver; see db/mssql_driver.py)."""
    if url.get_backend_name() != "mssql":
        return url
    from hostprov_tui.config.database_name import judge_url

    if not judge_url(url).certain:  # left as given: the guard refuses what it cannot judge,
        return url  # and a rewrite for the other driver must not settle the doubt by a guess
    from hostprov_tui.db.mssql_driver import resolve_mssql_url

    return resolve_mssql_url(url, target.driver, name, odbc_named=odbc_named)


def _refuse_unknown_option(url: URL, name: DbName) -> None:
    from hostprov_tui.config.database_name import unknown_option

    key = unknown_option(url)
    if key is not None:
        raise ConfigError(
            f"[{name}] url sets {key}=, which is not a PostgreSQL connection option, so the "
            "driver would refuse to connect.",
            hint="Remove it, or spell it as libpq does (e.g. sslmode=require).",
        )


def _safe_prefix(text: str) -> str:
    head = text.split("@", 1)[-1] if "@" in text else text
    return repr(head[:60])
