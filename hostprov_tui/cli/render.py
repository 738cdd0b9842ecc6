"""Human output of the CLI (rich tables and panels); --json bypasses all of this."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from hostprov_tui.services.audit import AuditRecord
from hostprov_tui.services.results import (
    CheckLine,
    CheckStatus,
    ConnectivityReport,
    DatabaseStatus,
    IssueResult,
    RevokeResult,
    SearchPage,
    VerifyResult,
)

MARK = {CheckStatus.PASS: "[green]✔ pass[/]", CheckStatus.WARN: "[yellow]▲ warn[/]",
        CheckStatus.FAIL: "[red]✘ fail[/]"}
GUID_STYLE = {"active": "green", "expired": "yellow", "revoked": "red", "none": "dim",
              "unknown": "magenta"}


def render_checks(console: Console, lines: Iterable[CheckLine]) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column()
    for line in lines:
        text = escape(line.message)
        if line.hint:
            text += f"\n[dim]{escape(line.hint)}[/]"
        table.add_row(MARK[line.status], text)
    console.print(table)


def _db_row(table: Table, db: DatabaseStatus) -> None:
    state = "[green]reachable[/]" if db.reachable else "[red]unreachable[/]"
    latency = f"{db.latency_ms:.1f} ms" if db.latency_ms is not None else "—"
    schema = ("[green]" if db.schema_ok else "[red]") + escape(db.schema_verdict or "—") + "[/]"
    env = ("[green]" if db.environment_ok else "[red]") + escape(db.environment_verdict) + "[/]"
    table.add_row(
        db.name, state, latency, escape(db.server_version or "—"),
        escape(db.database or "—"), env,
        schema if db.reachable else f"[red]{escape(db.error or '')}[/]",
    )


def render_connectivity(console: Console, report: ConnectivityReport) -> None:
    colour = "red" if report.environment == "production" else "cyan"
    console.print(f"[bold {colour}]Environment: {report.environment}[/]")
    table = Table(title="Databases", expand=False)
    for col in ("database", "state", "latency", "server", "name", "environment", "schema"):
        table.add_column(col)
    _db_row(table, report.canvas)
    _db_row(table, report.ksessions)
    console.print(table)
    for db in (report.canvas, report.ksessions):
        console.print(f"[dim]{db.name}: {escape(db.url)}[/]")
        if db.hint and not db.reachable:
            console.print(f"[dim]Hint ({db.name}): {escape(db.hint)}[/]")


def render_sessions(console: Console, page: SearchPage) -> None:
    if not page.rows:
        what = f"matching {page.query!r}" if page.query else ""
        console.print(f"No KSESSIONS sessions {what}.".replace("  ", " "))
        return
    table = Table(title=f"KSESSIONS sessions {page.offset + 1}–{page.offset + len(page.rows)}"
                  + (" (more: --offset)" if page.has_more else ""))
    for col, just in (("ID", "right"), ("Session", "left"), ("Album", "left"),
                      ("Category", "left"), ("Speaker", "left"), ("Date", "left"),
                      ("Transcripts", "right"), ("Host GUID", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in page.rows:
        name = escape(r.name) + ("" if r.is_active else " [dim](inactive)[/]")
        status = r.guid_status.value
        table.add_row(
            str(r.session_id), name, escape(r.album or "—"), escape(r.category or "—"),
            escape(r.speaker or "—"), r.date.strftime("%Y-%m-%d") if r.date else "—",
            str(r.transcripts), f"[{GUID_STYLE[status]}]{status}[/]",
        )
    console.print(table)


def render_issue(console: Console, result: IssueResult) -> None:
    if result.plan is not None:
        render_checks(console, result.plan.lines)
    verb = "Rotated" if result.action == "rotated" else "Created"
    body = (
        f"[bold]{result.guid}[/]\n\n"
        f"{verb} host session {result.host_session_id} for canvas session "
        f"{result.canvas_session_id}"
        + (f" (KSESSIONS {result.ksessions_id})" if result.ksessions_id is not None else "")
        + ".\n[yellow]This Host GUID is shown once and never stored; copy it now.[/]"
    )
    console.print(Panel(body, title="Host GUID", border_style="green", expand=False))


def render_revoke(console: Console, result: RevokeResult) -> None:
    console.print(
        f"[green]Revoked[/] host session {result.host_session_id} of canvas session "
        f"{result.canvas_session_id}: its Host GUID no longer opens the session."
    )


def render_verify(console: Console, result: VerifyResult) -> None:
    style = GUID_STYLE[result.status.value]
    console.print(f"[bold {style}]{result.status.value.upper()}[/] {escape(result.message)}")
    if result.title:
        console.print(f"[dim]Session: {escape(result.title)}[/]")


def render_audit(console: Console, records: list[AuditRecord]) -> None:
    if not records:
        console.print("The audit log is empty.")
        return
    table = Table(title="Audit log (newest last)")
    for col in ("time", "operator", "action", "outcome", "ksessions", "canvas", "host", "hash",
                "message"):
        table.add_column(col)
    for r in records:
        colour = {"ok": "green", "refused": "yellow", "failed": "red"}.get(r.outcome, "white")
        table.add_row(
            r.time[:19].replace("T", " "), escape(r.operator), r.action,
            f"[{colour}]{r.outcome}[/]", str(r.ksessions_id or ""), str(r.canvas_session_id or ""),
            str(r.host_session_id or ""), r.hash_prefix or "", escape(r.message),
        )
    console.print(table)
