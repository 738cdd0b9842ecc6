"""Time from process spawn to the first frame of a Textual app, in a headless fake terminal.

Usage: HP_SPAWN=<time.time() at spawn> python startup_probe.py bare|hostprov [CONFIG]

``bare`` is a Textual app with a Header and a Footer; ``hostprov`` is the TUI exactly as
``hostprov tui`` builds it (``build_app(CONFIG)``: the settings load in a worker after the first
frame, as in the real command).
Both run under ``App.run_test`` (120×40). ``first_frame_s``: the app is ready and its first screen
has processed its pending events (what run_test waits for before it yields) — the first frame.
``settled_s``: then every pending message of the app is processed too (``pilot.pause()``: on_mount
work, workers started). The probe prints one JSON line and leaves at once (no teardown timed).
"""

from __future__ import annotations

import os
import sys
import time

SPAWN = float(os.environ.get("HP_SPAWN", time.time()))

import asyncio  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def build(kind: str, config: str | None) -> Any:
    from textual.app import App

    if kind == "bare":
        from textual.app import ComposeResult
        from textual.widgets import Footer, Header

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Footer()

        return Bare()
    try:
        import hostprov_tui.tui.app as tui
    except ImportError as exc:
        raise LookupError(f"hostprov_tui.tui.app cannot be imported ({exc})") from None
    if hasattr(tui, "build_app"):  # exactly what `hostprov tui` runs: settings load in a worker
        return tui.build_app(Path(config) if config else None, {})
    from hostprov_tui.config.settings import load_settings

    classes = [
        v for v in vars(tui).values()
        if isinstance(v, type) and issubclass(v, App) and v.__module__ == tui.__name__
    ]
    if not classes:
        raise LookupError("hostprov_tui.tui.app has no App class yet")
    settings = load_settings(Path(config) if config else None, {})
    return classes[0](settings)


async def main(kind: str, config: str | None) -> None:
    try:
        app = build(kind, config)
    except LookupError as exc:
        print(json.dumps({"unavailable": str(exc)}), flush=True)
        os._exit(0)
    async with app.run_test(size=(120, 40)) as pilot:
        first = time.time() - SPAWN
        await pilot.pause()
        settled = time.time() - SPAWN
        print(json.dumps({"first_frame_s": first, "settled_s": settled}), flush=True)
        os._exit(0)  # workers of the real app may still be busy: not part of the first frame


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
