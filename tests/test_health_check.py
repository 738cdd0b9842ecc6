"""The health check opens what it checks afresh, and never creates anything.

With the KSESSIONS file moved away the dashboard stayed green (a pooled connection to the moved
file) and `hostprov check` silently rebuilt the missing demo database. Now a missing embedded file
is reported as missing, with the command that creates it; it comes back green once the file is
back; and the embedded databases are created only on the very first run (neither file there).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.errors import DatabaseUnavailable
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.widgets.db_card import DbCard
from tests.conftest import Env
from tests.support.cli_run import invoke
from tests.support.tui import settle

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _move(folder: Path, name: str, to: Path) -> None:
    """Move a SQLite file with its -wal and -shm, as an operator's `mv` of the folder would."""
    to.mkdir(exist_ok=True)
    for path in folder.glob(f"{name}*"):
        shutil.move(str(path), to / path.name)


@SQLITE
def test_a_moved_file_is_missing_then_back(env: Env, prov: Provisioner, tmp_path: Path) -> None:
    assert prov.check().ksessions.reachable
    prov.search("a")  # pooled connections to the file exist now
    _move(env.tmp, "ksessions.db", tmp_path / "away")
    report = prov.check()
    assert not report.ksessions.reachable and report.canvas.reachable
    assert report.ksessions.error == (
        f"The ksessions database file {env.tmp / 'ksessions.db'} does not exist.")
    assert "`hostprov db init` creates it" in (report.ksessions.hint or "")
    assert "check that the server is running" not in (report.ksessions.hint or "").lower()
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        prov.search("a")  # no operation reads the moved file through an old connection
    assert not (env.tmp / "ksessions.db").exists()  # nothing was created in its place
    _move(tmp_path / "away", "ksessions.db", env.tmp)
    assert prov.check().ksessions.reachable
    assert prov.search("a").rows


@SQLITE
async def test_the_dashboard_card_follows_the_file(env: Env, prov: Provisioner,
                                                   tmp_path: Path) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        card = next(c for c in app.screen.query(DbCard) if c.db_name == "ksessions")
        assert card.has_class("-ok")
        _move(env.tmp, "ksessions.db", tmp_path / "away")
        await pilot.press("r")
        await settle(pilot)
        assert card.has_class("-down")
        _move(tmp_path / "away", "ksessions.db", env.tmp)
        await pilot.press("r")
        await settle(pilot)
        assert card.has_class("-ok")  # back without a restart


def _embedded_app(tmp_path: Path) -> Path:
    repo_config = Path(__file__).resolve().parent.parent / "config.toml"
    config = tmp_path / "app" / "config.toml"
    config.parent.mkdir()
    config.write_text(repo_config.read_text(encoding="utf-8").replace("sessions = 400",
                                                                      "sessions = 40"))
    return config


def test_check_reports_a_missing_embedded_file_and_creates_nothing(tmp_path: Path) -> None:
    config = _embedded_app(tmp_path)
    first = invoke(["--config", str(config), "-q", "check"], {})
    assert first.code == 0, first.output  # the first run: neither file existed
    data = config.parent / "data"
    for path in data.glob("ksessions.db*"):
        path.unlink()
    run = invoke(["--config", str(config), "check"], {})
    assert run.code == 3, run.output
    flat = " ".join(run.output.split())
    assert f"{data / 'ksessions.db'} does not exist" in flat
    assert "hostprov db init" in flat and "hostprov demo" in flat
    assert "Created the embedded" not in run.stderr
    assert not (data / "ksessions.db").exists()


def test_a_missing_secret_is_not_replaced_next_to_existing_hashes(tmp_path: Path) -> None:
    config = _embedded_app(tmp_path)
    assert invoke(["--config", str(config), "-q", "check"], {}).code == 0
    secret = config.parent / "data" / "hash_secret"
    secret.unlink()
    run = invoke(["--config", str(config), "-q", "issue", "--ksessions-id", "1"], {})
    assert run.code == 2, run.output
    assert f"The hash secret file {secret} does not exist" in " ".join(run.output.split())
    assert not secret.exists()
