"""The credential status of catalogue rows, apart from the rows: KSESSIONS answers the search,
canvas the status column, so a slow or silent canvas server never holds the rows back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.results import GuidStatus, SessionRow


def rows_without_statuses(rows: Sequence[Any]) -> list[SessionRow]:
    """Rows of the catalogue's page statement before canvas has told their credential status
    (UNKNOWN until then)."""
    return [
        SessionRow(
            session_id=r.SessionID, name=r.SessionName, album=r.GroupName,
            category=r.CategoryName, speaker=r.SpeakerName, date=r.SessionDate,
            is_active=r.IsActive is not False, transcripts=int(r.transcripts),
            guid_status=GuidStatus.UNKNOWN,
        )
        for r in rows
    ]


def session_statuses(
    ctx: ServiceContext, ids: Sequence[int]
) -> dict[int, tuple[GuidStatus, int | None]]:
    """The credential status and canvas session of each KSESSIONS ID (NONE when canvas has
    none); unlike the search's own lookup it raises the typed error when canvas does not
    answer, so the caller can say so."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    dbs = ctx.databases()
    generation = ctx.generation()
    try:
        with dbs.canvas.connect() as conn:
            found = generation.statuses(conn, wanted, utcnow())
    except DBAPIError as exc:
        raise translate_db_error(exc, dbs.canvas.target) from None
    return {i: found.get(i, (GuidStatus.NONE, None)) for i in wanted}
