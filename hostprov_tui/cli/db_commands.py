"""``hostprov db init`` and ``hostprov demo``: the only commands that create or fill tables."""

from __future__ import annotations

from typing import Any

import click

from hostprov_tui.cli.options import global_options
from hostprov_tui.cli.runner import Outcome, cli_settings, execute


@click.group()
def db() -> None:
    """Database maintenance."""


_GENERATION_OPTION = click.option(
    "--generation", type=click.Choice(["guid", "tokens"]), default=None,
    help="Which canvas schema to create in an empty canvas database: guid (Host GUIDs in "
    "canvas.HostSessions) or tokens (host tokens on canvas.Sessions, the app today). "
    "Default: [canvas] generation, else guid.",
)


def _generation(settings: Any, chosen: str | None) -> tuple[Any, str]:
    """What an empty canvas database gets (--generation, else a [canvas] generation that is not
    "auto", else guid), and what an existing one must hold (--generation or the setting)."""
    from hostprov_tui.errors import ConfigError

    configured = settings.canvas.generation
    if chosen and configured not in ("auto", chosen):
        raise ConfigError(
            f"--generation {chosen} contradicts [canvas] generation = \"{configured}\".",
            hint="Drop one of them, or make them agree.",
        )
    from hostprov_tui.db.generation import to_create

    return to_create(chosen or configured), chosen or configured


def _flag_applies(dbs: Any, settings: Any, chosen: str | None, command: str) -> None:
    """--generation picks the schema of an EMPTY canvas database: on one that holds the other
    generation (the default demo data is guid) say so, and give a command that works."""
    if not chosen or settings.canvas.generation != "auto":
        return  # no flag, or a [canvas] generation the user did set (its own sentence)
    from hostprov_tui.db.schema import check_schema
    from hostprov_tui.errors import HostprovError, InputError

    try:
        held = check_schema(dbs.canvas, "auto").generation
    except HostprovError:
        return  # neither generation, or unreachable: init_schema says it
    if held in (None, chosen):
        return
    both = command == "demo"  # the demo fills KSESSIONS too: it needs an empty one as well
    urls = (f"--canvas-url sqlite:///{chosen}-demo/canvas.db"
            + (f" --ksessions-url sqlite:///{chosen}-demo/ksessions.db" if both else ""))
    raise InputError(
        f"--generation {chosen} applies to empty canvas databases only, and this one already "
        f"holds the {held} generation, so nothing was changed.",
        hint=f"For a {chosen} database beside it, give new database files: hostprov {command} "
        f"--generation {chosen} {urls} (then pass the same URL{'s' if both else ''} to the "
        "other commands, or set them in config.toml).",
    )


@db.command("init")
@click.option("--allow-production", is_flag=True, help="Confirm a production target.")
@_GENERATION_OPTION
@global_options
@click.pass_context
def db_init(ctx: click.Context, allow_production: bool, generation: str | None) -> None:
    """Create the tables in EMPTY databases (never alters an existing schema)."""
    from hostprov_tui.db.engines import open_databases
    from hostprov_tui.db.schema import init_databases
    from hostprov_tui.errors import GuardRefused
    from hostprov_tui.services.guard import evaluate_guard

    def body() -> Outcome:
        settings = cli_settings(ctx)
        dbs = open_databases(settings, create=True)
        try:
            verdict = evaluate_guard(settings.environment, (dbs.canvas.target,
                                                            dbs.ksessions.target),
                                     allow_production)
            if not verdict.allowed:
                raise GuardRefused(verdict.sentence)
            _flag_applies(dbs, settings, generation, "db init")
            results = init_databases(dbs, *_generation(settings, generation))
        finally:
            dbs.dispose()

        def show(console) -> None:  # type: ignore[no-untyped-def]
            for r in results:
                if r.already_present:
                    console.print(f"{r.database}: all tables already present; nothing changed.")
                else:
                    console.print(f"{r.database}: created {', '.join(r.created)}.")

        return Outcome({"ok": True, "databases": results}, show)

    execute(ctx, body)


@click.command()
@click.option("--sessions", "count", default=None, type=click.IntRange(1, 2_000_000),
              help="How many sessions (default: [demo] sessions of the config).")
@click.option("--seed", default=None, type=int, help="Random seed (deterministic output).")
@click.option("--replace", is_flag=True, help="Empty the KSESSIONS demo tables first.")
@_GENERATION_OPTION
@global_options
@click.pass_context
def demo(ctx: click.Context, count: int | None, seed: int | None, replace: bool,
         generation: str | None) -> None:
    """Fill an empty KSESSIONS database with a realistic demo catalogue (development only),
    and create the canvas tables if the canvas database is empty."""
    from hostprov_tui.db.demo import fill_demo
    from hostprov_tui.db.engines import open_databases
    from hostprov_tui.db.schema import init_schema
    from hostprov_tui.errors import GuardRefused
    from hostprov_tui.services.guard import database_verdict

    def body() -> Outcome:
        settings = cli_settings(ctx)
        dbs = open_databases(settings, create=True)
        try:
            allowed = all(database_verdict("development", t).allowed
                          for t in (dbs.ksessions.target, dbs.canvas.target))
            if settings.environment != "development" or not allowed:
                raise GuardRefused(
                    "The demo catalogue is only written to development databases (embedded or "
                    "*_DEV) in the development environment."
                )
            _flag_applies(dbs, settings, generation, "demo")
            init_schema(dbs.ksessions)
            canvas = init_schema(dbs.canvas, *_generation(settings, generation))
            result = fill_demo(
                dbs.ksessions,
                count or settings.demo.sessions,
                settings.demo.seed if seed is None else seed,
                replace=replace,
            )
        finally:
            dbs.dispose()
        made = f" Created {', '.join(canvas.created)}." if canvas.created else ""
        return Outcome(
            {"ok": True, **result.__dict__, "canvas_created": list(canvas.created)},
            lambda c: c.print(
                f"Demo catalogue: {result.sessions} sessions, {result.transcripts} transcripts, "
                f"{result.albums} albums, {result.categories} categories, {result.speakers} "
                f"speakers in {result.seconds:.2f} s.{made}"
            ),
        )

    execute(ctx, body)
