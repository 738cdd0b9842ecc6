"""The dashboard's drift verdict: is hostprov pointed at the same databases as the NOOR Canvas app?

``-same`` (green), ``-differ`` (red), ``-broken`` (the app's file cannot be read: warning) or
``-none`` (no ``[tui] app_settings``: one muted line, no border).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from hostprov_tui.services.drift import DriftReport

MAX_LINES = 4
STATES = ("-pending", "-none", "-same", "-differ", "-broken")
NOT_CONFIGURED = (
    "No app settings configured: hostprov config import PATH/appsettings.json "
    "(or [tui] app_settings) compares these databases with the app's."
)


class DriftCard(Static):
    """Shows a DriftReport's headline and lines; ``verdict`` holds the headline shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Content("Comparing with the app's settings…"),
                         id=id, classes="-pending")
        self.verdict = ""
        self.border_title = "NOOR Canvas app"

    def _state(self, state: str) -> None:
        for name in STATES:
            self.set_class(name == state, name)

    def show_report(self, report: DriftReport | None) -> None:
        if report is None:
            self._state("-none")
            self.verdict = NOT_CONFIGURED
            self.update(Content(NOT_CONFIGURED))
            return
        self._state("-same" if report.same else "-differ")
        self.verdict = report.sentence
        style = "bold $success" if report.same else "bold $error"
        rows = [Content.styled(report.sentence, style)]
        # when different, the headline already holds the first difference
        lines = report.lines if report.same else report.lines[1:]
        shown = lines[:MAX_LINES] if len(lines) > MAX_LINES + 1 else lines
        rows.extend(Content(f"  {line}") for line in shown)
        if len(shown) < len(lines):
            rows.append(Content.styled(
                f"  … {len(lines) - len(shown)} more: hostprov config drift lists them all",
                "$text-muted"))
        files = " + ".join(Path(f).name for f in report.files) or "appsettings.json"
        rows.append(Content.styled(
            f"{files} · environment {report.environment} ({report.environment_source})",
            "$text-muted"))
        self.update(Content("\n").join(rows))

    def show_error(self, message: str, hint: str | None) -> None:
        """The app's settings file could not be read (a ConfigError): say so, not a traceback."""
        self._state("-broken")
        self.verdict = message
        rows = [Content.styled("The app's settings cannot be compared", "bold $warning"),
                Content(message)]
        if hint:
            rows.append(Content.styled(hint, "$text-muted"))
        self.update(Content("\n").join(rows))
