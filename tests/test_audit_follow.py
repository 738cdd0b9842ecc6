"""Following the audit file: only new bytes are read; partial last lines, truncation, rotation and
a missing file are handled; records from another process arrive; each record is shown once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from hostprov_tui.services.audit import AuditLog, AuditRecord, resolve_pending
from hostprov_tui.services.audit_follow import (
    BLOCK,
    HEAD_BYTES,
    AuditFollower,
    FollowBatch,
    FollowThread,
    RecordMerger,
    parse_line,
)


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.jsonl", operator="tester", environment="development")
    yield audit
    audit.close()


def _line(record: AuditRecord) -> bytes:
    return (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode()


def _messages(batch: FollowBatch) -> list[str]:
    return [r.message for r in batch.records]


def test_poll_reads_only_what_was_appended(log: AuditLog) -> None:
    with log.batch() as sync:  # one open file and one fsync for the lot
        for i in range(1000):
            log.record("check", "ok", message=f"old {i} " + "." * 200)
        sync()
    follower = AuditFollower(log.path)
    assert [r.message[:8] for r in follower.tail(3)] == ["old 997 ", "old 998 ", "old 999 "]
    assert follower.bytes_read < 2 * BLOCK + HEAD_BYTES < log.path.stat().st_size
    assert follower.poll() == FollowBatch()
    before = follower.bytes_read
    new = log.record("issue", "ok", ksessions_id=7, message="new")
    batch = follower.poll()
    assert batch.records == (new,) and not batch.restarted
    assert follower.bytes_read - before <= len(_line(new)) + HEAD_BYTES
    assert follower.poll() == FollowBatch()


def test_tail_matches_the_whole_file_reader(log: AuditLog) -> None:
    with log.batch() as sync:
        for i in range(300):
            log.record("check", "ok", message=f"r{i}" * (i % 7))
        sync()
    whole = resolve_pending([AuditRecord(**json.loads(line)) for line in
                             log.path.read_text(encoding="utf-8").splitlines()])
    assert AuditFollower(log.path).tail(120) == whole[-120:] == log.tail(120)
    assert AuditFollower(log.path).tail(1000) == whole == log.tail(1000)
    assert AuditFollower(log.path).tail(0) == []


def test_a_partial_last_line_waits_for_its_newline(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    first = log.record("check", "ok", message="first")
    line = _line(AuditRecord("2030-01-01T00:00:00.000+00:00", "other", "development",
                             "issue", "ok", ksessions_id=3, message="halfway"))
    with log.path.open("ab") as handle:
        handle.write(line[:25])
    assert follower.poll().records == (first,)
    assert follower.tail(5) == [first]  # the tail too stops before the half line
    with log.path.open("ab") as handle:
        handle.write(line[25:40])
    assert follower.poll() == FollowBatch()
    with log.path.open("ab") as handle:
        handle.write(line[40:])
    assert _messages(follower.poll()) == ["halfway"]


def test_truncation_starts_again_from_the_top(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    log.record("check", "ok", message="a")
    log.record("check", "ok", message="b")
    assert _messages(follower.poll()) == ["a", "b"]
    inode = log.path.stat().st_ino
    log.path.write_bytes(b"")  # truncated in place
    log.record("check", "ok", message="after")
    assert log.path.stat().st_ino == inode
    batch = follower.poll()
    assert batch.restarted and _messages(batch) == ["after"]


def test_truncated_and_refilled_past_the_old_size_is_noticed(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    with time_machine.travel(datetime(2026, 12, 2, 7, 28, 45, 23000, tzinfo=UTC), tick=False):
        # every record in the same millisecond: the refill starts with the same time
        log.record("check", "ok", message="x")
        assert _messages(follower.poll()) == ["x"]
        with log.path.open("r+b") as handle:  # same file, cut and written again, longer now
            handle.truncate(0)
        for i in range(3):
            log.record("verify", "ok", message=f"refill {i} " + "y" * 40)
    batch = follower.poll()
    assert batch.restarted and _messages(batch) == [f"refill {i} " + "y" * 40 for i in range(3)]


def test_rotation_reads_the_new_file_from_its_start(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    log.record("check", "ok", message="before")
    assert _messages(follower.poll()) == ["before"]
    log.path.rename(log.path.with_suffix(".jsonl.1"))
    assert follower.poll() == FollowBatch(restarted=True)  # gone for now
    assert follower.poll() == FollowBatch()
    for i in range(30):  # the new file grows past the old one's size before the next poll
        log.record("issue", "ok", ksessions_id=i, message=f"new {i}")
    assert _messages(follower.poll()) == [f"new {i}" for i in range(30)]


def test_rotation_between_two_polls_is_noticed_by_identity(log: AuditLog) -> None:
    if os.stat(log.path.parent).st_ino == 0:
        pytest.skip("no inode numbers on this file system")
    follower = AuditFollower(log.path)
    for i in range(5):
        log.record("check", "ok", message=f"old {i}")
    follower.poll()
    log.path.rename(log.path.with_suffix(".jsonl.1"))
    for i in range(8):
        log.record("issue", "ok", message=f"rotated {i}")
    batch = follower.poll()
    assert batch.restarted and _messages(batch) == [f"rotated {i}" for i in range(8)]


def test_a_file_that_does_not_exist_yet_is_read_from_its_start(tmp_path: Path) -> None:
    follower = AuditFollower(tmp_path / "later.jsonl")
    assert follower.tail(10) == [] and follower.poll() == FollowBatch()
    audit = AuditLog(tmp_path / "later.jsonl", operator="tester", environment="development")
    try:
        audit.record("check", "ok", message="first ever")
        batch = follower.poll()
        assert _messages(batch) == ["first ever"] and not batch.restarted
    finally:
        audit.close()


def test_lines_that_are_not_records_are_skipped(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    good = _line(AuditRecord("2030-01-01T00:00:00.000+00:00", "x", "development", "verify",
                             "ok", message="kept"))
    with log.path.open("ab") as handle:
        handle.write(b"not json\n\n" + b'{"time": "t", "unknown": 1}\n')
        handle.write(good[:30] + good)  # a writer died mid-line; the next record follows
    assert _messages(follower.poll()) == ["kept"]
    assert parse_line(b"   ") is None and parse_line(b"\xff\xfe") is None


# --- merging this process's records with the file's --------------------------------------------


def _rec(message: str, ms: int = 0) -> AuditRecord:
    return AuditRecord(f"2030-01-01T00:00:00.{ms:03d}+00:00", "tester", "development", "check",
                       "ok", message=message)


def test_each_record_is_shown_once_whichever_side_brings_it_first() -> None:
    merger = RecordMerger()
    assert merger.take("live", _rec("a")) and not merger.take("file", _rec("a"))
    assert merger.take("file", _rec("b")) and not merger.take("live", _rec("b"))
    assert merger.take("file", _rec("c")) and merger.take("file", _rec("c", 1))  # distinct
    assert merger.take("file", _rec("d")) and merger.take("file", _rec("d"))  # two writers
    assert not merger.take("live", _rec("d"))  # this process's is one of the two
    assert not merger.take("live", _rec("d"))  # (both, even)
    assert merger.take("live", _rec("d"))  # a third is new


def test_the_merger_forgets_old_unmatched_records() -> None:
    merger = RecordMerger(keep=10)
    for i in range(50):
        merger.take("file", _rec(f"other {i}", i))
    assert merger.take("live", _rec("other 0", 0))  # long forgotten: shown again
    assert not merger.take("live", _rec("other 49", 49))


# --- another process ---------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from hostprov_tui.services.audit import AuditLog
log = AuditLog(Path(sys.argv[1]), operator="someone-else", environment="development")
log.record("issue", "ok", ksessions_id=42, message="from another process")
log.close()
"""


def test_a_record_from_another_process_reaches_the_follow_thread(log: AuditLog) -> None:
    log.record("check", "ok", message="mine")
    follower = AuditFollower(log.path)
    follower.tail(10)
    batches: list[tuple[float, FollowBatch]] = []
    thread = FollowThread(follower, lambda b: batches.append((time.perf_counter(), b)),
                          interval=0.25).start()
    try:
        proc = subprocess.run([sys.executable, "-c", WRITER, str(log.path)], timeout=60,
                              capture_output=True, text=True, check=False,
                              cwd=Path(__file__).parent.parent)
        written = time.perf_counter()
        assert proc.returncode == 0, proc.stderr
        for _ in range(200):
            if batches:
                break
            time.sleep(0.05)
    finally:
        thread.stop()
    assert len(batches) == 1
    arrived, batch = batches[0]
    assert [(r.operator, r.message) for r in batch.records] == [
        ("someone-else", "from another process")
    ]
    print(f"record from another process reached the follower {arrived - written:.3f} s after "
          "the writer exited")


# --- an over-long line (issue 17, item 12) -----------------------------------------------------

LONG = 12 << 20  # longer than MAX_LINE, a few MAX_READ blocks


def _long_line(size: int = LONG) -> bytes:
    return b'{"time": "' + b"x" * size + b'"}\n'


def test_tail_skips_an_over_long_line_holding_a_bounded_part_of_it(log: AuditLog) -> None:
    from hostprov_tui.services.audit_follow import MAX_LINE

    log.record("check", "ok", message="before")
    with log.path.open("ab") as handle:
        handle.write(_long_line())
    for i in range(3):
        log.record("check", "ok", message=f"after {i}")
    follower = AuditFollower(log.path)
    assert [r.message for r in follower.tail(10)] == ["before", "after 0", "after 1", "after 2"]
    assert follower.skipped == 1
    assert follower.bytes_held <= MAX_LINE + BLOCK  # never the whole line at once
    assert follower.bytes_read <= log.path.stat().st_size + HEAD_BYTES  # each byte read once
    assert follower.poll() == FollowBatch()


def test_tail_of_a_file_ending_in_a_long_unfinished_line(log: AuditLog) -> None:
    log.record("check", "ok", message="last record")
    with log.path.open("ab") as handle:
        handle.write(_long_line()[:-1])  # still being written: no newline yet
    follower = AuditFollower(log.path)
    assert [r.message for r in follower.tail(5)] == ["last record"]
    assert follower.bytes_held < BLOCK  # the record, none of the long line
    log.record("check", "ok", message="next")  # ends the long line, then a record
    batches = [follower.poll() for _ in range(3)]
    assert [m for b in batches for m in _messages(b)] == ["next"]
    assert sum(b.skipped for b in batches) == 1


def test_records_after_an_over_long_line_arrive_with_the_poll_that_reaches_them(
    log: AuditLog,
) -> None:
    from hostprov_tui.services.audit_follow import MAX_LINE, MAX_SCAN

    follower = AuditFollower(log.path)
    log.record("check", "ok", message="first")
    assert _messages(follower.poll()) == ["first"]
    with log.path.open("ab") as handle:
        handle.write(_long_line())
    mine = log.record("issue", "ok", ksessions_id=7, message="after the long line")
    polls, seen = 0, []
    while not seen:
        polls += 1
        batch = follower.poll()
        seen = list(batch.records)
        assert polls < 50, "the record never arrived"
    assert seen == [mine] and batch.skipped == 1 and follower.skipped == 1
    assert polls <= 1 + LONG // MAX_SCAN  # not one MAX_READ block per poll interval
    assert follower.bytes_held <= MAX_LINE
    assert parse_line(_long_line()) is None


def test_the_follow_thread_reads_a_backlog_without_waiting_an_interval(log: AuditLog) -> None:
    follower = AuditFollower(log.path)
    follower.tail(10)
    batches: list[FollowBatch] = []
    thread = FollowThread(follower, batches.append, interval=600).start()
    try:
        with log.path.open("ab") as handle:
            for _ in range(3):
                handle.write(_long_line(5 << 20))
        log.record("check", "ok", message="behind the backlog")
        thread.wake()
        for _ in range(600):  # a hang guard: with a 600 s interval only a backlog loop passes
            if any(b.records for b in batches):
                break
            time.sleep(0.05)
    finally:
        thread.stop()
    assert [m for b in batches for m in _messages(b)] == ["behind the backlog"]
    assert sum(b.skipped for b in batches) == 3
