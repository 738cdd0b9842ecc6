"""Inputs whose cursor does not blink in stable mode (snapshots must not catch a blink)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


def steady_input(stable: bool, *args: Any, **kwargs: Any) -> Input:
    widget = Input(*args, **kwargs)
    if stable:
        widget.cursor_blink = False
    return widget
