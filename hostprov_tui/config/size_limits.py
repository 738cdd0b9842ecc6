"""Sizes no real configuration reaches: refused early, before parsing, with one sentence.

A 50 MB password or a 10 MB server name is no configuration but a mistake or an attack; parsing
one costs seconds and gigabytes. Each file is measured before it is read and each connection
text before it is parsed.
"""

from __future__ import annotations

import os
from pathlib import Path

from hostprov_tui.errors import ConfigError

#: config.toml and the app's appsettings*.json: a few kilobytes in practice.
MAX_CONFIG_FILE_BYTES = 1024 * 1024
#: A password or hash secret file: one line.
MAX_SECRET_FILE_BYTES = 64 * 1024
#: A database URL or an ADO.NET connection string (SQL Server's own tools stop far below).
MAX_CONNECTION_TEXT = 8 * 1024


def check_file_size(path: Path, what: str, limit: int = MAX_CONFIG_FILE_BYTES) -> None:
    """Refuse ``path`` when it is larger than ``limit`` bytes (a missing file is not refused
    here: reading it says so)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return
    if size > limit:
        raise ConfigError(f"The {what} {path} is {_size(size)}; no {what} is larger than "
                          f"{_size(limit)}, so hostprov does not read it.")


def check_text_length(text: str, what: str, limit: int = MAX_CONNECTION_TEXT) -> None:
    """Refuse a connection text longer than ``limit`` characters (never quoting it)."""
    if len(text) > limit:
        raise ConfigError(f"{what} is {len(text):,} characters long; a real one is under "
                          f"{limit:,}, so hostprov does not parse it.")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
