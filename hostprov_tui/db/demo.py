"""Deterministic demo content for an empty KSESSIONS database (bulk inserts, one transaction)."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, inspect, select
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db import demo_words as words
from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.ksessions_models import (
    KSESSIONS_SCHEMA,
    Category,
    Country,
    Group,
    KSession,
    SessionTranscript,
    Speaker,
)
from hostprov_tui.db.search_index import build_search_index, drop_search_index, forget
from hostprov_tui.errors import ValidationRefused

_EPOCH = datetime(2015, 1, 4, 18, 30)
_BATCH = 20_000
#: share of sessions with no transcript at all, and of inactive sessions
_NO_TRANSCRIPT = 0.08
_INACTIVE = 0.05


@dataclass(frozen=True)
class DemoResult:
    speakers: int
    albums: int
    categories: int
    sessions: int
    transcripts: int
    seconds: float


def fill_demo(
    handle: DatabaseHandle, sessions: int = 400, seed: int = 7, replace: bool = False
) -> DemoResult:
    """Fill an empty catalogue with ``sessions`` sessions; ``replace`` empties it first.

    The same seed gives the same catalogue on every backend. On SQLite the rows go in as tuples
    through the driver's executemany (no per-row SQLAlchemy work), a fresh file is loaded without
    a journal or fsync (a crash leaves a demo file to rebuild, nothing else), and the search
    index of the embedded demo is built at the end (db/search_index.py).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    plan = _Plan.build(rng, sessions)
    sqlite = handle.backend == "sqlite"
    stamp = _sqlite_stamp if sqlite else _same
    try:
        with handle.engine.connect() as conn:
            fast = sqlite and not replace
            if fast:
                _loading_pragmas(conn)
            try:
                with conn.begin():
                    existing = conn.execute(
                        select(func.count()).select_from(KSession)
                    ).scalar_one()
                    if existing and not replace:
                        raise ValidationRefused(
                            f"KSESSIONS already holds {existing} sessions; the demo only fills "
                            "an empty catalogue.",
                            hint="Add --replace to throw the demo catalogue away and build it "
                            "again.",
                        )
                    if sqlite:
                        drop_search_index(conn)
                    if existing:
                        for model in (SessionTranscript, KSession, Category, Group, Speaker):
                            conn.execute(delete(model))
                    for model, rows in (
                        (Speaker, plan.speakers), (Group, plan.albums),
                        (Category, plan.categories),
                    ):
                        _insert(conn, model, tuple(rows[0]), _tuples(rows, stamp), sqlite)
                    _insert(conn, KSession, _SESSION_COLUMNS, plan.session_rows(rng, stamp),
                            sqlite)
                    count = _insert(conn, SessionTranscript, _TRANSCRIPT_COLUMNS,
                                    plan.transcript_rows(rng, stamp), sqlite)
                    _countries(conn, handle)
                    if sqlite:
                        build_search_index(conn)
                    elif handle.backend == "postgresql":  # fresh statistics for the planner
                        for model in (Speaker, Group, Category, KSession, SessionTranscript):
                            table = conn.dialect.identifier_preparer.format_table(
                                model.__table__  # type: ignore[attr-defined]
                            )
                            conn.exec_driver_sql(f"ANALYZE {table}")
            finally:
                if fast:  # the pool opens a fresh connection, with the engine's own pragmas
                    conn.invalidate()
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None
    finally:
        forget(handle.base_engine)
    return DemoResult(
        len(plan.speakers), len(plan.albums), len(plan.categories), sessions, count,
        round(time.perf_counter() - started, 3),
    )


def _countries(conn: Connection, handle: DatabaseHandle) -> None:
    """dbo.Countries, where the catalogue has it (participants register with a country)."""
    if not inspect(conn).has_table("Countries", schema=handle.schema(KSESSIONS_SCHEMA)):
        return
    conn.execute(delete(Country))
    conn.execute(insert(Country), [
        {"CountryId": i, "CountryName": name, "ISO2": iso2, "ISO3": iso3, "IsActive": True,
         "IsShortListed": short}
        for i, (name, iso2, iso3, short) in enumerate(words.COUNTRIES, start=1)
    ])


def _loading_pragmas(conn: Connection) -> None:
    """No journal, no fsync, a big cache: set straight on the driver, outside any transaction
    (so no BEGIN is emitted first). The connection is thrown away after the load."""
    raw = conn.connection.driver_connection
    assert raw is not None
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-65536"):
        raw.execute(f"PRAGMA {pragma}").fetchall()


_SESSION_COLUMNS = (
    "SessionID", "GroupID", "Sequence", "CategoryID", "SessionName", "Description", "SessionDate",
    "MediaPath", "SpeakerID", "DeliveryRating", "CreatedDate", "ChangedDate", "IsActive",
    "ImageCount", "ImagesFolderPath", "ImagesProcessedDate",
)
_TRANSCRIPT_COLUMNS = ("TranscriptID", "SessionID", "Transcript", "CreatedDate", "ChangedDate")

Row = tuple[Any, ...]
Stamp = Callable[[datetime], Any]


def _same(moment: datetime) -> datetime:
    return moment


@functools.lru_cache(maxsize=65536)
def _sqlite_stamp(moment: datetime) -> str:
    """A datetime exactly as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _tuples(rows: list[dict[str, Any]], stamp: Stamp) -> Iterator[Row]:
    for row in rows:
        yield tuple(stamp(v) if isinstance(v, datetime) else v for v in row.values())


def _insert(
    conn: Connection, model: type, columns: tuple[str, ...], rows: Iterable[Row], sqlite: bool
) -> int:
    """Insert ``rows`` in batches; returns how many."""
    table = model.__table__  # type: ignore[attr-defined]
    count = 0
    if sqlite:  # the schema is the file: plain table names
        sql = (
            f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        for batch in _batches(rows):
            conn.exec_driver_sql(sql, batch)
            count += len(batch)
        return count
    for batch in _batches(rows):
        conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in batch])
        count += len(batch)
    return count


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Plan:
    n_sessions: int
    speakers: list[dict[str, Any]]
    albums: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    transcript_counts: list[int]

    @classmethod
    def build(cls, rng: random.Random, n_sessions: int) -> _Plan:
        n_speakers = max(6, min(len(words.SPEAKERS), 6 + n_sessions // 100))
        speakers = [
            {"SpeakerID": i + 1, "SpeakerName": words.SPEAKERS[i]} for i in range(n_speakers)
        ]
        n_albums = max(8, n_sessions // 40)
        albums = []
        for i in range(n_albums):
            topic = words.ALBUM_TOPICS[i % len(words.ALBUM_TOPICS)]
            cycle = i // len(words.ALBUM_TOPICS)
            name = topic if cycle == 0 else f"{topic} ({2015 + cycle % 10}, series {cycle + 1})"
            created = _EPOCH + timedelta(days=7 * i)
            albums.append({
                "GroupID": i + 1, "GroupName": name,
                "GroupImage": f"/images/albums/{i + 1}.jpg",
                "GroupDescription": f"A study circle on {topic.lower()}.",
                "Syllabus": None, "SpeakerID": rng.randint(1, n_speakers),
                "IsCompleted": i % 3 == 0, "IsActive": i % 11 != 10,
                "CreatedDate": created, "ChangedDate": created,
            })
        categories = []
        for album in albums:
            for j in range(4):
                cid = len(categories) + 1
                categories.append({
                    "CategoryID": cid,
                    "CategoryName": words.CATEGORY_NAMES[(album["GroupID"] + j) % 10],
                    "GroupID": album["GroupID"], "IsActive": True,
                    "CreatedDate": album["CreatedDate"], "ChangedDate": None, "SortOrder": j + 1,
                })
        counts = [
            0 if rng.random() < _NO_TRANSCRIPT else rng.randint(1, 19) for _ in range(n_sessions)
        ]
        return cls(n_sessions, speakers, albums, categories, counts)

    def session_rows(self, rng: random.Random, stamp: Stamp) -> Iterator[Row]:
        n_albums = len(self.albums)
        n_speakers = len(self.speakers)
        randrange, randint, rand = rng.randrange, rng.randint, rng.random
        word_list, stems = words.WORDS, words.SESSION_STEMS
        for i in range(self.n_sessions):
            sid = i + 1
            album = self.albums[i % n_albums]
            group_id = album["GroupID"]
            sequence = i // n_albums + 1
            word = word_list[randrange(len(word_list))]
            stem = stems[randrange(len(stems))]
            name = stem.format(w=word)
            date = stamp(_EPOCH + timedelta(days=i // 3, hours=randint(0, 3)))
            speaker = album["SpeakerID"] if rand() < 0.8 else randint(1, n_speakers)
            yield (
                sid, group_id, sequence, (group_id - 1) * 4 + (i // n_albums) % 4 + 1, name,
                f"Session {sequence} of {album['GroupName']}: {name.lower()}.", date,
                f"/media/{group_id}/{sid}.mp3", speaker, randint(1, 5), date, None,
                rand() >= _INACTIVE, 0, None, None,
            )

    def transcript_rows(self, rng: random.Random, stamp: Stamp) -> Iterator[Row]:
        sentences = words.TRANSCRIPT_SENTENCES
        paragraphs = [" ".join(rng.sample(sentences, 3)) for _ in range(256)]
        parts = [[f"Part {k + 1}. {p}" for p in paragraphs] for k in range(20)]
        tid = 0
        for i, count in enumerate(self.transcript_counts):
            created = stamp(_EPOCH + timedelta(days=i // 3))
            sid = i + 1
            for k in range(count):
                tid += 1
                yield (tid, sid, parts[k][(tid * 31) % 256], created, None)
