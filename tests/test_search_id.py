"""A search that is a number: that session, and the names holding the number, from a statement
built once (services/catalogue.py, ``_id_page``), the same rows as the general statement."""

from __future__ import annotations

from hostprov_tui.db.search_index import has_search_index
from hostprov_tui.services import catalogue
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.catalogue import SearchFilters, page_statement
from tests.conftest import DemoIds, Env
from tests.support.db_state import add_ksession


def _general(prov: Provisioner, text: str, offset: int, limit: int) -> list[int]:
    dbs = prov.ctx.databases()
    with dbs.ksessions.connect() as conn:
        indexed = has_search_index(conn, dbs.ksessions.base_engine)  # SQLite's demo only
        stmt = page_statement(text, SearchFilters(), offset, limit, indexed=indexed)
        return [r.SessionID for r in conn.execute(stmt).all()][:limit]


def test_a_number_finds_its_session_and_the_names_that_hold_it(
    prov: Provisioner, env: Env, ids: DemoIds
) -> None:
    number = str(ids.good2)
    named = [add_ksession(env.settings(), f"Review {number} of the week"),
             add_ksession(env.settings(), f"Part{number}9 (a longer number)")]
    built = catalogue._id_page_statement.cache_info().misses
    page = prov.search(number, limit=50)
    assert [r.session_id for r in page.rows] == [ids.good2, *named]
    assert [r.name for r in page.rows][1:] == [f"Review {number} of the week",
                                              f"Part{number}9 (a longer number)"]
    for offset, limit in ((0, 1), (1, 1), (2, 1), (1, 5), (3, 5)):
        shown = prov.search(number, offset=offset, limit=limit)
        assert [r.session_id for r in shown.rows] == _general(prov, number, offset, limit)
        assert shown.has_more == (offset + limit < 3)
    for other in ("1", "42", "000", "2147483647", "2147483648", "٣٤٥", "²³⁴"):
        got = [r.session_id for r in prov.search(other, limit=500).rows]
        assert got == _general(prov, other, 0, 500), other
    assert catalogue._id_page_statement.cache_info().misses <= max(built, 1)  # built once


def test_a_number_with_a_filter_still_takes_the_filter(
    prov: Provisioner, ids: DemoIds
) -> None:
    row = prov.search(str(ids.good2), limit=1).rows[0]
    other = SearchFilters(album_id=10**6)  # no such album: nothing passes the filter
    assert prov.search(str(ids.good2), filters=other).rows == ()
    assert prov.search(str(ids.good2), filters=SearchFilters(active_only=True)).rows[:1] == (
        (row,) if row.is_active else ())
