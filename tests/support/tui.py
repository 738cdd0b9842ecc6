"""What the TUI tests share: waiting until the app has nothing left to do."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[int], *, typed: bool = False) -> None:
    """Wait for every worker and the messages they posted (after typing: let debounce fire)."""
    await pilot.pause(0.3 if typed else None)
    for _ in range(200):  # bounded: a debounce timer may fire late on a busy machine
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not getattr(pilot.app.screen, "search_pending", False):
            break
        await pilot.pause(0.05)
