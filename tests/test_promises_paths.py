"""Folders and files hostprov trusts (real processes, real modes and owners; POSIX only): a first
run under umask 000 leaves no folder others may write; an unsafe folder on the path, a secret
others may read, a database others may change, or a data folder swapped for a link to another
user's folder is refused with one sentence naming the path and the fix (exit 2), and nothing is
written."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import zygote
from tests.support.cli_run import process_env

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "getuid"),
                                reason="POSIX modes and owners")
STRANGER = 12345  # a uid that is not ours (the tests run as root, who may chown)


def _run(home: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    environ = process_env({"XDG_DATA_HOME": str(home / "share"),
                           "XDG_CONFIG_HOME": str(home / "config"), "COLUMNS": "200",
                           "HOSTPROV_DEMO__SESSIONS": "20"})
    proc = zygote.run(args, environ, home, timeout=120, umask=umask)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
            for p in [root, *root.rglob("*")] if not p.is_symlink()}


def test_a_first_run_under_umask_000_leaves_nothing_open(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    run = _run(home, "-q", "check", umask=0)
    assert run.returncode == 0, run.stderr
    modes = _modes(home)
    data = home / "share" / "hostprov"
    assert (data / "hash_secret").exists() and (data / "canvas.db").exists()
    opened = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert opened == {}, opened  # the data folder's parents too (they were 0777)


@pytest.fixture
def made(tmp_path: Path) -> Path:
    """A user data folder after its first run (the embedded databases and a secret)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    assert _run(home, "-q", "check").returncode == 0
    return home


def _data(home: Path) -> Path:
    return home / "share" / "hostprov"


def _open_data_folder(home: Path) -> str:
    _data(home).chmod(0o777)
    return f"chmod go-w {_data(home)}"


def _open_parent(home: Path) -> str:
    (home / "share").chmod(0o777)
    return f"chmod go-w {home / 'share'}"


def _open_secret(home: Path) -> str:
    (_data(home) / "hash_secret").chmod(0o644)
    return f"chmod 600 {_data(home) / 'hash_secret'}"


def _open_database(home: Path) -> str:
    (_data(home) / "canvas.db").chmod(0o666)
    return f"chmod go-w {_data(home) / 'canvas.db'}"


def _stranger_secret(home: Path) -> str:
    os.chown(_data(home) / "hash_secret", STRANGER, STRANGER)
    return "belongs to another user"


def _swapped_for_a_link(home: Path) -> str:
    """Another user's folder, with their own secret, where the data folder was."""
    theirs = home.parent / "theirs"
    shutil.copytree(_data(home), theirs)
    for path in [theirs, *theirs.iterdir()]:
        os.chown(path, STRANGER, STRANGER)
    shutil.rmtree(_data(home))
    _data(home).symlink_to(theirs)
    return "belongs to another user"


BREAKS: dict[str, Callable[[Path], str]] = {
    "data folder 0777": _open_data_folder, "its parent 0777": _open_parent,
    "secret 0644": _open_secret, "database 0666": _open_database,
    "secret of another user": _stranger_secret, "data folder a link": _swapped_for_a_link,
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_an_unsafe_path_is_refused_with_the_fix(made: Path, name: str) -> None:
    fix = BREAKS[name](made)
    audit = _data(made) / "audit.jsonl"
    before = audit.read_bytes() if audit.exists() else b""
    for args in (["check"], ["issue", "--ksessions-id", "12"]):
        run = _run(made, *args)
        flat = " ".join(run.stderr.split())
        assert run.returncode == 2, (name, run.stdout, run.stderr)
        assert "is not safe to use" in flat and fix in flat, flat
    assert (audit.read_bytes() if audit.exists() else b"") == before  # nothing written


def _shared_folder(home: Path) -> Path:
    """A folder every user may write in (and not sticky, as /tmp is)."""
    shared = home / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    return shared


def test_a_guid_file_is_not_written_in_a_folder_others_may_write(made: Path) -> None:
    """Another user who may write in the --output folder could swap the GUID file for a link
    of theirs between the check and a later open: refused before anything is issued."""
    shared = _shared_folder(made)
    ids = made / "ids.txt"
    ids.write_text("12\n13\n", encoding="utf-8")
    audit = _data(made) / "audit.jsonl"
    before = audit.read_bytes()
    run = _run(made, "issue", "--from-file", str(ids), "--output", str(shared / "guids.csv"))
    flat = " ".join(run.stderr.split())
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "is not safe to use" in flat and f"chmod go-w {shared}" in flat, flat
    assert list(shared.iterdir()) == [] and audit.read_bytes() == before


def test_a_config_file_is_not_written_in_a_folder_others_may_write(made: Path) -> None:
    shared = _shared_folder(made)
    run = _run(made, "config", "init", "--config", str(shared / "hostprov.toml"))
    flat = " ".join(run.stderr.split())
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "is not safe to use" in flat and f"chmod go-w {shared}" in flat, flat
    assert list(shared.iterdir()) == []
