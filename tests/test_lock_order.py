"""One lock order for a session, whichever ID names it (issue 17, item 20).

An operation by ``--canvas-session-id`` and one by ``--ksessions-id`` for the same session take
the same two locks: the per-KSESSIONS-ID lock (PostgreSQL advisory lock, SQL Server applock) and
the canvas.Sessions row lock. Taken in opposite orders they deadlock ("deadlock detected" on
PostgreSQL). Every path takes the KSESSIONS-ID lock first, then the rows. Real ``hostprov``
processes race on a real PostgreSQL server, mixing both IDs, issue and revoke.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostprov_tui.db.generation import GenerationName
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import build_env, demo_ids
from tests.support.cli_run import process_env, secret_env
from tests.support.contention import active_hosts, canvas_rows

FORKED_CLI = Path(__file__).parent / "support" / "forked_cli.py"
WORKERS = 16
ROUNDS = 3


def _race(config: Path, tmp: Path, commands: list[list[str]]) -> list[tuple[int, str]]:
    """Run WORKERS processes at once, child i running commands[i % len]; (exit code, stderr)."""
    go, out_dir = tmp / "go", tmp / "out"
    out_dir.mkdir(parents=True)
    args: list[str] = []
    for i, command in enumerate(commands):
        args += (["--then--"] if i else []) + command + ["-q", "--config", str(config)]
    launcher = subprocess.Popen(
        [sys.executable, str(FORKED_CLI), str(WORKERS), str(go), str(out_dir), *args],
        env=process_env(secret_env()), cwd=Path(__file__).parent.parent,
    )
    try:
        for _ in range(6000):  # a hang guard, not a performance limit
            if (out_dir / "ready").exists() or launcher.poll() is not None:
                break
            time.sleep(0.02)
        go.touch()
        assert launcher.wait(timeout=120) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
    return [(int((out_dir / f"{i}.code").read_text()), (out_dir / f"{i}.err").read_text())
            for i in range(WORKERS)]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.parametrize("generation", ["guid", "tokens"])
def test_mixed_ids_never_deadlock(backend: str, generation: GenerationName, tmp_path: Path,
                                  request: pytest.FixtureRequest) -> None:
    (tmp_path / "env").mkdir()
    env = build_env(backend, tmp_path / "env", request, sessions=30, generation=generation)
    config = env.write_config()
    prov = Provisioner(env.settings(), operator="tester")
    try:
        ks_id = demo_ids(prov).good
        canvas_id = prov.issue(Target(ksessions_id=ks_id), created_by="first").canvas_session_id
        by_ks = ["--ksessions-id", str(ks_id)]
        by_canvas = ["--canvas-session-id", str(canvas_id)]
        commands = [["issue", *by_ks], ["issue", *by_canvas], ["dry-run", *by_canvas],
                    ["issue", *by_canvas], ["revoke", *by_ks], ["issue", *by_ks],
                    ["revoke", *by_canvas], ["dry-run", *by_ks]]
        results: list[tuple[int, str]] = []
        for round_ in range(ROUNDS):
            results += _race(config, tmp_path / f"round{round_}", commands)
        deadlocked = [err for _, err in results if "deadlock" in err.lower()]
        unexpected = [(code, err[-300:]) for code, err in results
                      if code not in (0, 4) and "deadlock" not in err.lower()
                      and not (code == 1 and "try again" in err.lower())]
        print(f"\n[lock order] {len(results)} mixed operations: {len(deadlocked)} deadlocked, "
              f"{sum(1 for c, _ in results if c == 0)} succeeded")
        assert not deadlocked, f"{len(deadlocked)} of {len(results)} died: {deadlocked[0][-300:]}"
        assert not unexpected, unexpected
        refused = [err for code, err in results if code == 4]
        assert all("nothing to revoke" in err or "no longer sign in" in err
                   for err in refused), refused
        if generation == "guid":
            canvas = canvas_rows(prov, ks_id)
            assert canvas == [canvas_id]
            assert active_hosts(prov, canvas) <= 1
    finally:
        prov.close()
