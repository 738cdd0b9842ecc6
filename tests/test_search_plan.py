"""Catalogue search: right answers on every backend and path, the right indexes on SQLite.

The embedded demo carries a trigram search index (db/search_index.py); other databases get a
plain LIKE. Both must return exactly what a naive filter over the whole catalogue returns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hostprov_tui.db.ksessions_models import Category, Group, KSession, Speaker
from hostprov_tui.db.search_index import (
    FTS_TABLE,
    TERMS_TABLE,
    drop_search_index,
    forget,
)
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.catalogue import SearchFilters, page_statement
from tests.conftest import Env, build_env
from tests.support.statements import captured, selects

QUERIES = ("", "of", "OF THE", "aqw", "Taqwa", "Meaning of", "Nu", "q", "7", "42", "1",
           "Fiqh of Salah", "fatima", "series 3", "zzqx", 'a"b', "%", "_", "50%", "Ihsan al-J",
           "Commentary", "word T", "concept taqwa", "TAQWA concept", "of Nu", "al q", "q al",
           "Fiqh 7 of", "7 q", "Meaning Meaning", "fatima  of", "zzqx of", "of zzqx")
FILTERS = (SearchFilters(), SearchFilters(album_id=3), SearchFilters(category_id=10),
           SearchFilters(active_only=True), SearchFilters(album_id=5, active_only=True))


def _catalogue(prov: Provisioner) -> list[tuple[Any, ...]]:
    with prov.ctx.databases().ksessions.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(KSession.SessionID, KSession.GroupID, KSession.CategoryID, KSession.IsActive,
                   KSession.SessionName, Group.GroupName, Category.CategoryName,
                   Speaker.SpeakerName)
            .outerjoin(Group, Group.GroupID == KSession.GroupID)
            .outerjoin(Category, Category.CategoryID == KSession.CategoryID)
            .outerjoin(Speaker, Speaker.SpeakerID == KSession.SpeakerID)
            .order_by(KSession.SessionID)
        )]


def _expected(rows: list[tuple[Any, ...]], query: str, f: SearchFilters) -> list[int]:
    """The naive answer: ID equality, or every word a case-insensitive substring of one of the
    names (not necessarily the same one)."""
    found = []
    for sid, group, category, active, *names in rows:
        if f.album_id is not None and group != f.album_id:
            continue
        if f.category_id is not None and category != f.category_id:
            continue
        if f.active_only and active is False:
            continue
        hit = not query or (query.isdigit() and int(query) == sid) or all(
            any(word.lower() in (n or "").lower() for n in names) for word in query.split()
        )
        if hit:
            found.append(sid)
    return found


def test_search_returns_exactly_the_naive_answer(prov: Provisioner) -> None:
    rows = _catalogue(prov)
    for f in FILTERS:
        for query in QUERIES:
            expected = _expected(rows, query, f)
            for offset, limit in ((0, 10), (10, 10), (0, 500)):
                page = prov.search(query, offset=offset, limit=limit, filters=f)
                assert [r.session_id for r in page.rows] == expected[offset:offset + limit], (
                    query, f, offset)
                assert page.has_more == (len(expected) > offset + limit)


@pytest.fixture
def sqlite_env(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    return build_env("sqlite", tmp_path, request)


@pytest.fixture
def sqlite_prov(sqlite_env: Env) -> Iterator[Provisioner]:
    p = Provisioner(sqlite_env.settings(), operator="tester")
    yield p
    p.close()


def _ks_file(env: Env) -> Path:
    return Path(env.ksessions_url.removeprefix("sqlite:///"))


def _plans(env: Env, prov: Provisioner, query: str) -> dict[str, str]:
    prov.search(query)  # warm-up (the index check runs once per engine)
    with captured(prov, selects) as seen:
        prov.search(query)
    files = {"ksessions": _ks_file(env), "canvas": Path(env.canvas_url.removeprefix("sqlite:///"))}
    plans = {}
    for name, stmt, params in seen:
        conn = sqlite3.connect(files[name])
        rows = conn.execute("EXPLAIN QUERY PLAN " + stmt, params).fetchall()
        conn.close()
        plans[name] = "\n".join(r[3] for r in rows)
    return plans


def test_query_plans_use_the_indexes(sqlite_env: Env, sqlite_prov: Provisioner) -> None:
    prov = sqlite_prov
    prov.issue_many([1, 4])  # the GUID status query then has rows to look at
    substring = _plans(sqlite_env, prov, "aqw")
    assert f"SCAN {FTS_TABLE} VIRTUAL TABLE INDEX" in substring["ksessions"]
    assert "SCAN main.Sessions" not in substring["ksessions"]
    assert "SCAN Sessions" not in substring["ksessions"]
    assert "IX_SessionTranscripts_SessionID" in substring["ksessions"]  # transcript counts
    assert "UX_Sessions_KSessionsId" in substring["canvas"]  # GUID status of the page only
    assert "IX_HostSessions_SessionGuidHash" in substring["canvas"]
    by_id = _plans(sqlite_env, prov, "42")
    assert "USING INTEGER PRIMARY KEY (rowid=?)" in by_id["ksessions"]
    assert "SCAN main.Sessions" not in by_id["ksessions"]
    short = _plans(sqlite_env, prov, "Nu")  # under 3 characters: the trigrams that hold it
    assert f"SCAN {FTS_TABLE} VIRTUAL TABLE INDEX" in short["ksessions"]
    assert TERMS_TABLE in short["ksessions"]
    assert "SCAN main.Sessions" not in short["ksessions"]


def test_without_the_index_search_falls_back_to_like(
    sqlite_env: Env, sqlite_prov: Provisioner
) -> None:
    prov = sqlite_prov
    before = [r.session_id for r in prov.search("aqw", limit=500).rows]
    dbs = prov.ctx.databases()
    with dbs.ksessions.base_engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA query_only=OFF")
        drop_search_index(conn)
    forget(dbs.ksessions.base_engine)
    assert [r.session_id for r in prov.search("aqw", limit=500).rows] == before
    plain = page_statement("aqw", SearchFilters(), 0, 50, indexed=False)
    with dbs.ksessions.engine.connect() as conn:
        compiled = plain.compile(conn)
        sql = str(compiled)
    assert FTS_TABLE not in sql and "LIKE" in sql.upper()


def test_the_index_follows_edits_of_the_demo_catalogue(
    sqlite_env: Env, sqlite_prov: Provisioner
) -> None:
    conn = sqlite3.connect(_ks_file(sqlite_env))
    with conn:
        conn.execute("UPDATE Sessions SET SessionName = 'Quokka habitats' WHERE SessionID = 7")
        conn.execute("UPDATE Groups SET GroupName = 'Wombat studies' WHERE GroupID = 2")
        conn.execute("UPDATE Speakers SET SpeakerName = 'Numbat Jones' WHERE SpeakerID = 1")
        conn.execute(
            "INSERT INTO Sessions (SessionID, GroupID, CategoryID, SessionName, IsActive) "
            "VALUES (5000, 1, 1, 'Platypus lore', 1)"
        )
        conn.execute("DELETE FROM Sessions WHERE SessionID = 9 AND NOT EXISTS "
                     "(SELECT 1 FROM SessionTranscripts WHERE SessionID = 9)")
        deleted = conn.execute("SELECT count(*) FROM Sessions WHERE SessionID = 9").fetchone()
    conn.close()
    prov = sqlite_prov
    assert [r.session_id for r in prov.search("quokka").rows] == [7]
    assert [r.session_id for r in prov.search("Platypus").rows] == [5000]
    rows = _catalogue(prov)
    for query in ("wombat", "Numbat", "Meaning of", "Taqwa", "Qu", "pl", "y"):
        expected = _expected(rows, query, SearchFilters())
        assert [r.session_id for r in prov.search(query, limit=500).rows] == expected
    # the insert emptied the trigram list (it may lack new trigrams): short queries above were
    # answered by the scan of the narrow text table, and still exactly
    conn = sqlite3.connect(_ks_file(sqlite_env))
    assert conn.execute(f"SELECT count(*) FROM {TERMS_TABLE}").fetchone() == (0,)
    conn.close()
    if deleted == (0,):
        assert 9 not in [r.session_id for r in prov.search("", limit=500).rows]
