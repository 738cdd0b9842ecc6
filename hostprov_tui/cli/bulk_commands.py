"""``hostprov bulk status FILE``: what an interrupted ``issue --from-file`` left in force."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hostprov_tui.cli.lazy import escape
from hostprov_tui.cli.options import global_options
from hostprov_tui.cli.runner import Outcome, execute, provisioner

if TYPE_CHECKING:  # rich loads when something is printed, not for --help
    from rich.console import Console

#: Rows listed one per line before "… and N more".
SHOWN_ROWS = 50


@click.group()
def bulk() -> None:
    """Bulk runs (issue --from-file, the TUI's Ctrl+F)."""


@bulk.command("status")
@click.argument("guid_file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--ids", "id_file", metavar="PATH", type=click.Path(path_type=Path),
              help="The run's ID file: also list its lines that have no GUID in force.")
@global_options
@click.pass_context
def status(ctx: click.Context, guid_file: Path, id_file: Path | None) -> None:
    """Which GUIDs (or host tokens) of a bulk run's file are in force, asked of the database.

    For a run that was interrupted (killed, crashed, lost its database): every GUID the
    database holds is in its file, as "applied" or as "pending" (the run stopped around that
    commit). This says which rows are in force now, and with --ids which lines of the ID file
    to issue again. A tokens file (tokens generation) is checked the same way: is each
    session's host token still the file's, and does it still sign in. Prints no GUID and no
    token. Exit 0 when every session has its credential in force, 4 if not.
    """
    from hostprov_tui.cli.bulk import read_id_file

    def body() -> Outcome:
        lines = read_id_file(id_file) if id_file is not None else None
        report = provisioner(ctx).bulk_status(guid_file, lines)
        data = {
            "ok": report.complete, "file": str(report.path), "summary": report.summary(),
            "in_force": report.in_force, "counts": report.counts, "torn": report.torn,
            "rows": [{**_plain(r), "in_force": r.in_force} for r in report.rows],
            "missing": None if report.missing is None else [_plain(m) for m in report.missing],
        }

        def show(console: Console) -> None:
            console.print(escape(report.summary()), highlight=False)
            off = [r for r in report.rows if not r.in_force]
            for row in off[:SHOWN_ROWS]:
                console.print(f"line {row.line} (KSESSIONS {row.ksessions_id}, file says "
                              f"{row.file_state}): {escape(row.message)}", highlight=False)
            if len(off) > SHOWN_ROWS:
                console.print(f"… and {len(off) - SHOWN_ROWS} more (see --json).")
            if report.missing:
                console.print(f"Lines of the ID file with no {report.noun.removesuffix('s')} "
                              "in force:", highlight=False)
                for miss in report.missing[:SHOWN_ROWS]:
                    console.print(f"  line {miss.line} (KSESSIONS {miss.ksessions_id}): "
                                  f"{escape(miss.message)}", highlight=False)
                ids = " ".join(str(m.ksessions_id) for m in report.missing)
                console.print(f"Issue them again (a new ID file): {ids}", highlight=False)

        return Outcome(data, show, 0 if report.complete else 4)

    execute(ctx, body)


def _plain(value: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(value)
