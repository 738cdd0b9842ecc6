"""The Sessions screen's status line, drawn from one state object: what is searched, how many
rows are shown of how many, which filters apply, how many are marked, and whether canvas has
told the Host column yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.reactive import reactive
from textual.widgets import Static

Phase = Literal["starting", "searching", "loading", "shown", "failed"]
#: canvas and the Host column: not asked yet, asked, answered, or not answering
Canvas = Literal["", "asking", "answered", "silent"]
SILENT = "Host status unknown — canvas not answering (Ctrl+P: Refresh asks again)"


@dataclass(frozen=True)
class ResultsView:
    phase: Phase = "starting"
    described: str = " in the catalogue"  # " for “of” · album … · active only"
    shown: int = 0
    total: int | None = None
    has_more: bool = False
    marked: int = 0
    error: str = ""
    canvas: Canvas = ""


def _plural(n: int) -> str:
    return f"{n} session{'' if n == 1 else 's'}"


def status_text(view: ResultsView) -> str:
    """“50 of 312 sessions for “of” · album … · more below ↓ · Enter picks · / searches”."""
    if view.phase == "starting":
        text = ""
    elif view.phase == "searching":
        text = "Searching…"
    elif view.phase == "failed":
        text = view.error
    elif view.phase == "loading":
        text = "Loading more…"
    elif view.total == 0:
        text = f"No session found{view.described} · / searches"
    else:
        if view.total is None:
            count = f"{_plural(view.shown)} shown (counting…)"
        elif view.total == view.shown:
            count = _plural(view.shown)
        else:
            count = f"{view.shown} of {_plural(view.total)}"
        more = " · more below ↓" if view.has_more else ""
        canvas = {"asking": " · Host status: asking canvas…", "silent": f" · {SILENT}"}.get(
            view.canvas, "")
        text = f"{count}{view.described}{more}{canvas} · Enter picks · / searches"
    if view.marked:
        text += f" · {view.marked} marked · Ctrl+F issues for them"
    return text


class ResultsStatus(Static):
    """Renders :class:`ResultsView`; the screen binds its ``view`` reactive to this one."""

    view: reactive[ResultsView] = reactive(ResultsView, init=False)

    def watch_view(self, view: ResultsView) -> None:
        self.update(status_text(view))
