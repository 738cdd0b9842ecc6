"""Where each effective setting came from: a flag, the environment, the config file, or the default.

Used by ``hostprov config show``. Secrets never appear: a password or the hash secret is shown as
"set (from env HOSTPROV_…)" or "not set", and every URL or connection string is masked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, SecretStr

from hostprov_tui.config.masking import mask_text
from hostprov_tui.config.paths import config_candidate, read_toml_quietly
from hostprov_tui.config.settings import Settings
from hostprov_tui.errors import HostprovError

Source = Literal["flag", "env", "file", "default"]
ENV_PREFIX = "HOSTPROV_"
SECRET_KEYS = frozenset({"canvas.password", "ksessions.password", "security.hash_secret"})
MASKED_KEYS = frozenset({
    "canvas.url", "ksessions.url", "canvas.connection_string", "ksessions.connection_string",
})
_LOCATION_KEYS = ("url", "connection_string")
UrlResolver = Callable[[Settings, str], str]


@dataclass(frozen=True)
class Origin:
    """One effective setting: its shown value and where it came from."""

    key: str  # dotted: "canvas.url"
    value: Any  # JSON-friendly; masked; a sentence for secrets
    source: Source
    where: str | None = None  # the file, the variable or the flag


@dataclass(frozen=True)
class TargetView:
    """The URL hostprov will use for one database (masked), or why it cannot build one."""

    url: str | None
    password: str  # "set (from env …)", "from file …", "not set"
    error: str | None = None


@dataclass(frozen=True)
class Provenance:
    config_file: str | None
    config_file_source: str
    values: tuple[Origin, ...]
    targets: dict[str, TargetView]


def config_file_origin(explicit: Path | None, config_path: Path | None,
                       environ: Mapping[str, str] | None = None) -> str:
    """How the config file was found (the rule of ``find_config_file``)."""
    if config_path is None:
        path, _rule = config_candidate(explicit, environ)
        return (f"none found: {path} is not written yet, so the built-in defaults apply, with "
                "the embedded databases in the user data folder")
    return config_candidate(explicit, environ)[1]


def explain(
    settings: Settings,
    overrides: Mapping[str, Any] | None = None,
    *,
    explicit_config: Path | None = None,
    flag_names: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    resolve_url: UrlResolver | None = None,
) -> Provenance:
    """Every leaf setting of ``settings`` with its source, secrets replaced by sentences.

    ``resolve_url(settings, name)`` returns the masked URL hostprov will use for ``name`` (or
    raises a HostprovError); it is passed in because building URLs belongs to the db layer.
    """
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    file_data = read_toml_quietly(settings.config_path)
    origins: list[Origin] = []
    for key, value in _leaves(settings):
        source, where = _source_of(key, overrides or {}, env, file_data, settings, flag_names)
        origins.append(Origin(key, _shown(key, value, source, where), source, where))
    return Provenance(
        config_file=str(settings.config_path) if settings.config_path else None,
        config_file_source=config_file_origin(explicit_config, settings.config_path, environ),
        values=tuple(origins),
        targets={
            name: _target_view(settings, name, origins, resolve_url)
            for name in ("canvas", "ksessions")
        },
    )


def _leaves(model: BaseModel, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, info in type(model).model_fields.items():
        if info.exclude:
            continue
        value = getattr(model, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            out.extend(_leaves(value, key + "."))
        else:
            out.append((key, value))
    return out


def _lookup(data: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    node: Any = data
    for part in key.split("."):
        if isinstance(node, BaseModel):
            if part not in node.model_fields_set:
                return False, None
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def _env_name(key: str) -> str:
    return ENV_PREFIX + key.replace(".", "__").upper()


def _source_of(
    key: str,
    overrides: Mapping[str, Any],
    env: Mapping[str, str],
    file_data: Mapping[str, Any],
    settings: Settings,
    flag_names: Mapping[str, str] | None,
) -> tuple[Source, str | None]:
    if _lookup(overrides, key)[0]:
        return "flag", (flag_names or {}).get(key, "command-line option")
    variable = _env_name(key)
    if variable in env:
        return "env", variable
    section = key.split(".", 1)[0]
    if "." in key and _env_name(section) in env:
        return "env", _env_name(section)
    if _lookup(file_data, key)[0]:
        return "file", str(settings.config_path)
    return "default", None


def _shown(key: str, value: Any, source: Source, where: str | None) -> Any:
    if key in SECRET_KEYS:
        if isinstance(value, SecretStr) and value.get_secret_value():
            return f"set (from {source} {where})" if where else f"set (from {source})"
        return "not set"
    if value is None:
        if source == "file" and key.rsplit(".", 1)[-1] in _LOCATION_KEYS:
            return "not used (a stronger source sets the other of url/connection_string)"
        return None
    if key in MASKED_KEYS:
        return mask_text(str(value))
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _target_view(
    settings: Settings, name: str, origins: list[Origin], resolve_url: UrlResolver | None
) -> TargetView:
    target = getattr(settings, name)
    if target.password is not None and target.password.get_secret_value():
        password = next(o.value for o in origins if o.key == f"{name}.password")
    elif target.password_file is not None:
        exists = "" if Path(target.password_file).is_file() else ", missing"
        password = f"from file {target.password_file}{exists}"
    else:
        password = "not set"
    if resolve_url is None:
        return TargetView(None, password)
    try:
        url = resolve_url(settings, name)
    except HostprovError as exc:
        return TargetView(None, password, mask_text(exc.message))
    return TargetView(mask_text(url), password)
