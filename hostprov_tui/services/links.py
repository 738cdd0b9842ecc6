"""Show a session's links again (tokens generation): the app keeps its tokens in plain text, so
an operator may see them again — on an explicit request that is audited (never the tokens)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import HostprovError
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import SessionLinks


def show_links(ctx: ServiceContext, target: Target, reason: str | None) -> SessionLinks:
    session_id = target.ksessions_id if target.ksessions_id is not None \
        else target.canvas_session_id
    assert session_id is not None
    try:
        generation = ctx.generation()
        dbs = ctx.databases()
        try:
            with dbs.canvas.connect() as conn:
                links = generation.links(ctx, conn, session_id)
        except DBAPIError as exc:
            raise translate_db_error(exc, dbs.canvas.target) from None
    except HostprovError as exc:
        ctx.audit.failure("show-links", exc, ksessions_id=session_id)
        raise
    ctx.audit.record(
        "show-links", "ok", ksessions_id=links.ksessions_id,
        canvas_session_id=links.canvas_session_id, reason=reason,
        message="links shown again" + ("" if links.valid else " (they no longer sign in)"),
        required=True,
    )
    return links
