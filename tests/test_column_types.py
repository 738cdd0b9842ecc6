"""The canvas timestamps on SQLite: text as SQLAlchemy's DATETIME writes it, whatever order of
values is bound (the processor remembers the datetime bound last: a bulk chunk binds one ``now``
in every row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import create_engine, insert, select, text

from hostprov_tui.db.canvas_models import CanvasBase, HostSession


def test_every_row_gets_its_own_timestamp_text() -> None:
    engine = create_engine("sqlite://").execution_options(schema_translate_map={"canvas": None})
    now = datetime(2026, 12, 2, 5, 6, 7, 890123)
    later = datetime(2026, 12, 2, 5, 6, 8)
    same_later = datetime(2026, 12, 2, 5, 6, 8)  # equal, another object
    values = [now, now, None, now, later, same_later, now, None, None, later]
    with engine.begin() as conn:
        CanvasBase.metadata.tables["canvas.HostSessions"].create(conn)
        conn.execute(insert(HostSession), [
            {"SessionId": i, "HostGuidHash": f"h{i}", "CreatedAt": later, "ExpiresAt": v,
             "RevokedAt": v, "CreatedBy": "t", "IsActive": False}
            for i, v in enumerate(values)])
        stored = conn.execute(text('SELECT "ExpiresAt", "RevokedAt" FROM "HostSessions" '
                                   'ORDER BY "HostSessionId"')).all()
        read = conn.execute(select(HostSession.ExpiresAt).order_by(HostSession.HostSessionId))
        assert list(read.scalars()) == values
    shown = {now: "2026-12-02 05:06:07.890123", later: "2026-12-02 05:06:08.000000"}
    assert stored == [(shown[v], shown[v]) if v else (None, None) for v in values]
