"""Running ``hostprov`` with timings: in-process (CliRunner) or as a real process (hang guard)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from hostprov_tui.cli.main import cli

#: A process that has not finished by then is hung: the test fails instead of waiting forever.
HANG_GUARD_S = 90.0


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Run:
    """``hostprov ARGS`` in this process; stdout and stderr kept apart."""
    started = time.perf_counter()
    result = CliRunner().invoke(cli, list(args), env=dict(env or {}), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr, time.perf_counter() - started)


def run_process(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = HANG_GUARD_S
) -> Run:
    """``hostprov ARGS`` as a separate process (the console entry point), killed if hung."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
    full_env.update(env)
    full_env["COLUMNS"] = "200"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "hostprov_tui", *args], env=full_env, cwd=cwd,
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)
