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
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from hostprov_tui.config.private_file import link_sentence, make_private_folder, open_private
from hostprov_tui.errors import REFUSED_EXIT_CODES, AuditUnavailable, HostprovError
from hostprov_tui.services.audit_sinks import LoguruSinks
from hostprov_tui.services.display_text import printable

_GUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_LEVEL_BY_OUTCOME = {"ok": "INFO", "refused": "WARNING", "failed": "ERROR", "dry-run": "INFO",
                     "pending": "INFO", "unknown": "WARNING", "not-shown": "WARNING"}
#: json.dumps(record, ensure_ascii=False), without building an encoder per record
_to_json = json.JSONEncoder(ensure_ascii=False).encode
PENDING = "pending"
UNKNOWN = "unknown"
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


#: The example the input sentences give (services/inputs.py): public, so it stays readable.
EXAMPLE_GUID = "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"
#: The example alone (not part of a longer run of letters and digits, which may be a GUID typed).
_EXAMPLE = re.compile(rf"(?<![0-9A-Za-z]){re.escape(EXAMPLE_GUID)}(?![0-9A-Za-z])",
                      re.IGNORECASE)


def scrub(text: str | None) -> str | None:
    """Replace anything shaped like a GUID with a marker — and anything close to one: a GUID
    with a character dropped or changed, en dashes or spaces for its hyphens, still gives away
    most of its digits (see :func:`_near_guids`). The documented example GUID stays readable."""
    if not text or text in _CLEAN:
        return text
    parts = _EXAMPLE.split(text)
    scrubbed = EXAMPLE_GUID.join(_near_guids(_GUID.sub("[guid]", part)) for part in parts)
    if scrubbed == text and len(text) <= _CLEAN_MAX_CHARS:  # nothing GUID-like: remembered
        if len(_CLEAN) >= _CLEAN_MAX:
            _CLEAN.clear()
        _CLEAN.add(text)
    return scrubbed


#: Texts scrub() left as they were (a bulk run's records repeat the same few): only those, so
#: nothing GUID-like is kept; bounded in number and length.
_CLEAN: set[str] = set()
_CLEAN_MAX, _CLEAN_MAX_CHARS = 256, 1000


_HEX = frozenset("0123456789abcdefABCDEF")
#: Words joined by at most two separators a GUID may be typed with (hyphen-likes, spaces, _).
_RUN = re.compile(r"[0-9A-Za-z]+(?:[\s\-\u2010-\u2015\u2212_{}]{1,2}[0-9A-Za-z]+)*")
_WORD = re.compile(r"[0-9A-Za-z]+")
#: A near-GUID: consecutive mostly-hex words holding this many hex digits, some of them digits.
_NEAR_HEX_DIGITS = 16
_NEAR_DECIMALS = 4


def _near_guids(text: str) -> str:
    return _RUN.sub(_scrub_run, text)


def _mostly_hex(word: str) -> bool:
    return sum(c in _HEX for c in word) * 4 >= len(word) * 3


def _scrub_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if sum(c in _HEX for c in run) < _NEAR_HEX_DIGITS:
        return run
    words = list(_WORD.finditer(run))
    spans: list[tuple[int, int]] = []
    group: list[re.Match[str]] = []
    for word in [*words, None]:
        if word is not None and _mostly_hex(word.group(0)):
            group.append(word)
            continue
        joined = "".join(w.group(0) for w in group)
        if sum(c in _HEX for c in joined) >= _NEAR_HEX_DIGITS and \
                sum(c.isdigit() for c in joined) >= _NEAR_DECIMALS and \
                any(c in "abcdefABCDEF" for c in joined):  # a long ID is a number, no GUID
            spans.append((group[0].start(), group[-1].end()))
        group = []
    for start, end in reversed(spans):
        run = run[:start] + "[guid]" + run[end:]
    return run


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

    def _open(self) -> TextIO:
        make_private_folder(self.path.parent)
        fd = open_private(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, "audit path",
                          AuditUnavailable)
        return os.fdopen(fd, "a", encoding="utf-8")

    def _unavailable(self, exc: Exception) -> AuditUnavailable:
        return AuditUnavailable(
            f"The audit file {self.path} cannot be written "
            f"({getattr(exc, 'strerror', None) or type(exc).__name__}), so nothing "
            "was changed.",
            hint="Fix the audit path or its permissions ([audit] path), then try again.",
        )

    def _write_file(self, message: Any) -> None:
        extra = message.record["extra"]
        self._write_line(extra["audit"], bool(extra.get("audit_required")))

    def _write_line(self, audit: dict[str, Any], required: bool) -> None:
        line = _to_json(audit) + "\n"
        batch: TextIO | None = getattr(self._batch, "handle", None)
        try:
            with self._file_lock:
                if batch is not None:
                    batch.write(line)  # durable at the batch's next sync()
                    batch.flush()
                    return
                with self._open() as handle:
                    handle.write(line)
                    handle.flush()
                    os.fsync(handle.fileno())
        except (OSError, UnicodeError, ValueError) as exc:
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
        """Many records from this thread: the file stays open and each record is flushed; the
        ``sync()`` it yields makes them durable (call it before committing what they describe).

        Records from other threads keep their own open-write-fsync. A failed open or sync raises
        AuditUnavailable, so the caller can roll back (fail closed).
        """
        try:
            handle = self._open()
        except OSError as exc:
            raise self._unavailable(exc) from None

        def sync() -> None:
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise self._unavailable(exc) from None

        self._batch.handle = handle
        try:
            yield sync
        finally:
            self._batch.handle = None
            with contextlib.suppress(OSError):
                handle.flush()
                os.fsync(handle.fileno())
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
            time=datetime.now(UTC).isoformat(timespec="milliseconds"),
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
        try:
            if self._file_only(outcome):
                self._write_line(dict(vars(rec)), required)
            else:
                self._sinks.bound().bind(audit=dict(vars(rec)), audit_required=required,
                                         audit_echo=echo).log(
                    rec.level, printable(rec.line())  # stderr: free text cannot start a line
                )
        except AuditUnavailable:
            if required:
                raise
        return rec

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
            message=message, required=True, ref=os.urandom(8).hex(),  # 16 hex digits
        )

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
