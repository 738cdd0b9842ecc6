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


FAKE_PYTHON = """#!/usr/bin/env bash
# stands in for the interpreter: `-m venv DIR` makes DIR/bin/python (this script), the rest
# (the version check, pip, compileall) is logged and succeeds
echo "$@" >> "$(dirname "$0")/calls.log"
if [[ "$1 $2" == "-m venv" ]]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
exit 0
"""


@pytest.mark.skipif(sys.platform == "win32", reason="scripts/venv.sh is the POSIX setup")
def test_the_first_run_says_what_it_is_building(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "venv.sh"
    script.write_text((root / "scripts" / "venv.sh").read_text(encoding="utf-8"))
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(script)], capture_output=True, text=True,
                              timeout=60, check=False, env={**process_env({}),
                                                            "PYTHON": str(fake)})

    first = run()
    assert first.returncode == 0, first.stderr
    assert "creating the virtual environment in .venv" in first.stderr
    assert "installing hostprov and its dependencies" in first.stderr
    assert ".venv is ready." in first.stderr
    assert (tmp_path / ".venv" / "bin" / "calls.log").read_text().count("pip install") == 2
    again = run()  # installed: nothing to say
    assert again.returncode == 0 and again.stderr == ""
