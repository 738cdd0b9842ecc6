"""Set or remove a few keys of ``config.toml`` tables while keeping the rest of the file intact.

Comments, blank lines, key order and every other table stay as they were: only the lines of the
keys being set or removed change (a new key goes after the last key of its table, a missing table
is appended). The result is read back with ``tomllib`` and compared with what was meant; a file
laid out in a way this editor does not follow (inline tables, dotted keys) is refused rather than
damaged.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hostprov_tui.errors import ConfigError

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


@dataclass
class TableEdit:
    """What to do to one table: keys to set (value, optional comment) and keys to remove."""

    set: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and TOML also forbids a raw DEL."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def edit_tables(text: str, edits: Mapping[str, TableEdit]) -> str:
    """``text`` with ``edits`` applied; ConfigError when that cannot be done safely."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file is not valid TOML: {exc}.") from None
    lines = text.splitlines()
    for table, edit in edits.items():
        lines = _edit_table(lines, table, edit)
    result = "\n".join(lines) + "\n"
    expected = _expected(before, edits)
    try:
        after = tomllib.loads(result)
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        names = ", ".join(f"[{t}]" for t in edits)
        raise ConfigError(
            f"The config file cannot be edited safely (its {names} tables are not written as "
            "plain [table] sections).",
            hint="Write the tables by hand, or use --write with a new file.",
        )
    return result


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, keeping the file's permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _expected(before: dict[str, Any], edits: Mapping[str, TableEdit]) -> dict[str, Any]:
    expected = copy.deepcopy(before)
    for table, edit in edits.items():
        section = expected.setdefault(table, {})
        for key in edit.remove:
            section.pop(key, None)
        for key, (value, _comment) in edit.set.items():
            section[key] = value
    return expected


def toml_line(key: str, value: str, comment: str | None = None) -> str:
    line = f"{key} = {toml_string(value)}"
    return f"{line}  # {comment}" if comment else line


def _edit_table(lines: list[str], table: str, edit: TableEdit) -> list[str]:
    start = next((i for i, line in enumerate(lines) if _header_name(line) == table), None)
    if start is None:
        if not edit.set:
            return lines
        block = [f"[{table}]"] + [toml_line(k, v, c) for k, (v, c) in edit.set.items()]
        tail = [""] if lines and lines[-1].strip() else []
        return lines + tail + block
    end = next(
        (i for i in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines)
    )
    body = lines[start + 1 : end]
    pending = dict(edit.set)
    new_body: list[str] = []
    replaced_at: int | None = None
    for line in body:
        match = _KEY_LINE.match(line)
        key = match.group(1) if match else None
        if key is not None and key in pending:
            value, comment = pending.pop(key)
            new_body.append(toml_line(key, value, comment or _trailing_comment(line)))
            continue
        if key is not None and key in edit.remove:
            replaced_at = len(new_body) if replaced_at is None else replaced_at
            continue
        new_body.append(line)
    if pending:
        new_lines = [toml_line(k, v, c) for k, (v, c) in pending.items()]
        at = replaced_at if replaced_at is not None else _after_last_key(new_body)
        new_body[at:at] = new_lines
    return lines[: start + 1] + new_body + lines[end:]


def _header_name(line: str) -> str | None:
    match = _HEADER.match(line)
    return match.group(1) if match else None


def _after_last_key(body: list[str]) -> int:
    last = -1
    for i, line in enumerate(body):
        if line.strip() and not line.lstrip().startswith("#"):
            last = i
    return last + 1


def _trailing_comment(line: str) -> str | None:
    """The comment after a one-line ``key = value``: the first ``#`` after a complete value."""
    for i, char in enumerate(line):
        if char != "#":
            continue
        try:
            tomllib.loads(line[:i])
        except tomllib.TOMLDecodeError:
            continue
        return line[i + 1 :].strip() or None
    return None
