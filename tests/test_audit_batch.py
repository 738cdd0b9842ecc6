"""The audit records of a bulk chunk: written together, in a batch kept until its sync.

``pending_many`` and ``settle_many`` write what ``pending`` and ``settle`` write, record for
record; a batch keeps its records and appends them (whole lines) at ``sync()`` and at its end;
records of other threads meanwhile go to the file at once, never inside another line; a record
that cannot be encoded costs only itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.errors import AuditUnavailable
from hostprov_tui.services.audit import AuditLog, AuditRecord, Change

CHANGES = [Change("issue", 10 + i, 20 + i, 30 + i, f"HaSh{i}xyzAbcdef", "created by t (bulk)")
           for i in range(5)]


@pytest.fixture
def log(tmp_path: Path) -> Iterator[AuditLog]:
    audit = AuditLog(tmp_path / "audit.jsonl", operator="tester", environment="development")
    yield audit
    audit.close()


def _lines(log: AuditLog) -> list[dict[str, Any]]:
    if not log.path.exists():
        return []
    return [json.loads(line) for line in log.path.read_text(encoding="utf-8").splitlines()]


def _without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


def test_many_write_what_one_by_one_writes(log: AuditLog, tmp_path: Path) -> None:
    other = AuditLog(tmp_path / "other.jsonl", operator="tester", environment="development")
    try:
        pending = log.pending_many(CHANGES, reason="class")
        log.settle_many(pending, "ok")
        log.settle_many(pending[:2], "failed", reason="bulk_chunk_rolled_back", note="why")
        singles = [other.pending(c.action, ksessions_id=c.ksessions_id,
                                 canvas_session_id=c.canvas_session_id,
                                 host_session_id=c.host_session_id, hash_prefix=c.hash_prefix,
                                 reason="class", message=c.message) for c in CHANGES]
        for rec in singles:
            other.settle(rec, "ok")
        for rec in singles[:2]:
            other.settle(rec, "failed", reason="bulk_chunk_rolled_back",
                         message=f"{rec.message}; why")
        many, one = _lines(log), _lines(other)
    finally:
        other.close()
    assert [_without(r, "time", "ref") for r in many] == [_without(r, "time", "ref") for r in one]
    assert [AuditRecord(**r) for r in many[:5]] == pending
    refs = [r["ref"] for r in many[:5]]
    assert len(set(refs)) == 5 and all(len(ref) == 16 for ref in refs)
    assert [r["ref"] for r in many[5:10]] == refs and [r["ref"] for r in many[10:]] == refs[:2]
    assert {r["hash_prefix"] for r in many} == {f"HaSh{i}xyz" for i in range(5)}
    assert many[10]["message"] == "created by t (bulk); why"


def test_a_batch_appends_its_records_at_sync_and_at_its_end(log: AuditLog) -> None:
    with log.batch() as sync:
        pending = log.pending_many(CHANGES)
        log.record("issue", "refused", ksessions_id=1, reason="no_transcripts", echo=False)
        assert _lines(log) == []  # kept until the sync
        sync()
        assert [r["outcome"] for r in _lines(log)] == ["pending"] * 5 + ["refused"]
        log.settle_many(pending, "ok")
        assert len(_lines(log)) == 6
    assert [r["outcome"] for r in _lines(log)][6:] == ["ok"] * 5  # written as the batch ended


def test_records_of_other_threads_go_straight_to_the_file_in_whole_lines(
    log: AuditLog,
) -> None:
    with log.batch() as sync:
        log.pending_many(CHANGES)
        other = threading.Thread(target=lambda: log.record("check", "ok", message="elsewhere"))
        other.start()
        other.join()
        assert [r["action"] for r in _lines(log)] == ["check"]  # at once, not in the batch
        sync()
    assert [r["action"] for r in _lines(log)] == ["check"] + ["issue"] * 5


def test_a_record_that_cannot_be_encoded_costs_only_itself(log: AuditLog) -> None:
    with log.batch() as sync:
        log.record("check", "ok", message="before")
        log.record("check", "ok", message="lone \ud800 surrogate")  # not required: left out
        with pytest.raises(AuditUnavailable):
            log.pending_many([CHANGES[0]._replace(message="lone \udfff")])
        log.pending_many(CHANGES[1:2])
        sync()
    assert [(r["outcome"], r["message"]) for r in _lines(log)] == [
        ("ok", "before"), ("pending", "created by t (bulk)")]


def test_a_sync_that_fails_raises_and_writes_nothing_twice(
    log: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    real_fsync = os.fsync
    with log.batch() as sync:
        log.pending_many(CHANGES[:2])
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "EIO")))
        with pytest.raises(AuditUnavailable):
            sync()
        monkeypatch.setattr(os, "fsync", real_fsync)
        log.pending_many(CHANGES[2:3])
    assert [r["ksessions_id"] for r in _lines(log)] == [10, 11, 12]
