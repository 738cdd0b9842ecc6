"""Path helpers for configuration: relative values, and which config file hostprov reads.

Light imports only (the standard library and platformdirs): the TUI's first frame
(config/preview.py) uses it too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hostprov_tui.config.locations import CONFIG_ENV_VAR, DEFAULT_CONFIG_NAME, choose_config

__all__ = ["CONFIG_ENV_VAR", "DEFAULT_CONFIG_NAME", "config_candidate", "read_toml_quietly",
           "resolve_relative"]


def resolve_relative(path: Path, base: Path) -> Path:
    """``path`` itself when absolute (``~`` expanded), else ``base / path``."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def config_candidate(
    explicit: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Path, str]:
    """The config file hostprov reads — ``--config`` → ``$HOSTPROV_CONFIG`` →
    ``./config.toml`` if present → the user config file — and the rule that named it. The file
    may not exist (see :func:`~hostprov_tui.config.locations.choose_config`)."""
    choice = choose_config(explicit, environ)
    return choice.path, choice.rule


def read_toml_quietly(path: Path | None) -> dict[str, Any]:
    """The TOML document at ``path``, or {} when there is none or it cannot be read (for
    previews and explanations; loading the settings reports such errors)."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, ValueError, RecursionError):  # TOMLDecodeError, UnicodeDecodeError too
        return {}
