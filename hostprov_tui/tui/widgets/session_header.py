"""What the provision screen's header says about the session in its ID box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from hostprov_tui.services.results import SessionRow
    from hostprov_tui.tui.credential_words import CredentialWords


def header_content(
    raw: str, kind: object, row: SessionRow | None, words: CredentialWords, *, missing: bool
) -> Content:
    """``raw``: the ID typed; ``kind``: "ks" or "canvas"; ``row``: the session looked up (None
    while the lookup runs, or when ``missing``)."""
    if row is not None and str(row.session_id) == raw:
        return Content.assemble(
            (row.name, "bold"),
            (f"\n{row.album or '—'} · {row.category or '—'}", "$text-muted"),
            (f" · {words.noun}: {row.guid_status}", "$text-muted"),
        )
    if missing:
        return Content.styled(
            f"No KSESSIONS session {raw}.\nFind one on the Sessions screen (F3).", "$warning")
    if raw and kind == "canvas":
        return Content.styled(
            f"Canvas session {raw}\nValidate (Ctrl+L) to see its KSESSIONS session.",
            "$text-muted")
    if raw:
        return Content.styled(f"KSESSIONS session {raw}\n…", "$text-muted")
    return Content.styled("Type a session ID, or pick one on the Sessions screen (F3).\n",
                          "$text-muted")


def refused_digits(kind: object) -> Content:
    """Letters typed in the session box: why nothing appears."""
    name = "KSESSIONS" if kind == "ks" else "canvas"
    return Content.styled(
        f"Digits only: a {name} session ID is a number such as 12.\n"
        "To find a session by its name, use the Sessions screen (F3).", "bold $warning")
