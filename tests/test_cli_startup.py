"""`hostprov --help`, `--version`, a subcommand's help and usage errors load nothing but click
and the command table: measured in a real process, from its sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from hostprov_tui.cli.main import COMMAND_SUMMARIES, LAZY_COMMANDS, cli

#: What a help text or a usage error must not load (the command bodies need them, help does not).
HEAVY = ("sqlalchemy", "pydantic", "pydantic_settings", "textual", "rich", "loguru", "psycopg",
         "hostprov_tui.services", "hostprov_tui.db", "hostprov_tui.config", "hostprov_tui.tui")

PROBE = """
import json, sys
sys.argv = ["hostprov", *sys.argv[1:]]
code = 0
try:
    from hostprov_tui.cli.main import main
    main()
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _probe(*argv: str) -> tuple[int, list[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          timeout=60, check=False, env={"COLUMNS": "100", "PATH": "/usr/bin"})
    head, _, tail = proc.stderr.rpartition("\nMODULES ")
    doc = json.loads(tail)
    return int(doc["code"] or 0), doc["modules"], proc.stdout + head


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize(("argv", "code"), [
    (("--help",), 0),
    (("--version",), 0),
    (("verify", "--help"), 0),
    (("sessions", "--help"), 0),
    (("issue", "--help"), 0),
    (("config", "--help"), 0),
    (("config", "show", "--help"), 0),
    (("bulk", "status", "--help"), 0),
    (("db", "init", "--help"), 0),
    (("nosuch",), 2),
    (("verify", "--bogus"), 2),
    (("sessions", "--limit", "x"), 2),
    (("--json", "nosuch"), 2),
])
def test_help_and_usage_errors_load_only_click(argv: tuple[str, ...], code: int) -> None:
    got, modules, output = _probe(*argv)
    assert got == code, output
    assert output.strip(), "the help or the error sentence is printed"
    assert "Traceback" not in output
    assert _heavy(modules) == [], f"hostprov {' '.join(argv)} loaded {_heavy(modules)[:8]}"


def test_top_level_help_loads_no_command_module() -> None:
    _code, modules, output = _probe("--help")
    loaded = {spec.split(":")[0] for spec in LAZY_COMMANDS.values()} & set(modules)
    assert loaded == set()
    for name, summary in COMMAND_SUMMARIES.items():
        assert name in output
        assert summary.split()[0] in output


def test_kept_summaries_match_each_commands_own_help() -> None:
    """The summaries beside the lazy loader are each command's own first help sentence."""
    assert set(COMMAND_SUMMARIES) == set(LAZY_COMMANDS)
    ctx = click.Context(cli)
    for name in LAZY_COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        for limit in (30, 45, 60, 74, 10**6):
            kept = click.Command(name, help=COMMAND_SUMMARIES[name])
            assert kept.get_short_help_str(limit) == cmd.get_short_help_str(limit), name


def test_lazy_help_is_the_help_of_the_loaded_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """The list printed from the kept summaries is exactly click's own list of the loaded ones."""
    _code, _modules, lazy_output = _probe("--help")
    monkeypatch.setenv("COLUMNS", "100")  # as in the probe's process
    ctx = click.Context(cli, info_name="hostprov")
    for name in LAZY_COMMANDS:
        cli.get_command(ctx, name)
    assert set(LAZY_COMMANDS) <= set(cli.commands)
    formatter = ctx.make_formatter()
    click.Group.format_commands(cli, ctx, formatter)
    listing = formatter.getvalue()
    assert listing.strip() and listing in lazy_output
