"""Sixteen operators issue for the same KSESSIONS session at the same instant.

Threads (each with its own Provisioner, so its own engine and connections) run on every backend;
separate ``hostprov issue --json`` processes run on PostgreSQL. Every run ends with exactly one
canvas session and one active host session, every worker gets a GUID or a clear retryable
refusal, and only the last GUID still opens the session. The runs are repeated on a canvas
schema without our two extra unique indexes: the locks alone must keep the rows right.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hostprov_tui.config.settings import DatabaseOptions, Settings
from hostprov_tui.errors import DatabaseBusy, HostprovError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import TEST_SECRET, DemoIds, Env, demo_ids
from tests.support.app_schema import good_ksessions_ids
from tests.support.cli_run import invoke, process_env, secret_env
from tests.support.contention import (
    Outcomes,
    active_hosts,
    canvas_rows,
    drop_extra_indexes,
    guid_statuses,
    last_committed_hash_prefix,
)

WORKERS = 16
#: Rounds of the lock-free control race at most (each on a session of its own).
CONTROL_ROUNDS = 5


def _assert_one_winner(prov: Provisioner, ksessions_id: int, out: Outcomes, label: str) -> None:
    print(f"\n[concurrency] {label}: {WORKERS} workers → {out.summary()}")
    assert not out.other, out.other
    assert out.guids, "at least one worker must succeed"
    for message in out.retryable:
        assert "try again" in message.lower(), message
    canvas = canvas_rows(prov, ksessions_id)
    assert len(canvas) == 1, f"canvas.Sessions rows for {ksessions_id}: {canvas}"
    assert active_hosts(prov, canvas) == 1
    statuses = guid_statuses(prov, [g for g, _ in out.guids])
    assert statuses == {GuidStatus.ACTIVE: 1, GuidStatus.UNKNOWN: len(out.guids) - 1}, statuses
    active = [g for g, _ in out.guids if prov.verify(g).status is GuidStatus.ACTIVE]
    last = last_committed_hash_prefix(prov.settings.audit.path, ksessions_id)
    assert out.hashes[active[0]][:8] == last, "the GUID still active is the last one committed"
    actions = [a for _, a in out.guids]
    assert actions.count("created") <= 1


def _issue_in_threads(settings_factory: Callable[[], Settings], ksessions_id: int) -> Outcomes:
    barrier = threading.Barrier(WORKERS)
    out = Outcomes()
    lock = threading.Lock()

    def worker(index: int) -> None:
        prov = Provisioner(settings_factory(), operator=f"worker-{index}")
        try:
            with prov.ctx.databases().canvas.engine.connect():
                pass  # connect before the barrier, so the race is about the writes
            barrier.wait()
            try:
                result = prov.issue(Target(ksessions_id=ksessions_id), created_by=f"w{index}")
            except HostprovError as exc:
                with lock:
                    if exc.retryable and exc.exit_code == 1:
                        out.retryable.append(f"{exc.message} {exc.hint}")
                    else:
                        out.other.append(f"{type(exc).__name__}: {exc.message}")
                return
            with lock:
                out.guids.append((result.guid, result.action))
                out.hashes[result.guid] = result.hash
        finally:
            prov.close()

    with ThreadPoolExecutor(WORKERS) as pool:
        for future in [pool.submit(worker, i) for i in range(WORKERS)]:
            future.result()
    return out


@pytest.mark.parametrize("indexes", ["with_indexes", "locks_only"])
@pytest.mark.parametrize("preissued", [False, True], ids=["create", "rotate"])
def test_threads_leave_one_active_guid(
    make_env: Callable[..., Env], indexes: str, preissued: bool
) -> None:
    env = make_env(sessions=30)
    if indexes == "locks_only":
        drop_extra_indexes(env)
    prov = Provisioner(env.settings(), operator="tester")
    try:
        ids = demo_ids(prov)
        if preissued:
            prov.issue(Target(ksessions_id=ids.good), created_by="earlier")
        out = _issue_in_threads(env.settings, ids.good)
        _assert_one_winner(prov, ids.good, out,
                           f"threads on {env.backend}, {indexes}, "
                           f"{'rotate' if preissued else 'create'}")
        if preissued:
            assert all(action == "rotated" for _, action in out.guids)
    finally:
        prov.close()


FORKED_CLI = Path(__file__).parent / "support" / "forked_cli.py"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.parametrize("indexes", ["with_indexes", "locks_only"])
def test_processes_leave_one_active_guid(
    make_env: Callable[..., Env], tmp_path: Path, indexes: str
) -> None:
    """Sixteen hostprov processes issue at once."""
    env = make_env(sessions=30)
    if indexes == "locks_only":
        drop_extra_indexes(env)
    config = env.write_config()
    prov = Provisioner(env.settings(), operator="tester")
    try:
        ids = demo_ids(prov)
        environ = process_env(secret_env())
        go, out_dir = tmp_path / "go", tmp_path / "out"
        out_dir.mkdir()
        args = ["issue", "--ksessions-id", str(ids.good), "--json", "-q", "--config", str(config)]
        launcher = subprocess.Popen(
            [sys.executable, str(FORKED_CLI), str(WORKERS), str(go), str(out_dir), *args],
            env=environ, cwd=Path(__file__).parent.parent,
        )
        _wait_for(lambda: (out_dir / "ready").exists() or launcher.poll() is not None)
        go.touch()  # the barrier opens for all sixteen at once
        assert launcher.wait(timeout=120) == 0
        out = Outcomes()
        for i in range(WORKERS):
            code = int((out_dir / f"{i}.code").read_text())
            stdout = (out_dir / f"{i}.out").read_text()
            stderr = (out_dir / f"{i}.err").read_text()
            if code == 0:
                doc = json.loads(stdout)
                out.guids.append((doc["guid"], doc["action"]))
                out.hashes[doc["guid"]] = doc["hash"]
            elif code == 1 and "try again" in stderr.lower():
                out.retryable.append(stderr)
            else:
                out.other.append(f"exit {code}: {stderr[-500:]}")
        _assert_one_winner(prov, ids.good, out, f"processes on postgres, {indexes}")
    finally:
        prov.close()


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120  # a hang guard, not a performance limit
    while not condition():
        assert time.monotonic() < deadline, "the workers never became ready"
        time.sleep(0.02)


@contextmanager
def _held_session_lock(env: Env, ksessions_id: int) -> Iterator[None]:
    """Another operator's open transaction holding the lock issuance needs for this session."""
    if env.backend == "sqlite":
        path = make_url(env.canvas_url).database
        conn = sqlite3.connect(str(path), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the one writer
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    from hostprov_tui.services.locking import _PG_NAMESPACE

    with env.pg.connect(make_url(env.canvas_url).database, autocommit=False) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_PG_NAMESPACE, ksessions_id))
        yield
        conn.rollback()


def test_held_lock_gives_a_retryable_refusal(env: Env, ids: DemoIds) -> None:
    """A lock held too long by someone else: "try again" (exit 1), nothing written, then fine."""
    settings = env.settings(database=DatabaseOptions(connect_timeout_s=2, statement_timeout_s=0.5))
    prov = Provisioner(settings, operator="tester")
    config = env.write_config()
    try:
        with _held_session_lock(env, ids.good):
            with pytest.raises(DatabaseBusy) as caught:
                prov.issue(Target(ksessions_id=ids.good), created_by="late")
            run = invoke(
                ["issue", "--ksessions-id", str(ids.good), "--config", str(config)],
                {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET,
                 "HOSTPROV_DATABASE__STATEMENT_TIMEOUT_S": "0.5"},
            )
        assert caught.value.retryable
        assert "try again" in (caught.value.hint or "").lower()
        assert run.code == 1, run.output
        assert "try again" in run.stderr.lower()
        assert "Traceback" not in run.output
        assert canvas_rows(prov, ids.good) == []
        result = prov.issue(Target(ksessions_id=ids.good), created_by="later")
        assert result.action == "created"
    finally:
        prov.close()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
def test_without_the_locks_the_race_is_real(
    make_env: Callable[..., Env], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Control: the same race with the locks switched off, on the legacy schema, breaks the
    invariant — so the tests above would notice if the locks stopped working."""
    from hostprov_tui.services import lookups
    from hostprov_tui.services.generations import guid

    monkeypatch.setattr(guid, "lock_ksessions_id", lambda *_a, **_k: None)
    monkeypatch.setattr(lookups, "for_update", lambda stmt, _table: stmt)
    env = make_env(sessions=30)
    drop_extra_indexes(env)
    prov = Provisioner(env.settings(), operator="tester")
    try:
        # a race is a matter of timing: a session each round, up to CONTROL_ROUNDS, until one
        # round shows it (a quick machine can let every writer pass alone once)
        for round_, ksessions_id in enumerate(good_ksessions_ids(env)[:CONTROL_ROUNDS], 1):
            out = _issue_in_threads(env.settings, ksessions_id)
            canvas = canvas_rows(prov, ksessions_id)
            print(f"\n[concurrency] control without locks, round {round_}: {out.summary()}, "
                  f"{len(canvas)} canvas rows, {active_hosts(prov, canvas)} active host rows")
            if len(canvas) > 1:
                break
        assert len(canvas) > 1, f"no race in {CONTROL_ROUNDS} rounds without the locks"
    finally:
        prov.close()
