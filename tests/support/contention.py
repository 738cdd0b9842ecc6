"""Helpers for the concurrency tests: row counts, dropping our extra indexes, outcomes."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hostprov_tui.db.canvas_models import EXTRA_INDEXES, CanvasSession, HostSession
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.results import GuidStatus
from tests.conftest import Env


@dataclass
class Outcomes:
    """What the workers got: GUIDs with their action, retryable refusals, anything else."""

    guids: list[tuple[str, str]] = field(default_factory=list)  # (guid, action)
    hashes: dict[str, str] = field(default_factory=dict)  # guid → its stored hash
    retryable: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def summary(self) -> str:
        actions = Counter(action for _, action in self.guids)
        return (f"{len(self.guids)} succeeded ({dict(actions)}), {len(self.retryable)} "
                f"retryable refusals, {len(self.other)} other")


def drop_extra_indexes(env: Env) -> None:
    """Remove UX_Sessions_KSessionsId and UX_HostSessions_OneActive, as on a legacy database."""
    if env.backend == "sqlite":
        path = make_url(env.canvas_url).database
        assert path
        with sqlite3.connect(path) as conn:
            for name in EXTRA_INDEXES:
                conn.execute(f'DROP INDEX "{name}"')
        return
    database = make_url(env.canvas_url).database
    for name in EXTRA_INDEXES:
        env.pg.execute(f'DROP INDEX canvas."{name}"', database=database)


def canvas_rows(prov: Provisioner, ksessions_id: int) -> list[int]:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        return list(conn.execute(
            select(CanvasSession.SessionId).where(CanvasSession.KSessionsId == ksessions_id)
        ).scalars())


def active_hosts(prov: Provisioner, canvas_ids: list[int]) -> int:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        return int(conn.execute(
            select(func.count()).select_from(HostSession).where(
                HostSession.SessionId.in_(canvas_ids), HostSession.IsActive.is_(True)
            )
        ).scalar_one())


def guid_statuses(prov: Provisioner, guids: list[str]) -> Counter[GuidStatus]:
    return Counter(prov.verify(g).status for g in guids)


def last_committed_hash_prefix(audit_path: Path, ksessions_id: int) -> str | None:
    """The hash prefix of the last successful issue/rotate in the audit file.

    Its "pending" record is written under the session lock just before the commit, so the order
    of pending records is the commit order; "ok" (written after the commit, outside the lock)
    says which of them committed.
    """
    records = [json.loads(line) for line in audit_path.read_text(encoding="utf-8").splitlines()]
    committed = {r["ref"] for r in records if r["outcome"] == "ok" and r.get("ref")}
    last = None
    for rec in records:
        if (rec["action"] in ("issue", "rotate") and rec["outcome"] == "pending"
                and rec["ref"] in committed and rec["ksessions_id"] == ksessions_id):
            last = rec["hash_prefix"]
    return last
