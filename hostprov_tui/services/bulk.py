"""Issue Host GUIDs for many KSESSIONS IDs at once: per-ID results, fast, still fail-closed.

Every ID gets the check lines and the writes of ``issuance.issue``. What changes is how they are
grouped: IDs go in chunks, each chunk in ONE transaction with a fixed number of statements
(bulk_chunk.py: one query per kind for the whole chunk, no N+1), and the chunk's audit records
go to the audit file kept open for the chunk (flushed per record) and are fsynced once, BEFORE
the commit. So every committed issuance has its audit record on disk, and an audit file that
cannot be written rolls the chunk back (fail closed), at two fsyncs per chunk instead of two per
ID.

A refusal (unknown ID, no transcripts) writes nothing, so it does not disturb its chunk. Any other
failure inside a chunk (a database error, a lock, the audit file) rolls the whole chunk back and
its IDs are retried one by one through the ordinary single issuance, so one bad ID costs only
itself. GUIDs of a chunk are handed out (``on_result``) only after its commit.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import (
    REFUSED_EXIT_CODES,
    AuditUnavailable,
    DatabaseUnavailable,
    HostprovError,
    InputError,
)
from hostprov_tui.services import checks, issuance
from hostprov_tui.services.checks import CheckLine
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.generations import Generation
from hostprov_tui.services.inputs import Target, parse_ksessions_id
from hostprov_tui.services.issuance import IssueOptions
from hostprov_tui.services.results import Issued, Plan

#: IDs per transaction: large enough that the two fsyncs per chunk vanish, small enough that a
#: chunk holds the write lock for a fraction of a second.
CHUNK_SIZE = 200
#: Exit codes from most to least severe: unreachable/schema, anything else, guard, refused, input.
SEVERITY = (3, 1, 5, 4, 2)

#: Failures every later ID would meet as well (and wait for: connect timeouts): the batch reports
#: the rest instead of trying them. Anything else is tried ID by ID.
STOPPERS = (DatabaseUnavailable, AuditUnavailable)

Status = Literal["ok", "failed", "skipped"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BulkItem:
    """The outcome for one line of input (or one ID)."""

    line: int  # 1-based position in the input
    text: str  # the input as given
    ksessions_id: int | None
    status: Status
    action: Literal["created", "rotated"] | None = None
    canvas_session_id: int | None = None
    host_session_id: int | None = None
    #: the credential issued (GUID or tokens): only in the caller's output, never logged
    issued: Issued | None = field(default=None, repr=False)
    error_code: str | None = None
    message: str | None = None
    hint: str | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def outcome(self) -> str:
        """created | rotated | refused | failed | skipped."""
        if self.ok:
            return self.action or "issued"
        if self.status == "skipped":
            return "skipped"
        return "refused" if self.exit_code in REFUSED_EXIT_CODES else "failed"

    def to_json(self) -> dict[str, object]:
        """The item for ``--json``: its fields, with the credential's own (GUID or tokens)."""
        data = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "issued"}
        if self.issued is not None:
            data.update({k: v for k, v in self.issued.document().items() if k not in data})
        else:
            data["guid"] = None
        return data

    @property
    def guid(self) -> str | None:
        """The Host GUID issued (guid generation), else None."""
        return getattr(self.issued, "guid", None)

    def csv_row(self) -> tuple[object, ...]:
        """This item's row of the bulk CSV (the columns of its result's generation)."""
        assert self.issued is not None
        return self.issued.csv_row()


@dataclass(frozen=True)
class BulkResult:
    items: tuple[BulkItem, ...]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for i in self.items if i.status == status)

    def outcomes(self) -> Counter[str]:
        """How many items were created, rotated, refused, failed, skipped."""
        return Counter(i.outcome for i in self.items)

    @property
    def ok(self) -> bool:
        return all(i.status != "failed" for i in self.items)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, else the code of the most severe failure class."""
        codes = {i.exit_code for i in self.items if i.status == "failed"}
        if not codes:
            return 0
        return min(codes, key=SEVERITY.index)  # every HostprovError code is in SEVERITY

    def summary(self) -> str:
        outcomes = self.outcomes()
        created, rotated = outcomes["created"], outcomes["rotated"]
        failed = [i for i in self.items if i.status == "failed"]
        text = (
            f"Issued {created + rotated} of {len(self.items)} (created {created}, rotated "
            f"{rotated}); {len(failed)} failed"
        )
        if failed:
            by_code: dict[str, int] = {}
            for item in failed:
                by_code[item.error_code or "error"] = by_code.get(item.error_code or "error", 0) + 1
            text += " (" + ", ".join(f"{n} {code}" for code, n in sorted(by_code.items())) + ")"
        skipped = self.count("skipped")
        if skipped:
            text += f"; {skipped} duplicate lines skipped"
        return text + f"; {self.seconds:.1f} s."


@dataclass
class _Entry:
    line: int
    text: str
    ksessions_id: int


def parse_lines(ids: Iterable[int | str]) -> tuple[list[_Entry], list[BulkItem]]:
    """IDs to issue, and the lines that are not IDs. Blank lines and ``#`` comments are ignored;
    an ID listed twice is issued once (a second issuance would rotate the first GUID away)."""
    entries: list[_Entry] = []
    bad: list[BulkItem] = []
    first_line: dict[int, int] = {}
    for number, raw in enumerate(ids, start=1):
        text = raw if isinstance(raw, int) else raw.split("#", 1)[0].strip()
        if text == "":
            continue
        shown = str(raw).strip()
        try:
            ks_id = parse_ksessions_id(text)
        except InputError as exc:
            bad.append(_failed(number, shown, None, exc))
            continue
        if ks_id in first_line:
            note = f"Listed before on line {first_line[ks_id]}; handled there."
            bad.append(BulkItem(number, shown, ks_id, "skipped", message=note))
            continue
        first_line[ks_id] = number
        entries.append(_Entry(number, shown, ks_id))
    return entries, bad


def issue_many(
    ctx: ServiceContext,
    ids: Iterable[int | str],
    opts: IssueOptions,
    progress: Progress | None = None,
    *,
    on_result: Callable[[list[BulkItem]], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BulkResult:
    """Issue (or rotate) for every ID; never stops at a failed one.

    ``ids`` are KSESSIONS IDs or raw lines of an ID file. ``progress(done, total)`` is called as
    lines are settled; ``on_result(items)`` receives each settled group (GUIDs only after their
    commit), so a caller can save GUIDs as they come.
    """
    started = time.perf_counter()
    entries, settled = parse_lines(ids)
    total = len(entries) + len(settled)
    done = len(settled)
    if settled and on_result is not None:
        on_result(list(settled))
    if progress is not None:
        progress(done, total)
    results: list[BulkItem] = list(settled)
    stopper: list[HostprovError] = []  # a failure every later ID would meet too
    preamble: list[CheckLine] = []  # the guard and the secret: the same for every ID
    allowed = False
    try:
        generation = ctx.generation()
    except HostprovError as exc:  # unreachable, or a schema of neither generation: no ID goes
        stopper.append(exc)
    else:
        allowed = issuance.preamble(ctx, generation, ctx.databases(), opts, preamble)
    for start in range(0, len(entries), max(1, chunk_size)):
        chunk = entries[start:start + max(1, chunk_size)]
        if stopper and not start:
            items = [_failed(e.line, e.text, e.ksessions_id, stopper[0]) for e in chunk]
            _audit_stopped(ctx, items)
        elif stopper:
            items = [_not_tried(e, stopper[0]) for e in chunk]
        elif not allowed:  # refused before any database is read
            items = _refuse_all(ctx, chunk, preamble)
        else:
            items = _issue_chunk(ctx, chunk, opts, stopper, preamble, generation)
        results.extend(items)
        if on_result is not None:
            on_result(items)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    results.sort(key=lambda i: i.line)
    return BulkResult(tuple(results), round(time.perf_counter() - started, 3))


def _refused(ctx: ServiceContext, entry: _Entry, plan: Plan) -> BulkItem:
    err = checks.refusal(plan)
    issuance.audit_failure(ctx, "issue", Target(ksessions_id=entry.ksessions_id), err, plan)
    return _failed(entry.line, entry.text, entry.ksessions_id, err)


def _refuse_all(
    ctx: ServiceContext, chunk: list[_Entry], preamble: list[CheckLine]
) -> list[BulkItem]:
    with ctx.audit.batch() as sync:
        items = [_refused(ctx, e, Plan(tuple(preamble), ksessions_id=e.ksessions_id))
                 for e in chunk]
        sync()
    return items


def _issue_chunk(
    ctx: ServiceContext, chunk: list[_Entry], opts: IssueOptions, stopper: list[HostprovError],
    preamble: list[CheckLine], generation: Generation,
) -> list[BulkItem]:
    """One transaction for the chunk; on trouble, roll back and retry its IDs one by one.

    A failure that every later ID would meet too (database unreachable, audit file unwritable)
    lands in ``stopper``: the remaining IDs are then reported, not tried.
    """
    dbs = ctx.databases()
    items: dict[int, BulkItem] = {}
    audited: list[Issued] = []
    started = False  # the chunk's transaction began (before: nothing was tried yet)
    try:
        with ctx.audit.batch() as sync, dbs.write_connections() as (canvas_conn, ks_conn), \
                canvas_conn.begin():
            started = True
            now = utcnow()
            decisions = generation.decide(
                ctx, canvas_conn, ks_conn, [e.ksessions_id for e in chunk], preamble, opts, now,
            )
            entry_of = {e.ksessions_id: e for e in chunk}
            for d in decisions:
                if not d.ok:
                    entry = entry_of[d.ksessions_id]  # type: ignore[index]
                    items[entry.line] = _refused(ctx, entry, d.plan(generation.name))
            for result in generation.write(ctx, canvas_conn, decisions, opts, now):
                issuance.audit_issued(ctx, result, opts, bulk=True)
                audited.append(result)
                entry = entry_of[result.ksessions_id]  # type: ignore[index]
                items[entry.line] = _issued(entry, result)
            sync()  # the chunk's audit records reach the disk before its commit
    except (HostprovError, DBAPIError) as caught:
        exc = caught if isinstance(caught, HostprovError) else translate_db_error(
            caught, dbs.canvas.target
        )
        if not started and isinstance(exc, STOPPERS):  # no ID alone would get further
            stopper.append(exc)
            return [_failed(e.line, e.text, e.ksessions_id, exc) for e in chunk]
        reason = exc.message
        for result in audited:  # their "ok" records describe writes that were rolled back
            ctx.audit.record(
                "issue", "failed", ksessions_id=result.ksessions_id,
                canvas_session_id=result.canvas_session_id, reason="bulk_chunk_rolled_back",
                message=f"rolled back with its bulk chunk ({reason}); retried alone",
            )
        refused = {line: item for line, item in items.items() if not item.ok}
        retried: list[BulkItem] = []
        for entry in chunk:
            if entry.line in refused:
                retried.append(refused[entry.line])
            elif stopper:
                retried.append(_not_tried(entry, stopper[0]))
            else:
                retried.append(_issue_alone(ctx, entry, opts, stopper))
        return retried
    return [items[e.line] for e in chunk]


def _issue_alone(
    ctx: ServiceContext, entry: _Entry, opts: IssueOptions, stopper: list[HostprovError]
) -> BulkItem:
    try:
        result = issuance.issue(ctx, Target(ksessions_id=entry.ksessions_id), opts)
    except HostprovError as exc:
        if isinstance(exc, STOPPERS):
            stopper.append(exc)
        return _failed(entry.line, entry.text, entry.ksessions_id, exc)
    return _issued(entry, result)


def _audit_stopped(ctx: ServiceContext, items: list[BulkItem]) -> None:
    with ctx.audit.batch() as sync:
        for item in items:
            ctx.audit.record("issue", "failed", ksessions_id=item.ksessions_id,
                             reason=item.error_code, message=item.message or "")
        sync()


def _not_tried(entry: _Entry, cause: HostprovError) -> BulkItem:
    item = _failed(entry.line, entry.text, entry.ksessions_id, cause)
    return replace(item, message=f"Not tried: {cause.message}")


def _issued(entry: _Entry, result: Issued) -> BulkItem:
    return BulkItem(
        entry.line, entry.text, entry.ksessions_id, "ok", action=result.action,
        canvas_session_id=result.canvas_session_id, host_session_id=result.host_session_id,
        issued=result,
    )


def _failed(line: int, text: str, ks_id: int | None, exc: HostprovError) -> BulkItem:
    return BulkItem(
        line, text, ks_id, "failed", error_code=exc.code, message=exc.message, hint=exc.hint,
        exit_code=exc.exit_code,
    )
