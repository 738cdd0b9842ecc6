"""The CLI as a new operator meets it (issue 18): the TUI without a terminal, flags that only
apply to empty databases, one sentence per error, the wording of successes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostprov_tui.services.api import Provisioner
from tests.conftest import Env, build_env, demo_ids
from tests.support import zygote
from tests.support.cli_run import GUID_RE, hostprov, process_env, run_process, secret_env


@pytest.fixture
def sqlite_env(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    """The embedded databases only: what these tests check does not depend on the backend."""
    return build_env("sqlite", tmp_path, request)


def _no_terminal(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    """``hostprov ARGS`` with stdin and stdout pipes (no terminal), killed if it hangs."""
    config = env.write_config()
    return zygote.run(["--config", str(config), *args], process_env(secret_env()), timeout=60,
                      stdin="")


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


def _run(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    config = env.write_config()
    return zygote.run(["--config", str(config), *args],
                      process_env({**secret_env(), "COLUMNS": "200"}), timeout=120)


def test_an_error_is_said_once_on_stderr(sqlite_env: Env) -> None:
    bad = _run(sqlite_env, "issue", "--ksessions-id", "abc")
    assert bad.returncode == 2
    assert bad.stderr.count("is not a valid") == 1 or bad.stderr.count("abc") == 1, bad.stderr
    assert "Error:" in bad.stderr and "audit " not in bad.stderr  # the file still has it
    records = sqlite_env.audit_path.read_text(encoding="utf-8")
    assert '"outcome": "refused"' in records
    refused = _run(sqlite_env, "revoke", "--ksessions-id", "999999")
    assert refused.returncode == 4, refused.stderr
    assert "audit " not in refused.stderr and refused.stderr.count("999999") == 1


def _good_id(env: Env) -> int:
    prov = Provisioner(env.settings(), operator="tester")
    try:
        return demo_ids(prov).good
    finally:
        prov.close()


def test_dry_run_ends_with_a_summary(sqlite_env: Env) -> None:
    good = _run(sqlite_env, "dry-run", "--ksessions-id", str(_good_id(sqlite_env)))
    assert good.returncode == 0, good.stderr
    last = good.stdout.strip().splitlines()[-1]
    assert last.startswith("Dry run: issue would create a Host GUID") and "nothing was written" \
        in last, good.stdout
    missing = _run(sqlite_env, "dry-run", "--ksessions-id", "999999")
    assert missing.returncode == 4
    last = missing.stdout.strip().splitlines()[-1]
    assert last.startswith("Dry run: issue would be refused") and "999999" in last


def test_json_successes_say_ok_and_the_guid_stands_alone(sqlite_env: Env) -> None:
    good = str(_good_id(sqlite_env))
    for args in (("sessions",), ("verify", "--guid", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"),
                 ("audit",), ("check",)):
        run = _run(sqlite_env, *args, "--json")
        doc = json.loads(run.stdout)
        assert doc["ok"] is (run.returncode == 0), (args, doc)
    issued = _run(sqlite_env, "issue", "--ksessions-id", good)
    assert issued.returncode == 0, issued.stderr
    (line,) = [li for li in issued.stdout.splitlines() if GUID_RE.search(li)]
    assert GUID_RE.fullmatch(line.strip()), line  # no border to drag along with the mouse
    assert not set(line) & set("│┃╭╮╰╯─")


@pytest.mark.parametrize("columns", [80, 200])
def test_sessions_drop_columns_at_80_instead_of_cutting_them(
    sqlite_env: Env, columns: int
) -> None:
    config = sqlite_env.write_config()
    run = zygote.run(["--config", str(config), "sessions", "-q"],
                     process_env({**secret_env(), "COLUMNS": str(columns)}), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Cat…" not in run.stdout and "Spe…" not in run.stdout
    header = next(li for li in run.stdout.splitlines() if "Session" in li and "ID" in li)
    assert ("Category" in header) is (columns == 200)
    assert max(len(li) for li in run.stdout.splitlines()) <= columns
    none = _run(sqlite_env, "sessions", "zzzz-no-such-words", "-q")
    assert none.stdout.strip() == "No KSESSIONS session matches 'zzzz-no-such-words'."


def test_a_usage_error_with_json_is_one_sentence_and_one_document(sqlite_env: Env) -> None:
    run = _run(sqlite_env, "sessions", "--album", "abc", "--json")
    assert run.returncode == 2
    doc = json.loads(run.stdout)
    assert doc["ok"] is False and "'abc' is not a valid whole number" in doc["error"]["message"]
    assert "Usage:" not in run.stderr and "Try '" not in run.stderr
    assert run.stderr.strip() == "Error: Invalid value for '--album': 'abc' is not a valid " \
        "whole number."
    plain = _run(sqlite_env, "sessions", "--album", "abc")
    assert plain.returncode == 2 and "integer range" not in plain.stderr
    assert "Usage:" in plain.stderr  # without --json, click's usage text helps


@pytest.mark.parametrize("command", [("demo",), ("db", "init")], ids=["demo", "db-init"])
def test_generation_flag_on_guid_data_says_empty_only_and_gives_a_command_that_works(
    sqlite_env: Env, tmp_path: Path, command: tuple[str, ...]
) -> None:
    config = sqlite_env.write_config()
    before = (tmp_path / "canvas.db").read_bytes()
    refused = run_process(["--config", str(config), *command, "--generation", "tokens"],
                          secret_env(), tmp_path)
    assert refused.code == 2, refused.output
    assert "applies to empty canvas databases only" in refused.stderr
    assert "[canvas] generation is" not in refused.stderr  # a setting the user never made
    assert (tmp_path / "canvas.db").read_bytes() == before
    hinted = refused.stderr.split("give new database files: hostprov ", 1)[1]
    args = hinted.split(" (then", 1)[0].split()
    works = run_process(["--config", str(config), *args], secret_env(), tmp_path)
    assert works.code == 0, works.output
    assert (tmp_path / "tokens-demo" / "canvas.db").exists()


def test_wording_a_careful_user_reads(sqlite_env: Env, tmp_path: Path) -> None:
    good = str(_good_id(sqlite_env))
    dry = hostprov(sqlite_env, "dry-run", "--ksessions-id", good)
    assert dry.code == 0 and " 0 ms" not in dry.stdout and "answered" in dry.stdout
    assert "No active Host GUID: a new one will be created." in dry.stdout
    issued = hostprov(sqlite_env, "issue", "--ksessions-id", good, "-q")
    guid = GUID_RE.search(issued.stdout)
    assert guid is not None
    verified = hostprov(sqlite_env, "verify", "--guid", "-", stdin=guid.group(0) + "\n")
    assert verified.code == 0, verified.output
    assert "ACTIVE Active" not in verified.stdout and verified.stdout.startswith("ACTIVE: it")
    assert hostprov(sqlite_env, "revoke", "--ksessions-id", good, "-q").code == 0
    again = hostprov(sqlite_env, "dry-run", "--ksessions-id", good)
    assert "GUID yet" not in again.stdout  # it had one: revoked now
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{good}\n{good}\n", encoding="utf-8")
    bulk = hostprov(sqlite_env, "issue", "--from-file", str(ids), "--output",
                    str(tmp_path / "out.csv"), "-q")
    assert bulk.code == 0, bulk.output
    assert "1 duplicate line skipped" in bulk.output and "1 duplicate lines" not in bulk.output


def test_one_table_is_not_all_1_tables() -> None:
    from hostprov_tui.db.schema import SchemaReport

    assert SchemaReport("canvas", 1).sentence() == "Its table and the table's columns are present."
    assert SchemaReport("canvas", 2).sentence().startswith("All 2 tables")


def test_json_moments_carry_their_zone(sqlite_env: Env) -> None:
    good = str(_good_id(sqlite_env))
    issued = hostprov(sqlite_env, "issue", "--ksessions-id", good, "--expires", "2031-05-04",
                      "--json", "-q")
    assert issued.code == 0, issued.output
    assert issued.json()["expires_at"] == "2031-05-04T23:59:59+00:00"
    verified = hostprov(sqlite_env, "verify", "--guid", "-", "--json", "-q",
                        stdin=issued.json()["guid"] + "\n")
    doc = verified.json()
    assert doc["expires_at"].endswith("+00:00") and doc["created_at"].endswith("+00:00")
    listed = hostprov(sqlite_env, "sessions", good, "--json", "-q").json()
    assert "+00:00" not in (listed["rows"][0]["date"] or "")  # KSESSIONS' calendar date
