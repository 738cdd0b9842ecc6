"""The theme chosen is kept in the config file, the palette has one help entry, and a
screenshot lands in a folder that exists (issue 18)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hostprov_tui.config.preview import preview
from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from tests.conftest import Env
from tests.support.tui import settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def test_the_chosen_theme_is_kept_in_the_config(env: Env, prov: Provisioner) -> None:
    config = env.write_config()
    config.write_text("# my settings\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov,
                      keep_theme_in=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == "textual-light"
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# my settings\n")  # the rest as written
    assert tomllib.loads(text)["tui"]["theme"] == "textual-light"
    assert preview(config, None).theme == "textual-light"  # the next start uses it


async def test_palette_help_once_and_screenshot_without_downloads(
    env: Env, prov: Provisioner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # no ~/Downloads
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and sum(t.startswith("Help") for t in titles) == 1
        (shot,) = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        shot.callback()
        for _ in range(100):
            await pilot.pause(0.05)
            if any(n.title == "Screenshot" for n in app._notifications):
                break
        (note,) = [n for n in app._notifications if n.title == "Screenshot"]
        assert note.severity != "error", note.message
    saved = list(env.audit_path.parent.glob("*.svg"))
    assert len(saved) == 1 and str(saved[0]) in note.message
