"""Many issuers of the tokens generation at the same instant: threads (own Provisioner each) or
``hostprov issue --json`` processes forked behind one barrier (tests/support/forked_cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from hostprov_tui.errors import HostprovError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import Env
from tests.support.cli_run import process_env, secret_env

FORKED_CLI = Path(__file__).parent / "forked_cli.py"
ROOT = Path(__file__).parent.parent.parent


@dataclass(frozen=True)
class Got:
    """One worker's issued pair of tokens."""

    ksessions_id: int
    host_token: str
    user_token: str
    action: str


@dataclass
class TokenOutcomes:
    issued: list[Got] = field(default_factory=list)
    retryable: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def summary(self) -> str:
        actions = Counter(g.action for g in self.issued)
        return (f"{len(self.issued)} succeeded ({dict(actions)}), {len(self.retryable)} "
                f"retryable refusals, {len(self.other)} other")


def issue_in_threads(
    settings_factory: Callable[[], object], targets: list[int]
) -> TokenOutcomes:
    """One thread per entry of ``targets`` (KSESSIONS IDs, repeated for a race on one session),
    all released at once."""
    barrier = threading.Barrier(len(targets))
    out = TokenOutcomes()
    lock = threading.Lock()

    def worker(index: int) -> None:
        prov = Provisioner(settings_factory(), operator=f"worker-{index}")  # type: ignore[arg-type]
        try:
            with prov.ctx.databases().canvas.engine.connect():
                pass  # connected before the barrier: the race is about the writes
            barrier.wait()
            try:
                result = prov.issue(Target(ksessions_id=targets[index]), created_by=f"w{index}")
            except HostprovError as exc:
                with lock:
                    if exc.retryable and exc.exit_code == 1:
                        out.retryable.append(f"{exc.message} {exc.hint}")
                    else:
                        out.other.append(f"{type(exc).__name__}: {exc.message}")
                return
            with lock:
                out.issued.append(Got(targets[index], result.host_token,  # type: ignore[union-attr]
                                      result.user_token, result.action))  # type: ignore[union-attr]
        finally:
            prov.close()

    with ThreadPoolExecutor(len(targets)) as pool:
        for future in [pool.submit(worker, i) for i in range(len(targets))]:
            future.result()
    return out


def issue_in_processes(env: Env, ksessions_id: int, workers: int, tmp: Path) -> TokenOutcomes:
    """``workers`` forked ``hostprov issue --json`` processes released at once."""
    config = env.write_config()
    go, out_dir = tmp / "go", tmp / "out"
    out_dir.mkdir()
    args = ["issue", "--ksessions-id", str(ksessions_id), "--json", "-q", "--config", str(config)]
    launcher = subprocess.Popen(
        [sys.executable, str(FORKED_CLI), str(workers), str(go), str(out_dir), *args],
        env=process_env(secret_env()), cwd=ROOT,
    )
    deadline = time.monotonic() + 120  # a hang guard, not a performance limit
    while not ((out_dir / "ready").exists() or launcher.poll() is not None):
        assert time.monotonic() < deadline, "the workers never became ready"
        time.sleep(0.02)
    go.touch()
    assert launcher.wait(timeout=120) == 0
    out = TokenOutcomes()
    for i in range(workers):
        code = int((out_dir / f"{i}.code").read_text())
        stdout = (out_dir / f"{i}.out").read_text()
        stderr = (out_dir / f"{i}.err").read_text()
        if code == 0:
            doc = json.loads(stdout)
            out.issued.append(Got(doc["ksessions_id"], doc["host_token"], doc["user_token"],
                                  doc["action"]))
        elif code == 1 and "try again" in stderr.lower():
            out.retryable.append(stderr)
        else:
            out.other.append(f"exit {code}: {stderr[-500:]}")
    return out
