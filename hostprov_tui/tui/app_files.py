"""What the app writes besides the databases and the audit log: the chosen theme (into the
config file, from a worker) and screenshots (into a folder that exists)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

if TYPE_CHECKING:
    from hostprov_tui.tui.app import HostprovApp

    _Base = HostprovApp
else:
    _Base = object


def screenshot_folder(data_folder: Path | None) -> Path:
    """The user's Downloads folder when there is one, else the data folder of the config in use
    (where the audit log lives), else the current folder."""
    try:
        from platformdirs import user_downloads_path

        downloads = user_downloads_path()
    except Exception:
        downloads = None
    for folder in (downloads, data_folder):
        if folder is not None and folder.is_dir():
            return folder
    return Path.cwd()


class KeepsakesMixin(_Base):
    """The app's part that keeps the theme (``_theme_file``, ``_kept_theme`` set by the app)
    and places screenshots."""

    def _theme_changed(self, theme: Any) -> None:
        """The operator chose a theme (Ctrl+T or the palette): keep it in the config file."""
        name = str(getattr(theme, "name", theme))
        if name == self._kept_theme or self._theme_file is False:
            return
        self._kept_theme = name
        self._keep_theme(name)

    @work(thread=True, group="theme", exit_on_error=False)
    def _keep_theme(self, name: str) -> None:
        from hostprov_tui.config.theme_pref import keep_theme
        from hostprov_tui.errors import HostprovError

        config = self._theme_file if isinstance(self._theme_file, Path) else None
        try:
            keep_theme(config, name)
        except HostprovError as exc:
            self.call_from_thread(self.notify, f"The theme could not be kept: {exc.message}",
                                  title="Theme", severity="warning", markup=False)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """A screenshot goes where a folder exists (Downloads, else the data folder, else the
        current one); the toast says where."""
        if path is None:
            from hostprov_tui.tui.app_files import screenshot_folder

            data = self.settings.audit.path.parent if self.settings_ready else None
            path = str(screenshot_folder(data))
        return super().deliver_screenshot(filename, path, time_format)
