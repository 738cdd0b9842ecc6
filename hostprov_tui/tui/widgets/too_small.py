"""What a main screen shows instead of its body when the terminal is too small for it."""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widgets import Static

#: The smallest terminal the screens are laid out for (columns, rows).
MIN_SIZE = (60, 16)


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


class TooSmall(Static):
    """Names the terminal's size and the smallest that works; shown by MainScreen.-too-small."""

    def render(self) -> RenderResult:
        size = self.screen.size
        return Content.assemble(
            ("The terminal is too small", "bold $warning"),
            f" ({size.width}×{size.height}): hostprov needs at least "
            f"{MIN_SIZE[0]}×{MIN_SIZE[1]}. Make the window larger (or the font smaller); "
            "Ctrl+Q quits.")
