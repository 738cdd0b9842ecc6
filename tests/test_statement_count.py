"""How many SQL statements one issuance costs (counted on the engines, per backend)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env

MAX_STATEMENTS = 8


@contextmanager
def counting(prov: Provisioner) -> Iterator[list[str]]:
    """Every statement sent through either database's engine while the block runs."""
    dbs = prov.ctx.databases()
    engines: dict[int, Engine] = {
        id(h.base_engine): h.base_engine for h in (dbs.canvas, dbs.ksessions)
    }
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:80])

    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", before)


def test_statements_per_issuance(
    prov: Provisioner, ids: DemoIds, env: Env, record_property: Any
) -> None:
    prov.issue(Target(ksessions_id=ids.good2))  # warm the pools and the dialects
    with counting(prov) as created:
        result = prov.issue(Target(ksessions_id=ids.good))
    assert result.action == "created"
    with counting(prov) as rotated:
        again = prov.issue(Target(ksessions_id=ids.good))
    assert again.action == "rotated"
    with counting(prov) as verified:
        prov.verify(again.guid)
    record_property("statements", {"created": len(created), "rotated": len(rotated)})
    print(f"\n[{env.backend}] new issuance: {len(created)} statements {created}")
    print(f"[{env.backend}] rotation: {len(rotated)} statements {rotated}")
    assert any("INSERT" in s and "HostSessions" in s for s in created)
    assert any("UPDATE" in s and "HostSessions" in s for s in rotated)
    assert len(created) <= MAX_STATEMENTS, created
    assert len(rotated) <= MAX_STATEMENTS, rotated
    assert 1 <= len(verified) <= 2, verified
