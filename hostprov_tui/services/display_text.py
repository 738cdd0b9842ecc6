"""Showing what a person typed, safely: the service-level name of hostprov_tui/text_safety.py
(free text escaped so it can neither start a line nor drive a terminal; names checked)."""

from __future__ import annotations

from hostprov_tui.text_safety import control_names, one_line, printable, printable_record

__all__ = ["control_names", "one_line", "printable", "printable_record"]
