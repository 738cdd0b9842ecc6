"""Placeholder until the TUI lands."""

from __future__ import annotations

from hostprov_tui.config.settings import Settings


def run_app(settings: Settings) -> int:
    raise SystemExit("The TUI is not built yet.")
