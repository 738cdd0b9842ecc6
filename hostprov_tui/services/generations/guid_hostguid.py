"""``canvas.Sessions.HostGuid`` of the guid generation, where the column exists.

The app of the C# tool's time compared what the host typed with this column, and that tool
wrote the hash there; hostprov does the same on issue and rotation, and clears it on revoke
(docs/design.md, "A session's runs": guid generation). The column is not part of hostprov's
model (a database may lack it), so it is written through a lightweight table of two columns.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, Unicode, bindparam, update

from hostprov_tui.db.canvas_models import CANVAS_SCHEMA

#: A Table of its own metadata (never created): the schema translation of SQLite applies to it.
_SESSIONS = Table("Sessions", MetaData(schema=CANVAS_SCHEMA),
                  Column("SessionId", BigInteger, primary_key=True),
                  Column("HostGuid", Unicode(128)))


def write_host_guids(conn: Connection, hashes: Mapping[int, str]) -> None:
    """One statement for every canvas session: HostGuid = the new hash."""
    if not hashes:
        return
    conn.execute(
        update(_SESSIONS).where(_SESSIONS.c.SessionId == bindparam("b_id"))
        .values(HostGuid=bindparam("b_hash")),
        [{"b_id": i, "b_hash": h} for i, h in hashes.items()],
    )


def clear_host_guid(conn: Connection, canvas_session_id: int) -> None:
    conn.execute(update(_SESSIONS).where(_SESSIONS.c.SessionId == canvas_session_id)
                 .values(HostGuid=None))
