"""The confirmation before a bulk issue: how many sessions, and that active credentials (Host
GUIDs, or host tokens: the generation's words) stop working."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content

from hostprov_tui.tui.credential_words import WORDS, CredentialWords
from hostprov_tui.tui.run_fields import SIGNS_IN
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow

LISTED = 12


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def bulk_confirm(
    rows: Sequence[SessionRow], *, production: bool, words: CredentialWords = WORDS["guid"]
) -> ConfirmModal:
    """A ConfirmModal for issuing to ``rows``; in production the count must be typed."""
    n = len(rows)
    ids = ", ".join(str(r.session_id) for r in rows[:LISTED])
    if n > LISTED:
        ids += f" and {n - LISTED} more"
    active = sum(1 for r in rows if str(r.guid_status) in SIGNS_IN)
    parts: list[tuple[str, str]] = [
        (f"Issue {words.plural} for {_plural(n, 'session')}: {ids}.\n", ""),
        (words.bulk_rotate, "bold $warning"),
    ]
    if active:
        parts.append((f"\n{_plural(active, 'session')} of these {words.bulk_active}.",
                      "$warning"))
    parts.append(("\nA session that fails a check (no transcripts, not found) is refused; the "
                  f"others are still issued. {words.bulk_shown}", "$text-muted"))
    if production:
        parts.append(("\nThis is the PRODUCTION environment.", "bold $error"))
    return ConfirmModal(
        f"Issue for {_plural(n, 'marked session')}?", Content.assemble(*parts),
        confirm_label=f"Issue {n}", require=str(n) if production else None,
        require_hint="the number of sessions", danger=bool(active) or production,
    )
