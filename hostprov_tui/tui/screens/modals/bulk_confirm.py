"""The confirmation before a bulk issue: how many sessions, and that active GUIDs stop working."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content

from hostprov_tui.tui.screens.modals.confirm import ConfirmModal

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow

LISTED = 12


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def bulk_confirm(rows: Sequence[SessionRow], *, production: bool) -> ConfirmModal:
    """A ConfirmModal for issuing to ``rows``; in production the count must be typed."""
    n = len(rows)
    ids = ", ".join(str(r.session_id) for r in rows[:LISTED])
    if n > LISTED:
        ids += f" and {n - LISTED} more"
    active = sum(1 for r in rows if str(r.guid_status) == "active")
    parts: list[tuple[str, str]] = [
        (f"Issue Host GUIDs for {_plural(n, 'session')}: {ids}.\n", ""),
        ("Any active Host GUID among them is rotated: the current GUID stops working "
         "immediately.", "bold $warning"),
    ]
    if active:
        parts.append((f"\n{_plural(active, 'session')} of these had an active Host GUID when "
                      "last listed.", "$warning"))
    parts.append(("\nA session that fails a check (no transcripts, not found) is refused; the "
                  "others are still issued. The GUIDs are shown once, at the end.", "$text-muted"))
    if production:
        parts.append(("\nThis is the PRODUCTION environment.", "bold $error"))
    return ConfirmModal(
        f"Issue for {_plural(n, 'marked session')}?", Content.assemble(*parts),
        confirm_label=f"Issue {n}", require=str(n) if production else None,
        require_hint="the number of sessions", danger=bool(active) or production,
    )
