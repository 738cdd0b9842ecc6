"""The commented starter config that ``hostprov config init`` writes (built with tomlkit).

In the user config file it points at the user data folder (absolute paths); anywhere else at
``data/`` beside the file, as the repository's ``config.toml`` does. Either way it is the
embedded development default, built with its demo catalogue on first run.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from hostprov_tui.config.locations import embedded_defaults
from hostprov_tui.config.private_file import check_writable_target, write_private_file
from hostprov_tui.errors import ConfigError

HEADER = (
    "hostprov configuration, written by `hostprov config init`.",
    "Values here are overridden by HOSTPROV_* environment variables (nested with \"__\"),",
    "and those by command-line flags. Relative paths are relative to this file.",
    "Passwords and the hash secret never go in this file: use the environment or secret files.",
    "`hostprov config path` shows which config file and folders are in use.",
)


@dataclass(frozen=True)
class StarterResult:
    config_file: str
    data_dir: str
    replaced: bool


def _entry(table: Table | tomlkit.TOMLDocument, key: str, value: Any, comment: str) -> None:
    item = tomlkit.item(value)
    item.comment(comment)
    table.add(key, item)


def starter_text(data_dir: Path) -> str:
    """The starter config for the embedded default in ``data_dir`` (relative: beside the file)."""
    values = embedded_defaults(data_dir)
    doc = tomlkit.document()
    for line in HEADER:
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    _entry(doc, "environment", "development", "HOSTPROV_ENVIRONMENT: development | production")

    for name in ("canvas", "ksessions"):
        table = tomlkit.table()
        variable = f"HOSTPROV_{name.upper()}__PASSWORD"
        _entry(table, "url", values[name]["url"],
               f"HOSTPROV_{name.upper()}__URL (password: {variable})")
        table.add(tomlkit.comment('or: connection_string = "Data Source=…;Initial Catalog=…_DEV;'
                                  'User Id=…" (no password: hostprov config import writes it)'))
        table.add(tomlkit.comment('SQL Server: driver = "auto" | "pyodbc" | "mssql-python" (auto: '
                                  "mssql-python when installed and no installed ODBC driver is "
                                  "named)"))
        doc.add(name, table)

    database = tomlkit.table()
    _entry(database, "connect_timeout_s", 5, "HOSTPROV_DATABASE__CONNECT_TIMEOUT_S")
    _entry(database, "statement_timeout_s", 30, "HOSTPROV_DATABASE__STATEMENT_TIMEOUT_S")
    doc.add("database", database)

    audit = tomlkit.table()
    _entry(audit, "path", values["audit"]["path"], "HOSTPROV_AUDIT__PATH (JSON lines)")
    doc.add("audit", audit)

    security = tomlkit.table()
    _entry(security, "hash_secret_file", values["security"]["hash_secret_file"],
           "HOSTPROV_SECURITY__HASH_SECRET overrides the file")
    doc.add("security", security)

    demo = tomlkit.table()
    _entry(demo, "auto_create", True, "build the embedded databases + demo catalogue on first run")
    _entry(demo, "sessions", 400, "how many demo sessions")
    _entry(demo, "seed", 7, "the demo catalogue's random seed")
    doc.add("demo", demo)

    tui = tomlkit.table()
    _entry(tui, "refresh_s", 15, "dashboard poll interval, seconds")
    _entry(tui, "theme", "textual-dark", "or textual-light (Ctrl+T switches)")
    doc.add("tui", tui)
    return tomlkit.dumps(doc)


def write_starter(path: Path, data_dir: Path, *, force: bool = False) -> StarterResult:
    """Write the starter config to ``path`` (mode 0600; never through a symlink; an existing
    file only with ``force``) after checking that it loads."""
    from hostprov_tui.config.settings import Settings, normalise_file_data

    check_writable_target(path, replace=force)
    text = starter_text(data_dir)
    try:  # what is written must load: the same checks as the settings loader
        Settings.model_validate(normalise_file_data(tomllib.loads(text), path.parent))
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # a bug here, never bad input
        raise ConfigError(f"The starter config does not load: {exc}.") from None
    replaced = path.exists()
    write_private_file(path, text, replace=force)
    return StarterResult(str(path), str(data_dir if data_dir.is_absolute()
                                        else path.parent / data_dir), replaced)
