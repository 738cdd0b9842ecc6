"""The two values the TUI's first frame needs (environment, theme), read without pydantic.

The full :func:`~hostprov_tui.config.settings.load_settings` runs in a worker right after the first
frame; this preview follows the same precedence (flag → ``HOSTPROV_*`` → TOML → default) for
just these two scalars, so the banner is right from the first frame. On any doubt it says
"development"/default and the real settings correct it a moment later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hostprov_tui.config.paths import config_candidate, read_toml_quietly

DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class Preview:
    environment: str = "development"
    theme: str = DEFAULT_THEME


def _env(name: str) -> str | None:
    for key, value in os.environ.items():
        if key.upper() == name:
            return value
    return None


def preview(config: Path | None = None, overrides: Mapping[str, Any] | None = None) -> Preview:
    data = read_toml_quietly(config_candidate(config)[0])
    flags = dict(overrides or {})
    environment = (
        flags.get("environment")
        or _env("HOSTPROV_ENVIRONMENT")
        or data.get("environment")
        or "development"
    )
    tui = data.get("tui") if isinstance(data.get("tui"), dict) else {}
    theme = _env("HOSTPROV_TUI__THEME") or tui.get("theme") or DEFAULT_THEME
    environment = str(environment).lower()
    return Preview(
        environment if environment in ("development", "production") else "development",
        str(theme),
    )
