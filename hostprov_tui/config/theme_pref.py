"""Keep the theme the operator chose: ``[tui] theme`` of the config file in use, edited in
place (comments and layout kept; never through a link; a new file is private)."""

from __future__ import annotations

from pathlib import Path

from hostprov_tui.config.locations import choose_config
from hostprov_tui.config.private_file import create_private_file, link_sentence
from hostprov_tui.config.toml_edit import TableEdit, edit_tables, write_atomically
from hostprov_tui.errors import ConfigError


def keep_theme(config: Path | None, theme: str) -> Path:
    """Write ``theme`` as ``[tui] theme`` of the config file ``--config`` (or the rules) picks;
    the path written. ConfigError when the file cannot be edited safely."""
    path = choose_config(config).path
    refused = link_sentence(path, "config file")
    if refused:
        raise ConfigError(refused)
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        edited = edit_tables(text, {"tui": TableEdit(set={"theme": (theme, None)})})
        if edited == text:
            return path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            create_private_file(path)
        write_atomically(path, edited)
    except OSError as exc:
        raise ConfigError(f"The config file {path} cannot be written "
                          f"({exc.strerror or type(exc).__name__}).") from None
    return path
