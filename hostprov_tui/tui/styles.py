"""Where the .tcss files live: inside the wheel (hostprov_tui/styles) or at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
STYLE_FILES = ("app.tcss", "dashboard.tcss", "sessions.tcss", "provision.tcss", "audit.tcss",
               "modals.tcss", "help.tcss")


def styles_dir() -> Path:
    packaged = _PACKAGE / "styles"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "styles"


def css_paths() -> list[Path]:
    base = styles_dir()
    return [base / name for name in STYLE_FILES]
