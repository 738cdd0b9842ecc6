"""`config import` and the app of the tokens generation: SimplifiedConnection is canvas (the app's
own rule, falling back to DefaultConnection), and [app] base_url comes from Kestrel's endpoints."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostprov_tui.cli.main import cli
from hostprov_tui.config.appsettings import kestrel_url, load_app_settings

FIXTURE = Path(__file__).parent / "fixtures" / "appsettings" / "tokens_app" / "appsettings.json"
REPO_CONFIG = Path(__file__).parent.parent / "config.toml"
PASSWORDS = ("Tokens-Base-Pw-1", "Tokens-Simplified-Pw-2")


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for variable in ("DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "HOSTPROV_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    shutil.copy(REPO_CONFIG, tmp_path / "config.toml")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_development_reads_simplified_connection_for_canvas() -> None:
    app = load_app_settings(FIXTURE, "Development")
    targets = app.map_targets()
    assert targets.canvas is not None and targets.canvas.name == "SimplifiedConnection"
    assert targets.ksessions is not None and targets.ksessions.name == "KSessionsDb"
    assert app.base_url == "https://localhost:9443"  # the Development file's HTTPS endpoint


def test_without_simplified_connection_canvas_falls_back_to_default() -> None:
    app = load_app_settings(FIXTURE, "Production")  # no appsettings.Production.json
    targets = app.map_targets()
    assert targets.canvas is not None and targets.canvas.name == "DefaultConnection"
    assert app.base_url == "https://localhost:9091"  # HTTPS first, though Http is listed first


@pytest.mark.parametrize(("urls", "expected"), [
    ({"http": "http://localhost:9090"}, "http://localhost:9090"),
    ({"a": "http://x:1", "b": "https://+:8443/"}, "https://localhost:8443"),
    ({"a": "https://0.0.0.0:443;http://x"}, "https://localhost:443"),
    ({}, None),
])
def test_kestrel_url_rules(urls: dict[str, str], expected: str | None) -> None:
    merged = {f"kestrel:endpoints:{k}:url": ("", v, Path("x")) for k, v in urls.items()}
    assert kestrel_url(merged) == expected


def test_import_writes_canvas_from_simplified_and_the_base_url(_workdir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["config", "import", str(FIXTURE), "--environment", "Development"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    text = (_workdir / "config.toml").read_text()
    data = tomllib.loads(text)
    assert "CANVAS_TOKENS_DEV" in data["canvas"]["connection_string"]
    assert "KSESSIONS_DEV" in data["ksessions"]["connection_string"]
    assert data["app"]["base_url"] == "https://localhost:9443"
    for password in PASSWORDS:
        assert password not in text and password not in result.output
