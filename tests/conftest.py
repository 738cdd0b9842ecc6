"""Fixtures: fresh databases per test on every backend (SQLite files, a real PostgreSQL server).

`backend` parametrizes a test over SQLite and PostgreSQL; the PostgreSQL server is started once
per session by the tests themselves and stopped at the end. Nothing here mocks a database.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import make_url, select

from hostprov_tui.config.private_file import create_private_file, make_private_folder
from hostprov_tui.config.settings import (
    AuditOptions,
    DatabaseTarget,
    DemoOptions,
    SecurityOptions,
    Settings,
)
from hostprov_tui.db.demo import fill_demo
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.generation import GenerationName
from hostprov_tui.db.ksessions_models import KSession, SessionTranscript
from hostprov_tui.db.schema import init_databases
from hostprov_tui.services.api import Provisioner

TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
DEMO_SESSIONS = 120
BACKENDS = ("sqlite", "postgres")


#: The test processes' garbage collector runs a young pass every 50,000 allocations (Python's
#: default: 700). A worker holds every test module, Textual and SQLAlchemy; a TUI test allocates
#: millions of short-lived objects, and at the default each pass walked survivors again and again:
#: a fifth of a TUI test's CPU (tests/test_tui_provision.py + test_tui_tokens.py, one process:
#: 62.7 s → 50.2 s of CPU). Garbage in cycles is still collected, later; the product's own
#: processes keep Python's defaults (cli/main.py and tui/collection.py only hold the collector
#: while they load).
GC_THRESHOLDS = (50_000, 20, 100)


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (scripts/test runs the suite on several workers, `--dist loadgroup`),
    the tests of a module that shares a module- or class-scoped fixture (a built wheel, a
    server) stay on one worker, so that fixture is built once; every other test goes wherever a
    worker is free. Each worker has its own databases and its own PostgreSQL server (pg_server
    is per session, and each worker is a session). Without xdist the mark does nothing."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope in ("module", "class", "package") for chain in defs for d in chain):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module
                                                    else item.nodeid.split("::")[0]))
    long_files = {_file(i) for i in items
                  if i.get_closest_marker("slow") or _file(i).startswith(LONG_MODULES)}
    items[:] = sorted(items, key=lambda item: _file(item) not in long_files)


#: Modules whose tests take seconds each (a TUI driven by keys, a child killed at every line),
#: where most take a fraction of one. Their modules run first (and those with a test marked
#: slow), so no worker is left with a long test at the end while the others are done; the
#: order within each kind stays as collected, so a module's tests stay together.
LONG_MODULES = ("test_tui_", "test_crash_")


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0].rsplit("/", 1)[-1]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HOSTPROV_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("HOSTPROV_") and key not in ("HOSTPROV_PG_BIN", "HOSTPROV_PG_TMPDIR"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def _user_folders(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    """The per-user config and data folders (platformdirs follows XDG_*) point into a fresh
    temporary folder: no test reads or writes the developer's own ~/.config or ~/.local."""
    home = tmp_path_factory.mktemp("user")
    for variable, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        monkeypatch.setenv(variable, str(home / sub))
    return home


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    from tests.support.pgserver import PostgresServer

    with PostgresServer() as server:  # fails (never skips) when PostgreSQL cannot start
        yield server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Env:
    """Where a test's databases live, so a test can rebuild URLs or a config file."""

    backend: str
    canvas_url: str
    ksessions_url: str
    audit_path: Path
    tmp: Path
    pg: Any = None

    def settings(self, **changes: Any) -> Settings:
        base: dict[str, Any] = {
            "environment": "development",
            "canvas": DatabaseTarget(url=self.canvas_url),
            "ksessions": DatabaseTarget(url=self.ksessions_url),
            "audit": AuditOptions(path=self.audit_path),
            "security": SecurityOptions(hash_secret=SecretStr(TEST_SECRET)),
            "demo": DemoOptions(auto_create=False, sessions=DEMO_SESSIONS),
        }
        base.update(changes)
        return Settings(**base)

    def write_config(self, **extra_toml: str) -> Path:
        """A config.toml for CLI runs (the secret stays in the environment)."""
        lines = [
            'environment = "development"',
            f'[canvas]\nurl = "{self.canvas_url}"',
            f'[ksessions]\nurl = "{self.ksessions_url}"',
            f'[audit]\npath = "{self.audit_path}"',
            "[database]\nconnect_timeout_s = 3\nstatement_timeout_s = 10",
        ]
        lines += [f"{k} = {v}" for k, v in extra_toml.items()]
        path = self.tmp / "config.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _new_env(backend: str, tmp: Path, request: pytest.FixtureRequest, shared: bool,
             copy_of: Env | None = None) -> Env:
    audit = tmp / "audit.jsonl"
    if backend == "sqlite":
        return Env(backend, f"sqlite:///{tmp}/canvas.db", f"sqlite:///{tmp}/ksessions.db",
                   audit, tmp)
    pg = request.getfixturevalue("pg_server")
    name = f"hp_{uuid.uuid4().hex[:10]}_dev"

    def create(db: str, template_url: str | None) -> str:
        if template_url is None:
            return str(pg.create_database(db))
        return str(pg.create_database(db, template=make_url(template_url).database))

    canvas_from = copy_of.canvas_url if copy_of is not None else None
    if shared:  # the usual KSESSIONS_DEV: dbo.* and canvas.* in one database
        url = create(name, canvas_from)
        return Env(backend, url, url, audit, tmp, pg)
    canvas_url = create(name, canvas_from)
    ks_url = create(f"{name}_ks_dev", copy_of.ksessions_url if copy_of is not None else None)
    return Env(backend, canvas_url, ks_url, audit, tmp, pg)


def build_env(
    backend: str, tmp: Path, request: pytest.FixtureRequest, *, shared: bool = True,
    sessions: int = DEMO_SESSIONS, generation: GenerationName = "guid",
) -> Env:
    """Fresh databases with the schema and the demo catalogue: a copy of this worker's template
    (built once by the same init_databases and fill_demo, the seed fixed), so each test starts
    from the same rows without loading them again."""
    server = id(request.getfixturevalue("pg_server")) if backend != "sqlite" else 0
    key = (server, backend, shared, sessions, generation)
    template = _TEMPLATES.get(key)
    if template is None:
        holder = request.getfixturevalue("tmp_path_factory").mktemp("template")
        template = _TEMPLATES[key] = _fill_new(backend, holder, request, shared, sessions,
                                               generation)
    env = _new_env(backend, tmp, request, shared, copy_of=template)
    if backend == "sqlite":
        for name in ("canvas", "ksessions"):
            _copy_sqlite(template.tmp / f"{name}.db", tmp / f"{name}.db")
    return env


#: (server, backend, shared, sessions, generation) -> the databases a test's copy is made from.
_TEMPLATES: dict[tuple[int, str, bool, int, str], Env] = {}


def _fill_new(backend: str, tmp: Path, request: pytest.FixtureRequest, shared: bool,
              sessions: int, generation: GenerationName) -> Env:
    env = _new_env(backend, tmp, request, shared)
    dbs = open_databases(env.settings(), create=True)
    try:
        init_databases(dbs, generation)
        fill_demo(dbs.ksessions, sessions=sessions, seed=7)
    finally:
        dbs.dispose()
    return env


def _copy_sqlite(source: Path, target: Path) -> None:
    """``target`` as the product creates a new database (folder 0700, file 0600), then the
    template's pages copied in by SQLite's own backup."""
    make_private_folder(target.parent)
    create_private_file(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture
def env(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    """Fresh, initialised databases with the demo catalogue, on the parametrized backend."""
    return build_env(backend, tmp_path, request)


@pytest.fixture
def make_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[..., Env]:
    def make(shared: bool = True, sessions: int = DEMO_SESSIONS) -> Env:
        return build_env(backend, tmp_path_factory.mktemp("env"), request, shared=shared,
                         sessions=sessions)

    return make


@pytest.fixture
def settings(env: Env) -> Settings:
    return env.settings()


@pytest.fixture
def prov(settings: Settings) -> Iterator[Provisioner]:
    p = Provisioner(settings, operator="tester")
    yield p
    p.close()


@dataclass(frozen=True)
class DemoIds:
    """Real IDs picked from the demo catalogue by querying it (nothing hard-coded)."""

    good: int  # active, has transcripts
    good2: int
    no_transcripts: int
    inactive: int  # inactive but with transcripts
    missing: int  # does not exist
    good3: int = 0  # a third active session with transcripts


@pytest.fixture
def ids(prov: Provisioner) -> DemoIds:
    return demo_ids(prov)


def demo_ids(prov: Provisioner) -> DemoIds:
    """Sessions of the demo catalogue for each rule."""
    from sqlalchemy import func

    dbs = prov.ctx.databases()
    count = (
        select(func.count())
        .select_from(SessionTranscript)
        .where(SessionTranscript.SessionID == KSession.SessionID)
        .scalar_subquery()
    )
    with dbs.ksessions.engine.connect() as conn:
        rows = conn.execute(select(KSession.SessionID, KSession.IsActive, count)).all()
    good = [r[0] for r in rows if r[1] and r[2] > 0]
    none = [r[0] for r in rows if r[2] == 0]
    inactive = [r[0] for r in rows if not r[1] and r[2] > 0]
    assert good and none and inactive, "the demo catalogue must exercise every rule"
    return DemoIds(good[0], good[1], none[0], inactive[0], max(r[0] for r in rows) + 1000,
                   good[2])
