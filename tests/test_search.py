"""Searching KSESSIONS: by ID or words, wildcards taken literally, paging, counts, GUID status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hostprov_tui.db.ksessions_models import Category, Group, KSession, SessionTranscript, Speaker
from hostprov_tui.errors import InputError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.catalogue import SearchFilters
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import DemoIds, Env
from tests.support.db_state import add_ksession, set_host_expiry, writable

TRICKY_NAMES = [
    "Zakat at 100% of nisab",
    "Notes on a_b and c",
    "O'Brien's \"quoted\" lecture",
    "Paths like C:\\temp\\new and more",
    "Escape/slash and 50/50",
    "Plain tricky-free title",
]
QUERIES = ["%", "_", "'", '"', "\\", "/", "100%", "a_b", "o'brien", "\\temp", "50/50", "%%",
           "_b", "zakat AT 100%"]


def _catalogue(env: Env) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """Every session with the four searchable texts, read directly."""
    with writable(env.settings()) as dbs, dbs.ksessions.engine.connect() as conn:
        rows = conn.execute(
            select(KSession.SessionID, KSession.SessionName, Group.GroupName,
                   Category.CategoryName, Speaker.SpeakerName)
            .outerjoin(Group, Group.GroupID == KSession.GroupID)
            .outerjoin(Category, Category.CategoryID == KSession.CategoryID)
            .outerjoin(Speaker, Speaker.SpeakerID == KSession.SpeakerID)
            .order_by(KSession.SessionID)
        )
        return [tuple(r) for r in rows]


def _expected(catalogue: list[tuple], query: str) -> list[int]:
    """Every word of the query in one of the four names (each word in any of them)."""
    words = query.lower().split()
    return [r[0] for r in catalogue
            if all(any(t and word in t.lower() for t in r[1:]) for word in words)]


def _found(prov: Provisioner, query: str) -> list[int]:
    page = prov.search(query, limit=500)
    assert not page.has_more
    return [r.session_id for r in page.rows]


def test_wildcards_quotes_and_backslashes_are_literal(prov: Provisioner, env: Env) -> None:
    added = [add_ksession(env.settings(), name) for name in TRICKY_NAMES]
    catalogue = _catalogue(env)
    for query in QUERIES:
        expected = _expected(catalogue, query)
        assert _found(prov, query) == expected, query
    assert _found(prov, "%") == [added[0]]
    assert _found(prov, "_") == [added[1]]
    assert _found(prov, "\\") == [added[3]]
    assert _found(prov, "'") == [added[2]]


def test_substring_of_name_album_category_speaker_case_insensitive(
    prov: Provisioner, env: Env
) -> None:
    catalogue = _catalogue(env)
    sample = catalogue[5]
    probes = [sample[1][2:9], sample[2][:6].upper(), sample[3].swapcase(), sample[4][-5:]]
    for probe in probes:
        expected = _expected(catalogue, probe)
        assert expected, probe
        assert _found(prov, probe) == expected, probe
    assert _found(prov, "no such words anywhere") == []


def test_search_by_id(prov: Provisioner, env: Env, ids: DemoIds) -> None:
    catalogue = _catalogue(env)
    found = _found(prov, str(ids.good2))
    assert ids.good2 in found
    text = str(ids.good2)
    for sid in found:  # the ID itself, or a text that contains those digits
        row = next(r for r in catalogue if r[0] == sid)
        assert sid == ids.good2 or any(t and text in t for t in row[1:])
    assert _found(prov, str(ids.missing)) == []
    assert prov.search("99999999999999999999").rows == ()  # beyond int: no error, no match


def test_paging(prov: Provisioner, env: Env) -> None:
    everything = [r[0] for r in _catalogue(env)]
    seen: list[int] = []
    offset = 0
    while True:
        page = prov.search("", offset=offset, limit=37)
        seen += [r.session_id for r in page.rows]
        assert page.offset == offset and page.limit == 37
        assert len(page.rows) == 37 or not page.has_more
        if not page.has_more:
            break
        offset += 37
    assert seen == everything
    last = prov.search("", offset=len(everything) - 1, limit=1)
    assert len(last.rows) == 1 and not last.has_more
    assert prov.search("", offset=len(everything) - 1, limit=2).rows == last.rows
    assert prov.search("", offset=len(everything), limit=5).rows == ()
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 10**20},
                {"filters": SearchFilters(album_id=10**20)},
                {"filters": SearchFilters(category_id=2**31)},
                {"filters": SearchFilters(album_id=0)}):
        with pytest.raises(InputError):
            prov.search("", **bad)  # type: ignore[arg-type]


def test_transcript_counts_equal_a_direct_count(prov: Provisioner, env: Env) -> None:
    with writable(env.settings()) as dbs, dbs.ksessions.engine.connect() as conn:
        counts = dict(conn.execute(
            select(SessionTranscript.SessionID, func.count()).group_by(SessionTranscript.SessionID)
        ).all())
    rows = prov.search("", limit=500).rows
    assert len(rows) >= 100
    assert {r.session_id: r.transcripts for r in rows} == {
        r.session_id: counts.get(r.session_id, 0) for r in rows
    }
    assert any(r.transcripts == 0 for r in rows) and any(not r.is_active for r in rows)


def test_filters(prov: Provisioner, env: Env) -> None:
    album = prov.albums()[0]
    rows = prov.search("", limit=500, filters=SearchFilters(album_id=album.id)).rows
    assert rows and all(r.album == album.name for r in rows)
    active = prov.search("", limit=500, filters=SearchFilters(active_only=True)).rows
    assert active and all(r.is_active for r in active)
    categories = prov.categories(album.id)
    assert categories
    in_category = prov.search(
        "", limit=500, filters=SearchFilters(category_id=categories[0].id)
    ).rows
    assert in_category and all(r.category == categories[0].name for r in in_category)


def test_guid_status_column_follows_issue_expiry_and_revoke(
    prov: Provisioner, env: Env, ids: DemoIds
) -> None:
    def status(session: int) -> tuple[GuidStatus, int | None]:
        row = next(r for r in prov.search(str(session)).rows if r.session_id == session)
        return row.guid_status, row.canvas_session_id

    assert status(ids.good) == (GuidStatus.NONE, None)
    issued = prov.issue(Target(ksessions_id=ids.good))
    assert status(ids.good) == (GuidStatus.ACTIVE, issued.canvas_session_id)
    other = prov.issue(Target(ksessions_id=ids.good2))
    set_host_expiry(env.settings(), other.host_session_id, utcnow() - timedelta(hours=1))
    assert status(ids.good2)[0] is GuidStatus.EXPIRED
    prov.revoke(Target(ksessions_id=ids.good))
    assert status(ids.good) == (GuidStatus.REVOKED, issued.canvas_session_id)
    prov.issue(Target(ksessions_id=ids.good))
    assert status(ids.good)[0] is GuidStatus.ACTIVE
    statuses = {r.session_id: r.guid_status for r in prov.search("", limit=500).rows}
    assert [s for s, v in statuses.items() if v is not GuidStatus.NONE] == sorted(
        [ids.good, ids.good2]
    )


def test_count_is_what_every_page_together_finds(prov: Provisioner, env: Env) -> None:
    """The total the TUI's status line states: the rows of all pages, for words of every length
    (the index's phrase and trigram paths on SQLite), an ID, the filters, and no match."""
    album = prov.albums()[1]
    category = prov.categories(album.id)[0]
    cases = [("", None), ("of", None), ("a", None), ("concept", None), ("zzqq", None),
             ("", SearchFilters(album_id=album.id)),
             ("of", SearchFilters(album_id=album.id, category_id=category.id)),
             ("", SearchFilters(active_only=True)), ("1", SearchFilters(active_only=True))]
    for text, filters in cases:
        found: list[int] = []
        while True:
            page = prov.search(text, offset=len(found), limit=37, filters=filters)
            found += [r.session_id for r in page.rows]
            if not page.has_more:
                break
        assert prov.count_sessions(text, filters=filters) == len(found), (text, filters)
    assert prov.count_sessions("") == len(_catalogue(env))
    with pytest.raises(InputError):
        prov.count_sessions("", filters=SearchFilters(album_id=0))


def test_find_session_is_the_row_the_search_shows(prov: Provisioner, ids: DemoIds) -> None:
    """The provision screen's header for the ID typed: the same row (and status) as a search."""
    issued = prov.issue(Target(ksessions_id=ids.good))
    for session_id in (ids.good, ids.good2, ids.inactive, ids.no_transcripts):
        row = prov.find_session(session_id)
        listed = next(r for r in prov.search(str(session_id)).rows if r.session_id == session_id)
        assert row == listed
    assert prov.find_session(ids.good).guid_status is GuidStatus.ACTIVE  # type: ignore[union-attr]
    assert prov.find_session(ids.good).canvas_session_id == issued.canvas_session_id  # type: ignore[union-attr]
    assert prov.find_session(ids.missing) is None
    for bad in ("", "abc", "0", str(2**31)):
        with pytest.raises(InputError):
            prov.find_session(bad)


def test_each_word_must_match_in_any_of_the_names(prov: Provisioner, env: Env) -> None:
    """`concept taqwa` finds "The concept of Taqwa": words, not one phrase, in any order, each
    in the name, album, category or speaker — in the service, the CLI and both backends."""
    from tests.support.cli_run import hostprov

    added = add_ksession(env.settings(), "The concept of Taqwa")
    catalogue = _catalogue(env)
    row = next(r for r in catalogue if r[0] == added)
    for query in ("concept taqwa", "TAQWA Concept", "taqwa  of", "of the concept taqwa"):
        found = _found(prov, query)
        assert added in found, query
        assert found == _expected(catalogue, query), query
    album_word = (row[2] or "").split()[0]  # a word of the name and one of its album
    assert added in _found(prov, f"taqwa {album_word}")
    assert _found(prov, "concept taqwa zzqx") == []
    assert _found(prov, "concept of Taqwa") == _expected(catalogue, "concept of Taqwa")
    run = hostprov(env, "sessions", "concept", "taqwa", "--json", "--limit", "500")
    assert run.code == 0, run.output
    assert added in [r["session_id"] for r in run.json()["rows"]]
    quoted = hostprov(env, "sessions", "concept taqwa", "--json", "--limit", "500")
    assert quoted.json()["rows"] == run.json()["rows"]
