"""``hostprov config import``: the app's connection strings → ``config.toml``, never a password.

The app's ``ConnectionStrings`` (``appsettings.json`` + ``appsettings.<Env>.json``) are mapped to
canvas and KSESSIONS (rules in :mod:`hostprov_tui.config.appsettings`), and written as
``[canvas]``/``[ksessions]`` ``connection_string`` with every ``Password=`` segment removed, plus
``[tui] app_settings`` so the dashboard keeps comparing. The rest of the file is kept as it is.
The written file is loaded back with the normal settings loader; if that fails the old file is
restored.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostprov_tui.config.adonet import DEFAULT_ODBC_DRIVER, ConnectionStringError
from hostprov_tui.config.appsettings import load_app_settings
from hostprov_tui.config.settings import load_settings, password_variable
from hostprov_tui.config.toml_edit import TableEdit, edit_tables, toml_line, write_atomically
from hostprov_tui.errors import ConfigError
from hostprov_tui.services.guard import DEV_SUFFIX, is_dev_database

_LABELS = {"canvas": "canvas", "ksessions": "KSESSIONS"}


@dataclass(frozen=True)
class ImportRequest:
    app_settings: Path
    config_file: Path
    environment: str | None = None
    canvas_name: str | None = None
    ksessions_name: str | None = None
    odbc_driver: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class ImportedEntry:
    """One app connection string as shown to the operator (masked)."""

    name: str
    targets: tuple[str, ...]
    masked: str
    error: str | None = None


@dataclass(frozen=True)
class ImportResult:
    app_settings: str
    files: tuple[str, ...]
    environment: str
    environment_source: str
    connection_strings: tuple[ImportedEntry, ...]
    config_file: str
    tables: tuple[str, ...]
    dry_run: bool
    toml_preview: str  # the keys written, as TOML (no password)
    password_variables: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def import_app_settings(request: ImportRequest) -> ImportResult:
    config_file = request.config_file
    old_text = _read_text(config_file)
    old_tables = _tables(old_text)
    configured = old_tables.get("tui", {}).get("app_environment")
    app = load_app_settings(
        request.app_settings,
        request.environment,
        configured_environment=configured if isinstance(configured, str) else None,
    )
    targets = app.map_targets(request.canvas_name, request.ksessions_name)
    driver = request.odbc_driver or DEFAULT_ODBC_DRIVER
    edits: dict[str, TableEdit] = {}
    variables: list[str] = []
    notes: list[str] = []
    for name in ("canvas", "ksessions"):
        entry = targets.get(name)
        label = _LABELS[name]
        if entry is None:
            notes.append(f"The app settings name no {label} connection string; "
                         f"[{name}] is left as it was.")
            continue
        connection = entry.require()
        try:
            connection.to_url(driver)
        except ConnectionStringError as exc:
            raise ConfigError(
                f"Connection string {entry.name} cannot be used for {label}: {exc}."
            ) from None
        variable = password_variable(name)
        comment = f"from {entry.source.name} {entry.name}; password: {variable}"
        edit = TableEdit(
            set={"connection_string": (connection.without_password(), comment)},
            remove=("url",),
        )
        if request.odbc_driver:
            edit.set["odbc_driver"] = (request.odbc_driver, None)
        edits[name] = edit
        has_file = "password_file" in old_tables.get(name, {})
        alternative = f" (or keep [{name}] password_file)" if has_file else ""
        if connection.password is not None and connection.password.get_secret_value():
            variables.append(
                f"{variable}: the password of {entry.name} in {entry.source.name}{alternative}"
            )
        elif not connection.integrated_security:
            notes.append(f"{entry.name} holds no password; if the login needs one, set "
                         f"{variable}.")
        database = connection.database or ""
        if not is_dev_database(database):
            notes.append(
                f"{label} is {database}, which does not end in {DEV_SUFFIX}: the development "
                "environment refuses it (use HOSTPROV_ENVIRONMENT=production and "
                "--allow-production for a real target)."
            )
    if app.base_url:
        edits["app"] = TableEdit(set={"base_url": (
            app.base_url, "the app's Kestrel endpoint: host and participant links"
        )})
    else:
        notes.append("The app settings name no Kestrel endpoint URL; [app] base_url is left as "
                     "it was (default https://localhost:9091).")
    edits["tui"] = TableEdit(set=_tui_keys(app.base.resolve(), app.environment,
                                           app.environment_source,
                                           config_file))
    new_text = edit_tables(old_text, edits)
    if not request.dry_run:
        _write_checked(config_file, old_text, new_text)
    entries = tuple(
        ImportedEntry(c.name, targets.targets_of(c.name), c.masked, c.error)
        for c in app.connection_strings
    )
    return ImportResult(
        app_settings=str(app.base),
        files=tuple(str(f) for f in app.files),
        environment=app.environment,
        environment_source=app.environment_source,
        connection_strings=entries,
        config_file=str(config_file),
        tables=tuple(edits),
        dry_run=request.dry_run,
        toml_preview=_preview(edits),
        password_variables=tuple(variables),
        notes=tuple(notes),
    )


def _tui_keys(
    app_path: Path, environment: str, source: str, config_file: Path
) -> dict[str, tuple[str, str | None]]:
    try:
        shown = str(app_path.relative_to(config_file.parent))
    except ValueError:
        shown = str(app_path)
    keys: dict[str, tuple[str, str | None]] = {
        "app_settings": (shown, "the NOOR Canvas app's settings: hostprov config drift"),
    }
    if source == "--app-environment":
        keys["app_environment"] = (environment, None)
    return keys


def _preview(edits: dict[str, TableEdit]) -> str:
    blocks: list[str] = []
    for table, edit in edits.items():
        lines = [f"[{table}]"] + [toml_line(k, v) for k, (v, _c) in edit.set.items()]
        lines += [f"# removed: {k}" for k in edit.remove]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _read_text(path: Path) -> str:
    if not path.exists():
        return ""
    from hostprov_tui.config.size_limits import check_file_size

    check_file_size(path, "config file")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text; hostprov leaves it as "
                          "it is.") from None


def _tables(text: str) -> dict[str, dict[str, Any]]:
    """The tables of the current config.toml (none when it cannot be parsed: the edit refuses
    such a file later, with its own sentence)."""
    try:
        document = tomllib.loads(text) if text else {}
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}
    return {k: v for k, v in document.items() if isinstance(v, dict)}


def _write_checked(path: Path, old_text: str, new_text: str) -> None:
    """Write, load back with the settings loader, and put the old file back if that fails."""
    existed = path.exists()
    try:
        write_atomically(path, new_text)
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be written: {exc.strerror}.") from None
    try:
        load_settings(path)
    except ConfigError as exc:
        if existed:
            write_atomically(path, old_text)
        else:
            os.unlink(path)
        raise ConfigError(
            f"{path.name} would not load after the import, so it was left unchanged: "
            f"{exc.message}",
            hint=exc.hint,
        ) from None
