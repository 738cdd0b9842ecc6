"""hostprov's files are the operator's alone, and never written through a symbolic link.

A link planted at the audit path made hostprov append to the link's target (a dangling link
created it). Now: one sentence naming link and target, exit 1, nothing written anywhere — and a
link swapped in while hostprov runs is refused too (O_NOFOLLOW). The data folder is created 0700,
the embedded databases, the hash secret, the audit log and GUID files 0600.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hostprov_tui.config.settings import AuditOptions
from hostprov_tui.errors import AuditUnavailable
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.audit import AuditLog
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env
from tests.support.cli_run import hostprov, invoke
from tests.support.db_state import snapshot

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSIX_MODES = os.name == "posix"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _tree(root: Path) -> dict[str, tuple[int, float]]:
    """Every file under ``root`` with its size and modification time (but the config file the
    test helper writes for each run)."""
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime)
            for p in sorted(root.rglob("*")) if p.name != "config.toml"}


@SQLITE
@pytest.mark.parametrize("dangling", [False, True])
def test_a_link_at_the_audit_path_is_refused_and_nothing_is_written(
    env: Env, ids: DemoIds, tmp_path: Path, dangling: bool
) -> None:
    target = tmp_path / "elsewhere" / "victim.txt"
    target.parent.mkdir()
    if not dangling:
        target.write_text("precious\n")
    env.audit_path.symlink_to(target)
    (tmp_path / "ids.txt").write_text(f"{ids.good}\n")
    before_db = snapshot(env.settings())
    for args in (["issue", "--ksessions-id", str(ids.good)], ["check"],
                 ["issue", "--from-file", str(tmp_path / "ids.txt")]):
        before_files = _tree(tmp_path)
        run = hostprov(env, *args)
        assert run.code == 1, run.output
        text = _flat(run.stderr)
        assert f"The audit path {env.audit_path} is a symbolic link to {target}" in text
        assert "nothing was done" in text
        assert _tree(tmp_path) == before_files  # no file created, grown or touched
    assert snapshot(env.settings()) == before_db
    assert target.exists() is not dangling
    if not dangling:
        assert target.read_text() == "precious\n"


@SQLITE
def test_a_link_swapped_in_while_running_is_refused(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    prov = Provisioner(env.settings(), operator="tester")
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    try:
        prov.check()  # the audit file exists and hostprov is running
        env.audit_path.unlink()
        env.audit_path.symlink_to(target)
        with pytest.raises(AuditUnavailable) as caught:
            prov.issue(Target(ksessions_id=ids.good))
        assert f"is a symbolic link to {target}" in caught.value.message
        assert target.read_text() == "precious\n"
        with prov.ctx.databases().canvas.engine.connect() as conn:
            assert conn.exec_driver_sql('SELECT COUNT(*) FROM "HostSessions"').scalar() == 0
    finally:
        prov.close()
    log = AuditLog(tmp_path / "audit2.jsonl", "t", "development")
    try:
        log.record("check", "ok")
        (tmp_path / "audit2.jsonl").unlink()
        (tmp_path / "audit2.jsonl").symlink_to(target)
        with pytest.raises(AuditUnavailable):
            log.pending("issue", ksessions_id=1)
    finally:
        log.close()
    assert target.read_text() == "precious\n"


@SQLITE
def test_a_link_at_the_guid_file_path_is_refused(env: Env, ids: DemoIds, tmp_path: Path) -> None:
    target = tmp_path / "victim.csv"
    target.write_text("precious\n")
    link = tmp_path / "guids.csv"
    link.symlink_to(target)
    (tmp_path / "ids.txt").write_text(f"{ids.good}\n")
    run = hostprov(env, "issue", "--from-file", str(tmp_path / "ids.txt"), "--output", str(link))
    assert run.code == 2, run.output
    assert f"{link} is a symbolic link to {target}" in _flat(run.stderr)
    assert target.read_text() == "precious\n"


@pytest.mark.skipif(not POSIX_MODES, reason="POSIX file modes")
def test_first_run_makes_a_private_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_config = Path(__file__).resolve().parent.parent / "config.toml"
    config = tmp_path / "app" / "config.toml"
    config.parent.mkdir()
    config.write_text(repo_config.read_text(encoding="utf-8").replace("sessions = 400",
                                                                      "sessions = 40"))
    monkeypatch.chdir(tmp_path)
    old_umask = os.umask(0o022)  # the usual umask: 0755 folders and 0644 files by default
    try:
        run = invoke(["--config", str(config), "check"], {})
        issued = invoke(["--config", str(config), "-q", "issue", "--ksessions-id", "1"], {})
    finally:
        os.umask(old_umask)
    assert run.code == 0, run.output
    assert issued.code in (0, 4), issued.output
    data = tmp_path / "app" / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = sorted(p.name for p in data.iterdir())
    assert {"canvas.db", "ksessions.db", "hash_secret", "audit.jsonl"} <= set(files)
    for path in data.iterdir():  # -wal and -shm too, when they are there
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path.name, oct(path.stat().st_mode))


@pytest.mark.skipif(not POSIX_MODES, reason="POSIX file modes")
def test_db_init_makes_private_sqlite_files(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[canvas]\nurl = "sqlite:///{tmp_path}/new/canvas.db"\n'
                      f'[ksessions]\nurl = "sqlite:///{tmp_path}/new/ksessions.db"\n'
                      f'[audit]\npath = "{tmp_path}/audit.jsonl"\n')
    old_umask = os.umask(0o022)
    try:
        run = invoke(["--config", str(config), "-q", "db", "init"], {})
    finally:
        os.umask(old_umask)
    assert run.code == 0, run.output
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    for name in ("canvas.db", "ksessions.db"):
        assert stat.S_IMODE((tmp_path / "new" / name).stat().st_mode) == 0o600


@SQLITE
def test_a_settings_object_with_a_linked_audit_path_is_refused(env: Env, tmp_path: Path) -> None:
    link = tmp_path / "linked.jsonl"
    link.symlink_to(tmp_path / "nowhere.jsonl")
    prov = Provisioner(env.settings(audit=AuditOptions(path=link)), operator="t")
    try:
        with pytest.raises(AuditUnavailable):
            _ = prov.audit
    finally:
        prov.close()
    assert not (tmp_path / "nowhere.jsonl").exists()
