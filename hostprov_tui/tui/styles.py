"""Where the .tcss files live: inside the wheel (hostprov_tui/styles) or at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
STYLE_FILES = ("app.tcss", "dashboard.tcss", "sessions.tcss", "provision.tcss", "audit.tcss",
               "modals.tcss", "help.tcss")


def styles_dir() -> Path:
    packaged = _PACKAGE / "styles"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "styles"


def css_paths(*names: str) -> list[Path]:
    """The style files ``names`` (all of them when none is named)."""
    base = styles_dir()
    return [base / name for name in (names or STYLE_FILES)]


#: What the first frame needs; each other screen brings its own file when first shown.
START_STYLES = ("app.tcss", "dashboard.tcss")
