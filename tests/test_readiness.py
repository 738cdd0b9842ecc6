"""Readiness of the app (docs/design.md, "A session's runs"): `check` (and the dashboard card,
which renders the same verdict) warns when canvas.Participants or canvas.SessionData is missing
and when KSESSIONS dbo.Countries is missing or empty; warnings, never a refusal. `db init
--generation tokens` and the demo create the app's tables and fill Countries. SQLite and
PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Env
from tests.support.app_schema import build_app_env, good_ksessions_ids, prefix
from tests.support.cli_run import hostprov
from tests.support.db_state import blank_urls


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("ready"), request)


def _sql(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _check(env: Env) -> dict[str, dict[str, object]]:
    done = hostprov(env, "check", "--json")
    assert done.code == 0, done.output  # warnings only: never a refusal
    doc: dict[str, dict[str, object]] = done.json()
    return doc


def test_the_apps_tables_there_no_warning(app_env: Env) -> None:
    doc = _check(app_env)
    assert doc["canvas"]["readiness"] == [] and doc["ksessions"]["readiness"] == []
    assert "Warning" not in str(doc["canvas"]["schema_verdict"])


def test_missing_run_tables_are_warned_and_issuing_still_works(app_env: Env) -> None:
    t = prefix(app_env.backend)
    _sql(app_env.canvas_url, f'DROP TABLE {t}"SessionData"', f'DROP TABLE {t}"Participants"')
    doc = _check(app_env)
    ready = " ".join(doc["canvas"]["readiness"])  # type: ignore[arg-type]
    assert "canvas.Participants is missing: participants cannot register" in ready
    assert "canvas.SessionData is missing" in ready
    assert "canvas.Participants is missing" in str(doc["canvas"]["schema_verdict"])
    ks = good_ksessions_ids(app_env)[0]
    for _ in range(2):  # created, then rotated: no run tables to read
        done = hostprov(app_env, "issue", "--ksessions-id", str(ks))
        assert done.code == 0, done.output
    text_out = hostprov(app_env, "check").output
    assert "canvas.Participants is missing" in " ".join(text_out.split())


def test_countries_missing_or_empty_are_warned(app_env: Env) -> None:
    dbo = "" if app_env.backend == "sqlite" else "dbo."
    _sql(app_env.ksessions_url, f'UPDATE {dbo}"Countries" SET "IsActive" = '
         + ("0" if app_env.backend == "sqlite" else "FALSE"))
    ready = " ".join(_check(app_env)["ksessions"]["readiness"])  # type: ignore[arg-type]
    assert "dbo.Countries has no active country: participants cannot register" in ready
    _sql(app_env.ksessions_url, f'DROP TABLE {dbo}"Countries"')
    ready = " ".join(_check(app_env)["ksessions"]["readiness"])  # type: ignore[arg-type]
    assert "dbo.Countries is missing: participants cannot register" in ready


def test_db_init_tokens_and_demo_build_the_apps_tables(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    canvas_url, ks_url = blank_urls(backend, tmp_path, request)
    env = Env(backend, canvas_url, ks_url, tmp_path / "audit.jsonl", tmp_path)
    done = hostprov(env, "db", "init", "--generation", "tokens", "--json")
    assert done.code == 0, done.output
    created = {d["database"]: d["created"] for d in done.json()["databases"]}
    assert {"canvas.Participants", "canvas.SessionData"} <= set(created["canvas"])
    demo = hostprov(env, "demo", "--sessions", "20")
    assert demo.code == 0, demo.output
    doc = _check(env)
    assert doc["canvas"]["readiness"] == [] and doc["ksessions"]["readiness"] == [], doc
