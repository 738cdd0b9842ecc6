"""Where the .tcss files live: inside the wheel (hostprov_tui/styles) or at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def styles_dir() -> Path:
    packaged = _PACKAGE / "styles"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "styles"


def css_paths(*names: str) -> list[Path]:
    """The style files ``names``."""
    base = styles_dir()
    return [base / name for name in names]


#: What the first frame needs; each other screen brings its own file when first shown.
START_STYLES = ("app.tcss", "dashboard.tcss")
