"""A full disk at COMMIT, on a real tmpfs of a few megabytes: the operator reads that the disk is
full (not that "the connection broke"), nothing is saved, and the audit says "failed" — not
"unknown" — because SQLite answered that the commit did not happen."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.db.demo import fill_demo
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.schema import init_databases
from hostprov_tui.errors import DatabaseUnavailable
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import Env, demo_ids


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs mounted for this test (root only), unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs",
                               str(mount)], capture_output=True, text=True, check=False)
    except OSError as exc:
        pytest.skip(f"mount cannot run here ({exc})")
    if done.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Write into ``folder`` until the file system says ENOSPC."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * size)
    return filler


def _hosts(env: Env) -> int:
    dbs = open_databases(env.settings())
    try:
        with dbs.canvas.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(HostSession)).scalar_one())
    finally:
        dbs.dispose()


def test_a_full_disk_at_commit_says_the_disk_is_full(small_disk: Path, tmp_path: Path) -> None:
    env = Env("sqlite", f"sqlite:///{small_disk}/canvas_{uuid.uuid4().hex[:6]}.db",
              f"sqlite:///{tmp_path}/ksessions.db", tmp_path / "audit.jsonl", tmp_path)
    dbs = open_databases(env.settings(), create=True)
    try:
        init_databases(dbs)
        fill_demo(dbs.ksessions, sessions=40, seed=7)
    finally:
        dbs.dispose()
    prov = Provisioner(env.settings(), operator="tester")
    try:
        good = demo_ids(prov).good
        prov.dry_run(Target(ksessions_id=good))  # the canvas file, its -wal and -shm are open
        filler = _fill(small_disk)
        with pytest.raises(DatabaseUnavailable) as caught:
            prov.issue(Target(ksessions_id=good))
    finally:
        prov.close()
    message = " ".join(caught.value.message.split())
    assert "is full" in message and "nothing was saved" in message, message
    assert "connection broke" not in message
    records = [json.loads(line) for line in env.audit_path.read_text().splitlines()]
    issue = [r for r in records if r["action"] == "issue"]
    assert issue[-1]["outcome"] == "failed", issue
    assert "disk is full" in issue[-1]["message"], issue[-1]
    assert "connection broke" not in issue[-1]["message"]
    os.unlink(filler)
    assert _hosts(env) == 0  # nothing was committed
