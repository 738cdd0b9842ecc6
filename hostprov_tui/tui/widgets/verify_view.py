"""A VerifyResult as a few styled lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from hostprov_tui.services.results import VerifyResult

STATUS_STYLE = {"active": "bold $success", "expired": "bold $warning", "revoked": "bold $error",
                "unknown": "bold $error"}


def verify_content(result: VerifyResult) -> Content:
    status = str(result.status)
    rows = [
        Content.assemble((status.upper(), STATUS_STYLE.get(status, "bold")), " ", result.message)
    ]
    if result.title:
        rows.append(Content.styled(
            f"{result.title} (KSESSIONS {result.ksessions_id}, canvas {result.canvas_session_id})",
            "$text-muted"))
    if result.created_by:
        rows.append(Content.styled(f"Created by {result.created_by}", "$text-muted"))
    return Content("\n").join(rows)
