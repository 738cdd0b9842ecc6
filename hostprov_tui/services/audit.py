"""The audit trail: structured loguru records to a JSON-lines file, stderr and the TUI panel.

Never a GUID, never a password: the API takes no GUID, and anything GUID-shaped in free text is
scrubbed. A record marked ``required`` that cannot reach the file raises AuditUnavailable, so the
caller can roll back (fail closed).

A change is recorded twice: a "pending" record before its commit (required: no record, no
commit) and its outcome after — "ok" once the commit returned, "failed" when the database
refused it, "unknown" when the connection broke during it (services/recorded_commit.py). Both
carry the same ``ref``. So the file never claims a change the database does not hold, and a
change it holds always has a record. A pending record with no outcome (the process was killed
around its commit) reads back as "unknown — check the database". Pending records go to the file
only; stderr and the TUI see the outcome.

The file is opened with ``O_NOFOLLOW`` and is refused when it is a symbolic link (created with
mode 0600, in a 0700 folder if hostprov makes the folder).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TextIO

from hostprov_tui.config.private_file import link_sentence, make_private_folder, open_private
from hostprov_tui.errors import REFUSED_EXIT_CODES, AuditUnavailable, HostprovError
from hostprov_tui.services.audit_scrub import EXAMPLE_GUID, scrub
from hostprov_tui.services.audit_sinks import LoguruSinks
from hostprov_tui.services.display_text import printable

__all__ = ["EXAMPLE_GUID", "PENDING", "UNKNOWN", "AuditLog", "AuditRecord", "resolve_pending",
           "scrub"]
_LEVEL_BY_OUTCOME = {"ok": "INFO", "refused": "WARNING", "failed": "ERROR", "dry-run": "INFO",
                     "pending": "INFO", "unknown": "WARNING", "not-shown": "WARNING"}
#: json.dumps(record, ensure_ascii=False), without building an encoder per record
_to_json = json.JSONEncoder(ensure_ascii=False).encode
PENDING = "pending"
UNKNOWN = "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _new_ref() -> str:
    return os.urandom(8).hex()  # 16 hex digits


class Change(NamedTuple):
    """What a pending record says of one change (:meth:`AuditLog.pending_many`)."""

    action: str
    ksessions_id: int | None
    canvas_session_id: int | None
    host_session_id: int | None
    hash_prefix: str | None
    message: str


#: What a pending record with no outcome says when read back.
UNKNOWN_MESSAGE = ("unknown — check the database: the process stopped between recording this "
                   "change and learning whether its commit happened")


@dataclass(frozen=True)
class AuditRecord:
    time: str
    operator: str
    environment: str
    action: str
    outcome: str
    ksessions_id: int | None = None
    canvas_session_id: int | None = None
    host_session_id: int | None = None
    hash_prefix: str | None = None
    reason: str | None = None
    message: str = ""
    ref: str | None = None  # pairs a "pending" record with its outcome

    @property
    def level(self) -> str:
        return _LEVEL_BY_OUTCOME.get(self.outcome, "INFO")

    def ids(self, *, with_hash: bool = True) -> str:
        """``ksessions=12 canvas=3 host=5 hash=AbCd1234…`` (only the IDs the record has)."""
        parts = [
            f"{name}={value}"
            for name, value in (("ksessions", self.ksessions_id),
                                ("canvas", self.canvas_session_id),
                                ("host", self.host_session_id))
            if value is not None
        ]
        if self.hash_prefix and with_hash:
            parts.append(f"hash={self.hash_prefix}…")
        return " ".join(parts)

    def detail(self, *, with_hash: bool = True) -> str:
        """The IDs, then the message: everything after action and outcome."""
        ids = self.ids(with_hash=with_hash)
        if not self.message:
            return ids
        return f"{ids} — {self.message}" if ids else f"— {self.message}"

    def line(self) -> str:
        detail = self.detail()
        return f"{self.action} {self.outcome}" + (f" {detail}" if detail else "")


class AuditLog:
    """One audit trail bound to a file. Several can coexist (tests): each filters its own."""

    def __init__(self, path: Path, operator: str, environment: str) -> None:
        refused = link_sentence(path, "audit path")
        if refused:  # before anything is written anywhere
            raise AuditUnavailable(refused, hint="Point [audit] path at a regular file.")
        self.path = path
        self.operator = operator
        self.environment = environment
        self._channel = uuid.uuid4().hex
        self._batch = threading.local()  # .handle: this thread's open file inside batch()
        self._file_lock = threading.Lock()  # one line at a time, whichever path wrote it
        self._sinks = LoguruSinks(self._channel)  # loguru loads with the first record it takes
        self._file_sink = self._sinks.add(lambda logger: logger.add(
            self._write_file, level="DEBUG", filter=self._mine, catch=False,
            format="{message}", colorize=False))

    def _mine(self, record: Any) -> bool:
        return record["extra"].get("hostprov_audit") == self._channel

    def _mine_shown(self, record: Any) -> bool:
        """Records people watch (stderr, the TUI): outcomes, not the pending half of a change."""
        return self._mine(record) and record["extra"]["audit"]["outcome"] != PENDING

    def _echoed(self, record: Any) -> bool:
        """Records a stream echoes: those people watch, but a refusal whose sentence the caller
        prints as its error (else stderr says it twice)."""
        return self._mine_shown(record) and record["extra"].get("audit_echo", True)

    def _open(self) -> BinaryIO:
        make_private_folder(self.path.parent)
        fd = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "audit path",
                          AuditUnavailable)
        return os.fdopen(fd, "ab")

    def _unavailable(self, exc: Exception) -> AuditUnavailable:
        return AuditUnavailable(
            f"The audit file {self.path} cannot be written "
            f"({getattr(exc, 'strerror', None) or type(exc).__name__}), so nothing "
            "was changed.",
            hint="Fix the audit path or its permissions ([audit] path), then try again.",
        )

    def _write_file(self, message: Any) -> None:
        extra = message.record["extra"]
        self._write_lines((extra["audit"],), bool(extra.get("audit_required")))

    def _write_lines(self, audits: Iterable[dict[str, Any]], required: bool) -> None:
        """Records as JSON lines: kept by this thread's batch (written and made durable by its
        next ``sync()``), else appended and fsynced at once. A record that cannot be encoded
        (a lone surrogate) costs only itself: raised when ``required``, else left out."""
        lines: list[bytes] = []
        for audit in audits:
            try:
                lines.append((_to_json(audit) + "\n").encode("utf-8"))
            except UnicodeError as exc:
                if required:
                    raise self._unavailable(exc) from None
        batch: list[bytes] | None = getattr(self._batch, "lines", None)
        if batch is not None:
            batch.extend(lines)
            return
        try:
            with self._file_lock, self._open() as handle:
                handle.write(b"".join(lines))  # whole lines, appended in one write
                handle.flush()
                os.fsync(handle.fileno())
        except (OSError, ValueError) as exc:
            if required:
                raise self._unavailable(exc) from None

    def _file_only(self, outcome: str) -> bool:
        """Only the file takes this record: a pending one (streams and listeners see outcomes)
        or any when no stream or listener was added. Then it is written straight to the file,
        not formatted for loguru's sinks (a bulk run writes two records per ID)."""
        sinks = self._sinks.wanted()
        return self._file_sink in sinks and (outcome == PENDING or len(sinks) == 1)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Callable[[], None]]:
        """Many records from this thread: the file stays open and the records are kept; the
        ``sync()`` it yields appends them (whole lines, in one write) and makes them durable
        (call it before committing what they describe). Leaving the batch does the same.

        Records from other threads keep their own open-write-fsync. A failed open or sync raises
        AuditUnavailable, so the caller can roll back (fail closed).
        """
        try:
            handle = self._open()
        except OSError as exc:
            raise self._unavailable(exc) from None
        kept: list[bytes] = []

        def write() -> None:
            data = b"".join(kept)
            kept.clear()  # written or not: a record is never written twice
            with self._file_lock:
                handle.write(data)
                handle.flush()
            os.fsync(handle.fileno())

        def sync() -> None:
            try:
                write()
            except (OSError, ValueError) as exc:
                raise self._unavailable(exc) from None

        self._batch.lines = kept
        try:
            yield sync
        finally:
            self._batch.lines = None
            with contextlib.suppress(OSError, ValueError):
                write()
            with contextlib.suppress(OSError):
                handle.close()

    def record(
        self,
        action: str,
        outcome: str,
        *,
        ksessions_id: int | None = None,
        canvas_session_id: int | None = None,
        host_session_id: int | None = None,
        hash_prefix: str | None = None,
        reason: str | None = None,
        message: str = "",
        required: bool = False,
        ref: str | None = None,
        echo: bool = True,
    ) -> AuditRecord:
        """Write one record; ``required`` makes a failure raise AuditUnavailable; ``echo=False``
        keeps it off the streams (the caller raises the same sentence, which the CLI prints)."""
        rec = AuditRecord(
            time=_now(),
            operator=self.operator,
            environment=self.environment,
            action=action,
            outcome=outcome,
            ksessions_id=ksessions_id,
            canvas_session_id=canvas_session_id,
            host_session_id=host_session_id,
            hash_prefix=hash_prefix[:8] if hash_prefix else None,
            reason=scrub(reason),
            message=scrub(message) or "",
            ref=ref,
        )
        self._emit([rec], outcome, required, echo)
        return rec

    def _emit(self, records: list[AuditRecord], outcome: str, required: bool,
              echo: bool = True) -> None:
        """Records of one outcome to the file, and to the streams and listeners that take it."""
        try:
            if self._file_only(outcome):
                self._write_lines([dict(vars(rec)) for rec in records], required)
                return
            logger = self._sinks.bound()
            for rec in records:
                logger.bind(audit=dict(vars(rec)), audit_required=required,
                            audit_echo=echo).log(
                    rec.level, printable(rec.line())  # stderr: free text cannot start a line
                )
        except AuditUnavailable:
            if required:
                raise

    def pending(
        self,
        action: str,
        *,
        ksessions_id: int | None = None,
        canvas_session_id: int | None = None,
        host_session_id: int | None = None,
        hash_prefix: str | None = None,
        reason: str | None = None,
        message: str = "",
    ) -> AuditRecord:
        """The first half of a change, written before its commit (raises AuditUnavailable when
        it cannot be: then nothing may be committed). :meth:`settle` writes the second half."""
        return self.record(
            action, PENDING, ksessions_id=ksessions_id, canvas_session_id=canvas_session_id,
            host_session_id=host_session_id, hash_prefix=hash_prefix, reason=reason,
            message=message, required=True, ref=_new_ref(),
        )

    def pending_many(self, changes: Iterable[Change], reason: str | None = None
                     ) -> list[AuditRecord]:
        """:meth:`pending` for many changes at once (a bulk chunk's): one time for all of them,
        written together; raises AuditUnavailable when they cannot be."""
        now, why = _now(), scrub(reason)
        records = [
            AuditRecord(now, self.operator, self.environment, c.action, PENDING,
                        c.ksessions_id, c.canvas_session_id, c.host_session_id,
                        c.hash_prefix[:8] if c.hash_prefix else None, why,
                        scrub(c.message) or "", _new_ref())
            for c in changes
        ]
        self._emit(records, PENDING, required=True)
        return records

    def settle(
        self, pending: AuditRecord, outcome: str, *, reason: str | None = None,
        message: str | None = None,
    ) -> AuditRecord:
        """The outcome of a pending change (ok, failed, unknown): same IDs, same ``ref``."""
        return self.record(
            pending.action, outcome, ksessions_id=pending.ksessions_id,
            canvas_session_id=pending.canvas_session_id,
            host_session_id=pending.host_session_id, hash_prefix=pending.hash_prefix,
            reason=reason if reason is not None else pending.reason,
            message=message if message is not None else pending.message, ref=pending.ref,
        )

    def settle_many(
        self, pending: Sequence[AuditRecord], outcome: str, *, reason: str | None = None,
        note: str | None = None,
    ) -> None:
        """:meth:`settle` for many pending changes at once (best effort, never raises for the
        file): ``reason`` replaces theirs when given, ``note`` is added to each message."""
        if not pending:
            return
        now, why = _now(), scrub(reason)
        records = [
            AuditRecord(now, self.operator, self.environment, p.action, outcome, p.ksessions_id,
                        p.canvas_session_id, p.host_session_id, p.hash_prefix,
                        p.reason if reason is None else why,
                        scrub(f"{p.message}; {note}") or "" if note else p.message, p.ref)
            for p in pending
        ]
        self._emit(records, outcome, required=False)

    def failure(
        self,
        action: str,
        exc: HostprovError,
        *,
        ksessions_id: int | None = None,
        canvas_session_id: int | None = None,
    ) -> AuditRecord:
        """The record of an operation that did not happen: refused (bad input, a rule, the
        guard) or failed (database, audit, anything else). Never raises for the file."""
        return self.record(
            action,
            "refused" if exc.exit_code in REFUSED_EXIT_CODES else "failed",
            ksessions_id=ksessions_id,
            canvas_session_id=canvas_session_id,
            reason=exc.code,
            message=exc.message,
            echo=False,  # the caller raises exc: its sentence is printed once, as the error
        )

    def add_stream(self, stream: TextIO = sys.stderr) -> int:
        """Echo records to a stream (the CLI's stderr)."""
        return self._sinks.add(lambda logger: logger.add(
            stream, level="DEBUG", filter=self._echoed, catch=True, colorize=False,
            format="audit {time:HH:mm:ss} {level: <7} {message}"))

    def add_listener(self, callback: Callable[[AuditRecord], None]) -> int:
        """Call ``callback`` with every record (the TUI's live panel)."""

        def sink(message: Any) -> None:
            callback(AuditRecord(**message.record["extra"]["audit"]))

        return self._sinks.add(lambda logger: logger.add(
            sink, level="DEBUG", filter=self._mine_shown, catch=True, format="{message}"))

    def remove(self, sink_id: int) -> None:
        """Stop a sink given by :meth:`add_stream` or :meth:`add_listener`."""
        self._sinks.remove(sink_id)

    def tail(self, count: int = 20) -> list[AuditRecord]:
        """The last ``count`` records of the file (unreadable lines are skipped), as people
        read them: a pending record is dropped when its outcome follows, and shown as
        "unknown — check the database" when none does."""
        if count <= 0 or not self.path.exists():
            return []
        # read backwards from the end, each line held up to a bound (an over-long one is
        # skipped): the file's size or one huge line costs neither time nor memory here
        from hostprov_tui.services.audit_follow import AuditFollower

        return AuditFollower(self.path).tail(count)

    def close(self) -> None:
        self._sinks.close()


def resolve_pending(records: list[AuditRecord]) -> list[AuditRecord]:
    """``records`` in order, each pending record replaced by nothing when a later record settles
    it, else by an "unknown" record: a change nobody knows the outcome of is never shown as ok."""
    settled = {r.ref for r in records if r.ref and r.outcome != PENDING}
    shown = []
    for rec in records:
        if rec.outcome != PENDING:
            shown.append(rec)
        elif rec.ref not in settled:
            what = f" (it was: {rec.message})" if rec.message else ""
            shown.append(replace(rec, outcome=UNKNOWN, message=UNKNOWN_MESSAGE + what))
    return shown
