"""The audit file tells the truth about commits: "pending" before, the outcome after.

Before, the "ok" record was written (and fsynced) before the COMMIT, so a COMMIT the database
refused — or a kill just before it — left an "ok" for a change that never happened. Here the
database really refuses the COMMIT (a deferred constraint, tests/support/commit_refusal.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.errors import HostprovError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.audit import AuditLog
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env
from tests.support.cli_run import hostprov
from tests.support.commit_refusal import refuse_commits_of
from tests.support.contention import canvas_rows


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_refused_commit_leaves_no_ok_record(
    env: Env, prov: Provisioner, ids: DemoIds
) -> None:
    refuse_commits_of(env, prov, ids.good)
    with pytest.raises(HostprovError):
        prov.issue(Target(ksessions_id=ids.good), created_by="doomed")
    assert canvas_rows(prov, ids.good) == []
    mine = [r for r in _records(env.audit_path) if r["ksessions_id"] == ids.good]
    assert not [r for r in mine if r["outcome"] == "ok"]
    pending = [r for r in mine if r["outcome"] == "pending"]
    assert pending and all(r["ref"] for r in pending)  # (SQLite's refusal is retried)
    for first in pending:
        outcome = [r for r in mine if r["ref"] == first["ref"] and r["outcome"] != "pending"]
        assert [r["outcome"] for r in outcome] == ["failed"]
        assert "refused the commit" in outcome[0]["message"]
    # the one that commits gets its "ok" after the commit, paired with its pending record
    done = prov.issue(Target(ksessions_id=ids.good2), created_by="fine")
    pair = [r for r in _records(env.audit_path) if r["ksessions_id"] == ids.good2]
    assert [r["outcome"] for r in pair] == ["pending", "ok"]
    assert pair[0]["ref"] == pair[1]["ref"] and pair[1]["hash_prefix"] == done.hash[:8]


def test_a_refused_bulk_commit_leaves_no_ok_record_and_drops_its_rows(
    env: Env, prov: Provisioner, ids: DemoIds, tmp_path: Path
) -> None:
    from hostprov_tui.services.bulk_journal import BulkJournal, read_journal

    refuse_commits_of(env, prov, ids.good)
    journal = BulkJournal(tmp_path / "guids.csv")
    try:
        result = prov.issue_many([ids.good, ids.good2], journal=journal)
    finally:
        journal.close()
    by_id = {i.ksessions_id: i for i in result.items}
    assert not by_id[ids.good].ok and by_id[ids.good2].ok
    records = _records(env.audit_path)
    assert not [r for r in records if r["ksessions_id"] == ids.good and r["outcome"] == "ok"]
    oks = [r for r in records if r["outcome"] == "ok" and r["action"] == "issue"]
    assert [r["ksessions_id"] for r in oks] == [ids.good2]  # after its commit, alone
    rows, _ = read_journal(journal.path)
    states = {(r.ksessions_id, r.state) for r in rows}
    # the chunk's rows were saved before its commit, then dropped when it was refused; the
    # retry of good2 alone committed; good alone was refused again
    assert (ids.good2, "applied") in states and (ids.good, "dropped") in states
    assert not any(ks == ids.good and state != "dropped" for ks, state in states)


def test_a_pending_record_without_outcome_reads_as_unknown(env: Env, tmp_path: Path) -> None:
    """What a kill between COMMIT and the outcome leaves: `audit` says unknown, never ok."""
    log = AuditLog(env.audit_path, "tester", "development")
    try:
        settled = log.pending("issue", ksessions_id=7, hash_prefix="AAAAAAAA", message="a")
        log.settle(settled, "ok")
        log.pending("rotate", ksessions_id=8, hash_prefix="BBBBBBBB", message="b")
    finally:
        log.close()
    run = hostprov(env, "audit", "--tail", "5", "--json", "-q")
    assert run.code == 0, run.output
    shown = [(r["action"], r["ksessions_id"], r["outcome"]) for r in run.json()["records"]]
    assert shown == [("issue", 7, "ok"), ("rotate", 8, "unknown")]
    unknown = run.json()["records"][-1]
    assert unknown["message"].startswith("unknown — check the database")
    human = hostprov(env, "audit", "--tail", "5", "-q")
    assert "unknown — check the database" in " ".join(human.stdout.split())
    assert "pending" not in human.stdout
