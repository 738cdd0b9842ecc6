"""Issue Host GUIDs for many KSESSIONS IDs at once: per-ID results, fast, still fail-closed.

Every ID gets the check lines and the writes of ``issuance.issue``. What changes is how they are
grouped: IDs go in chunks, each chunk in ONE transaction with a fixed number of statements (the
generation's ``decide`` and ``write``: one query per kind for the whole chunk, no N+1). Before a
chunk commits, its GUIDs (or tokens) are fsynced to the run's file (bulk_journal.py, state
"pending") and its "pending" audit records are fsynced; after the commit, the records get their
outcome and the rows are marked "applied". So a kill -9 at any moment loses no GUID the database
holds, and the audit file claims no change the database does not hold (recorded_commit.py). A
file or an audit file that cannot be written rolls the chunk back (fail closed), at four fsyncs
per chunk instead of per ID.

A refusal (unknown ID, no transcripts) writes nothing, so it does not disturb its chunk. Any other
failure inside a chunk (a database error, the audit file) rolls the whole chunk back and its IDs
are retried one by one (chunks of one), so one bad ID costs only itself. A lock another process
kept past the statement timeout, an unwritable file and a commit nobody answered stop the run
instead: every later ID would wait or fail the same way. GUIDs of a chunk are handed out
(``on_result``) only after its commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import (
    AuditUnavailable,
    ConcurrentChange,
    DatabaseBusy,
    DatabaseUnavailable,
    HostprovError,
    InputError,
    OutputUnavailable,
)
from hostprov_tui.services import checks, issuance, run_archive
from hostprov_tui.services.audit import AuditRecord
from hostprov_tui.services.bulk_items import BulkItem, BulkResult
from hostprov_tui.services.bulk_journal import BulkJournal, Staged
from hostprov_tui.services.checks import CheckLine
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.display_text import printable
from hostprov_tui.services.generations import Generation
from hostprov_tui.services.inputs import Target, parse_ksessions_id
from hostprov_tui.services.issuance import IssueOptions
from hostprov_tui.services.recorded_commit import commit_recorded, refused_cleanly, settle_all
from hostprov_tui.services.results import Issued, Plan

#: IDs per transaction: large enough that the two fsyncs per chunk vanish, small enough that a
#: chunk holds the write lock for a fraction of a second.
CHUNK_SIZE = 200

#: Failures every later ID would meet as well (and wait for: connect timeouts): the batch reports
#: the rest instead of trying them. Anything else is tried ID by ID.
STOPPERS = (DatabaseUnavailable, AuditUnavailable, DatabaseBusy, OutputUnavailable)
#: ... and these stop the run even inside a chunk's transaction: trying its IDs one by one would
#: wait the whole lock timeout again per ID, or fail the same way.
ALWAYS_STOP = (DatabaseBusy, OutputUnavailable)
#: Tries of a chunk of one when two issuers met at the same instant (issuance.MAX_ATTEMPTS).
ALONE_ATTEMPTS = 3

Progress = Callable[[int, int], None]


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
        shown = printable(str(raw).strip())  # shown on stderr and in --json: no raw control
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
    chunk_size: int | None = None,
    journal: BulkJournal | None = None,
) -> BulkResult:
    """Issue (or rotate) for every ID; never stops at a failed one (but see STOPPERS).

    ``ids`` are KSESSIONS IDs or raw lines of an ID file. ``progress(done, total)`` is called as
    lines are settled; ``on_result(items)`` receives each settled group (GUIDs only after their
    commit). ``journal`` gets every chunk's GUIDs before its commit (bulk_journal.py): without
    one, a crash loses the GUIDs of committed chunks, so the CLI and the TUI always pass one.
    """
    chunk_size = CHUNK_SIZE if chunk_size is None else chunk_size
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
            items = _issue_chunk(ctx, chunk, opts, stopper, preamble, generation, journal)
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
    preamble: list[CheckLine], generation: Generation, journal: BulkJournal | None,
    *, alone: bool = False,
) -> list[BulkItem]:
    """One transaction for the chunk; on trouble, roll back and retry its IDs one by one.

    A failure that every later ID would meet too (database unreachable, audit file unwritable)
    lands in ``stopper``: the remaining IDs are then reported, not tried.
    """
    dbs = ctx.databases()
    items: dict[int, BulkItem] = {}
    pending: list[AuditRecord] = []
    staged: Staged | None = None
    started = False  # the chunk's transaction began (before: nothing was tried yet)
    committing = False  # COMMIT was sent: the pending records got an outcome there
    committed = False
    archives: list[str | None] = []  # a new run's archive: sealed after the commit
    try:
        with ctx.audit.batch() as sync, dbs.write_connections() as (canvas_conn, ks_conn), \
                canvas_conn.begin() as tx:
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
            results = generation.write(ctx, canvas_conn, decisions, opts, now)
            archives = _archives(results)
            issued = [_issued(entry_of[r.ksessions_id], r) for r in results]  # type: ignore[index]
            if issued and journal is not None:
                staged = journal.stage(issued)  # the credentials are on disk before the commit
            pending = issuance.audit_issued_many(ctx, results, opts)
            sync()  # ... and so are their pending audit records
            committing = True
            commit_recorded(tx, ctx.audit, pending)
            committed = True
            run_archive.finish(archives, committed=True)
            items.update((i.line, i) for i in issued)
    except (HostprovError, DBAPIError) as caught:
        if committed:  # a slip after the commit (closing a connection): the chunk stands
            pass
        else:
            if not committing:  # rolled back before its commit: the rows are still there
                run_archive.finish(archives, committed=False)
            return _chunk_failed(ctx, chunk, opts, stopper, preamble, generation, journal, caught,
                                 started=started, committing=committing, pending=pending,
                                 staged=staged, refused=items, alone=alone)
    if staged is not None and journal is not None:
        journal.settle(staged, committed=True)
    return [items[e.line] for e in chunk]


def _chunk_failed(
    ctx: ServiceContext, chunk: list[_Entry], opts: IssueOptions, stopper: list[HostprovError],
    preamble: list[CheckLine], generation: Generation, journal: BulkJournal | None,
    caught: HostprovError | DBAPIError, *, started: bool, committing: bool,
    pending: list[AuditRecord], staged: Staged | None, refused: dict[int, BulkItem], alone: bool,
) -> list[BulkItem]:
    """The chunk rolled back (or its commit went unanswered): record it, then retry or stop."""
    dbs = ctx.databases()
    exc = caught if isinstance(caught, HostprovError) else translate_db_error(
        caught, dbs.canvas.target
    )
    in_doubt = committing and isinstance(caught, DBAPIError) and not refused_cleanly(caught)
    if pending and not committing:  # rolled back before the commit was sent
        settle_all(ctx.audit, pending, "failed", "bulk_chunk_rolled_back",
                   f"rolled back with its bulk chunk ({exc.message})")
    if staged is not None and journal is not None and not in_doubt:
        journal.settle(staged, committed=False)
    if in_doubt:  # its GUIDs stay "pending" in the file: only the database knows
        exc = DatabaseUnavailable(
            f"The commit of a chunk went unanswered ({exc.message}); whether its GUIDs are in "
            "force is unknown, so nothing more was tried.",
            hint="Run `hostprov bulk status FILE` on the GUID file once the database answers.",
        )
    if in_doubt or isinstance(exc, ALWAYS_STOP) or (not started and isinstance(exc, STOPPERS)):
        stopper.append(exc)  # no ID alone would get further
        return [refused.get(e.line) or _failed_audited(ctx, e, exc) for e in chunk]
    if alone:
        if isinstance(exc, STOPPERS):
            stopper.append(exc)
        return [refused.get(e.line) or _failed_audited(ctx, e, exc) for e in chunk]
    retried: list[BulkItem] = []
    for entry in chunk:
        if entry.line in refused:
            retried.append(refused[entry.line])
        elif stopper:
            retried.append(_not_tried(entry, stopper[0]))
        else:
            retried.extend(_issue_alone(ctx, entry, opts, stopper, preamble, generation, journal))
    return retried


def _issue_alone(
    ctx: ServiceContext, entry: _Entry, opts: IssueOptions, stopper: list[HostprovError],
    preamble: list[CheckLine], generation: Generation, journal: BulkJournal | None,
) -> list[BulkItem]:
    """One ID in a chunk of its own (its GUID saved like any chunk's); tried again when another
    issuer met it at the same instant."""
    for attempt in range(1, ALONE_ATTEMPTS + 1):
        items = _issue_chunk(ctx, [entry], opts, stopper, preamble, generation, journal, alone=True)
        if items[0].error_code != ConcurrentChange.code or attempt == ALONE_ATTEMPTS:
            return items
        time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _archives(results: list[Issued]) -> list[str | None]:
    return [getattr(r, "archive_path", None) for r in results]


def _failed_audited(ctx: ServiceContext, entry: _Entry, exc: HostprovError) -> BulkItem:
    issuance.audit_failure(ctx, "issue", Target(ksessions_id=entry.ksessions_id), exc)
    return _failed(entry.line, entry.text, entry.ksessions_id, exc)


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
