"""``hostprov issue --from-file``: many IDs, a progress bar on stderr, GUIDs to a 0600 CSV file
(written chunk by chunk BEFORE each commit: see services/bulk_journal.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hostprov_tui.cli.runner import Outcome, no_collection, stderr_console
from hostprov_tui.errors import HostprovError, InputError
from hostprov_tui.services.bulk_items import BulkResult
from hostprov_tui.services.results import GUID_CSV_COLUMNS

#: Failures listed one per line on stderr before "… and N more".
SHOWN_FAILURES = 50


def default_output(now: datetime | None = None) -> Path:
    moment = now or datetime.now(UTC)
    return Path.cwd() / f"host-guids-{moment:%Y%m%dT%H%M%SZ}.csv"


def read_id_file(path: Path) -> list[str]:
    """The lines of the ID file, or a sentence saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"The ID file {path} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; --from-file needs a file.") from None
    except UnicodeDecodeError:
        raise InputError(
            f"The ID file {path} is not UTF-8 text.",
            hint="Put one KSESSIONS session ID per line; # starts a comment.",
        ) from None
    except OSError as exc:
        raise InputError(f"The ID file {path} cannot be read ({exc.strerror}).") from None


def csv_columns(prov: Any) -> tuple[str, ...]:
    """The CSV columns of the canvas database's generation (GUIDs when it cannot be told: the
    run then fails before any row, and no file is left)."""
    try:
        return prov.csv_columns()  # type: ignore[no-any-return]
    except HostprovError:
        return GUID_CSV_COLUMNS


def run_bulk(
    prov: Any, id_file: Path, output: Path | None, *, json_mode: bool, quiet: bool,
    created_by: str | None, expires: str | None, reason: str | None, allow_production: bool,
    new_user_token: bool = False, new_run: bool = False, schedule: Any = None,
) -> Outcome:
    """Issue for every ID of the file; the outcome's exit code is the worst failure class.

    The GUIDs go to a new 0600 CSV file (``--output`` or ./host-guids-<time>.csv, also with
    --json), each chunk's rows written before its commit (services/bulk_journal.py).
    """
    from hostprov_tui.services.bulk_journal import BulkJournal, check_new_file

    lines = read_id_file(id_file)
    target = output if output is not None else default_output()
    check_new_file(target)  # refused before anything is done (exit 2)
    columns = csv_columns(prov)
    journal = BulkJournal(target, columns)
    word = "Tokens" if "host_token" in columns else "GUIDs"  # what the file holds
    err = stderr_console()
    progress = Progress(
        TextColumn("Issuing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=quiet, transient=False,
    )
    task = progress.add_task("issue", total=None)

    def advance(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    try:
        with progress, no_collection():  # see runner.no_collection
            result: BulkResult = prov.issue_many(
                lines, created_by=created_by, expires=expires, reason=reason,
                allow_production=allow_production, progress=advance, journal=journal,
                new_user_token=new_user_token, new_run=new_run, schedule=schedule,
            )
    finally:
        journal.close()  # a file with no GUID that may work is removed: no empty CSV behind
    _report_failures(err, result)
    kept = target.exists()
    rows = journal.applied + journal.pending
    saved = (
        f" {word} of {rows} sessions are in {target} (mode 0600; each is shown only there)."
        if kept else ""
    )
    if journal.pending:
        saved += (f" {journal.pending} of them are marked pending (the commit went "
                  f"unanswered): run `hostprov bulk status {target}`.")
    if json_mode:  # stdout holds the document; people still get the summary
        err.print(escape(result.summary() + saved), highlight=False)
    outcomes = result.outcomes()
    data = {
        "ok": result.ok,
        "exit_code": result.exit_code,
        "summary": {
            "total": len(result.items), "issued": result.count("ok"),
            "created": outcomes["created"], "rotated": outcomes["rotated"],
            "failed": result.count("failed"), "skipped": result.count("skipped"),
            "seconds": result.seconds,
        },
        "output": str(target) if kept else None,
        "results": list(result.items),
    }

    def show(console: Console) -> None:
        console.print(escape(result.summary()), highlight=False)
        if kept:
            console.print(f"{word}: {escape(str(target))} ({rows} rows, mode 0600).",
                          highlight=False)
        if journal.pending:
            console.print(escape(saved.strip()), highlight=False)

    def not_shown(why: str) -> tuple[str, str]:
        sessions = "session" if rows == 1 else "sessions"
        where = (f"the GUIDs of {rows} {sessions} are in {target} (mode 0600)" if kept else
                 "no GUID was issued")
        return (f"The run's summary could not be written to standard output ({why}); "
                f"{where}.", f"`hostprov bulk status {target}` tells which are in force."
                if kept else "Nothing is lost: run it again with standard output open.")

    return Outcome(data, show, result.exit_code, not_shown=not_shown)


def _report_failures(err: Console, result: BulkResult) -> None:
    failed = [i for i in result.items if i.status != "ok"]
    lines = []
    for item in failed[:SHOWN_FAILURES]:
        word = "skipped" if item.status == "skipped" else "failed"
        lines.append(
            f"line {item.line} ({escape(item.text[:40])}): {word} — {escape(item.message or '')}")
    if len(failed) > SHOWN_FAILURES:
        lines.append(f"… and {len(failed) - SHOWN_FAILURES} more (see --json for all).")
    if lines:  # one print: each costs rich a look at the terminal
        err.print("\n".join(lines), highlight=False)
