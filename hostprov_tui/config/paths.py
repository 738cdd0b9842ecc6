"""Path helpers for configuration: relative values, and which config file hostprov reads.

Standard library only: the TUI's first frame (config/preview.py) uses it too.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CONFIG_ENV_VAR = "HOSTPROV_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"


def resolve_relative(path: Path, base: Path) -> Path:
    """``path`` itself when absolute (``~`` expanded), else ``base / path``."""
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def config_candidate(
    explicit: Path | None, environ: Mapping[str, str] | None = None
) -> tuple[Path, str]:
    """The config file hostprov reads — ``--config`` → ``$HOSTPROV_CONFIG`` →
    ``./config.toml`` — and the rule that named it. The file may not exist."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit, "--config"
    named = env.get(CONFIG_ENV_VAR)
    if named:
        return Path(named), f"env {CONFIG_ENV_VAR}"
    return Path.cwd() / DEFAULT_CONFIG_NAME, f"./{DEFAULT_CONFIG_NAME}"


def read_toml_quietly(path: Path | None) -> dict[str, Any]:
    """The TOML document at ``path``, or {} when there is none or it cannot be read (for
    previews and explanations; loading the settings reports such errors)."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
