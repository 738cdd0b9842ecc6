"""Options every command accepts, before or after the subcommand name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hostprov_tui.cli.runner import state

F = TypeVar("F", bound=Callable[..., Any])


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is None or value is False:
            return
        st = state(ctx)
        if attr.startswith("override:"):
            keys = attr.split(":", 1)[1].split(".")
            node = st.overrides
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = value
        else:
            setattr(st, attr, value)

    return callback


def _apply(func: F, opts: list[Callable[[F], F]]) -> F:
    for opt in reversed(opts):
        func = opt(func)
    return func


def base_options(func: F) -> F:
    """--config, --json, -q, --debug: every command has them."""
    return _apply(func, [
        click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
                     expose_value=False, callback=_store("config"),
                     help="Config file (default: $HOSTPROV_CONFIG, else ./config.toml, else "
                     "the user config file: see hostprov config path)."),
        click.option("--json", "json_", is_flag=True, expose_value=False,
                     callback=_store("json"), help="Print one JSON document on stdout."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_store("quiet"),
                     help="Do not echo audit records on stderr."),
        click.option("--debug", is_flag=True, expose_value=False, callback=_store("debug"),
                     hidden=True),
    ])


def global_options(func: F) -> F:
    """The base options plus the overrides of the environment and the database URLs."""
    return base_options(_apply(func, [
        click.option("--environment", type=click.Choice(["development", "production"]),
                     expose_value=False, callback=_store("override:environment"),
                     help="Override the environment of the config."),
        click.option("--canvas-url", expose_value=False, callback=_store("override:canvas.url"),
                     help="Override the canvas database URL."),
        click.option("--ksessions-url", expose_value=False,
                     callback=_store("override:ksessions.url"),
                     help="Override the KSESSIONS database URL."),
    ]))


def issue_options(func: F) -> F:
    """What dry-run and issue share: who, until when, why, and the production confirmation."""
    return _apply(func, [
        click.option("--created-by", metavar="NAME",
                     help="Recorded as CreatedBy (default: OS user)."),
        click.option("--expires", metavar="DATE", help="YYYY-MM-DD or ISO date-time (UTC)."),
        click.option("--reason", metavar="TEXT", help="Why, for the audit log."),
        click.option("--allow-production", is_flag=True, help="Confirm a production target."),
        click.option("--new-user-token", is_flag=True,
                     help="Tokens generation: give participants a new link too when rotating."),
        *run_options(),
    ])


def run_options() -> list[Callable[[F], F]]:
    """Tokens generation: a session's runs (a new run, the waiting room's schedule)."""
    return [
        click.option("--new-run", is_flag=True,
                     help="Tokens generation: start a new run even while the session is live "
                     "(its participants and session data are archived, then removed)."),
        click.option("--scheduled-date", metavar="YYYY-MM-DD",
                     help="Tokens generation: the date the waiting room counts down to."),
        click.option("--scheduled-time", metavar="HH:MM",
                     help="Tokens generation: the start time, 18:30 or 6:30 PM (app's local "
                     "time)."),
        click.option("--duration", metavar="MINUTES",
                     help="Tokens generation: the session's length in minutes (1-480)."),
    ]


def target_options(func: F) -> F:
    func = click.option("--canvas-session-id", metavar="N",
                        help="An existing canvas session ID.")(func)
    func = click.option("--ksessions-id", metavar="N",
                        help="The KSESSIONS session ID (the usual way).")(func)
    return func


class WholeNumber(click.IntRange):
    """An integer option within a range, named for people: ``'abc' is not a valid whole
    number`` (click's own name for it is "integer range")."""

    name = "whole number"
