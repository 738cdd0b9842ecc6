"""Path helpers for configuration values."""

from __future__ import annotations

from pathlib import Path


def resolve_relative(path: Path, base: Path) -> Path:
    """``path`` itself when absolute (``~`` expanded), else ``base / path``."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()
