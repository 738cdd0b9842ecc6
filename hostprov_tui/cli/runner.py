"""Shared plumbing of every command: settings, the provisioner, errors → sentences + exit codes."""

from __future__ import annotations

import errno
import gc
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hostprov_tui.errors import HostprovError

if TYPE_CHECKING:  # rich loads when something is printed, not for --help or a usage error
    from rich.console import Console


@dataclass
class Outcome:
    """What a command produced: data for --json, a renderer for people, and an exit code."""

    data: Any
    render: Callable[[Console], None] | None = None
    exit_code: int = 0
    #: when the output cannot be written: where its credential is, or how to recover it
    #: (sentence, hint; it may audit it) — see cli/output.py
    not_shown: Callable[[str], tuple[str, str]] | None = None


@dataclass
class CliState:
    config: Path | None = None
    json: bool = False
    quiet: bool = False
    debug: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)


def state(ctx: click.Context) -> CliState:
    return ctx.find_root().meta.setdefault("hostprov", CliState())


def stdout_console() -> Console:
    from rich.console import Console

    class _StdoutConsole(Console):
        def on_broken_pipe(self) -> None:
            """Rich would exit 1 quietly; the caller says what became of the output instead."""
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    # emoji=False: a name holding ":fire:" is printed as typed (and rich's emoji table, some
    # milliseconds to load, stays unloaded)
    return _StdoutConsole(highlight=False, soft_wrap=False, emoji=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def emit_json(doc: Any) -> None:
    from hostprov_tui.services.results import to_jsonable  # not on the `hostprov tui` path

    _print_json(to_jsonable(doc))


def _print_json(doc: Any) -> None:
    """A document of JSON values already (:func:`with_ok` made it so: not walked again)."""
    import json  # here: not on the `hostprov tui` path (Textual loads no json either)

    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def with_ok(data: Any, exit_code: int) -> Any:
    """A command's JSON document with ``"ok"`` first, as every error document has it: true when
    the command succeeded (exit 0). A document that sets ``ok`` itself keeps its own."""
    from hostprov_tui.services.results import to_jsonable

    doc = to_jsonable(data)
    if isinstance(doc, dict) and "ok" not in doc:
        return {"ok": exit_code == 0, **doc}
    return doc


def _emit_error_json(doc: Any) -> None:
    """An error's JSON document; a standard output that cannot take it changes nothing (the
    sentence is on stderr already)."""
    from hostprov_tui.cli.output import silence_stdout

    if sys.stdout is None:
        return
    try:
        emit_json(doc)
    except (OSError, ValueError):
        silence_stdout()


def report_error(st: CliState, exc: HostprovError) -> int:
    from rich.markup import escape

    err = stderr_console()
    err.print(f"[bold red]Error:[/] {escape(exc.message)}", markup=True, highlight=False)
    if exc.hint:
        err.print(f"[dim]Hint:[/] {escape(exc.hint)}", markup=True, highlight=False)
    plan = exc.plan
    if st.json:
        doc: dict[str, Any] = {"ok": False, "error": exc.to_dict()}
        if plan is not None:
            doc["checks"] = plan.lines
        _emit_error_json(doc)
    elif plan is not None:
        from hostprov_tui.cli.output import silence_stdout
        from hostprov_tui.cli.render import render_checks

        try:
            render_checks(stdout_console(), plan.lines)
        except (OSError, ValueError):  # stdout cannot take it: the sentence is on stderr
            silence_stdout()
    return exc.exit_code


def execute(ctx: click.Context, body: Callable[[], Outcome]) -> None:
    """Run a command body and exit with its code; expected failures never show a traceback."""
    from hostprov_tui.cli.output import OUTPUT_FAILED_EXIT, refuse_closed_stdout, write_output

    st = state(ctx)
    unwritten: tuple[str, str] | None = None
    try:
        refuse_closed_stdout()  # before anything is done: a credential shown there is lost
        outcome = body()
        unwritten = write_output(lambda: _write(st, outcome), outcome.not_shown)
    except HostprovError as exc:
        ctx.exit(report_error(st, exc))
    except KeyboardInterrupt:
        stderr_console().print("Interrupted; nothing further was done.")
        ctx.exit(130)
    except Exception as exc:  # the last line of defence: a sentence, the trace only on --debug
        from rich.markup import escape

        from hostprov_tui.config.masking import mask_text
        from hostprov_tui.services.audit import scrub

        text = scrub(mask_text(str(exc)))[:500]
        if st.debug:
            traceback.print_exc()
        stderr_console().print(
            f"[bold red]Unexpected error:[/] {type(exc).__name__}: {escape(text or '')}",
            markup=True,
            highlight=False,
        )
        stderr_console().print("Hint: run again with --debug for the details.")
        if st.json:
            _emit_error_json({"ok": False, "error": {"code": "unexpected", "message": text,
                                                     "exit_code": 1}})
        ctx.exit(1)
    if unwritten is not None:
        _say_unwritten(*unwritten)
        ctx.exit(OUTPUT_FAILED_EXIT)
    ctx.exit(outcome.exit_code)


def _write(st: CliState, outcome: Outcome) -> None:
    if st.json:
        _print_json(with_ok(outcome.data, outcome.exit_code))
    elif outcome.render is not None:  # inside the guard: a rendering slip is no traceback
        outcome.render(stdout_console())


def _say_unwritten(message: str, hint: str) -> None:
    from rich.markup import escape

    err = stderr_console()
    err.print(f"[bold red]Error:[/] {escape(message)}", markup=True, highlight=False)
    err.print(f"[dim]Hint:[/] {escape(hint)}", markup=True, highlight=False)


def cli_settings(ctx: click.Context) -> Any:
    """The settings of this invocation: config file, environment, then the flags."""
    from hostprov_tui.config.settings import load_settings

    st = state(ctx)
    return load_settings(st.config, st.overrides)


def provisioner(ctx: click.Context) -> Any:
    """Build the services for this invocation (settings → provisioner), once."""
    root = ctx.find_root()
    if "provisioner" in root.meta:
        return root.meta["provisioner"]
    with no_collection():  # the services, SQLAlchemy, pydantic: most of what a command loads
        from hostprov_tui.services.api import Provisioner

    st = state(ctx)
    prov = Provisioner(cli_settings(ctx))
    prov.audit  # noqa: B018 - an audit path hostprov refuses (a link) stops it before any write
    made = prov.bootstrap()
    settings = prov.settings
    if made.created_databases and made.demo is not None:
        from hostprov_tui.db.urls import target_url

        where = target_url(settings.ksessions, "ksessions").sqlite_path
        stderr_console().print(
            f"Created the embedded demo databases ({made.demo.sessions} sessions, "
            f"{made.demo.transcripts} transcripts) in {where.parent if where else '?'}."
        )
    if made.created_secret:
        stderr_console().print(f"Generated a development hash secret "
                               f"{settings.security.hash_secret_file} (mode 0600).")
    if not st.quiet and sys.stderr is not None:  # a closed stderr (2>&-): no echo, the file
        prov.audit.add_stream(sys.stderr)
    root.meta["provisioner"] = prov
    root.call_on_close(prov.close)
    return prov


@contextmanager
def no_collection() -> Iterator[None]:
    """No garbage collection inside the block; what it left alive is frozen after it.

    Used while a command's libraries load (some hundred thousand objects that all stay alive)
    and while a bulk run issues (a few live objects per ID, almost no cycles: some 1,100
    unreachable objects for 10,000 IDs): each collection their allocations triggered walked
    live objects for nothing (40-50 ms of every command, 0.1-0.2 s of a 10,000-ID run).
    Frozen, they are not walked again: enabled with all of them counted as new, the collector
    would walk them at the next allocation anyway (a young pass, then a middle one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
