"""Human output of the CLI (rich tables and panels); --json bypasses all of this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from hostprov_tui.services.results import (
    CheckLine,
    CheckStatus,
    ConnectivityReport,
    DatabaseStatus,
    Issued,
    Plan,
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
              "unknown": "magenta", "fresh": "green", "live": "bold cyan", "over": "yellow"}


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


#: What a generation issues, as the dry run's summary names it.
CREDENTIAL = {"guid": "a Host GUID", "tokens": "host and participant tokens"}


def render_dry_run(console: Console, plan: Plan) -> None:
    """The checks, then one closing sentence: what issue would do, or why it would refuse."""
    render_checks(console, plan.lines)
    who = f" for KSESSIONS {plan.ksessions_id}" if plan.ksessions_id is not None else ""
    if not plan.ok:
        failed = plan.failures
        more = f" (and {len(failed) - 1} more check{'s' if len(failed) > 2 else ''})" \
            if len(failed) > 1 else ""
        text = f"Dry run: issue would be refused{who}: {failed[0].message}{more}"
    else:
        credential = CREDENTIAL.get(plan.generation or "guid", "a credential")
        verb = "create"
        if plan.action == "rotate":
            verb, credential = "rotate", "the active " + credential.removeprefix("a ")
        canvas = " and a canvas session" if plan.creates_canvas_session else ""
        text = f"Dry run: issue would {verb} {credential}{canvas}{who}"
    console.print(escape(text.rstrip(".") + "; nothing was written."), soft_wrap=True)


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
    if db.driver:  # SQL Server: which Python driver (and ODBC driver) reaches it
        table.add_row("driver", escape(db.driver))
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
    return Panel(table, title=Text(f"{title} {'✔' if ok else '✘'}"), title_align="left",
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


#: Below these widths the sessions table drops columns rather than cut them to "Cat…": first
#: Category and Speaker, then Album and Date (`--json` has every field).
NARROW_SESSIONS = 110
NARROWEST_SESSIONS = 70


def _no_sessions(page: SearchPage) -> str:
    where = f" at offset {page.offset}" if page.offset else ""
    if page.query:
        return f"No KSESSIONS session matches {page.query!r}{where}."
    return f"No KSESSIONS session{where}." if where else "The KSESSIONS catalogue is empty."


def render_sessions(console: Console, page: SearchPage) -> None:
    if not page.rows:
        console.print(escape(_no_sessions(page)))
        return
    first, last = page.offset + 1, page.offset + len(page.rows)
    more = " (more: --offset)" if page.has_more else ""
    width = console.width
    wide, some = width >= NARROW_SESSIONS, width >= NARROWEST_SESSIONS
    left_out = "" if wide else (" · Category, Speaker" + ("" if some else ", Album, Date")
                                + " left out at this width (--json has them)")
    table = Table(expand=True, title=f"KSESSIONS sessions {first}–{last}{more}",
                  caption=left_out[3:] or None)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Session", ratio=3, overflow="fold")
    if some:
        table.add_column("Album", ratio=2, overflow="ellipsis", no_wrap=True)
    if wide:
        table.add_column("Category", ratio=1, overflow="ellipsis", no_wrap=True)
        table.add_column("Speaker", ratio=1, overflow="ellipsis", no_wrap=True)
    if some:
        table.add_column("Date", no_wrap=True)
    table.add_column("Tr.", justify="right", no_wrap=True)
    table.add_column("Host", no_wrap=True)
    for r in page.rows:
        name = escape(r.name) + ("" if r.is_active else " [dim](inactive)[/]")
        status = r.guid_status.value
        cells = [str(r.session_id), name]
        if some:
            cells.append(escape(r.album or "—"))
        if wide:
            cells += [escape(r.category or "—"), escape(r.speaker or "—")]
        if some:
            cells.append(r.date.strftime("%Y-%m-%d") if r.date else "—")
        cells += [str(r.transcripts), f"[{GUID_STYLE[status]}]{status}[/]"]
        table.add_row(*cells)
    console.print(table)


def render_issue(console: Console, result: Issued) -> None:
    """The checks, then the credential on lines of its own, outside any frame: a mouse
    selection (or a triple click) takes the GUID or the link and nothing of a border."""
    if result.plan is not None:
        render_checks(console, result.plan.lines)
    if isinstance(result, TokenIssueResult):
        render_tokens(console, result)
        return
    verb = "Rotated" if result.action == "rotated" else "Created"
    console.print()
    console.print("[bold green]Host GUID[/] [yellow](shown once and never stored; copy it "
                  "now):[/]")
    console.print(f"[bold]{result.guid}[/]", soft_wrap=True)
    console.print(
        f"{verb} host session {result.host_session_id} for canvas session "
        f"{result.canvas_session_id}"
        + (f" (KSESSIONS {result.ksessions_id})" if result.ksessions_id is not None else "")
        + ".", soft_wrap=True)


def render_tokens(console: Console, result: TokenIssueResult) -> None:
    from hostprov_tui.services.checks import stamp  # the issue checks: not for check/sessions

    verb = "Rotated" if result.action == "rotated" else "Created"
    kept = "" if result.new_user_token else " (participants keep their link)"
    console.print()
    console.print("[bold green]Host link[/]:")
    console.print(f"[bold]{escape(result.host_url)}[/]", soft_wrap=True)
    console.print(f"[bold green]Participants' link[/]{kept}:")
    console.print(f"[bold]{escape(result.participant_url)}[/]", soft_wrap=True)
    console.print(
        f"{verb} the tokens of canvas session {result.canvas_session_id} (KSESSIONS "
        f"{result.ksessions_id}), valid until {stamp(result.expires_at)}.\n"
        "[dim]`hostprov links` shows them again (audited).[/]", soft_wrap=True)


def render_links(console: Console, links: SessionLinks) -> None:
    from hostprov_tui.services.checks import stamp

    state = "[green]valid[/]" if links.valid else "[red]no longer signs in[/]"
    console.print("[bold green]Host link[/]:")
    console.print(f"[bold]{escape(links.host_url)}[/]", soft_wrap=True)
    console.print("[bold green]Participants' link[/]:")
    console.print(f"[bold]{escape(links.participant_url)}[/]", soft_wrap=True)
    console.print(
        f"KSESSIONS {links.ksessions_id}: {state}"
        + (f" (expires {stamp(links.expires_at)})." if links.valid else
           f" ({escape(links.ended or 'expired ' + stamp(links.expires_at))}).")
        + "\n[dim]This request is audited.[/]", soft_wrap=True)


def render_revoke(console: Console, result: RevokeResult) -> None:
    console.print(f"[green]✔[/] {escape(result.message)}")


def render_verify(console: Console, result: VerifyResult) -> None:
    style = GUID_STYLE[result.status.value]
    label, message = result.status.value.upper(), result.message
    if message.casefold().startswith(result.status.value):  # "Active: it opens …": said once
        head, _, message = message.partition(":")
        label = head.upper()
    console.print(f"[bold {style}]{escape(label)}[/]{':' if message else ''} "
                  f"{escape(message.strip())}")
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
