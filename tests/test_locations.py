"""Where hostprov finds its config and keeps its data when it is not run from the repository:
``--config`` → ``$HOSTPROV_CONFIG`` → ``./config.toml`` → the user config file, with the
embedded default in the user data folder (the conftest points XDG_* into a temporary folder)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hostprov_tui.config.locations import (
    RULE_CWD,
    RULE_ENV,
    RULE_FLAG,
    RULE_USER,
    choose_config,
    user_config_file,
    user_data_dir,
)
from hostprov_tui.config.settings import load_settings
from hostprov_tui.config.starter import starter_text
from tests.support.cli_run import invoke

APP_SETTINGS = Path(__file__).parent / "fixtures" / "appsettings" / "issue39" / "appsettings.json"


@pytest.fixture
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("HOSTPROV_CONFIG", raising=False)
    return folder


def _sqlite_file(url: str | None) -> Path:
    assert url is not None
    return Path(str(make_url(url).database))


# --- which config file --------------------------------------------------------------------------


def test_the_user_folders_follow_the_platform(_user_folders: Path) -> None:
    assert user_config_file() == _user_folders / "config" / "hostprov" / "config.toml"
    assert user_data_dir() == _user_folders / "data" / "hostprov"


def test_the_config_file_is_chosen_flag_then_env_then_cwd_then_user(
    empty_cwd: Path, tmp_path: Path
) -> None:
    named = tmp_path / "named.toml"
    assert choose_config(None, {}).rule == RULE_USER
    assert choose_config(None, {}).path == user_config_file()
    (empty_cwd / "config.toml").write_text("")
    assert choose_config(None, {}).rule == RULE_CWD
    env = {"HOSTPROV_CONFIG": str(named)}
    assert (choose_config(None, env).rule, choose_config(None, env).path) == (RULE_ENV, named)
    flag = choose_config(tmp_path / "flag.toml", env)
    assert (flag.rule, flag.path) == (RULE_FLAG, tmp_path / "flag.toml")
    (empty_cwd / "config.toml").unlink()
    (empty_cwd / "config.toml").mkdir()  # not a file: not a config
    assert choose_config(None, {}).rule == RULE_USER


def test_without_any_config_file_the_embedded_default_is_in_the_user_data_folder(
    empty_cwd: Path,
) -> None:
    settings = load_settings()
    data = user_data_dir()
    assert settings.config_path is None
    assert _sqlite_file(settings.canvas.url) == data / "canvas.db"
    assert _sqlite_file(settings.ksessions.url) == data / "ksessions.db"
    assert settings.audit.path == data / "audit.jsonl"
    assert settings.security.hash_secret_file == data / "hash_secret"
    assert settings.demo.auto_create is True


def test_a_config_file_elsewhere_keeps_its_own_defaults(empty_cwd: Path, tmp_path: Path) -> None:
    """Only the user config gets the user data folder beneath it: --config files are as before."""
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text('[canvas]\nurl = "sqlite:///c.db"\n')
    settings = load_settings(config)
    assert _sqlite_file(settings.canvas.url) == config.parent / "c.db"
    assert settings.demo.auto_create is False
    assert settings.security.hash_secret_file is None


def test_the_user_config_file_lies_over_the_user_data_defaults(
    empty_cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys the user config does not set still point at the user data folder (never the cwd),
    and a connection string (file or env) replaces the default url instead of clashing."""
    path = user_config_file()
    path.parent.mkdir(parents=True)
    path.write_text('[canvas]\nconnection_string = "Server=db;Database=X_DEV;User Id=sa"\n'
                    '[tui]\nrefresh_s = 30\n')
    settings = load_settings()
    assert settings.config_path == path
    assert settings.canvas.url is None and settings.canvas.connection_string
    assert settings.tui.refresh_s == 30
    assert settings.audit.path == user_data_dir() / "audit.jsonl"
    assert _sqlite_file(settings.ksessions.url) == user_data_dir() / "ksessions.db"
    monkeypatch.setenv("HOSTPROV_KSESSIONS__CONNECTION_STRING", "Server=db;Database=K_DEV")
    assert load_settings().ksessions.url is None


# --- first run from an empty folder --------------------------------------------------------------


def test_first_run_from_an_empty_folder_builds_the_user_data_folder(empty_cwd: Path) -> None:
    run = invoke(["check", "--json"], {})
    assert run.code == 0, run.output
    data = user_data_dir()
    assert f"in {data}" in run.stderr
    assert (data / "canvas.db").is_file() and (data / "ksessions.db").is_file()
    assert stat.S_IMODE((data / "hash_secret").stat().st_mode) == 0o600
    sessions = invoke(["sessions", "--json", "--limit", "50"], {}).json()["rows"]
    pick = next(r for r in sessions if r["is_active"] and r["transcripts"] > 0)
    issued = invoke(["issue", "--ksessions-id", str(pick["session_id"]), "--json"], {})
    assert issued.code == 0, issued.output
    assert issued.json()["action"] == "created"
    records = [json.loads(line) for line in (data / "audit.jsonl").read_text().splitlines()]
    assert [r["action"] for r in records][-1] == "issue"
    assert list(empty_cwd.iterdir()) == []  # nothing written where the operator stood


def test_demo_fills_both_databases_so_check_passes(empty_cwd: Path) -> None:
    run = invoke(["demo", "--sessions", "30"], {})
    assert run.code == 0, run.output
    check = invoke(["check", "--json"], {})
    assert check.code == 0, check.output
    assert check.json()["canvas"]["schema_ok"] and check.json()["ksessions"]["schema_ok"]
    with sqlite3.connect(user_data_dir() / "ksessions.db") as db:
        assert db.execute("SELECT COUNT(*) FROM Sessions").fetchone()[0] == 30
    assert list(empty_cwd.iterdir()) == []


# --- config path ---------------------------------------------------------------------------------


def test_config_path_says_which_file_and_why(empty_cwd: Path, tmp_path: Path) -> None:
    run = invoke(["config", "path", "--json"], {})
    assert run.code == 0, run.output
    doc = run.json()
    assert doc["config_file"] == str(user_config_file()) and doc["exists"] is False
    assert doc["rule"] == RULE_USER and "no ./config.toml" in doc["why"]
    assert doc["user_data_dir"] == str(user_data_dir())
    assert doc["canvas"] == str(user_data_dir() / "canvas.db")
    assert doc["audit_file"] == str(user_data_dir() / "audit.jsonl")
    assert set(doc["not_created_yet"]) == {"canvas", "ksessions", "hash_secret"}
    text = invoke(["config", "path"], {}).stdout
    assert "not written yet" in text and str(user_data_dir()) in text

    (empty_cwd / "config.toml").write_text('[audit]\npath = "logs/a.jsonl"\n')
    doc = invoke(["config", "path", "--json"], {}).json()
    assert doc["rule"] == RULE_CWD and doc["exists"] is True
    assert doc["audit_file"] == str(empty_cwd / "logs" / "a.jsonl")

    missing = tmp_path / "missing.toml"
    run = invoke(["config", "path", "--json"], {"HOSTPROV_CONFIG": str(missing)})
    assert run.code == 2
    assert run.json()["rule"] == RULE_ENV and "does not exist" in run.json()["error"]


def test_config_show_names_the_user_config_file(empty_cwd: Path) -> None:
    run = invoke(["config", "show"], {})
    assert run.code == 0, run.output
    assert str(user_config_file()) in run.stdout and "user data folder" in run.stdout


# --- config init ---------------------------------------------------------------------------------


def test_config_init_writes_a_commented_private_starter_that_loads(empty_cwd: Path) -> None:
    run = invoke(["config", "init"], {})
    assert run.code == 0, run.output
    path = user_config_file()
    text = path.read_text(encoding="utf-8")
    assert text == starter_text(user_data_dir())
    assert text.startswith("# hostprov configuration") and "HOSTPROV_CANVAS__PASSWORD" in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = load_settings()
    assert settings.config_path == path
    assert _sqlite_file(settings.canvas.url) == user_data_dir() / "canvas.db"
    assert settings.demo.auto_create is True
    assert invoke(["check", "-q"], {}).code == 0  # the first run builds what it names
    assert list(empty_cwd.iterdir()) == []


def test_config_init_keeps_an_existing_file_unless_forced(empty_cwd: Path) -> None:
    path = user_config_file()
    path.parent.mkdir(parents=True)
    path.write_text("# mine\n")
    run = invoke(["config", "init"], {})
    assert run.code == 2 and "already exists" in run.stderr and "--force" in run.stderr
    assert path.read_text() == "# mine\n"
    forced = invoke(["config", "init", "--force", "--json"], {})
    assert forced.code == 0, forced.output
    assert forced.json()["replaced"] is True
    assert path.read_text(encoding="utf-8") == starter_text(user_data_dir())
    assert not [p for p in path.parent.iterdir() if p.name != "config.toml"]  # no temp file


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_config_init_never_writes_through_a_symlink(empty_cwd: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    link = tmp_path / "conf" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(victim)
    for args in (["config", "init"], ["config", "init", "--force"]):
        run = invoke(["--config", str(link), *args], {})
        assert run.code == 2 and "symbolic link" in run.stderr, run.output
    assert victim.read_text() == "untouched\n" and link.is_symlink()


def test_config_init_elsewhere_keeps_the_data_beside_the_file(
    empty_cwd: Path, tmp_path: Path
) -> None:
    config = tmp_path / "deploy" / "config.toml"
    run = invoke(["--config", str(config), "config", "init"], {})
    assert run.code == 0, run.output
    settings = load_settings(config)
    assert settings.audit.path == config.parent / "data" / "audit.jsonl"
    assert not user_config_file().exists()


# --- config import into the config in use ---------------------------------------------------------


def test_config_import_without_a_config_writes_the_user_config(empty_cwd: Path) -> None:
    run = invoke(["config", "import", str(APP_SETTINGS)], {})
    assert run.code == 0, run.output
    path = user_config_file()
    assert str(path) in run.stdout
    settings = load_settings()
    assert settings.config_path == path
    assert settings.canvas.connection_string and settings.canvas.url is None
    assert settings.audit.path == user_data_dir() / "audit.jsonl"  # from the starter
    assert "# hostprov configuration" in path.read_text(encoding="utf-8")
    assert list(empty_cwd.iterdir()) == []


def test_a_failed_first_import_leaves_no_user_config(empty_cwd: Path, tmp_path: Path) -> None:
    bad = tmp_path / "appsettings.json"
    bad.write_text("{ not json")
    run = invoke(["config", "import", str(bad)], {})
    assert run.code == 2, run.output
    assert not user_config_file().exists()


# --- kill -9 at any line of the write ----------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("replace", [False, True])
def test_a_write_killed_at_any_line_leaves_the_old_file_or_the_whole_new_one(
    tmp_path: Path, replace: bool
) -> None:
    import subprocess
    import sys

    from tests.support.kill_at_line import TEXT

    script = Path(__file__).parent / "support" / "kill_at_line.py"
    repo = Path(__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": str(repo)}
    kills = 0
    for line in range(1, 500):
        folder = tmp_path / f"run{line}"
        folder.mkdir()
        target = folder / "config.toml"
        if replace:
            target.write_text("old = true\n")
        proc = subprocess.run([sys.executable, str(script), str(line), str(target),
                               "1" if replace else "0"], env=env, cwd=folder, timeout=60,
                              capture_output=True, text=True, check=False)
        content = target.read_text() if target.exists() else None
        allowed = ("old = true\n", TEXT) if replace else (None, TEXT)
        assert content in allowed, (line, proc.stderr)
        if proc.returncode == 0:
            assert content == TEXT
            break
        assert proc.returncode == -9, proc.stderr
        kills += 1
    else:
        pytest.fail("the write never finished")
    assert kills >= 10  # every line of the write was a kill point
