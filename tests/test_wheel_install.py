"""Installed as an operator installs it: the wheel in a fresh virtual environment, run from an
empty folder with an empty HOME. check, an issuance and the TUI's first screen work, the data
lands in the user data folder, and nothing is written to the current folder (or HOME)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.cli_run import HANG_GUARD_S

REPO = Path(__file__).resolve().parent.parent
#: The environment before the conftest pointed XDG_* elsewhere: pip finds its own config there.
ORIGINAL_ENV = dict(os.environ)
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""

pytestmark = pytest.mark.slow


def _run(argv: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=HANG_GUARD_S * 3, check=False)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def _pip_env() -> dict[str, str]:
    return {k: v for k, v in ORIGINAL_ENV.items() if not k.startswith("HOSTPROV_")}


def _operator_env(root: Path) -> dict[str, str]:
    """An operator's shell on a new machine: an empty HOME, the user folders inside it."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")
    env = {k: ORIGINAL_ENV[k] for k in keep if k in ORIGINAL_ENV}
    home = root / "home"
    env.update({
        "HOME": str(home), "USERPROFILE": str(home),
        "XDG_CONFIG_HOME": str(root / "xdg" / "config"),
        "XDG_DATA_HOME": str(root / "xdg" / "data"),
        "XDG_STATE_HOME": str(root / "xdg" / "state"),
        "XDG_CACHE_HOME": str(root / "xdg" / "cache"),
        "APPDATA": str(root / "xdg" / "appdata"),
        "LOCALAPPDATA": str(root / "xdg" / "localappdata"),
        "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "160",
    })
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed into a fresh venv: its ``hostprov``."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
                  str(REPO)], env=_pip_env(), cwd=root)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("hostprov-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for style in (REPO / "styles").glob("*.tcss"):  # what the TUI loads at run time
        assert f"hostprov_tui/styles/{style.name}" in names
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=_pip_env(),
                cwd=root)
    assert made.returncode == 0, made.stderr
    python = venv / BIN / f"python{EXE}"
    install = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    str(wheel)], env=_pip_env(), cwd=root)
    assert install.returncode == 0, install.stderr
    return venv / BIN / f"hostprov{EXE}"


def test_the_installed_wheel_works_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    env = _operator_env(tmp_path)
    home, here = tmp_path / "home", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    data = tmp_path / "xdg" / "data" / "hostprov"

    check = _run([str(installed), "check"], env=env, cwd=here)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Created the embedded demo databases" in check.stderr
    assert (data / "canvas.db").is_file() and (data / "ksessions.db").is_file()
    assert (data / "hash_secret").is_file()

    listed = _run([str(installed), "sessions", "--json", "--limit", "50", "-q"], env=env, cwd=here)
    assert listed.returncode == 0, listed.stderr
    pick = next(r for r in json.loads(listed.stdout)["rows"]
                if r["is_active"] and r["transcripts"] > 0)
    issued = _run([str(installed), "issue", "--ksessions-id", str(pick["session_id"]), "--json"],
                  env=env, cwd=here)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    doc = json.loads(issued.stdout)
    assert doc["action"] == "created" and doc["ksessions_id"] == pick["session_id"]
    audit = (data / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(audit[-1])["action"] == "issue"

    if os.name == "posix":  # the TUI on a pseudo-terminal: the dashboard and both cards
        from benchmarks.startup_probe import measure

        measure([str(installed)], [b"Dashboard", b"palette"],
                ["● reachable".encode(), "● reachable".encode()], env=env, cwd=here,
                timeout=HANG_GUARD_S)

    path = _run([str(installed), "config", "path", "--json"], env=env, cwd=here)
    assert json.loads(path.stdout)["user_data_dir"] == str(data)
    assert list(here.iterdir()) == []  # nothing written where the operator stood
    assert list(home.iterdir()) == []  # the user folders, not HOME itself
