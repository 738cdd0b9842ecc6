"""Hostile files get one sentence and the right exit code, never "Unexpected error"; a failed bulk
run leaves no empty GUID file; and a SQLite file's trouble is explained as a file's, not a
server's ("check that the server is running" helps nobody whose folder is read-only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Env
from tests.support.cli_run import hostprov, invoke, process_env, secret_env
from tests.support.pgserver import free_port

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
DEPTH = 100_000


def _flat(text: str) -> str:
    return " ".join(text.split())


def _refused(run_output: str) -> None:
    assert "Unexpected" not in run_output and "Traceback" not in run_output, run_output


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00\x00binary\x00\x01",  # not UTF-8 (UnicodeDecodeError)
    b"a = " + b"[" * DEPTH + b"]" * DEPTH,  # nested past the recursion limit
], ids=["binary", "deep"])
def test_a_hostile_config_file_is_exit_2(tmp_path: Path, content: bytes) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(content)
    run = invoke(["--config", str(config), "check"], {})
    assert run.code == 2, run.output
    _refused(run.output)
    assert str(config) in _flat(run.stderr)
    explain = invoke(["--config", str(config), "config", "show"], {})
    assert explain.code == 2, explain.output
    _refused(explain.output)
    app = Path(__file__).parent / "fixtures" / "appsettings" / "split" / "appsettings.json"
    edit = invoke(["config", "import", str(app), "--write", str(config)], {})
    assert edit.code == 2, edit.output
    _refused(edit.output)
    assert config.read_bytes() == content  # left as it was


def test_a_deeply_nested_appsettings_is_exit_2(tmp_path: Path) -> None:
    app = tmp_path / "appsettings.json"
    app.write_text('{"a":' * DEPTH + "1" + "}" * DEPTH, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[audit]\npath = "{tmp_path}/audit.jsonl"\n')
    for args in (["config", "drift", str(app)], ["config", "import", str(app), "--dry-run"]):
        run = invoke(["--config", str(config), *args], {})
        assert run.code == 2, run.output
        _refused(run.output)
        assert "nested too deeply" in _flat(run.stderr)


@SQLITE
def test_a_failed_bulk_run_leaves_no_empty_csv(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("1\n2\n")
    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone_dev"
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "guids.csv"
    for extra in (["--output", str(out)], []):
        run = hostprov(env, "--canvas-url", closed, "issue", "--from-file", str(ids), *extra)
        assert run.code == 3, run.output
        assert not out.exists() and not list(tmp_path.glob("host-guids-*.csv"))
    refused = hostprov(env, "issue", "--from-file", str(ids), "--output", str(out),
                       "--expires", "2001-01-01")
    assert refused.code == 4 and not out.exists()  # every line refused: no GUID, no file


@SQLITE
def test_a_sqlite_file_that_cannot_be_opened_is_not_a_server(env: Env) -> None:
    canvas = env.tmp / "canvas.db"
    for path in env.tmp.glob("canvas.db*"):
        path.unlink()
    canvas.mkdir()  # something that is not a database file
    run = hostprov(env, "check")
    assert run.code == 3, run.output
    flat = _flat(run.output)
    assert f"The canvas database file {canvas} cannot be opened" in flat
    assert "server is running" not in flat


def _read_only(folder: Path) -> list[str]:
    """A command prefix that runs with ``folder`` read-only, or [] when this machine cannot."""
    if os.geteuid() != 0:  # an ordinary user: the folder's mode does it
        folder.chmod(0o555)
        return ["env"]
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    probe = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", str(folder), "true"],
                           capture_output=True, check=False)
    return [unshare, "-m", "sh", "-c", script, "sh", str(folder)] if probe.returncode == 0 else []


@SQLITE
def test_a_read_only_data_folder_says_so(env: Env) -> None:
    folder = env.tmp / "ro"
    folder.mkdir()
    for name in ("canvas.db", "ksessions.db"):
        shutil.copy(env.tmp / name, folder / name)
    config = env.tmp / "ro.toml"
    config.write_text(f'[canvas]\nurl = "sqlite:///{folder}/canvas.db"\n'
                      f'[ksessions]\nurl = "sqlite:///{folder}/ksessions.db"\n'
                      f'[audit]\npath = "{env.tmp}/audit.jsonl"\n')
    prefix = _read_only(folder)
    if not prefix:
        pytest.skip("no way to make a folder read-only here (root without mount namespaces)")
    try:
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "hostprov_tui", "--config", str(config), "issue",
             "--ksessions-id", "1"],
            env=process_env(secret_env(COLUMNS="200")), capture_output=True, text=True,
            timeout=120, check=False,
        )
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    flat = _flat(proc.stderr)
    assert f"The canvas database file {folder / 'canvas.db'} cannot be written" in flat
    assert "read-only" in flat and "nothing was saved" in flat
    assert "server is running" not in flat
