"""Set or remove a few keys of ``config.toml`` tables with tomlkit, keeping the rest as written.

tomlkit keeps the document's comments, blank lines, key order and layout, and takes any valid
TOML (inline tables, dotted keys). A key set again keeps its trailing comment unless a new one is
given; a new key goes at the end of its table; a missing table is appended. The result is read
back with ``tomllib`` and compared with what was meant: a file that could not be edited exactly
is refused rather than damaged.
"""

from __future__ import annotations

import copy
import os
import tempfile
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import String

from hostprov_tui.errors import ConfigError


@dataclass
class TableEdit:
    """What to do to one table: keys to set (value, optional comment) and keys to remove."""

    set: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string."""
    return tomlkit.string(value).as_string()


def toml_line(key: str, value: str, comment: str | None = None) -> str:
    line = f"{key} = {toml_string(value)}"
    return f"{line}  # {comment}" if comment else line


def edit_tables(text: str, edits: Mapping[str, TableEdit]) -> str:
    """``text`` with ``edits`` applied; ConfigError when that cannot be done exactly."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file is not valid TOML: {exc}.") from None
    except RecursionError:
        raise ConfigError("The config file is nested too deeply to edit safely.") from None
    try:
        document = tomlkit.parse(text)
        for table, edit in edits.items():
            _edit_table(document, table, edit)
        result = document.as_string()
        exact = tomllib.loads(result) == _expected(before, edits)
    except (TOMLKitError, tomllib.TOMLDecodeError, TypeError, ValueError, KeyError,
            RecursionError):
        exact = False
    if not exact:
        names = ", ".join(f"[{t}]" for t in edits)
        raise ConfigError(
            f"The config file cannot be edited safely (its {names} tables are not plain "
            "tables).",
            hint="Write the tables by hand, or use --write with a new file.",
        )
    return result


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, keeping the file's permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    from hostprov_tui.config.path_safety import make_folders

    make_folders(path.parent)  # 0700, whatever the umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _edit_table(document: tomlkit.TOMLDocument, name: str, edit: TableEdit) -> None:
    if name not in document:
        if not edit.set:
            return
        document[name] = tomlkit.table()
    section = document[name]
    if not isinstance(section, MutableMapping):  # an array of tables, a plain value
        raise TypeError(f"[{name}] is not a table")
    for key in edit.remove:
        section.pop(key, None)
    for key, (value, comment) in edit.set.items():
        section[key] = _string(value, comment)


def _string(value: str, comment: str | None) -> String:
    item = tomlkit.string(value)
    if comment:
        item.comment(comment)
        item.trivia.comment_ws = "  "
    return item


def _expected(before: dict[str, Any], edits: Mapping[str, TableEdit]) -> dict[str, Any]:
    expected = copy.deepcopy(before)
    for table, edit in edits.items():
        section = expected.setdefault(table, {})
        for key in edit.remove:
            section.pop(key, None)
        for key, (value, _comment) in edit.set.items():
            section[key] = value
    return expected
