"""kill -9 at every moment of a bulk run (`issue --from-file`), on SQLite and on PostgreSQL.

Real processes, really killed: tests/support/crash_cli.py runs the CLI and sends itself SIGKILL at
a named point of a chunk (or the test kills it at a random moment of a slowed run). After every
kill, against the real database:

* no GUID is lost: every hash the run left in the database belongs to a GUID in the run's file;
* the audit file is true: every "ok" issue/rotate record is a hash the database holds, every hash
  the database holds has a record (pending or ok), and read back (`audit`) a pending record with
  no outcome is "unknown", never ok;
* `bulk status` agrees with the database: a row is "in force" exactly when the database holds
  its hash as the active GUID, and every row the file marks "applied" is in force;
* still one active GUID per session.

One ID's commit is refused by the database (a deferred constraint), so every run also rolls a
chunk back after its GUIDs were saved ("dropped" rows) and retries its IDs one by one.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.db.ksessions_models import KSession, SessionTranscript
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.audit import AuditRecord, resolve_pending
from hostprov_tui.services.bulk_journal import APPLIED, DROPPED, PENDING, read_journal
from tests.conftest import TEST_SECRET, Env
from tests.support.cli_run import process_env, secret_env
from tests.support.commit_refusal import refuse_commits_of
from tests.support.crash_cli import POINTS, CrashServer

REPO = Path(__file__).resolve().parent.parent
CHUNK = 6
GOOD = 30  # five chunks and a bit
#: (point, occurrence): every point in the second chunk (the first one committed), then two in
#: the one-by-one retries that follow the refused commit of the chunk holding the bad ID.
SCENARIOS = [(p, 2) for p in POINTS] + [("after_stage", 4), ("after_commit", 4)]
RANDOM_KILLS = 8
SLOW_S = 0.01
#: A run that has not ended (killed or not) by then is hung: the test fails instead of waiting.
HANG_GUARD_S = 60

FIGURES: dict[str, Counter[str]] = {}


def _good_ids(prov: Provisioner, count: int) -> tuple[list[int], int]:
    """Sessions with transcripts (``count`` of them) and one without, from the catalogue."""
    dbs = prov.ctx.databases()
    with dbs.ksessions.engine.connect() as conn:
        n = (select(func.count()).select_from(SessionTranscript)
             .where(SessionTranscript.SessionID == KSession.SessionID).scalar_subquery())
        rows = conn.execute(select(KSession.SessionID, n).order_by(KSession.SessionID)).all()
    good = [r[0] for r in rows if r[1] > 0]
    empty = [r[0] for r in rows if r[1] == 0]
    assert len(good) > count and empty
    return good[:count], empty[0]


def _held(prov: Provisioner, tag: str) -> dict[str, tuple[int, bool]]:
    """Hash → (KSESSIONS ID, active) of every host row this run wrote (CreatedBy = tag)."""
    with prov.ctx.databases().canvas.engine.connect() as conn:
        rows = conn.execute(
            select(HostSession.HostGuidHash, CanvasSession.KSessionsId, HostSession.IsActive)
            .join(CanvasSession, CanvasSession.SessionId == HostSession.SessionId)
            .where(HostSession.CreatedBy == tag)
        ).all()
    return {r[0]: (int(r[1]), bool(r[2])) for r in rows}


def _active_per_session(prov: Provisioner) -> Counter[int]:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        rows = conn.execute(select(HostSession.SessionId)
                            .where(HostSession.IsActive.is_(True))).scalars()
        return Counter(int(r) for r in rows)


def _audit_since(path: Path, offset: int) -> list[AuditRecord]:
    with path.open("rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8").splitlines()
    return [AuditRecord(**json.loads(line)) for line in lines if line.strip()]


def _run(
    server: CrashServer, config: Path, ids_file: Path, out: Path, tag: str, point: str, nth: int,
    trace: Path, kill_after: float | None,
) -> int:
    args = ["--config", str(config), "-q", "issue", "--from-file", str(ids_file), "--output",
            str(out), "--created-by", tag]
    err = trace.with_suffix(".err")
    pid = server.start(point, nth, CHUNK, SLOW_S if kill_after is not None else 0, args,
                       secret_env(CRASH_TRACE=str(trace)), err)
    if kill_after is not None:  # once its first chunk is under way, at a random moment
        deadline = time.monotonic() + HANG_GUARD_S
        while not trace.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(kill_after)
        with contextlib.suppress(ProcessLookupError):  # it may have ended already
            os.kill(pid, signal.SIGKILL)
    code = server.wait()
    assert "Traceback" not in err.read_text(), err.read_text()
    return code


def _window(rows: list[Any], held: dict[str, tuple[int, bool]], hashes: list[str]) -> str:
    """Which window the kill fell in, judged from what it left."""
    pending = [h for r, h in zip(rows, hashes, strict=True) if r.state == PENDING]
    if any(h in held for h in pending):
        return "committed, not yet marked applied"
    if pending:
        return "GUIDs saved, commit not done"
    return "nothing pending (inside an uncommitted chunk, or between chunks)"


def _check(
    prov: Provisioner, env: Env, out: Path, ids_file: Path, tag: str, audit_from: int,
    bad: int, figures: Counter[str],
) -> str:
    held = _held(prov, tag)
    rows, torn = read_journal(out) if out.exists() else ([], 0)
    hasher = prov.ctx.hasher()
    hashes = [hasher.hash(uuid.UUID(r.guid)) for r in rows]
    # 1. no GUID lost: every hash the run left in the database is a GUID of its file
    lost = set(held) - set(hashes)
    assert not lost, f"{len(lost)} GUIDs committed but not in {out.name}"
    assert all(held[h][1] for h in held), "a row this run wrote is not active"
    # 2. the audit file is true
    records = _audit_since(env.audit_path, audit_from)
    changes = [r for r in records if r.action in ("issue", "rotate")]
    prefix_of = {ks: h[:8] for h, (ks, _a) in held.items()}
    for rec in changes:
        if rec.outcome == "ok":
            assert prefix_of.get(rec.ksessions_id) == rec.hash_prefix, \
                f"ok record for KSESSIONS {rec.ksessions_id}: the database does not hold it"
    recorded = {(r.ksessions_id, r.hash_prefix) for r in changes
                if r.outcome in ("pending", "ok")}
    for ks, prefix in prefix_of.items():
        assert (ks, prefix) in recorded, f"KSESSIONS {ks} changed without an audit record"
    assert not any(r.outcome == "ok" and r.ksessions_id == bad for r in changes)
    shown = resolve_pending(records)
    assert all(r.outcome != "pending" for r in shown)
    for rec in shown:
        if rec.action in ("issue", "rotate") and rec.outcome == "ok":
            assert prefix_of.get(rec.ksessions_id) == rec.hash_prefix
    figures["records checked"] += len(records)
    figures["unknown (pending, no outcome)"] += sum(1 for r in shown if r.outcome == "unknown")
    # 3. bulk status agrees with the database
    if out.exists():
        report = prov.bulk_status(out, ids_file.read_text().splitlines())
        assert len(report.rows) == len(rows) and report.torn == torn
        for row, status, h in zip(rows, report.rows, hashes, strict=True):
            assert status.in_force == (h in held), (row, status)
            if row.state == APPLIED:
                assert status.in_force, (row, status)
            if row.state == DROPPED:
                assert not status.in_force, (row, status)
        forced = {s.ksessions_id for s in report.rows if s.in_force}
        assert {m.ksessions_id for m in report.missing or ()} == {
            e for e in _listed(ids_file) if e not in forced}
        figures["rows checked"] += len(rows)
        figures["rows pending after the kill"] += sum(1 for r in rows if r.state == PENDING)
    # 4. still one active GUID per session
    assert set(_active_per_session(prov).values()) <= {1}
    return _window(rows, held, hashes)


def _listed(ids_file: Path) -> list[int]:
    return [int(line) for line in ids_file.read_text().split()]


@pytest.mark.slow
def test_kill_9_anywhere_in_a_bulk_run_loses_no_guid_and_no_truth(
    env: Env, prov: Provisioner, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    good, empty = _good_ids(prov, GOOD)
    bad = good[CHUNK + 1]  # in the second chunk
    refuse_commits_of(env, prov, bad)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(str(i) for i in [*good, empty]) + "\n")
    config = env.write_config()
    figures = FIGURES.setdefault(env.backend, Counter())
    server = CrashServer(REPO, process_env({}), HANG_GUARD_S)
    request.addfinalizer(server.close)
    rng = random.Random(11)
    plan: list[tuple[str, int, float | None]] = [(p, n, None) for p, n in SCENARIOS]
    plan += [("none", 0, rng.uniform(0.0, 0.5)) for _ in range(RANDOM_KILLS)]
    for k, (point, nth, kill_after) in enumerate(plan):
        tag = f"crash{k}"
        out = tmp_path / f"guids-{k}.csv"
        trace = tmp_path / f"trace-{k}.txt"
        audit_from = env.audit_path.stat().st_size if env.audit_path.exists() else 0
        code = _run(server, config, ids_file, out, tag, point, nth, trace, kill_after)
        figures["kills tried"] += 1
        if code == -signal.SIGKILL:
            figures["killed"] += 1
        else:
            assert kill_after is not None, (
                f"{point} #{nth} was never reached (exit {code}): "
                + trace.with_suffix(".err").read_text())
            figures["finished before the kill"] += 1
        reached = trace.read_text().split() if trace.exists() else []
        window = _check(prov, env, out, ids_file, tag, audit_from, bad, figures)
        figures[f"window: {point if point != 'none' else 'random'} → {window}"] += 1
        if kill_after is not None and reached:
            figures[f"random kill after point {reached[-1]}"] += 1
    # recovery: status lists the lines to issue again; issuing them completes the set
    last = tmp_path / f"guids-{len(plan) - 1}.csv"
    report = prov.bulk_status(last, ids_file.read_text().splitlines()) if last.exists() else None
    retry = [m.ksessions_id for m in (report.missing if report else ())
             if m.ksessions_id not in (bad, empty)]
    if retry:
        again = prov.issue_many([str(i) for i in retry], created_by="recovery")
        assert all(i.ok for i in again.items)
    print(f"\n{env.backend}: " + "; ".join(f"{k}: {v}" for k, v in sorted(figures.items())))


def test_the_crash_harness_kills_only_where_told(tmp_path: Path) -> None:
    """Control: with no point and no kill, a child runs the CLI to its end (exit 2 here)."""
    server = CrashServer(REPO, process_env({}), HANG_GUARD_S)
    try:
        err = tmp_path / "child.err"
        server.start("none", 0, CHUNK, 0, ["issue", "--from-file", str(tmp_path / "absent.txt")],
                     {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET}, err)
        assert server.wait() == 2
        assert "does not exist" in err.read_text()
    finally:
        server.close()
