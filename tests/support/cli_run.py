"""Running the click CLI in-process (CliRunner) or as the installed console script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from hostprov_tui.cli.main import cli
from tests.conftest import TEST_SECRET, Env
from tests.support import zygote

HOSTPROV = Path(sys.executable).parent / "hostprov"
GUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


#: A process that has not finished by then is hung: the test fails instead of waiting forever.
HANG_GUARD_S = 90.0


@dataclass
class Run:
    """What one CLI invocation produced, and how long it took."""

    code: int
    stdout: str
    stderr: str
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        """The one JSON document on stdout (fails the test when there is not exactly one)."""
        return json.loads(self.stdout)


def secret_env(**extra: str) -> dict[str, str]:
    return {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, **extra}


def process_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment for a child ``hostprov``: no HOSTPROV_* but ``extra``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
    environ.update(extra)
    return environ


def invoke(
    args: Sequence[str], environ: Mapping[str, str] | None = None, stdin: str | None = None
) -> Run:
    """Run ``hostprov ARGS`` in-process (stdout and stderr apart); an unexpected exception
    fails the test. ``environ`` defaults to the test secret; ``stdin`` is standard input."""
    started = time.perf_counter()
    result: Result = CliRunner().invoke(
        cli, list(args), env=secret_env() if environ is None else dict(environ), input=stdin
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    run = Run(result.exit_code, result.stdout, result.stderr, time.perf_counter() - started)
    assert "Traceback" not in run.output, run.output
    return run


def hostprov(
    env: Env, *args: str, extra_env: dict[str, str] | None = None, stdin: str | None = None
) -> Run:
    """``hostprov --config <env's config.toml> ARGS`` in-process, with the test secret."""
    config = env.write_config()
    return invoke(["--config", str(config), *args], secret_env(**(extra_env or {})), stdin)


def subprocess_hostprov(env: Env, *args: str) -> Run:
    """The installed console script in a real process."""
    config = env.write_config()
    environ = process_env(secret_env())
    proc = subprocess.run(
        [str(HOSTPROV), "--config", str(config), *args], capture_output=True, text=True,
        env=environ, timeout=120, check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in run.output, run.output
    return run


def run_process(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = HANG_GUARD_S
) -> Run:
    """``hostprov ARGS`` as a separate process (``python -m hostprov_tui``, forked from a
    pre-imported interpreter: tests/support/zygote.py), killed if hung."""
    full_env = process_env({**env, "COLUMNS": "200"})
    started = time.perf_counter()
    proc = zygote.run(args, full_env, cwd, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)
