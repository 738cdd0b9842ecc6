"""Which config file hostprov reads, and the per-user folders it falls back to.

The config file is ``--config``, else ``$HOSTPROV_CONFIG``, else ``./config.toml`` when the
current folder has one, else the user config file (``platformdirs``: e.g.
``~/.config/hostprov/config.toml`` on Linux, ``%LOCALAPPDATA%\\hostprov`` on Windows). With the
user config, the embedded default lives in the user data folder: the same layout as the
repository's ``config.toml`` (two SQLite files, the audit log, a development hash secret), built
on first run. Nothing is ever written to the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP_NAME = "hostprov"
CONFIG_ENV_VAR = "HOSTPROV_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"

RULE_FLAG = "--config"
RULE_ENV = f"env {CONFIG_ENV_VAR}"
RULE_CWD = f"./{DEFAULT_CONFIG_NAME}"
RULE_USER = "user config"


def user_config_dir() -> Path:
    from platformdirs import user_config_path  # only when the user config is asked for

    return user_config_path(APP_NAME, appauthor=False)


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def user_config_file() -> Path:
    return user_config_dir() / DEFAULT_CONFIG_NAME


@dataclass(frozen=True)
class ConfigChoice:
    """The config file in use, the rule that picked it, and why (one sentence)."""

    path: Path
    rule: str
    why: str

    @property
    def is_user_config(self) -> bool:
        return self.rule == RULE_USER

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def choose_config(
    explicit: Path | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> ConfigChoice:
    """``--config`` → ``$HOSTPROV_CONFIG`` → ``./config.toml`` if present → the user config file.
    The chosen file may not exist (the first two are errors then; the last means defaults)."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return ConfigChoice(explicit, RULE_FLAG, "named by --config")
    named = env.get(CONFIG_ENV_VAR)
    if named:
        return ConfigChoice(Path(named), RULE_ENV, f"named by ${CONFIG_ENV_VAR}")
    local = (cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
    if local.is_file():
        return ConfigChoice(local, RULE_CWD,
                            f"the current folder has a {DEFAULT_CONFIG_NAME} (and no --config "
                            f"or ${CONFIG_ENV_VAR} names another)")
    return ConfigChoice(user_config_file(), RULE_USER,
                        f"no --config, no ${CONFIG_ENV_VAR} and no ./{DEFAULT_CONFIG_NAME}: "
                        "the user config file")


def sqlite_url(path: Path) -> str:
    """``sqlite:///`` + an absolute path with forward slashes (also on Windows)."""
    return f"sqlite:///{path.as_posix()}"


def embedded_defaults(data_dir: Path) -> dict[str, Any]:
    """The embedded development default in ``data_dir``: what the user config file holds when
    ``hostprov config init`` writes it, and what applies while it does not exist."""
    return {
        "canvas": {"url": sqlite_url(data_dir / "canvas.db")},
        "ksessions": {"url": sqlite_url(data_dir / "ksessions.db")},
        "audit": {"path": str(data_dir / "audit.jsonl")},
        "security": {"hash_secret_file": str(data_dir / "hash_secret")},
        "demo": {"auto_create": True},
    }
