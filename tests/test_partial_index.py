"""The canvas partial indexes (db/partial_index.py): the WHERE clause of each dialect reaches the
database, renders exactly as the ``<dialect>_where`` keyword would, and loads no other dialect."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import Column, Index, Integer, MetaData, Table, text
from sqlalchemy.dialects import mssql, postgresql, sqlite
from sqlalchemy.schema import CreateIndex

from hostprov_tui.db.canvas_models import CanvasBase
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.partial_index import WHERE_KEY, partial_index
from tests.conftest import Env

PARTIAL = {"UX_Sessions_KSessionsId": "KSessionsId", "UX_HostSessions_OneActive": "IsActive"}


def test_the_created_indexes_hold_their_where_clause(env: Env) -> None:
    """On the real database (SQLite file, PostgreSQL server) each partial index has its WHERE,
    the full index none."""
    dbs = open_databases(env.settings())
    try:
        with dbs.canvas.engine.connect() as conn:
            if env.backend == "sqlite":
                rows = conn.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                ))
            else:
                rows = conn.execute(text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'canvas'"))
            found = {name: sql for name, sql in rows}
    finally:
        dbs.dispose()
    for name, column in PARTIAL.items():
        assert "WHERE" in found[name].upper() and column in found[name].split("WHERE")[-1], found
    assert "WHERE" not in found["IX_HostSessions_SessionGuidHash"].upper()


@pytest.mark.parametrize("dialect", [mssql.dialect(), postgresql.dialect(), sqlite.dialect()],
                         ids=lambda d: d.name)
def test_each_dialect_renders_what_its_where_keyword_renders(dialect: object) -> None:
    where = {"mssql": "[x] IS NOT NULL", "postgresql": '"x" IS NOT NULL',
             "sqlite": '"x" = 1'}
    ours = Table("t", MetaData(), Column("x", Integer),
                 partial_index("ix_t", "x", unique=True, where=where))
    keyword = Table("t", MetaData(), Column("x", Integer),
                    Index("ix_t", "x", unique=True,
                          **{f"{d}_where": text(sql) for d, sql in where.items()}))
    (index,) = ours.indexes
    (plain,) = keyword.indexes
    rendered = str(CreateIndex(index).compile(dialect=dialect))  # type: ignore[arg-type]
    assert rendered == str(CreateIndex(plain).compile(dialect=dialect))  # type: ignore[arg-type]
    assert "WHERE" in rendered


def test_the_models_load_a_dialect_only_to_compile_for_it() -> None:
    code = (
        "import json, sys\n"
        "from sqlalchemy.schema import CreateIndex\n"
        "from hostprov_tui.db.canvas_models import CanvasSession\n"
        "import hostprov_tui.db.tokens_models, hostprov_tui.db.ksessions_models\n"
        "def loaded():\n"
        "    return sorted(n for n in ('postgresql', 'mssql')\n"
        "                  if f'sqlalchemy.dialects.{n}' in sys.modules)\n"
        "steps = [loaded()]\n"
        "from sqlalchemy.dialects import mssql\n"
        "(ix,) = [i for i in CanvasSession.__table__.indexes]\n"
        "steps.append(str(CreateIndex(ix).compile(dialect=mssql.dialect())))\n"
        "steps.append(loaded())\n"
        "print(json.dumps(steps))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    before, ddl, after = json.loads(out)
    assert before == []
    assert ddl.endswith("WHERE [KSessionsId] IS NOT NULL")
    assert after == ["mssql"]


def test_the_models_keep_their_where_clauses_beside_the_index() -> None:
    indexes = {i.name: i for t in CanvasBase.metadata.tables.values() for i in t.indexes}
    for name in PARTIAL:
        assert set(indexes[name].info[WHERE_KEY]) == {"mssql", "postgresql", "sqlite"}
