"""``hostprov config show | path | init | import | drift`` (ADO.NET connection strings,
appsettings.json)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hostprov_tui.cli.config_locations import init_command, path_command, write_config_starter
from hostprov_tui.cli.lazy import escape
from hostprov_tui.cli.options import _store, base_options, global_options
from hostprov_tui.cli.runner import Outcome, cli_settings, execute, state

if TYPE_CHECKING:  # rich loads when something is printed, not for --help
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])

#: exit code of ``config drift`` when hostprov and the app disagree (docs/design.md: a rule refused)
DRIFT_EXIT_CODE = 4
FLAG_NAMES = {
    "environment": "--environment",
    "canvas.url": "--canvas-url",
    "ksessions.url": "--ksessions-url",
}
_LABELS = {"canvas": "canvas", "ksessions": "KSESSIONS"}


@click.group()
def config() -> None:
    """Inspect the effective configuration and compare it with the NOOR Canvas app's."""


config.add_command(path_command)
config.add_command(init_command)


OLD_APP_ENVIRONMENT = "hostprov_old_app_environment"


def _old_environment_name(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
    """``-e/--environment`` (the old name of --app-environment here): kept, with a sentence."""
    if value is None:
        return
    ctx.meta[OLD_APP_ENVIRONMENT] = value
    from hostprov_tui.cli.runner import stderr_console

    stderr_console().print(
        "Note: here -e/--environment is now --app-environment (the app's ASP.NET environment; "
        "--environment elsewhere is hostprov's own). The old name still works for now.",
        markup=False)


def _app_environment(ctx: click.Context, given: str | None) -> str | None:
    return given if given is not None else ctx.meta.get(OLD_APP_ENVIRONMENT)


def app_options(func: F) -> F:
    """Options of ``import`` and ``drift``: ``--app-environment`` is the app's .NET environment
    (its own name: ``--environment`` is hostprov's on every other command)."""
    opts = [
        click.option("--app-environment", "app_environment", metavar="NAME",
                     help="The app's ASP.NET environment (reads appsettings.NAME.json on top); "
                     "default: [tui] app_environment, DOTNET_ENVIRONMENT, "
                     "ASPNETCORE_ENVIRONMENT, else Production."),
        click.option("-e", "--environment", metavar="NAME", hidden=True, expose_value=False,
                     callback=_old_environment_name,
                     help="The old name of --app-environment."),
        click.option("--canvas-name", metavar="NAME",
                     help="The ConnectionStrings entry that is canvas."),
        click.option("--ksessions-name", metavar="NAME",
                     help="The ConnectionStrings entry that is KSESSIONS."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return base_options(func)


# ---------------------------------------------------------------------------------------------
# config show
# ---------------------------------------------------------------------------------------------


@config.command("show")
@global_options
@click.pass_context
def show(ctx: click.Context) -> None:
    """The effective configuration, and where each value came from (flag, env, file, default).

    Passwords and the hash secret are never shown: only "set (from env …)" or "not set".
    """
    from hostprov_tui.config.provenance import explain

    def body() -> Outcome:
        st = state(ctx)
        view = explain(cli_settings(ctx), st.overrides, explicit_config=st.config,
                       flag_names=FLAG_NAMES, resolve_url=_masked_url)
        return Outcome(view, lambda c: _render_show(c, view))

    execute(ctx, body)


def _masked_url(settings: Any, name: str) -> str:
    from hostprov_tui.db.urls import target_url

    return target_url(getattr(settings, name), name).masked


def _render_show(console: Console, view: Any) -> None:
    console.print(f"Config file: {escape(view.config_file or '(none)')} "
                  f"[dim]({escape(view.config_file_source)})[/]", soft_wrap=True)
    width = max(len(origin.key) for origin in view.values)
    for origin in view.values:
        value = "—" if origin.value is None else str(origin.value)
        where = origin.source if origin.source in ("file", "default") else (
            f"{origin.source} {origin.where}"
        )
        suffix = "" if str(value).startswith("set (from") else f"  [dim]({escape(where)})[/]"
        console.print(f"{origin.key:<{width}}  {escape(value)}{suffix}", soft_wrap=True)
    for name, target in view.targets.items():
        label = _LABELS[name]
        if target.error:
            console.print(f"{label}: [red]unusable[/] — {escape(target.error)}", soft_wrap=True)
        else:
            console.print(f"{label} connects to {escape(target.url or '?')} "
                          f"[dim](password: {escape(target.password)})[/]", soft_wrap=True)


# ---------------------------------------------------------------------------------------------
# config drift
# ---------------------------------------------------------------------------------------------


@config.command("drift")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@app_options
@click.option("--canvas-url", expose_value=False, callback=_store("override:canvas.url"),
              help="Override the canvas database URL.")
@click.option("--ksessions-url", expose_value=False, callback=_store("override:ksessions.url"),
              help="Override the KSESSIONS database URL.")
@click.pass_context
def drift(ctx: click.Context, path: Path | None, app_environment: str | None,
          canvas_name: str | None, ksessions_name: str | None) -> None:
    """Are hostprov and the NOOR Canvas app on the same databases?

    Compares PATH (the app's appsettings.json, plus appsettings.<ENV>.json) with hostprov's
    canvas and KSESSIONS targets: server, database, login, encryption, and whether the passwords
    match (compared by HMAC, never shown). PATH defaults to [tui] app_settings.
    Exit 0 when they match, 4 when they differ (one line per difference), 2 when a file is
    unreadable.
    """
    from hostprov_tui.errors import InputError
    from hostprov_tui.services.drift import drift_from_file

    def body() -> Outcome:
        loaded = cli_settings(ctx)
        source = path or loaded.tui.app_settings
        if source is None:
            raise InputError(
                "No app settings file to compare with.",
                hint="Give the path of the app's appsettings.json, or set [tui] app_settings "
                "(hostprov config import does).",
            )
        report = drift_from_file(loaded, source, _app_environment(ctx, app_environment),
                                 canvas_name=canvas_name, ksessions_name=ksessions_name)
        data = {
            "same": report.same,
            "sentence": report.sentence,
            "lines": list(report.lines),
            "files": list(report.files),
            "environment": report.environment,
            "environment_source": report.environment_source,
            "ignored": list(report.ignored),
            "databases": [
                {"name": d.name, "app_connection": d.app_connection, "app": d.app,
                 "yours": d.yours, "same": d.same, "password": d.password, "note": d.note,
                 "differences": d.differences}
                for d in report.databases
            ],
        }
        code = 0 if report.same else DRIFT_EXIT_CODE
        return Outcome(data, lambda c: _render_drift(c, report), code)

    execute(ctx, body)


def _render_drift(console: Console, report: Any) -> None:
    files = " + ".join(Path(f).name for f in report.files)
    console.print(f"[dim]App settings: {escape(files)} (environment {escape(report.environment)}, "
                  f"{escape(report.environment_source)})[/]", soft_wrap=True)
    for db in report.databases:
        style = "green" if db.same else "red"
        lines = [d.sentence for d in db.differences] or [db.sentence]
        for line in lines:
            console.print(f"[{style}]{escape(line)}[/]", soft_wrap=True)
        if db.note and db.compared:
            console.print(f"[dim]{escape(db.label)}: {escape(db.note)}[/]", soft_wrap=True)
    style = "bold green" if report.same else "bold red"
    count = len(report.differences)
    verdict = "same database as the app ✓" if report.same else (
        f"{count} difference{'s' if count > 1 else ''} from the app ✗"
    )
    console.print(f"[{style}]{verdict}[/]")


# ---------------------------------------------------------------------------------------------
# config import
# ---------------------------------------------------------------------------------------------


@config.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@app_options
@click.option("--write", "write_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The config file to write (default: the current config file, else "
              "./config.toml).")
@click.option("--odbc-driver", metavar="NAME",
              help="ODBC driver to record, e.g. FreeTDS (default: ODBC Driver 18 for SQL "
              "Server).")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.pass_context
def import_(ctx: click.Context, path: Path, app_environment: str | None, canvas_name: str | None,
            ksessions_name: str | None, write_path: Path | None, odbc_driver: str | None,
            dry_run: bool) -> None:
    """Take canvas and KSESSIONS from the app's appsettings.json (never its password).

    Reads ConnectionStrings from PATH and appsettings.<ENV>.json, shows them masked, and writes
    [canvas]/[ksessions] connection_string (without Password=) and [tui] app_settings into the
    config file; the rest of the file is kept as it is. Passwords go in HOSTPROV_CANVAS__PASSWORD
    and HOSTPROV_KSESSIONS__PASSWORD: the command says which to set.
    """
    from hostprov_tui.services.app_import import ImportRequest, import_app_settings

    def body() -> Outcome:
        st = state(ctx)
        request = ImportRequest(
            app_settings=path,
            environment=_app_environment(ctx, app_environment),
            config_file=_config_file_for_writing(write_path, st.config),
            canvas_name=canvas_name,
            ksessions_name=ksessions_name,
            odbc_driver=odbc_driver,
            dry_run=dry_run,
        )
        seeded = _seed_user_config(write_path, st.config, dry_run)
        try:
            result = import_app_settings(request)
        except BaseException:
            if seeded is not None:  # the import failed: no starter left behind by it
                seeded.unlink(missing_ok=True)
            raise
        return Outcome(result, lambda c: _render_import(c, result))

    execute(ctx, body)


def _config_file_for_writing(write_path: Path | None, explicit: Path | None) -> Path:
    """``--write``, else the config file in use (the user config file when no other)."""
    from hostprov_tui.config.paths import config_candidate

    return (write_path or config_candidate(explicit)[0]).resolve()


def _seed_user_config(write_path: Path | None, explicit: Path | None,
                      dry_run: bool) -> Path | None:
    """A first import into the user config file starts from the commented starter config, so
    the audit log and the hash secret stay in the user data folder."""
    from hostprov_tui.config.locations import choose_config

    choice = choose_config(explicit)
    if write_path is not None or dry_run or not choice.is_user_config or choice.exists:
        return None
    return Path(write_config_starter(explicit).config_file)


def _render_import(console: Console, result: Any) -> None:
    files = " + ".join(Path(f).name for f in result.files)
    console.print(f"Read {escape(files)} (environment {escape(result.environment)}, "
                  f"{escape(result.environment_source)}).", soft_wrap=True)
    from rich.table import Table

    table = Table(expand=False, title="ConnectionStrings (passwords masked)")
    table.add_column("Name", no_wrap=True)
    table.add_column("Used for", no_wrap=True)
    table.add_column("Connection string", overflow="fold")
    for entry in result.connection_strings:
        used = ", ".join(_LABELS[t] for t in entry.targets) or "ignored"
        text = entry.masked if entry.error is None else f"unreadable: {entry.error}"
        table.add_row(escape(entry.name), used, escape(text))
    console.print(table)
    verb = "Would write" if result.dry_run else "Wrote"
    tables = ", ".join(f"[{t}]" for t in result.tables)
    console.print(f"{verb} {escape(tables)} in {escape(result.config_file)} "
                  "(no password in it).", soft_wrap=True)
    if result.dry_run:  # as it would be written: no markup, no wrapping inside a value
        console.print(result.toml_preview.rstrip(), markup=False, highlight=False,
                      soft_wrap=True)
    if result.password_variables:
        console.print("Set the password(s) in the environment, never in the file:")
        for item in result.password_variables:
            console.print(f"  {escape(item)}", soft_wrap=True)
    for note in result.notes:
        console.print(f"[yellow]Note:[/] {escape(note)}", soft_wrap=True)
    console.print(f"[dim]Check it with: {escape(drift_command(result))}[/]", soft_wrap=True)


def drift_command(result: Any) -> str:
    """The drift command that checks what the import wrote (or would write): with --config
    when the file is not the one hostprov reads by default."""
    import shlex

    from hostprov_tui.config.paths import config_candidate

    parts = ["hostprov", "config", "drift"]
    written = Path(result.config_file).resolve()
    if written != config_candidate(None)[0].resolve():
        parts += ["--config", str(written)]
    if result.dry_run:
        parts.append(str(result.app_settings))
    return shlex.join(parts)

