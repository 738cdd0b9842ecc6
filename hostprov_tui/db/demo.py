"""Deterministic demo content for an empty KSESSIONS database (bulk inserts, one transaction)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db import demo_words as words
from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.ksessions_models import Category, Group, KSession, SessionTranscript, Speaker
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
    """Fill an empty catalogue with ``sessions`` sessions; ``replace`` empties it first."""
    started = time.perf_counter()
    rng = random.Random(seed)
    plan = _Plan.build(rng, sessions)
    try:
        with handle.engine.begin() as conn:
            existing = conn.execute(select(func.count()).select_from(KSession)).scalar_one()
            if existing and not replace:
                raise ValidationRefused(
                    f"KSESSIONS already holds {existing} sessions; the demo only fills an empty "
                    "catalogue.",
                    hint="Add --replace to throw the demo catalogue away and build it again.",
                )
            if existing:
                for model in (SessionTranscript, KSession, Category, Group, Speaker):
                    conn.execute(delete(model))
            conn.execute(insert(Speaker), plan.speakers)
            conn.execute(insert(Group), plan.albums)
            conn.execute(insert(Category), plan.categories)
            session_rows = plan.session_rows(rng)
            for batch in _batches(session_rows):
                conn.execute(insert(KSession), batch)
            count = 0
            for batch in _batches(plan.transcript_rows(rng)):
                conn.execute(insert(SessionTranscript), batch)
                count += len(batch)
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None
    return DemoResult(
        len(plan.speakers), len(plan.albums), len(plan.categories), sessions, count,
        round(time.perf_counter() - started, 3),
    )


def _batches(rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Iterator[list[dict]]:
    batch: list[dict[str, Any]] = []
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

    def session_rows(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        n_albums = len(self.albums)
        for i in range(self.n_sessions):
            sid = i + 1
            album = self.albums[i % n_albums]
            category_id = (album["GroupID"] - 1) * 4 + (i // n_albums) % 4 + 1
            word = words.WORDS[rng.randrange(len(words.WORDS))]
            stem = words.SESSION_STEMS[rng.randrange(len(words.SESSION_STEMS))]
            date = _EPOCH + timedelta(days=i // 3, hours=rng.randint(0, 3))
            yield {
                "SessionID": sid, "GroupID": album["GroupID"], "Sequence": i // n_albums + 1,
                "CategoryID": category_id, "SessionName": stem.format(w=word),
                "Description": f"Session {i // n_albums + 1} of {album['GroupName']}: "
                f"{stem.format(w=word).lower()}.",
                "SessionDate": date, "MediaPath": f"/media/{album['GroupID']}/{sid}.mp3",
                "SpeakerID": album["SpeakerID"] if rng.random() < 0.8
                else rng.randint(1, len(self.speakers)),
                "DeliveryRating": rng.randint(1, 5), "CreatedDate": date, "ChangedDate": None,
                "IsActive": rng.random() >= _INACTIVE, "ImageCount": 0,
                "ImagesFolderPath": None, "ImagesProcessedDate": None,
            }

    def transcript_rows(self, rng: random.Random) -> Iterator[dict[str, Any]]:
        sentences = words.TRANSCRIPT_SENTENCES
        paragraphs = [
            " ".join(rng.sample(sentences, 3)) for _ in range(256)
        ]
        tid = 0
        for i, count in enumerate(self.transcript_counts):
            created = _EPOCH + timedelta(days=i // 3)
            for k in range(count):
                tid += 1
                yield {
                    "TranscriptID": tid, "SessionID": i + 1,
                    "Transcript": f"Part {k + 1}. {paragraphs[(tid * 31) % 256]}",
                    "CreatedDate": created, "ChangedDate": None,
                }
