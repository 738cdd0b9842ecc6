"""The CLI as a new operator meets it (issue 18): the TUI without a terminal, flags that only
apply to empty databases, one sentence per error, the wording of successes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Env, build_env
from tests.support.cli_run import process_env, secret_env


@pytest.fixture
def sqlite_env(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    """The embedded databases only: what these tests check does not depend on the backend."""
    return build_env("sqlite", tmp_path, request)


def _no_terminal(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    """``hostprov ARGS`` with stdin and stdout pipes (no terminal), killed if it hangs."""
    config = env.write_config()
    return subprocess.run(
        [sys.executable, "-m", "hostprov_tui", "--config", str(config), *args],
        capture_output=True, text=True, timeout=60, check=False,
        env=process_env(secret_env()), input="",
    )


@pytest.mark.parametrize("args", [(), ("tui",), ("tui", "--json")], ids=["bare", "tui", "json"])
def test_the_tui_without_a_terminal_says_so_and_exits_2(
    sqlite_env: Env, args: tuple[str, ...]
) -> None:
    proc = _no_terminal(sqlite_env, *args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    if "--json" in args:
        assert "no JSON output" in proc.stderr
    else:
        assert "needs a terminal" in proc.stderr
    assert "\x1b[?1049h" not in proc.stdout  # the alternate screen never opened
