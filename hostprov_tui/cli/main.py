"""``hostprov``: the TUI with no arguments, or one operation per subcommand (see --help)."""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

from hostprov_tui import __version__
from hostprov_tui.cli.options import global_options
from hostprov_tui.cli.runner import Outcome, execute, state, stderr_console

EPILOG = (
    "Exit codes: 0 ok · 2 bad input · 3 database unreachable or schema missing · "
    "4 validation refused · 5 environment guard refused · 1 anything else."
)


#: command name → "module:attribute"; a command's module is imported only when it runs (or for
#: --help), so `hostprov` / `hostprov tui` start the TUI without loading the others.
LAZY_COMMANDS = {
    "audit": "hostprov_tui.cli.ops_commands:audit",
    "bulk": "hostprov_tui.cli.bulk_commands:bulk",
    "check": "hostprov_tui.cli.ops_commands:check",
    "config": "hostprov_tui.cli.config_commands:config",
    "db": "hostprov_tui.cli.db_commands:db",
    "demo": "hostprov_tui.cli.db_commands:demo",
    "dry-run": "hostprov_tui.cli.ops_commands:dry_run",
    "issue": "hostprov_tui.cli.ops_commands:issue",
    "links": "hostprov_tui.cli.ops_commands:links",
    "revoke": "hostprov_tui.cli.ops_commands:revoke",
    "sessions": "hostprov_tui.cli.ops_commands:sessions",
    "verify": "hostprov_tui.cli.ops_commands:verify",
}

#: command name → its one-line summary in `hostprov --help`, so that the help loads no command
#: module (tests/test_cli_startup.py checks each against the command's own help).
COMMAND_SUMMARIES = {
    "audit": "Show the latest audit records.",
    "bulk": "Bulk runs (issue --from-file, the TUI's Ctrl+F).",
    "check": "Connectivity and schema report for both databases.",
    "config": "Inspect the effective configuration and compare it with the NOOR Canvas app's.",
    "db": "Database maintenance.",
    "demo": "Fill an empty KSESSIONS database with a realistic demo catalogue (development "
            "only), and create the canvas tables if the canvas database is empty.",
    "dry-run": "Show exactly what issue would do: the checks, and the writes tried then "
               "rolled back.",
    "issue": "Issue the session's Host GUID, or its host token in the tokens generation (or "
             "rotate it: the current one stops working).",
    "links": "Show a session's host and participant links again (tokens generation; audited).",
    "revoke": "Revoke the session's active Host GUID (tokens generation: expire its tokens).",
    "sessions": "Search KSESSIONS by ID, or by words in session name, album, category or "
                "speaker.",
    "verify": "Which session a GUID or token opens, and whether it would sign in.",
}


class HostprovGroup(click.Group):
    """Usage errors keep the contract too: a sentence, exit 2, and a JSON document on --json.
    Subcommands other than ``tui`` load on first use (click's lazy-group pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attr = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command list, with the kept summary for a command not loaded yet."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows: list[tuple[str, str]] = []
        for name in names:
            summary = COMMAND_SUMMARIES.get(name)
            if name not in self.commands and summary is not None:
                rows.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args: Any = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(args) if args is not None else sys.argv[1:]
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            if "--json" not in argv:
                exc.show()
            else:  # the sentence on stderr, the document on stdout: no usage text beside them
                import json  # plain strings: no need for the services' JSON encoder

                click.echo(f"Error: {exc.format_message()}", err=True)  # no rich for this
                from hostprov_tui.errors import InputError

                error = InputError(exc.format_message()).to_dict()
                doc = {"ok": False, "error": {**error, "exit_code": exc.exit_code}}
                sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
                sys.stdout.flush()
            code = exc.exit_code
        except click.Abort:
            stderr_console().print("Aborted; nothing further was done.")
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=HostprovGroup, invoke_without_command=True, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="hostprov")
@global_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Host Provisioner for NOOR Canvas: issue, rotate, revoke and verify Host GUIDs."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


@cli.command()
@global_options
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the full-screen terminal app (the default)."""

    def body() -> Outcome:
        from hostprov_tui.tui.collection import hold_collection

        hold_collection()  # until the start-up is over (tui/collection.py), Textual's import too
        from hostprov_tui.tui.app import run_app
        from hostprov_tui.tui.terminal import refuse_json

        st = state(ctx)
        if st.json:
            refuse_json()
        return Outcome(None, None, run_app(st.config, st.overrides))

    execute(ctx, body)


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="hostprov", standalone_mode=True)
    finally:
        # The command is over (its files closed, its engines disposed): the interpreter's last
        # garbage collection would walk every object loaded (some 0.1 s), only to exit. Frozen
        # objects are left to the exit itself, which flushes stdout and stderr as always.
        gc.freeze()
