"""Which generation a canvas database holds: detected from the app's own tables, shown by
`check`, overridden by ``[canvas] generation``; a contradiction, or a database of neither
generation, is one sentence and exit 3; options of the other generation are bad input (exit 2).
Nothing is ever written on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hostprov_tui.db.demo import fill_demo
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.schema import init_schema
from tests.conftest import DemoIds, Env
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, prefix, utcnow
from tests.support.cli_run import Run, hostprov
from tests.support.db_state import blank_urls, snapshot


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("app"), request)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    db.insert_app_session(good_ksessions_ids(app_env)[-1], "APPH2345", "APPU2345", "Active",
                          utcnow() + timedelta(days=1))
    yield db
    db.close()


def _sentence(run: Run, code: int) -> dict[str, str]:
    """One JSON error document with a one-line message, the same sentence on stderr."""
    assert run.code == code, run.output
    error = run.json()["error"]
    assert error["exit_code"] == code and "\n" not in error["message"]
    assert error["message"].split("(")[0][:40] in run.stderr.replace("\n", " ")
    assert "Traceback" not in run.output
    return error  # type: ignore[no-any-return]


def test_check_shows_the_tokens_generation(app_env: Env, app: AppDb) -> None:
    run = hostprov(app_env, "check", "--json")
    assert run.code == 0, run.output
    canvas = run.json()["canvas"]
    assert canvas["generation"] == "tokens" and canvas["schema_ok"] is True
    assert run.json()["ksessions"]["schema_ok"] is True
    human = hostprov(app_env, "check")
    assert human.code == 0 and "tokens" in human.stdout
    forced = hostprov(app_env, "check", "--json",
                      extra_env={"HOSTPROV_CANVAS__GENERATION": "tokens"})
    assert forced.code == 0 and forced.json()["canvas"]["generation"] == "tokens"


def test_guid_setting_against_a_tokens_database_exits_3(app_env: Env, app: AppDb) -> None:
    ks = good_ksessions_ids(app_env)[0]
    before = app.snapshot()
    guid = {"HOSTPROV_CANVAS__GENERATION": "guid"}
    check = hostprov(app_env, "check", "--json", extra_env=guid)
    assert check.code == 3, check.output
    verdict = check.json()["canvas"]["schema_verdict"]
    assert '"guid"' in verdict and "tokens generation" in verdict
    for args in (("issue", "--ksessions-id", str(ks)), ("dry-run", "--ksessions-id", str(ks)),
                 ("revoke", "--ksessions-id", str(ks))):
        error = _sentence(hostprov(app_env, *args, "--json", extra_env=guid), 3)
        assert '"guid"' in error["message"] and "tokens generation" in error["message"], error
        assert "HostSessions" in error["hint"], error  # what the guid generation needs
    assert app.snapshot() == before


def test_tokens_setting_against_a_guid_database_exits_3(env: Env, ids: DemoIds) -> None:
    before = snapshot(env.settings())
    tokens = {"HOSTPROV_CANVAS__GENERATION": "tokens"}
    for args in (("issue", "--ksessions-id", str(ids.good)),
                 ("dry-run", "--ksessions-id", str(ids.good)), ("check",)):
        run = hostprov(env, *args, "--json", extra_env=tokens)
        assert run.code == 3, run.output
        said = run.stdout
        assert '"tokens"' in said.replace('\\"', '"') and "guid generation" in said, said
    assert snapshot(env.settings()) == before


@pytest.fixture
def neither(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    """KSESSIONS complete; canvas holds a Sessions table with none of the telling columns and
    one other table."""
    canvas_url, ks_url = blank_urls(backend, tmp_path, request)
    env = Env(backend, canvas_url, ks_url, tmp_path / "audit.jsonl", tmp_path)
    t = prefix(backend)
    engine = create_engine(canvas_url)
    try:
        with engine.begin() as conn:
            if backend != "sqlite":
                conn.execute(text("CREATE SCHEMA canvas"))
            conn.execute(text(f'CREATE TABLE {t}"Sessions" ("SessionId" BIGINT PRIMARY KEY, '
                              '"Title" VARCHAR(200), "CreatedAt" TIMESTAMP NOT NULL)'))
            conn.execute(text(f'CREATE TABLE {t}"Participants" ("ParticipantId" BIGINT '
                              'PRIMARY KEY, "SessionId" BIGINT NOT NULL)'))
    finally:
        engine.dispose()
    dbs = open_databases(env.settings(), create=True)
    try:
        init_schema(dbs.ksessions)
        fill_demo(dbs.ksessions, sessions=20, seed=7)
    finally:
        dbs.dispose()
    return env


def test_a_database_of_neither_generation_is_described(neither: Env) -> None:
    for args in (("issue", "--ksessions-id", "1"), ("dry-run", "--ksessions-id", "1")):
        error = _sentence(hostprov(neither, *args, "--json"), 3)
        message, hint = error["message"], error["hint"]
        assert "neither generation" in message, message
        assert "canvas.Participants" in message and "canvas.Sessions" in message, message
        for column in ("KSessionsId", "HostToken", "UserToken"):
            assert column in message, message  # "has none of …": what was looked for
        assert "guid generation needs" in hint and "tokens generation needs" in hint, hint
    check = hostprov(neither, "check", "--json")
    assert check.code == 3, check.output
    assert "neither generation" in check.json()["canvas"]["schema_verdict"]
    engine = create_engine(neither.canvas_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text(f'SELECT COUNT(*) FROM {prefix(neither.backend)}"Sessions"'))\
                .scalar_one() == 0
    finally:
        engine.dispose()


def test_new_user_token_on_the_guid_generation_is_bad_input(env: Env, ids: DemoIds) -> None:
    before = snapshot(env.settings())
    for command in ("issue", "dry-run"):
        error = _sentence(hostprov(env, command, "--ksessions-id", str(ids.good),
                                   "--new-user-token", "--json"), 2)
        assert "token" in error["message"].lower(), error
    assert snapshot(env.settings()) == before


def test_credential_of_the_other_generation_is_bad_input(
    env: Env, app_env: Env, app: AppDb
) -> None:
    """A token against the guid generation, a Host GUID against the tokens generation."""
    error = _sentence(hostprov(env, "verify", "--token", "APPH2345", "--json"), 2)
    assert "Host GUID" in error["message"], error
    guid = "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"
    error = _sentence(hostprov(app_env, "verify", "--guid", guid, "--json"), 2)
    assert "tokens generation" in error["message"], error
