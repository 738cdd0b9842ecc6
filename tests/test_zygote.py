"""The fork server that runs most of the tests' ``hostprov`` processes gives what a fresh
interpreter gives: the same exit codes, output, standard input, environment, folder and umask,
and a hung child is killed at its timeout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET, Env
from tests.support import zygote
from tests.support.cli_run import process_env

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="a fork server needs fork")


def _both(args: list[str], env: dict[str, str], cwd: Path, **kw: object) -> tuple[
        subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    forked = zygote.run(args, env, cwd, **kw)  # type: ignore[arg-type]
    argv = [sys.executable, "-m", "hostprov_tui", *args]
    fresh = zygote._fresh(argv, env, cwd, kw.get("stdin"), 60, kw.get("umask"))  # type: ignore[arg-type]
    return forked, fresh


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("args", [
    ["--version"], ["nonsense"], ["issue", "--ksessions-id", "abc"],
    ["sessions", "--json", "Taqwa"], ["verify", "--guid", "-", "--json"],
    ["sessions", "--json", "--limit", "-5"],
], ids=["version", "usage", "bad-id", "json", "stdin", "bad-limit"])
def test_a_forked_command_answers_as_a_fresh_interpreter_does(
    env: Env, args: list[str]
) -> None:
    environ = process_env({"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, "COLUMNS": "200"})
    forked, fresh = _both(["--config", str(env.write_config()), *args], environ, env.tmp,
                          stdin="not-a-guid\n")
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode, fresh.stdout, fresh.stderr)


def test_environment_folder_and_umask_are_the_childs_own(tmp_path: Path) -> None:
    # hostprov has no command that prints them; a missing config file names the folder's path
    environ = process_env({"HOSTPROV_CONFIG": "relative.toml"})
    forked, fresh = _both(["check"], environ, tmp_path, umask=0o077)
    assert forked.returncode == fresh.returncode != 0
    assert forked.stderr == fresh.stderr and "relative.toml" in forked.stderr


def test_a_hung_child_is_killed_at_its_timeout_and_the_next_one_runs(tmp_path: Path) -> None:
    # a server that takes the connection and never says a word: the check waits for it longer
    # than the test's timeout, which ends the child
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://u@127.0.0.1:{silent.getsockname()[1]}/KS_DEV"
        environ = process_env({"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET})
        with pytest.raises(subprocess.TimeoutExpired):
            zygote.run(["check", "--canvas-url", url, "--ksessions-url", url], environ,
                       tmp_path, timeout=0.5)
    after = zygote.run(["--version"], environ, tmp_path)
    assert after.returncode == 0 and "hostprov" in after.stdout
