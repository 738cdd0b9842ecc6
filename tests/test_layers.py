"""The layers of docs/design.md: config → db → services → cli | tui; services never import
Textual."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET, build_env

PACKAGE = Path(__file__).resolve().parent.parent / "hostprov_tui"
#: what each layer may not import (directly, at any depth of the module)
FORBIDDEN = {
    "config": ("hostprov_tui.db", "hostprov_tui.services", "hostprov_tui.cli",
               "hostprov_tui.tui", "textual"),
    "db": ("hostprov_tui.services", "hostprov_tui.cli", "hostprov_tui.tui", "textual"),
    "services": ("hostprov_tui.cli", "hostprov_tui.tui", "textual"),
    "cli": ("textual",),  # the TUI is imported lazily, inside the tui command only
    "tui": ("hostprov_tui.db", "hostprov_tui.cli", "sqlalchemy"),  # thin: services only
}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _top_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    bad = []
    for path in files:
        imports = _imports(path) if layer != "cli" else [(n, 0) for n in _top_level_imports(path)]
        for name, line in imports:
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {name}")
    assert not bad, bad


def _fresh_python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False, cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_services_api_does_not_import_textual() -> None:
    out = _fresh_python(
        "import sys, json, hostprov_tui.services.api\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))"
    )
    assert json.loads(out) == []


def _modules_after_sessions(tmp_path: Path, request: pytest.FixtureRequest) -> set[str]:
    """The modules a fresh interpreter has loaded after ``hostprov sessions a --json``."""
    env = build_env("sqlite", tmp_path, request, sessions=20)
    config = env.write_config()
    code = (
        "import os, sys, json\n"
        f"os.environ['HOSTPROV_SECURITY__HASH_SECRET'] = {TEST_SECRET!r}\n"
        "from hostprov_tui.cli.main import cli\n"
        "try:\n"
        f"    cli.main(['--config', {str(config)!r}, '-q', 'sessions', 'a', '--json'],\n"
        "             standalone_mode=True)\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    return set(json.loads(_fresh_python(code)))


def test_a_non_tui_cli_command_does_not_import_textual(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    loaded = _modules_after_sessions(tmp_path, request)
    assert sorted(m for m in loaded if m.split(".")[0] == "textual") == []


def test_the_tui_command_starts_without_heavy_or_unrelated_imports(tmp_path: Path) -> None:
    """`hostprov tui` up to the app object: no settings/database/audit libraries (they load in a
    worker after the first frame) and none of the other commands' modules (lazy subcommands)."""
    code = (
        "import sys, json\n"
        "import hostprov_tui.tui.app as tui\n"
        "def fake_run(config, overrides):\n"
        "    tui.build_app(config, overrides)\n"
        "    heavy = ('sqlalchemy', 'pydantic', 'pydantic_settings', 'loguru')\n"
        "    ours = ('hostprov_tui.services', 'hostprov_tui.db', 'hostprov_tui.cli.ops_commands',\n"
        "            'hostprov_tui.cli.db_commands', 'hostprov_tui.cli.config_commands',\n"
        "            'hostprov_tui.cli.render', 'hostprov_tui.config.settings')\n"
        "    print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "                            or any(m == o or m.startswith(o + '.') for o in ours))))\n"
        "    return 0\n"
        "tui.run_app = fake_run\n"
        "from hostprov_tui.cli.main import cli\n"
        f"cli.main(['--config', {str(tmp_path / 'none.toml')!r}, 'tui'], standalone_mode=False)\n"
    )
    assert json.loads(_fresh_python(code)) == []


def test_help_lists_every_command_and_each_one_loads() -> None:
    from click.testing import CliRunner

    from hostprov_tui.cli.main import LAZY_COMMANDS, cli

    out = CliRunner().invoke(cli, ["--help"]).output
    for name in [*LAZY_COMMANDS, "tui"]:
        assert f"\n  {name} " in out, name
        with cli.make_context("hostprov", []) as ctx:
            command = cli.get_command(ctx, name)
        assert command is not None and command.name == name


def test_a_single_operation_loads_neither_bulk_issuance_nor_drift(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    loaded = _modules_after_sessions(tmp_path, request)
    lazy = ("hostprov_tui.services.bulk", "hostprov_tui.services.drift")
    assert sorted(m for m in lazy if m in loaded) == []
