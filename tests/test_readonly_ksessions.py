"""KSESSIONS is read-only: the whole flow works under a role that may only SELECT from dbo.*.

The KSESSIONS database is its own (two-database shape); the role ``ks_reader`` has CONNECT on
it, USAGE on schema dbo and SELECT on its tables, nothing else. Writing through that role fails
in the database itself, and hostprov's own KSESSIONS connections are read-only on top of that.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from hostprov_tui.config.settings import DatabaseTarget
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.ksessions_models import KSessionsBase
from hostprov_tui.services.api import Provisioner
from tests.conftest import TEST_SECRET, Env
from tests.support.flow import assert_flow, cli_flow

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"])]

READER = "ks_reader"
WRITES = (
    'INSERT INTO dbo."Speakers" ("SpeakerID", "SpeakerName") VALUES (999999, \'x\')',
    'UPDATE dbo."Sessions" SET "SessionName" = \'x\'',
    'DELETE FROM dbo."SessionTranscripts"',
    'CREATE TABLE dbo."Intruder" (x int)',
    'TRUNCATE dbo."Groups" CASCADE',
)


def _grant_reader(env: Env, ks_db: str) -> None:
    pg = env.pg
    pg.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ks_reader') "
        "THEN CREATE ROLE ks_reader LOGIN; END IF; END $$"
    )
    pg.execute(f'REVOKE ALL ON DATABASE "{ks_db}" FROM PUBLIC')
    pg.execute(f'GRANT CONNECT ON DATABASE "{ks_db}" TO {READER}')
    pg.execute(f"REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA dbo TO {READER};"
               f"GRANT SELECT ON ALL TABLES IN SCHEMA dbo TO {READER}", database=ks_db)


def _counts(env: Env, ks_db: str) -> dict[str, int]:
    return {t.name: int(env.pg.execute(f'SELECT count(*) FROM dbo."{t.name}"',
                                       database=ks_db)[0][0])
            for t in KSessionsBase.metadata.sorted_tables}


@pytest.fixture
def reader_env(make_env: Callable[..., Env]) -> tuple[Env, str]:
    env = make_env(shared=False, sessions=40)
    ks_db = make_url(env.ksessions_url).database
    assert ks_db
    _grant_reader(env, ks_db)
    env.ksessions_url = env.pg.url(ks_db, user=READER)
    return env, ks_db


def test_whole_flow_as_a_select_only_role(reader_env: tuple[Env, str]) -> None:
    env, ks_db = reader_env
    before = _counts(env, ks_db)
    prov = Provisioner(env.settings(), operator="tester")
    try:
        with prov.ctx.databases().ksessions.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == READER
        page = [r for r in prov.search("", limit=50).rows if r.transcripts and r.is_active]
    finally:
        prov.close()
    runs = cli_flow(env.write_config(), page[0].session_id,
                    {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET})
    assert_flow(runs, page[0].session_id)
    assert _counts(env, ks_db) == before


@pytest.mark.parametrize("statement", WRITES)
def test_the_role_cannot_write(reader_env: tuple[Env, str], statement: str) -> None:
    env, ks_db = reader_env
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.pg.execute(statement, database=ks_db, user=READER)


def test_hostprov_ksessions_connections_are_read_only_too(make_env: Callable[..., Env]) -> None:
    """Even with an owner's login, hostprov's KSESSIONS engine refuses to write."""
    env = make_env(shared=False, sessions=10)
    dbs = open_databases(env.settings(ksessions=DatabaseTarget(url=env.ksessions_url)))
    try:
        with dbs.ksessions.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(text('dbo."Speakers"')))
            assert count.scalar_one() > 0
            with pytest.raises(DBAPIError, match="read-only transaction"):
                conn.execute(text(WRITES[0]))
    finally:
        dbs.dispose()
