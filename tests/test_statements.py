"""No N+1: issuance, search and bulk issuance use a fixed number of SQL statements.

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event on the base engine of
both database handles (every statement either database sees, BEGIN included), on every backend.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import select

from hostprov_tui.db.ksessions_models import KSession, SessionTranscript
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds
from tests.support.statements import MAX_ISSUE_STATEMENTS, captured


def counting(prov: Provisioner) -> AbstractContextManager[list[str]]:
    return captured(prov, lambda _database, statement, _parameters: statement)


def _with_transcripts(prov: Provisioner) -> list[int]:
    has = select(SessionTranscript.TranscriptID).where(
        SessionTranscript.SessionID == KSession.SessionID
    ).exists()
    with prov.ctx.databases().ksessions.engine.connect() as conn:
        return list(conn.execute(
            select(KSession.SessionID).where(has).order_by(KSession.SessionID)
        ).scalars())


def test_issuance_uses_a_fixed_small_number_of_statements(
    prov: Provisioner, ids: DemoIds
) -> None:
    prov.issue(Target(ksessions_id=ids.good2))  # warm-up: connections, dialect set-up
    with counting(prov) as new:
        created = prov.issue(Target(ksessions_id=ids.good))
    assert created.action == "created"
    assert 0 < len(new) <= MAX_ISSUE_STATEMENTS, new
    assert any("INSERT" in s and "HostSessions" in s for s in new)
    with counting(prov) as rotation:
        rotated = prov.issue(Target(ksessions_id=ids.good))
    assert rotated.action == "rotated"
    assert 0 < len(rotation) <= MAX_ISSUE_STATEMENTS, rotation
    assert any("UPDATE" in s and "HostSessions" in s for s in rotation)
    with counting(prov) as verified:
        prov.verify(rotated.guid)
    assert 1 <= len(verified) <= 2, verified
    with counting(prov) as dry:
        prov.dry_run(Target(ksessions_id=ids.inactive))
    assert 0 < len(dry) <= MAX_ISSUE_STATEMENTS, dry


def test_search_statements_do_not_grow_with_the_page(prov: Provisioner, ids: DemoIds) -> None:
    prov.issue(Target(ksessions_id=ids.good))  # some rows carry a GUID status
    for query in ("", "of", str(ids.good)):
        prov.search(query)  # warm-up
        counts = []
        for limit in (10, 50, 200):
            with counting(prov) as seen:
                page = prov.search(query, limit=limit)
            counts.append(len(seen))
            assert page.rows
        assert counts[0] == counts[1] == counts[2], (query, counts)
        assert counts[0] <= 4  # the page and the GUID statuses (each may BEGIN)
    with counting(prov) as later:
        prov.search("of", offset=20, limit=200)
    assert len(later) == counts[0]


def test_bulk_statements_per_chunk_do_not_grow_with_the_chunk(prov: Provisioner) -> None:
    good = _with_transcripts(prov)
    assert len(good) >= 70
    prov.issue_many(good[:2])  # warm-up
    with counting(prov) as few:
        small = prov.issue_many(good[2:6])
    with counting(prov) as many:
        large = prov.issue_many(good[6:70])
    assert small.ok and large.ok and len(large.items) == 64
    assert len(many) == len(few), (few, many)
    with counting(prov) as rotating:
        again = prov.issue_many(good[6:70])
    assert {i.action for i in again.items} == {"rotated"}
    assert len(rotating) <= len(many) + 2  # no per-ID statements on rotation either
