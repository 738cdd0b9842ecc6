"""``hostprov config path`` (which config file and folders are in use, and why) and
``hostprov config init`` (a commented starter config in that file)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hostprov_tui.cli.lazy import escape
from hostprov_tui.cli.options import global_options
from hostprov_tui.cli.runner import Outcome, execute, state

if TYPE_CHECKING:  # rich loads when something is printed, not for --help
    from rich.console import Console


@dataclass(frozen=True)
class Locations:
    """What ``config path`` reports (``--json`` prints it as it is)."""

    config_file: str
    exists: bool
    rule: str
    why: str
    user_config_dir: str
    user_data_dir: str
    canvas: str | None = None
    ksessions: str | None = None
    audit_file: str | None = None
    hash_secret: str | None = None
    not_created_yet: tuple[str, ...] = ()  # which of these files the first run creates
    error: str | None = None


def _database(settings: Any, name: str) -> tuple[str, bool]:
    """The database file (or masked URL), and whether it exists (a server: assumed)."""
    from hostprov_tui.db.urls import target_url
    from hostprov_tui.errors import HostprovError

    try:
        target = target_url(getattr(settings, name), name)
    except HostprovError as exc:
        return f"unusable: {exc.message}", True
    path = target.sqlite_path
    return (target.masked, True) if path is None else (str(path), path.exists())


def _hash_secret(settings: Any) -> tuple[str, bool]:
    security = settings.security
    if security.hash_secret is not None and security.hash_secret.get_secret_value():
        return "from env HOSTPROV_SECURITY__HASH_SECRET", True
    if security.hash_secret_file is None:
        return "not set", True
    path = Path(security.hash_secret_file)
    return str(path), path.exists()


def locations(explicit: Path | None, overrides: dict[str, Any]) -> tuple[Locations, int]:
    """The config file in use and why, the user folders, and where the data lives (or why
    the settings do not load, with that error's exit code)."""
    from hostprov_tui.config.locations import choose_config, user_config_dir, user_data_dir
    from hostprov_tui.config.settings import load_settings
    from hostprov_tui.errors import HostprovError

    choice = choose_config(explicit)
    base = Locations(str(choice.path.absolute()), choice.exists, choice.rule, choice.why,
                     str(user_config_dir()), str(user_data_dir()))
    try:
        settings = load_settings(explicit, overrides)
    except HostprovError as exc:
        return Locations(**{**asdict(base), "error": exc.message}), exc.exit_code
    found = {
        "canvas": _database(settings, "canvas"),
        "ksessions": _database(settings, "ksessions"),
        "audit_file": (str(settings.audit.path), True),
        "hash_secret": _hash_secret(settings),
    }
    missing = tuple(key for key, (_v, exists) in found.items() if not exists)
    values = {key: value for key, (value, _e) in found.items()}
    return Locations(**{**asdict(base), **values, "not_created_yet": missing}), 0


@click.command("path")
@global_options
@click.pass_context
def path_command(ctx: click.Context) -> None:
    """Which config file is in use (and why that one), the user folders, and where the
    databases, the audit log and the hash secret are.

    The config file is --config, else $HOSTPROV_CONFIG, else ./config.toml when the current
    folder has one, else the user config file; without that file, the embedded default lives
    in the user data folder.
    """

    def body() -> Outcome:
        st = state(ctx)
        found, code = locations(st.config, st.overrides)
        return Outcome(found, lambda c: _render(c, found), code)

    execute(ctx, body)


def _render(console: Console, found: Locations) -> None:
    state_note = "" if found.exists else (
        "  [yellow](not written yet: the defaults below apply; hostprov config init writes "
        "it)[/]" if found.rule == "user config" else "  [red](does not exist)[/]"
    )
    rows = [
        ("Config file", f"{escape(found.config_file)}{state_note}"),
        ("  chosen", escape(found.why)),
        ("User config", escape(found.user_config_dir)),
        ("User data", escape(found.user_data_dir)),
    ]
    if found.error:
        rows.append(("Error", f"[red]{escape(found.error)}[/]"))
    else:
        for label, key in (("canvas", "canvas"), ("KSESSIONS", "ksessions"),
                           ("Audit file", "audit_file"), ("Hash secret", "hash_secret")):
            note = "  [dim](created on first run)[/]" if key in found.not_created_yet else ""
            rows.append((label, escape(getattr(found, key) or "") + note))
    for label, value in rows:
        console.print(f"{label:<12} {value}", soft_wrap=True)


@dataclass(frozen=True)
class InitReport:
    config_file: str
    data_dir: str
    replaced: bool
    rule: str


@click.command("init")
@click.option("--force", is_flag=True, help="Replace an existing config file.")
@global_options
@click.pass_context
def init_command(ctx: click.Context, force: bool) -> None:
    """Write a commented starter config to the config file in use (see hostprov config path).

    It is the embedded development default: in the user config file its databases, audit
    log and hash secret live in the user data folder, elsewhere in data/ beside the file.
    Mode 0600; an existing file is kept unless --force; never written through a symlink.
    """

    def body() -> Outcome:
        report = write_config_starter(state(ctx).config, force=force)
        return Outcome(report, lambda c: _render_init(c, report))

    execute(ctx, body)


def write_config_starter(explicit: Path | None, *, force: bool = False) -> InitReport:
    from hostprov_tui.config.locations import choose_config, user_data_dir
    from hostprov_tui.config.starter import write_starter

    choice = choose_config(explicit)
    target = choice.path.absolute()
    data_dir = user_data_dir() if choice.is_user_config else Path("data")
    result = write_starter(target, data_dir, force=force)
    return InitReport(result.config_file, result.data_dir, result.replaced, choice.rule)


def _render_init(console: Console, report: InitReport) -> None:
    verb = "Replaced" if report.replaced else "Wrote"
    console.print(f"{verb} {escape(report.config_file)} (mode 0600): the embedded development "
                  f"default, its data in {escape(report.data_dir)}.", soft_wrap=True)
    console.print("Edit it, or take the NOOR Canvas app's databases with "
                  "hostprov config import APPSETTINGS; hostprov check tests it.", soft_wrap=True)
