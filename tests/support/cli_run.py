"""Running the click CLI in-process (CliRunner) or as the installed console script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from hostprov_tui.cli.main import cli
from tests.conftest import TEST_SECRET, Env

HOSTPROV = Path(sys.executable).parent / "hostprov"
GUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


@dataclass
class Run:
    """What one CLI invocation produced."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        """The one JSON document on stdout (fails the test when there is not exactly one)."""
        return json.loads(self.stdout)


def secret_env(**extra: str) -> dict[str, str]:
    return {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, **extra}


def invoke(args: list[str], environ: dict[str, str] | None = None) -> Run:
    """Run ``hostprov ARGS`` in-process; an unexpected exception fails the test."""
    result: Result = CliRunner().invoke(
        cli, args, env=secret_env() if environ is None else environ
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in run.output, run.output
    return run


def hostprov(env: Env, *args: str, extra_env: dict[str, str] | None = None) -> Run:
    """``hostprov --config <env's config.toml> ARGS`` in-process, with the test secret."""
    config = env.write_config()
    return invoke(["--config", str(config), *args], secret_env(**(extra_env or {})))


def subprocess_hostprov(env: Env, *args: str) -> Run:
    """The installed console script in a real process."""
    config = env.write_config()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
    environ.update(secret_env())
    proc = subprocess.run(
        [str(HOSTPROV), "--config", str(config), *args], capture_output=True, text=True,
        env=environ, timeout=120, check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in run.output, run.output
    return run
