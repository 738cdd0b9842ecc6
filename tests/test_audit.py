"""The audit trail of docs/design.md: one record per operation, its fields, never a GUID; fail
closed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.config.settings import AuditOptions
from hostprov_tui.errors import AuditUnavailable, NotFound
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.audit import AuditRecord
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import TEST_SECRET, DemoIds, Env
from tests.support.cli_run import GUID_RE, hostprov
from tests.support.db_state import canvas_rows, host_rows, snapshot

FIELDS = {"time", "operator", "action", "ksessions_id", "canvas_session_id", "host_session_id",
          "hash_prefix", "reason", "outcome"}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_record_per_operation_with_the_design_fields(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    seen: list[AuditRecord] = []
    prov.on_audit(seen.append)
    prov.check()
    prov.dry_run(Target(ksessions_id=ids.good), reason="planning")
    first = prov.issue(Target(ksessions_id=ids.good), reason="class on friday")
    second = prov.issue(Target(ksessions_id=ids.good), reason="lost it")
    prov.verify(second.guid)
    prov.revoke(Target(ksessions_id=ids.good), reason="done")
    with pytest.raises(NotFound):
        prov.issue(Target(ksessions_id=ids.missing))

    in_file = _records(env.audit_path)
    assert [(r["action"], r["outcome"]) for r in in_file] == [
        ("check", "ok"), ("dry-run", "ok"), ("issue", "pending"), ("issue", "ok"),
        ("rotate", "pending"), ("rotate", "ok"), ("verify", "ok"), ("revoke", "pending"),
        ("revoke", "ok"), ("issue", "refused"),
    ]
    # each change: "pending" before its commit, its outcome after, paired by ref
    refs = [r["ref"] for r in in_file if r["action"] in ("issue", "rotate", "revoke")][:6]
    assert refs[0] == refs[1] and refs[2] == refs[3] and refs[4] == refs[5]
    assert len(set(refs)) == 3 and all(refs)
    records = [r for r in in_file if r["outcome"] != "pending"]
    for r in records:
        assert set(r) >= FIELDS, FIELDS - set(r)
        assert r["operator"] == "tester" and r["time"].startswith("20")
    issue, rotate, verify, revoke, failure = records[2:]
    assert issue["ksessions_id"] == ids.good
    assert issue["canvas_session_id"] == first.canvas_session_id
    assert issue["host_session_id"] == first.host_session_id
    assert issue["hash_prefix"] == first.hash[:8] and issue["reason"] == "class on friday"
    assert rotate["hash_prefix"] == second.hash[:8] and rotate["reason"] == "lost it"
    assert verify["host_session_id"] == second.host_session_id
    assert revoke["hash_prefix"] == second.hash[:8] and revoke["reason"] == "done"
    assert failure["ksessions_id"] == ids.missing and "does not exist" in failure["message"]
    assert [(r.action, r.outcome) for r in seen] == [
        (r["action"], r["outcome"]) for r in records
    ]
    assert [r.action for r in prov.audit_tail(3)] == ["verify", "revoke", "issue"]


def test_audit_never_holds_a_guid_a_secret_or_a_password(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    guids = []
    for session in (ids.good, ids.good, ids.good2, ids.inactive):
        guids.append(prov.issue(Target(ksessions_id=session), reason="no secrets here").guid)
    for guid in guids:
        prov.verify(guid)
    planted = guids[-1]
    prov.revoke(Target(ksessions_id=ids.good2), by="ops", reason=f"leaked {planted} in chat")
    prov.dry_run(Target(ksessions_id=ids.good), reason=f"see {planted.upper()}")
    with pytest.raises(NotFound):
        prov.issue(Target(canvas_session_id=999999), reason=planted)
    text = env.audit_path.read_text(encoding="utf-8")
    lowered = text.lower()
    for guid in guids:
        assert guid not in lowered and guid.replace("-", "") not in lowered
    assert not GUID_RE.search(text)
    assert "[guid]" in text  # the planted GUIDs were scrubbed, not dropped silently
    assert TEST_SECRET not in text
    assert len(_records(env.audit_path)) == 4 * 2 + 4 + 2 + 1 + 1  # a change: pending + ok


def test_issuance_without_audit_is_refused_and_rolled_back(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a regular file, so no directory can be made under it\n")
    broken = env.settings(audit=AuditOptions(path=blocker / "audit.jsonl"))
    before = snapshot(env.settings())
    prov = Provisioner(broken, operator="tester")
    try:
        with pytest.raises(AuditUnavailable) as info:
            prov.issue(Target(ksessions_id=ids.good))
        assert info.value.exit_code == 1 and "audit file" in info.value.message
        assert "nothing was changed" in info.value.message
        assert snapshot(env.settings()) == before
        assert host_rows(env.settings()) == [] and canvas_rows(env.settings()) == []
    finally:
        prov.close()


def test_rotation_and_revocation_without_audit_change_nothing(
    prov: Provisioner, env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    before = snapshot(env.settings())
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    broken = Provisioner(env.settings(audit=AuditOptions(path=blocker / "a.jsonl")))
    try:
        with pytest.raises(AuditUnavailable):
            broken.issue(Target(ksessions_id=ids.good))
        with pytest.raises(AuditUnavailable):
            broken.revoke(Target(ksessions_id=ids.good))
    finally:
        broken.close()
    assert snapshot(env.settings()) == before
    assert prov.verify(issued.guid).status is GuidStatus.ACTIVE


def test_cli_issue_without_audit_exits_1_and_writes_nothing(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    before = snapshot(env.settings())
    env.audit_path = blocker / "audit.jsonl"
    run = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--json")
    assert run.code == 1, run.output
    doc = run.json()
    assert doc["ok"] is False and doc["error"]["code"] == "audit_unavailable"
    assert not GUID_RE.search(run.stdout)
    assert snapshot(env.settings()) == before


def test_cli_audit_tail(env: Env, ids: DemoIds) -> None:
    for _ in range(3):
        assert hostprov(env, "issue", "--ksessions-id", str(ids.good), "-q").code == 0
    assert hostprov(env, "verify", "--guid", "00000000-0000-0000-0000-000000000000").code == 4
    run = hostprov(env, "audit", "--tail", "3", "--json")
    assert run.code == 0, run.output
    records = run.json()["records"]
    assert [r["action"] for r in records] == ["rotate", "rotate", "verify"]
    assert records[-1]["reason"] == "unknown"
    human = hostprov(env, "audit", "--tail", "3")
    assert human.code == 0 and "rotate" in human.stdout and "verify" in human.stdout


def test_an_audit_record_is_not_echoed_by_loguru_on_stderr(tmp_path: Path) -> None:
    """Whoever builds the audit log (CLI, TUI, a script) gets no default-format echo on stderr."""
    import subprocess
    import sys

    code = (
        "from pathlib import Path\n"
        "from hostprov_tui.services.audit import AuditLog\n"
        f"log = AuditLog(Path({str(tmp_path / 'a.jsonl')!r}), 'tester', 'development')\n"
        "log.record('check', 'ok', message='quiet please')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stderr == ""
    assert "quiet please" in (tmp_path / "a.jsonl").read_text()
