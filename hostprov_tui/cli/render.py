"""Human output of the CLI (rich tables and panels); --json bypasses all of this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from hostprov_tui.services.checks import stamp
from hostprov_tui.services.results import (
    CheckLine,
    CheckStatus,
    ConnectivityReport,
    DatabaseStatus,
    Issued,
    RevokeResult,
    SearchPage,
    SessionLinks,
    TokenIssueResult,
    VerifyResult,
)

if TYPE_CHECKING:
    from hostprov_tui.services.audit import AuditRecord

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


#: How a generation of the canvas schema is named to a person.
GENERATION_LABEL = {
    "guid": "guid — Host GUIDs in canvas.HostSessions",
    "tokens": "tokens — host and participant tokens on canvas.Sessions",
}


def _db_card(db: DatabaseStatus) -> Panel:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    ok = db.reachable and db.schema_ok and db.environment_ok
    if db.reachable:
        latency = f"{db.latency_ms:.1f} ms" if db.latency_ms is not None else "—"
        table.add_row("state", f"[green]reachable[/] in {latency}")
        table.add_row("server", escape(db.server_version or "—"))
    else:
        table.add_row("state", f"[red]unreachable[/] — {escape(db.error or '')}")
        if db.hint:
            table.add_row("hint", f"[dim]{escape(db.hint)}[/]")
    table.add_row("database", escape(db.database or "—"))
    table.add_row("url", f"[dim]{escape(db.url)}[/]")
    env_colour = "green" if db.environment_ok else "red"
    table.add_row("environment", f"[{env_colour}]{escape(db.environment_verdict)}[/]")
    if db.reachable:
        colour = "green" if db.schema_ok else "red"
        table.add_row("schema", f"[{colour}]{escape(db.schema_verdict)}[/]")
        if db.generation:
            table.add_row("generation", GENERATION_LABEL.get(db.generation, db.generation))
        if db.hint and not db.schema_ok:
            table.add_row("hint", f"[dim]{escape(db.hint)}[/]")
    title = "canvas" if db.name == "canvas" else "KSESSIONS"
    return Panel(table, title=f"{title} {'✔' if ok else '✘'}", title_align="left",
                 border_style="green" if ok else "red")


def render_connectivity(console: Console, report: ConnectivityReport) -> None:
    if report.environment == "production":
        console.print("[bold white on red] PRODUCTION [/] every write needs confirmation")
    else:
        console.print("[bold cyan]Environment: development[/]")
    console.print(_db_card(report.canvas))
    console.print(_db_card(report.ksessions))
    if report.shared_engine:
        console.print("[dim]canvas and KSESSIONS are one database (one engine).[/]")


def render_sessions(console: Console, page: SearchPage) -> None:
    if not page.rows:
        what = f"matching {page.query!r}" if page.query else ""
        console.print(escape(f"No KSESSIONS sessions {what}.".replace("  ", " ")))
        return
    first, last = page.offset + 1, page.offset + len(page.rows)
    more = " (more: --offset)" if page.has_more else ""
    table = Table(expand=True, title=f"KSESSIONS sessions {first}–{last}{more}")
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Session", ratio=3, overflow="fold")
    table.add_column("Album", ratio=2, overflow="ellipsis", no_wrap=True)
    table.add_column("Category", ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column("Speaker", ratio=1, overflow="ellipsis", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Tr.", justify="right", no_wrap=True)
    table.add_column("Host", no_wrap=True)
    for r in page.rows:
        name = escape(r.name) + ("" if r.is_active else " [dim](inactive)[/]")
        status = r.guid_status.value
        table.add_row(
            str(r.session_id), name, escape(r.album or "—"), escape(r.category or "—"),
            escape(r.speaker or "—"), r.date.strftime("%Y-%m-%d") if r.date else "—",
            str(r.transcripts), f"[{GUID_STYLE[status]}]{status}[/]",
        )
    console.print(table)


def render_issue(console: Console, result: Issued) -> None:
    if result.plan is not None:
        render_checks(console, result.plan.lines)
    if isinstance(result, TokenIssueResult):
        render_tokens(console, result)
        return
    verb = "Rotated" if result.action == "rotated" else "Created"
    body = (
        f"[bold]{result.guid}[/]\n\n"
        f"{verb} host session {result.host_session_id} for canvas session "
        f"{result.canvas_session_id}"
        + (f" (KSESSIONS {result.ksessions_id})" if result.ksessions_id is not None else "")
        + ".\n[yellow]This Host GUID is shown once and never stored; copy it now.[/]"
    )
    console.print(Panel(body, title="Host GUID", border_style="green", expand=False))


def render_tokens(console: Console, result: TokenIssueResult) -> None:
    verb = "Rotated" if result.action == "rotated" else "Created"
    kept = "" if result.new_user_token else " (participants keep their link)"
    body = (
        f"Host         [bold]{escape(result.host_url)}[/]\n"
        f"Participants [bold]{escape(result.participant_url)}[/]{kept}\n\n"
        f"{verb} the tokens of canvas session {result.canvas_session_id} (KSESSIONS "
        f"{result.ksessions_id}), valid until {stamp(result.expires_at)}.\n"
        "[dim]`hostprov links` shows them again (audited).[/]"
    )
    console.print(Panel(body, title="Host token", border_style="green", expand=False))


def render_links(console: Console, links: SessionLinks) -> None:
    state = "[green]valid[/]" if links.valid else "[red]no longer signs in[/]"
    console.print(Panel(
        f"Host         [bold]{escape(links.host_url)}[/]\n"
        f"Participants [bold]{escape(links.participant_url)}[/]\n\n"
        f"KSESSIONS {links.ksessions_id}: {state}"
        + (f" (expires {stamp(links.expires_at)})." if links.valid else
           f" ({escape(links.ended or 'expired ' + stamp(links.expires_at))}).")
        + "\n[dim]This request is audited.[/]",
        title="Session links", expand=False,
    ))


def render_revoke(console: Console, result: RevokeResult) -> None:
    console.print(f"[green]✔[/] {escape(result.message)}")


def render_verify(console: Console, result: VerifyResult) -> None:
    style = GUID_STYLE[result.status.value]
    console.print(f"[bold {style}]{result.status.value.upper()}[/] {escape(result.message)}")
    if result.title:
        console.print(f"[dim]Session: {escape(result.title)}[/]")


def render_audit(console: Console, records: list[AuditRecord]) -> None:
    if not records:
        console.print("The audit log is empty.")
        return
    for r in records:
        colour = {"ok": "green", "refused": "yellow", "failed": "red"}.get(r.outcome, "white")
        when = r.time[:19].replace("T", " ")
        body = escape(r.detail())
        console.print(
            f"[dim]{when}[/] {escape(r.operator)} [bold]{r.action}[/] "
            f"[{colour}]{r.outcome}[/] {body}",
            highlight=False,
        )
