"""Dry run and issue: one code path, one transaction, re-checked under a lock.

Dry run makes the writes and rolls back, so the database's own constraints are proven; issue
writes the audit record (fail closed), commits, and only then returns the GUID.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.engines import Databases
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.errors import ConcurrentChange, HostprovError
from hostprov_tui.services import checks, run_archive
from hostprov_tui.services.audit import AuditRecord, Change
from hostprov_tui.services.checks import FAIL, PASS, CheckLine
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.generations import Decision, Generation
from hostprov_tui.services.guard import evaluate_guard
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.issuance_options import IssueOptions
from hostprov_tui.services.recorded_commit import commit_recorded
from hostprov_tui.services.results import Issued, Plan

__all__ = ["IssueOptions", "audit_failure", "audit_issued", "dry_run", "issue", "preamble"]

MAX_ATTEMPTS = 3


def dry_run(ctx: ServiceContext, target: Target, opts: IssueOptions) -> Plan:
    """The checks, the writes inside a transaction, then a rollback. Never a usable GUID."""
    try:
        plan, _ = _attempt(ctx, target, opts, commit=False)
    except HostprovError as exc:
        audit_failure(ctx, "dry-run", target, exc)
        raise
    ctx.audit.record(
        "dry-run", "ok" if plan.ok else "refused",
        ksessions_id=plan.ksessions_id, canvas_session_id=plan.canvas_session_id,
        host_session_id=plan.host_session_id, reason=opts.reason,
        message=_summary(plan, ctx),
    )
    return plan


def issue(ctx: ServiceContext, target: Target, opts: IssueOptions) -> Issued:
    """Create or rotate the session's credential; raises a typed error carrying the plan when
    refused. A concurrent change (another writer's lock, a token taken at the same moment) is
    retried with fresh values."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            plan, result = _attempt(ctx, target, opts, commit=True)
        except ConcurrentChange as exc:
            if attempt < MAX_ATTEMPTS:
                time.sleep(0.05 * attempt)
                continue
            audit_failure(ctx, "issue", target, exc)
            raise
        except HostprovError as exc:
            audit_failure(ctx, "issue", target, exc)
            raise
        if result is None:
            err = checks.refusal(plan)
            audit_failure(ctx, "issue", target, err, plan)
            raise err
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    ctx: ServiceContext, target: Target, opts: IssueOptions, *, commit: bool
) -> tuple[Plan, Issued | None]:
    dbs = ctx.databases()
    lines: list[CheckLine] = []
    timings: list[str] = []
    with ExitStack() as stack:
        try:
            canvas_conn, ks_conn = stack.enter_context(dbs.write_connections(timings))
        except HostprovError as exc:  # unreachable, too slow, refused: a line of the plan
            lines.append(CheckLine("connectivity", FAIL, exc.message, exc.hint))
            return Plan(tuple(lines)), None
        shared = " (one database holds both)" if dbs.shared else ""
        lines.append(CheckLine(
            "connectivity", PASS, f"Both databases answered{shared}: {', '.join(timings)}."
        ))
        try:
            generation = ctx.generation()
            with canvas_conn.begin() as tx:
                now = utcnow()  # the checks and the writes carry the same moment
                decision = _evaluate(ctx, generation, canvas_conn, ks_conn, target, opts, now,
                                     lines)
                if decision is None or not decision.ok:
                    tx.rollback()
                    return _plan(lines, decision, generation), None
                (result,) = generation.write(ctx, canvas_conn, [decision], opts, now)
                archives = [getattr(result, "archive_path", None)]
                if not commit:
                    tx.rollback()
                    run_archive.finish(archives, committed=False)
                    lines.append(CheckLine(
                        "dry_run", PASS,
                        "The writes were made inside a transaction and rolled back: the "
                        "database accepted them, and nothing was saved.",
                    ))
                    plan = _plan(lines, decision, generation)
                    return replace(plan, dry_run_verified=True), None
                try:
                    pending = audit_issued(ctx, result, opts)  # no record, no commit
                except BaseException:
                    run_archive.finish(archives, committed=False)
                    raise
                # a commit that fails or goes unanswered leaves a new run's archive pending:
                # the next new run of the session settles it against the database
                commit_recorded(tx, ctx.audit, [pending])  # then "ok" (or what became of it)
            run_archive.finish(archives, committed=True)
            plan = _plan(lines, decision, generation)
            return plan, replace(result, plan=plan)
        except DBAPIError as exc:
            raise translate_db_error(exc, dbs.canvas.target) from None


def _evaluate(
    ctx: ServiceContext,
    generation: Generation,
    canvas_conn: Connection,
    ks_conn: Connection,
    target: Target,
    opts: IssueOptions,
    now: datetime,
    lines: list[CheckLine],
) -> Decision | None:
    if not preamble(ctx, generation, ctx.databases(), opts, lines):
        return None
    return generation.evaluate(ctx, canvas_conn, ks_conn, target, opts, now, lines)


def preamble(
    ctx: ServiceContext, generation: Generation, dbs: Databases, opts: IssueOptions,
    lines: list[CheckLine],
) -> bool:
    """The lines that are the same for every ID — the environment guard, what the credential
    needs (the hash secret) —; False when either refuses."""
    generation.check_options(opts)
    verdict = evaluate_guard(
        ctx.settings.environment, (dbs.canvas.target, dbs.ksessions.target), opts.allow_production
    )
    lines.append(CheckLine("environment", PASS if verdict.allowed else FAIL, verdict.sentence,
                           None if verdict.allowed else "Nothing was read or written."))
    return verdict.allowed and generation.credential_line(ctx, lines)


def audit_issued(
    ctx: ServiceContext, result: Issued, opts: IssueOptions, *, bulk: bool = False
) -> AuditRecord:
    """The "pending" record of an issue or rotation, before its commit (required: no record,
    no commit; recorded_commit.py writes its outcome). It holds the hash prefix of a GUID,
    never a GUID or a token."""
    return ctx.audit.pending_many([_change(result, opts, bulk)], opts.reason)[0]


def audit_issued_many(
    ctx: ServiceContext, results: Sequence[Issued], opts: IssueOptions
) -> list[AuditRecord]:
    """:func:`audit_issued` for a bulk chunk's results, written together."""
    return ctx.audit.pending_many([_change(r, opts, True) for r in results], opts.reason)


def _change(result: Issued, opts: IssueOptions, bulk: bool) -> Change:
    expires = result.expires_at
    return Change(
        "rotate" if result.action == "rotated" else "issue", result.ksessions_id,
        result.canvas_session_id, result.host_session_id, result.hash_prefix,
        f"{result.action} by {opts.created_by}" + (" (bulk)" if bulk else "")
        + (f", expires {checks.stamp(expires)}" if expires else "") + _run_words(result),
    )


def _run_words(result: Issued) -> str:
    """A new run in the audit: the counts and the archive's path (never a row's content)."""
    state = getattr(result, "run_state", None)
    if state is None or not state.new_run:
        return ""
    if not state.removes:
        return f"; new run (the session was {state.state}; nothing to archive)"
    return (f"; new run (the session was {state.state}): archived and removed "
            f"{state.counts()} to {getattr(result, 'archive_path', None)}")


def _plan(lines: list[CheckLine], decision: Decision | None, generation: Generation) -> Plan:
    if decision is None:
        return Plan(tuple(lines), generation=generation.name)
    return replace(decision.plan(generation.name), lines=tuple(lines))


def _summary(plan: Plan, ctx: ServiceContext) -> str:
    if not plan.ok:
        return plan.failures[0].message
    credential = ctx.generation().credential  # known: the checks ran
    what = f"rotate the {credential}" if plan.action == "rotate" else f"create a {credential}"
    state = plan.run_state
    if state is not None and state.new_run:  # counts only: never a row's content
        what = f"start a new run (the session is {state.state}; it would archive and remove " \
            f"{state.counts()})"
    return f"would {what}" + (" and a canvas session" if plan.creates_canvas_session else "")


def audit_failure(
    ctx: ServiceContext, action: str, target: Target, exc: HostprovError, plan: Plan | None = None
) -> None:
    plan = plan or exc.plan
    ctx.audit.failure(
        action, exc,
        ksessions_id=(plan.ksessions_id if plan else None) or target.ksessions_id,
        canvas_session_id=(plan.canvas_session_id if plan else None) or target.canvas_session_id,
    )
