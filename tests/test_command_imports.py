"""`hostprov check` and `hostprov sessions` import only what they use (issue 19): measured in a
real process on the embedded default, from its sys.modules, so a gain cannot silently regress.

- neither loads the PostgreSQL or SQL Server dialects (nor their async drivers' modules) when
  both databases are SQLite: the models' partial indexes and SQL Server column types load a
  dialect only when that dialect compiles them (db/partial_index.py, db/types.py);
- neither loads the issuance side of the services (checks, lookups, schedule, the demo data);
- loguru loads with the first audit record a stream or the TUI takes: `check` echoed on stderr
  loads it, `check -q` writes its record straight to the file, a search writes none;
- rich's emoji table stays unloaded: the CLI prints ``:codes:`` as typed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET, Env, build_env

PROBE = """
import gc, json, sys
sys.argv = ["hostprov", *sys.argv[1:]]
loading = []  # collections that ran while the services (and their libraries) were loading
def _watch(phase, info):
    api = sys.modules.get("hostprov_tui.services.api")
    if phase == "start" and api is not None and "Provisioner" not in vars(api):
        loading.append(info["generation"])
gc.callbacks.append(_watch)
code = 0
try:
    from hostprov_tui.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules),
                                             "frozen": gc.get_freeze_count(),
                                             "loading": len(loading)}))
"""

#: Loaded by neither command on SQLite.
NOT_ON_SQLITE = ("sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.mssql", "asyncpg",
                 "aioodbc", "psycopg", "pyodbc", "sqlalchemy.connectors.pyodbc",
                 "sqlalchemy.connectors.aioodbc")
#: The issuance side of the services: a check or a search needs none of it.
NOT_FOR_READING = ("hostprov_tui.services.issuance", "hostprov_tui.services.schedule",
                   "hostprov_tui.services.revocation", "hostprov_tui.services.verification",
                   "hostprov_tui.services.bulk", "hostprov_tui.services.catalogue",
                   "hostprov_tui.db.demo", "rich._emoji_codes", "textual")
#: Nor does a check need the generation objects (a search does: the credential status column).
NOT_FOR_CHECK = (*NOT_FOR_READING, "hostprov_tui.services.generations",
                 "hostprov_tui.services.checks", "hostprov_tui.services.lookups",
                 "hostprov_tui.services.issuance_options", "hostprov_tui.services.inputs",
                 "hostprov_tui.db.tokens_models")


@pytest.fixture
def embedded(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    return build_env("sqlite", tmp_path, request, sessions=30)


def _run(env: Env, *argv: str) -> tuple[int, set[str], str]:
    code, modules, output, _counts = _run_counted(env, *argv)
    return code, modules, output


def _run_counted(env: Env, *argv: str) -> tuple[int, set[str], str, dict[str, int]]:
    config = env.write_config()
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "--config", str(config), *argv],
        capture_output=True, text=True, timeout=120, check=False, cwd=env.tmp,
        env={**os.environ, "HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, "COLUMNS": "120"},
    )
    head, _, tail = proc.stderr.rpartition("\nMODULES ")
    assert tail, proc.stderr[-2000:]
    doc = json.loads(tail)
    counts = {"frozen": int(doc["frozen"]), "loading": int(doc["loading"])}
    return int(doc["code"] or 0), set(doc["modules"]), proc.stdout + head, counts


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def _audit_actions(env: Env) -> list[str]:
    if not env.audit_path.exists():
        return []
    return [json.loads(line)["action"] for line in env.audit_path.read_text().splitlines()]


@pytest.mark.parametrize("quiet", [("-q",), ()], ids=["quiet", "echoed"])
def test_check_loads_no_other_dialect_and_no_issuance(embedded: Env,
                                                      quiet: tuple[str, ...]) -> None:
    code, modules, output = _run(embedded, *quiet, "check")
    assert code == 0, output
    assert "canvas ✔" in output and "KSESSIONS ✔" in output
    assert _loaded(modules, NOT_ON_SQLITE) == []
    assert _loaded(modules, NOT_FOR_CHECK) == []
    assert "sqlalchemy.dialects.sqlite" in modules  # it did use its own dialect
    # the check is audited (in the file either way); only an echo on stderr goes through loguru
    assert ("loguru" in modules) is not bool(quiet)
    assert _audit_actions(embedded)[-1:] == ["check"]
    if not quiet:
        assert "audit " in output and "check ok" in output  # echoed on stderr


def test_sessions_loads_no_other_dialect_no_issuance_and_no_loguru(embedded: Env) -> None:
    before = _audit_actions(embedded)
    code, modules, output = _run(embedded, "-q", "sessions", "a")
    assert code == 0, output
    assert "KSESSIONS sessions" in output
    assert _loaded(modules, NOT_ON_SQLITE) == []
    assert _loaded(modules, tuple(m for m in NOT_FOR_READING if not m.endswith("catalogue"))) \
        == []
    assert _loaded(modules, ("loguru",)) == []  # a search writes no audit record
    assert _audit_actions(embedded) == before


def test_a_name_holding_an_emoji_code_is_printed_as_typed(embedded: Env) -> None:
    """rich would turn ``:fire:`` into an emoji; the catalogue's text is shown as it is."""
    db = embedded.ksessions_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        session_id = conn.execute("SELECT min(SessionID) FROM Sessions").fetchone()[0]
        conn.execute("UPDATE Sessions SET SessionName = ? WHERE SessionID = ?",
                     ("Taqwa :fire: and :smile:", session_id))
    conn.close()
    code, _modules, output = _run(embedded, "-q", "sessions", str(session_id))
    assert code == 0, output
    assert ":fire:" in output and ":smile:" in output
    assert "\N{FIRE}" not in output and "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" \
        not in output


def test_no_collection_walks_the_objects_of_loading_nor_of_exiting(embedded: Env) -> None:
    """No garbage collection runs while the services and their libraries load (each would walk
    the objects just built, all alive), and once the command is over the objects are frozen:
    the interpreter's exit does not walk them all in one last collection. The output is whole.
    """
    code, _modules, output, counts = _run_counted(embedded, "-q", "--json", "check")
    assert code == 0, output
    assert counts["loading"] == 0
    assert counts["frozen"] > 10_000
    assert json.loads(output[: output.rindex("}") + 1])["ok"] is True
