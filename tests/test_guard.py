"""The environment guard on a real server: what is refused (exit 5, a sentence) and what works."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.db.demo import fill_demo
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.schema import init_databases
from tests.conftest import TEST_SECRET, Env
from tests.support.cli_run import Run, invoke

pytestmark = pytest.mark.postgres
STRONG = "prod-" + "k7Qz9vW2xR4mN8pL3sT6yU1bC5dF0gH"  # 36 characters, not a known value


@pytest.fixture(scope="module")
def live_env(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One database named like production (no _DEV suffix), with tables and a catalogue."""
    tmp = tmp_path_factory.mktemp("live")
    url = pg_server.create_database(f"hp_{uuid.uuid4().hex[:8]}_live")
    env = Env("postgres", url, url, tmp / "audit.jsonl", tmp, pg_server)
    dbs = open_databases(env.settings(), create=True)
    try:
        init_databases(dbs)
        fill_demo(dbs.ksessions, sessions=20, seed=7)
    finally:
        dbs.dispose()
    yield env


def _ksessions_id(env: Env) -> int:
    rows = env.pg.execute('SELECT s."SessionID" FROM dbo."Sessions" s WHERE s."IsActive" AND '
                          'EXISTS (SELECT 1 FROM dbo."SessionTranscripts" t '
                          'WHERE t."SessionID" = s."SessionID") ORDER BY 1 LIMIT 1',
                          database=_dbname(env))
    return int(rows[0][0])


def _dbname(env: Env) -> str:
    return env.canvas_url.rsplit("/", 1)[1]


def _host_rows(env: Env) -> int:
    dbs = open_databases(env.settings())
    try:
        with dbs.canvas.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(HostSession)).scalar_one())
    finally:
        dbs.dispose()


def _run(env: Env, *args: str, secret: str | None = STRONG, production: bool = True) -> Run:
    environ = {"HOSTPROV_ENVIRONMENT": "production" if production else "development"}
    if secret is not None:
        environ["HOSTPROV_SECURITY__HASH_SECRET"] = secret
    return invoke([*args, "--config", str(env.write_config())], environ)


def _refused(run: Run, words: str) -> None:
    assert run.code == 5, run.output
    flat = " ".join(run.output.split())
    assert words in flat, flat
    assert "Traceback" not in run.output


def test_development_refuses_a_database_not_named_dev(live_env: Env) -> None:
    ks = str(_ksessions_id(live_env))
    before = _host_rows(live_env)
    for command in ("dry-run", "issue", "revoke"):
        run = _run(live_env, command, "--ksessions-id", ks, production=False, secret=TEST_SECRET)
        _refused(run, "does not end in _DEV, so the development environment refuses it")
    assert _host_rows(live_env) == before


def test_production_needs_explicit_confirmation(live_env: Env) -> None:
    ks = str(_ksessions_id(live_env))
    before = _host_rows(live_env)
    for command in ("dry-run", "issue", "revoke"):
        _refused(_run(live_env, command, "--ksessions-id", ks),
                 "refused without explicit confirmation")
    assert _host_rows(live_env) == before


@pytest.mark.parametrize(("secret", "words"), [
    (None, "no hash secret is configured"),
    ("changeme", "known public value"),
    ("CHANGEME ", "known public value"),
    ("noor-canvas-secret", "known public value"),
    ("short-but-random-9f3K", "shorter than 32 characters"),
])
def test_production_refuses_a_weak_secret(live_env: Env, secret: str | None, words: str) -> None:
    ks = str(_ksessions_id(live_env))
    before = _host_rows(live_env)
    run = _run(live_env, "issue", "--ksessions-id", ks, "--allow-production", secret=secret)
    _refused(run, words)
    assert _host_rows(live_env) == before


def test_production_with_confirmation_and_a_strong_secret_works(live_env: Env) -> None:
    ks = str(_ksessions_id(live_env))
    run = _run(live_env, "issue", "--ksessions-id", ks, "--allow-production", "--json", "-q")
    assert run.code == 0, run.output
    assert json.loads(run.stdout)["ksessions_id"] == int(ks)
    revoke = _run(live_env, "revoke", "--ksessions-id", ks, "--allow-production", "-q")
    assert revoke.code == 0, revoke.output


def test_check_reports_the_guard_without_refusing(live_env: Env) -> None:
    run = _run(live_env, "check", "--json", "-q", production=False)
    doc = json.loads(run.stdout)
    assert run.code == 0  # reachable and complete; the verdict is information
    assert doc["canvas"]["environment_ok"] is False
    assert "_DEV" in doc["canvas"]["environment_verdict"]
