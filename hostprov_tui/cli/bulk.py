"""``hostprov issue --from-file``: many IDs, a progress bar on stderr, GUIDs to a 0600 CSV file."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hostprov_tui.cli.runner import Outcome, stderr_console
from hostprov_tui.errors import HostprovError, InputError
from hostprov_tui.services.bulk import BulkItem, BulkResult
from hostprov_tui.services.results import GUID_CSV_COLUMNS, TOKENS_CSV_COLUMNS

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


class GuidFile:
    """The CSV of issued GUIDs: created new with mode 0600, never overwriting; synced per chunk."""

    def __init__(self, path: Path, columns: tuple[str, ...] = GUID_CSV_COLUMNS) -> None:
        self.path = path
        self.rows = 0
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InputError(
                f"{path} already exists; hostprov never overwrites a file of Host GUIDs.",
                hint="Give another --output path, or move the old file away first.",
            ) from None
        except OSError as exc:
            raise InputError(f"Cannot create {path} ({exc.strerror}).") from None
        os.fchmod(fd, 0o600)  # whatever the umask
        self._handle: TextIO = os.fdopen(fd, "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(columns)

    def write(self, items: list[BulkItem]) -> None:
        for item in items:
            if item.ok:
                self._writer.writerow(item.csv_row())
                self.rows += 1
        self._handle.flush()
        os.fsync(self._handle.fileno())  # the GUIDs of a committed chunk must not be lost

    def close(self) -> None:
        self._handle.close()

    def discard(self) -> None:
        """Remove the file when the run failed before any GUID was written to it."""
        self.close()
        if self.rows == 0:
            self.path.unlink(missing_ok=True)


def csv_columns(prov: Any) -> tuple[str, ...]:
    """The CSV columns of the canvas database's generation (GUIDs when it cannot be told: the
    run then fails before any row, and the file is removed)."""
    try:
        return TOKENS_CSV_COLUMNS if prov.generation() == "tokens" else GUID_CSV_COLUMNS
    except HostprovError:
        return GUID_CSV_COLUMNS


def run_bulk(
    prov: Any, id_file: Path, output: Path | None, *, json_mode: bool, quiet: bool,
    created_by: str | None, expires: str | None, reason: str | None, allow_production: bool,
    new_user_token: bool = False,
) -> Outcome:
    """Issue for every ID of the file; the outcome's exit code is the worst failure class."""
    lines = read_id_file(id_file)
    target = output if output is not None else (None if json_mode else default_output())
    guid_file = GuidFile(target, csv_columns(prov)) if target is not None else None
    err = stderr_console()
    progress = Progress(
        TextColumn("Issuing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=quiet, transient=False,
    )
    task = progress.add_task("issue", total=None)

    def advance(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    try:
        with progress:
            result: BulkResult = prov.issue_many(
                lines, created_by=created_by, expires=expires, reason=reason,
                allow_production=allow_production, progress=advance,
                new_user_token=new_user_token,
                on_result=guid_file.write if guid_file is not None else None,
            )
    except (HostprovError, KeyboardInterrupt):
        if guid_file is not None:
            guid_file.discard()
        raise
    if guid_file is not None:
        guid_file.close()
    _report_failures(err, result)
    saved = (
        f" GUIDs of {guid_file.rows} sessions are in {guid_file.path} (mode 0600; each is shown "
        "only there)." if guid_file is not None else ""
    )
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
        "output": str(guid_file.path) if guid_file is not None else None,
        "results": list(result.items),
    }

    def show(console: Console) -> None:
        console.print(escape(result.summary()), highlight=False)
        if guid_file is not None:
            console.print(f"GUIDs: {escape(str(guid_file.path))} ({guid_file.rows} rows, mode "
                          "0600).", highlight=False)

    return Outcome(data, show, result.exit_code)


def _report_failures(err: Console, result: BulkResult) -> None:
    failed = [i for i in result.items if i.status != "ok"]
    for item in failed[:SHOWN_FAILURES]:
        word = "skipped" if item.status == "skipped" else "failed"
        err.print(
            f"line {item.line} ({escape(item.text[:40])}): {word} — {escape(item.message or '')}",
            highlight=False,
        )
    if len(failed) > SHOWN_FAILURES:
        err.print(f"… and {len(failed) - SHOWN_FAILURES} more (see --json for all).")
