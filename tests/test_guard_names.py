"""The environment guard judges the database the driver opens, not the one the URL's path shows.

A real PostgreSQL database named like production (no _DEV) is reached through URLs whose path
says *_DEV: a development run must refuse (exit 5, one sentence) and write nothing. Every other
way a URL, an ODBC string or an ADO.NET connection string can name a database is judged as its
driver reads it; what cannot be judged for certain is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hostprov_tui.config.database_name import judge_odbc, judge_url
from hostprov_tui.config.settings import DatabaseTarget
from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.db.demo import fill_demo
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.ksessions_models import KSession
from hostprov_tui.db.schema import init_databases
from hostprov_tui.db.urls import target_url
from hostprov_tui.errors import ConfigError
from hostprov_tui.services.guard import evaluate_guard
from tests.conftest import TEST_SECRET, Env
from tests.support.cli_run import run_process


@pytest.fixture(scope="module")
def live(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, str]]:
    """A database named like production, with tables and a catalogue of 20 sessions."""
    tmp = tmp_path_factory.mktemp("live")
    name = f"hp_{uuid.uuid4().hex[:8]}_live"
    url = pg_server.create_database(name)
    env = Env("postgres", url, url, tmp / "audit.jsonl", tmp, pg_server)
    dbs = open_databases(env.settings(), create=True)
    try:
        init_databases(dbs)
        fill_demo(dbs.ksessions, sessions=20, seed=7)
    finally:
        dbs.dispose()
    yield env, name


def _counts(env: Env) -> tuple[int, int]:
    dbs = open_databases(env.settings())
    try:
        with dbs.canvas.engine.connect() as conn:
            hosts = conn.execute(select(func.count()).select_from(HostSession)).scalar_one()
            sessions = conn.execute(select(func.count()).select_from(KSession)).scalar_one()
        return int(hosts), int(sessions)
    finally:
        dbs.dispose()


def _disguised(env: Env, name: str, tail: str) -> str:
    """The live database's URL with a *_DEV path and ``tail`` (its query) naming the real one."""
    base = env.canvas_url.rsplit("/", 1)[0]
    return f"{base}/{name}_DEV?{tail}"


def _config(tmp: Path, url: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(f'environment = "development"\n[canvas]\nurl = "{url}"\n'
                    f'[ksessions]\nurl = "{url}"\n[audit]\npath = "{tmp / "audit.jsonl"}"\n'
                    "[database]\nconnect_timeout_s = 3\nstatement_timeout_s = 10\n",
                    encoding="utf-8")
    return path


@pytest.mark.postgres
@pytest.mark.parametrize("tail", ["dbname={name}", "sslmode=prefer&dbname={name}"])
def test_a_dev_path_with_dbname_in_the_query_is_refused(
    live: tuple[Env, str], tmp_path: Path, tail: str
) -> None:
    env, name = live
    url = _disguised(env, name, tail.format(name=name))
    config = _config(tmp_path, url)
    before = _counts(env)
    ks = str(env.pg.execute('SELECT min("SessionID") FROM dbo."Sessions"', database=name)[0][0])
    environ = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET}
    for args in (["issue", "--ksessions-id", ks], ["demo", "--replace", "--sessions", "3"],
                 ["db", "init"]):
        run = run_process(["--config", str(config), *args], environ, tmp_path)
        flat = " ".join(run.output.split())
        assert run.code == 5, (args, run.output)
        assert f"{name} does not end in _DEV" in flat or "development databases" in flat, flat
        assert "Traceback" not in run.output
    assert _counts(env) == before  # nothing issued, the catalogue not replaced


# (URL, the database the driver opens, or None when it cannot be said for certain)
JUDGED: list[tuple[str, str | None]] = [
    ("postgresql+psycopg://u@h/KS_DEV", "KS_DEV"),
    ("postgresql+psycopg://u@h/KS_DEV?dbname=KS", "KS"),
    ("postgresql+psycopg://u@h/?dbname=KS_DEV", "KS_DEV"),
    ("postgresql+psycopg://u@h/KS_DEV?dbname=KS_DEV&dbname=KS", None),
    ("postgresql+psycopg://u@h/KS_DEV?DBNAME=KS", None),
    ("postgresql+psycopg://u@h/KS_DEV?database=KS", None),
    ("postgresql+psycopg://u@h/KS_DEV?service=prod", None),
    ("postgresql+psycopg://u@h/", None),
    ("postgresql+psycopg://u@h/?dbname=dbname%3DKS", None),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D", "KS_DEV"),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D&database=KS", "KS"),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D&Database=KS", None),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D&DATABASE=KS_DEV", "KS_DEV"),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D&Initial+Catalog=KS", None),
    ("mssql+pyodbc://u@h/KS_DEV?driver=D&AttachDbFilename=x.mdf", None),
    ("mssql+pyodbc://u@dsn_only", None),
    ("mssql+pyodbc://u@h/KS_DEV?odbc_connect=DRIVER%3DD%3BDATABASE%3DKS", None),
    ("mssql+pyodbc://u@h?odbc_connect=DRIVER%3DD%3BDATABASE%3DKS", "KS"),
    ("mssql+pyodbc://u@h?odbc_connect=DRIVER%3DD%3BDATABASE%3D%7BKS_DEV%7D", "KS_DEV"),
    ("mssql+pyodbc://u@h?odbc_connect=DATABASE%3DKS_DEV%3BDatabase%3DKS", None),
    ("mssql+pyodbc://u@h?odbc_connect=DATABASE%3DKS_DEV%3BInitial+Catalog%3DKS", None),
    ("mssql+pyodbc://u@h?odbc_connect=DSN%3Dprod", None),
    ("mssql+pyodbc://u@h?odbc_connect=DATABASE%3D%7BKS_DEV", None),
    ("mssql+pyodbc://u@h?odbc_connect=a%3D1&odbc_connect=DATABASE%3DKS", None),
    ("sqlite:////tmp/a/canvas.db", "canvas.db"),
    ("sqlite:////tmp/a/canvas%3F.db", None),
]


@pytest.mark.parametrize(("url", "opens"), JUDGED)
def test_the_database_a_url_opens(url: str, opens: str | None) -> None:
    judged = judge_url(make_url(url))
    if opens is None:
        assert not judged.certain, judged
    else:
        assert judged.certain, judged
        assert judged.name == opens


@pytest.mark.parametrize(("url", "opens"), [j for j in JUDGED if not j[0].startswith("sqlite")])
def test_the_guard_allows_only_what_it_can_judge_as_dev(url: str, opens: str | None) -> None:
    try:
        targets = tuple(target_url(DatabaseTarget(url=url), n) for n in ("canvas", "ksessions"))
    except ConfigError as exc:  # not even a URL the driver accepts (DBNAME=, database=)
        assert opens is None and "not a PostgreSQL connection option" in exc.message
        return
    verdict = evaluate_guard("development", targets, allow_production=False)
    assert verdict.allowed == (opens is not None and opens.endswith("_DEV")), verdict
    if opens is None:
        assert "cannot tell for certain" in verdict.sentence
        production = evaluate_guard("production", targets, allow_production=True)
        assert not production.allowed  # not even with the confirmation


def test_braces_and_keyword_spelling_in_an_odbc_string() -> None:
    assert judge_odbc("Driver={x;y};  database = {A;B}}C}  ;").name == "A;B}C"
    assert judge_odbc("Initial  Catalog=KS_DEV").name == "KS_DEV"
    assert not judge_odbc("Database=KS_DEV;dAtAbAsE=KS").certain
    assert judge_odbc("Database=KS_DEV;DATABASE=ks_dev").certain  # the same name twice


@pytest.mark.parametrize(("text", "dev"), [
    ("Server=h;Database=KS_DEV;Initial Catalog=KS;User ID=u", False),  # ADO.NET: last wins
    ("Server=h;Initial Catalog=KS;Database=KS_DEV;User ID=u", True),
])
def test_an_adonet_string_is_judged_by_its_last_name(text: str, dev: bool) -> None:
    target = target_url(DatabaseTarget(connection_string=text), "ksessions")
    verdict = evaluate_guard("development", (target,), allow_production=False)
    assert verdict.allowed == dev, verdict
