"""Typed settings: ``config.toml`` → ``HOSTPROV_*`` environment (nested ``__``) → CLI flags.

Passwords and the hash secret never come from the TOML file: a file that holds one is refused with
a sentence that names the environment variable to use instead.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from hostprov_tui.config.locations import (
    CONFIG_ENV_VAR,
    RULE_FLAG,
    choose_config,
    embedded_defaults,
    user_data_dir,
)
from hostprov_tui.config.paths import resolve_relative
from hostprov_tui.errors import ConfigError

Environment = Literal["development", "production"]
MssqlDriverSetting = Literal["auto", "pyodbc", "mssql-python"]

_toml_path: ContextVar[Path | None] = ContextVar("hostprov_toml_path", default=None)
# Below the file: the embedded default in the user data folder (only with the user config).
_user_defaults: ContextVar[dict[str, Any] | None] = ContextVar("hostprov_user_defaults",
                                                               default=None)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseTarget(_Section):
    """Where one database lives. ``url`` or ``connection_string`` (ADO.NET), never both."""

    url: str | None = None
    connection_string: str | None = None
    odbc_driver: str = "ODBC Driver 18 for SQL Server"
    #: SQL Server's Python driver: auto (mssql-python when installed and no installed ODBC driver
    #: is named), pyodbc (any ODBC driver) or mssql-python (Microsoft's, nothing to install)
    driver: MssqlDriverSetting = "auto"
    password: SecretStr | None = None
    password_file: Path | None = None


GenerationSetting = Literal["auto", "guid", "tokens"]


class CanvasTarget(DatabaseTarget):
    """The canvas database, and which generation of its schema to expect (auto: detect)."""

    generation: GenerationSetting = "auto"


class AppOptions(_Section):
    """The NOOR Canvas app the tokens are for: the base of the host and participant links."""

    base_url: str = "https://localhost:9091"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.lower().startswith(("http://", "https://")) or value[-3:] == "://":
            raise ValueError("must be an http:// or https:// URL, e.g. https://localhost:9091")
        return value


class TokensOptions(_Section):
    """The tokens generation: how long an issued pair of tokens stays valid."""

    valid_hours: float = Field(default=24, gt=0, le=24 * 366, allow_inf_nan=False)


#: The shortest timeout every backend honours as a limit: PostgreSQL counts whole milliseconds
#: (0 would mean "no limit"), SQL Server and libpq's connect_timeout whole seconds (rounded up).
MIN_TIMEOUT_S = 0.001


class DatabaseOptions(_Section):
    connect_timeout_s: float = Field(default=5, ge=MIN_TIMEOUT_S, le=600, allow_inf_nan=False)
    statement_timeout_s: float = Field(default=30, ge=MIN_TIMEOUT_S, le=3600,
                                       allow_inf_nan=False)


class AuditOptions(_Section):
    path: Path = Path("data/audit.jsonl")


class SecurityOptions(_Section):
    hash_secret: SecretStr | None = None
    hash_secret_file: Path | None = None


class DemoOptions(_Section):
    auto_create: bool = False
    sessions: int = Field(default=400, ge=1, le=2_000_000)
    seed: int = 7


class TuiOptions(_Section):
    refresh_s: float = Field(default=15, ge=1, le=3600, allow_inf_nan=False)
    theme: str = "textual-dark"
    app_settings: Path | None = None
    app_environment: str | None = None


class Settings(BaseSettings):
    """The effective configuration. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="HOSTPROV_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    environment: Environment = "development"
    canvas: CanvasTarget = CanvasTarget(url="sqlite:///data/canvas.db")
    ksessions: DatabaseTarget = DatabaseTarget(url="sqlite:///data/ksessions.db")
    database: DatabaseOptions = DatabaseOptions()
    audit: AuditOptions = AuditOptions()
    security: SecurityOptions = SecurityOptions()
    demo: DemoOptions = DemoOptions()
    tui: TuiOptions = TuiOptions()
    app: AppOptions = AppOptions()
    tokens: TokensOptions = TokensOptions()
    config_path: Path | None = Field(default=None, exclude=True)

    @field_validator("canvas", mode="before")
    @classmethod
    def _canvas_target(cls, value: Any) -> Any:
        """A plain DatabaseTarget given for canvas (code, tests) becomes a CanvasTarget."""
        if isinstance(value, DatabaseTarget) and not isinstance(value, CanvasTarget):
            return CanvasTarget(**value.model_dump(exclude_unset=True))
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _toml_path.get()
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _YieldsLocation(settings_cls, env_settings, (init_settings,)),
        ]
        stronger: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            toml = _CheckedTomlSource(settings_cls, path)
            sources.append(_YieldsLocation(settings_cls, toml, tuple(stronger)))
            stronger.append(toml)
        defaults = _user_defaults.get()
        if defaults is not None:
            base = InitSettingsSource(settings_cls, init_kwargs=defaults)
            sources.append(_YieldsLocation(settings_cls, base, tuple(stronger)))
        return tuple(sources)


_LOCATION_KEYS = ("url", "connection_string")


def _sets_location(data: Mapping[str, Any], section: str) -> bool:
    table = data.get(section)
    if isinstance(table, BaseModel):
        return bool(table.model_fields_set & set(_LOCATION_KEYS))
    return isinstance(table, Mapping) and any(
        table.get(key) is not None for key in _LOCATION_KEYS
    )


class _YieldsLocation(PydanticBaseSettingsSource):
    """``source``, minus a target's url/connection_string when a stronger source sets either.

    ``url`` and ``connection_string`` are two spellings of one setting: a connection string in
    the environment replaces a url from the file (and a --canvas-url flag replaces both) instead
    of the two being merged into a "both are set" error.
    """

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        source: PydanticBaseSettingsSource,
        stronger: tuple[PydanticBaseSettingsSource, ...],
    ) -> None:
        super().__init__(settings_cls)
        self._source = source
        self._stronger = stronger

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._source.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        data = dict(self._source())
        stronger = [source() for source in self._stronger]
        for section in ("canvas", "ksessions"):
            table = data.get(section)
            if isinstance(table, Mapping) and any(_sets_location(d, section) for d in stronger):
                data[section] = {k: v for k, v in table.items() if k not in _LOCATION_KEYS}
        return data


# Keys whose values are paths: relative values in config.toml are relative to that file.
_PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("audit", "path"),
    ("security", "hash_secret_file"),
    ("canvas", "password_file"),
    ("ksessions", "password_file"),
    ("tui", "app_settings"),
)


def password_variable(database: str) -> str:
    """The environment variable that holds a database's password (``canvas``, ``ksessions``)."""
    return f"HOSTPROV_{database.upper()}__PASSWORD"


_SECRET_KEYS: tuple[tuple[str, str, str], ...] = (
    ("canvas", "password", password_variable("canvas")),
    ("ksessions", "password", password_variable("ksessions")),
    ("security", "hash_secret", "HOSTPROV_SECURITY__HASH_SECRET"),
)


class _CheckedTomlSource(TomlConfigSettingsSource):
    """The TOML file, with secrets refused and relative paths made absolute."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        self._path = path
        super().__init__(settings_cls, toml_file=path)

    def _read_file(self, file_path: Path) -> dict[str, Any]:
        from hostprov_tui.config.size_limits import check_file_size

        check_file_size(file_path, "config file")
        try:
            data = super()._read_file(file_path)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file_path} is not valid TOML: {exc}.") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{file_path} is not UTF-8 text, so it cannot be a TOML config "
                              "file.") from None
        except RecursionError:
            raise ConfigError(f"{file_path} is nested too deeply to be a config file.") from None
        except OSError as exc:
            raise ConfigError(f"The config file {file_path} cannot be read: "
                              f"{exc.strerror or exc}.") from None
        return normalise_file_data(data, file_path.parent)


def normalise_file_data(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Refuse secrets in a committed file and resolve relative paths against ``base``."""
    for section, key, env in _SECRET_KEYS:
        if isinstance(data.get(section), dict) and key in data[section]:
            raise ConfigError(
                f"The config file sets [{section}] {key}, but secrets may not live in files "
                "that get committed.",
                hint=f"Remove it and set {env} (or {key}_file) instead.",
            )
    for section in ("canvas", "ksessions"):
        table = data.get(section)
        if isinstance(table, dict):
            for key in ("url", "connection_string"):
                value = table.get(key)
                if isinstance(value, str):
                    _refuse_inline_password(section, key, value)
                    if key == "url":
                        table[key] = resolve_sqlite_url(value, base)
    for section, key in _PATH_KEYS:
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), str):
            table[key] = str(resolve_relative(Path(table[key]), base))
    return data


def _refuse_inline_password(section: str, key: str, value: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    env = password_variable(section)
    if key == "connection_string":
        lowered = value.lower().replace(" ", "")
        if "password=" in lowered or "pwd=" in lowered:
            raise ConfigError(
                f"[{section}] connection_string in the config file contains a password.",
                hint=f"Remove Password=… from it and set {env} instead.",
            )
        return
    try:
        url = make_url(value)
    except ArgumentError:
        return  # reported with a better sentence when the URL is used
    odbc = str(url.query.get("odbc_connect", "")).lower().replace(" ", "")
    if url.password or "pwd=" in odbc or "password=" in odbc:
        raise ConfigError(
            f"[{section}] url in the config file contains a password.",
            hint=f"Remove it from the URL and set {env} instead.",
        )
    from hostprov_tui.config.database_name import credential_keys

    keys = credential_keys(url.query)
    if keys:
        raise ConfigError(
            f"[{section}] url in the config file carries a credential ({keys[0]}=…), but "
            f"secrets may not live in files that get committed; set {env} or "
            f"[{section}] password_file instead.",
            hint=f"Remove {keys[0]}= from the URL.",
        )


def resolve_sqlite_url(value: str, base: Path) -> str:
    """Make a relative ``sqlite:///relative/path`` absolute against ``base``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        return value
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return value
    path = resolve_relative(Path(url.database), base)
    return url.set(database=str(path)).render_as_string(hide_password=False)


def find_config_file(explicit: Path | None) -> Path | None:
    """``--config`` → ``$HOSTPROV_CONFIG`` → ``./config.toml`` → the user config file → none
    (the embedded default in the user data folder). A file named by the flag or the variable
    must exist."""
    choice = choose_config(explicit)
    if choice.exists:
        return choice.path.resolve()
    if choice.rule == RULE_FLAG:
        raise ConfigError(f"Config file {choice.path} does not exist.")
    if not choice.is_user_config:
        raise ConfigError(f"Config file {choice.path} (from {CONFIG_ENV_VAR}) does not exist.")
    return None


@contextmanager
def _toml_file(path: Path | None, defaults: dict[str, Any] | None = None) -> Iterator[None]:
    token = _toml_path.set(path)
    base = _user_defaults.set(defaults)
    try:
        yield
    finally:
        _user_defaults.reset(base)
        _toml_path.reset(token)


def load_settings(
    config: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Load the effective settings; ``overrides`` are CLI flags (nested dicts allowed).

    With the user config file (present or not) the embedded default in the user data folder
    lies beneath it, so nothing lands in the current folder."""
    path = find_config_file(config)
    user = choose_config(config).is_user_config
    defaults = embedded_defaults(user_data_dir()) if user else None
    try:
        with _toml_file(path, defaults):
            settings = Settings(**dict(overrides or {}))
    except ValidationError as exc:
        raise ConfigError(_validation_sentence(exc, path)) from None
    except SettingsError as exc:  # a HOSTPROV_<SECTION> variable that is not a JSON object
        raise ConfigError(_environment_sentence(exc)) from None
    settings.config_path = path
    if path is None:
        _make_default_paths_absolute(settings, Path.cwd())
    return settings


def _make_default_paths_absolute(settings: Settings, base: Path) -> None:
    settings.audit.path = resolve_relative(settings.audit.path, base)
    for target in (settings.canvas, settings.ksessions):
        if target.url:
            target.url = resolve_sqlite_url(target.url, base)


def _environment_sentence(exc: SettingsError) -> str:
    import re

    found = re.search(r'field "([a-z_]+)"', str(exc))
    field = found.group(1) if found else ""
    variable = f"HOSTPROV_{field.upper()}" if field else "A HOSTPROV_* variable"
    return (f"The environment variable {variable} cannot be read: a whole section must be a "
            f"JSON object; set one key with {variable}__<KEY> instead.")


def _validation_sentence(exc: ValidationError, path: Path | None) -> str:
    import os

    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ())]
    where = ".".join(loc)
    variable = "HOSTPROV_" + "__".join(loc).upper()
    named = {k.upper() for k in os.environ}
    source = f" (config file {path})" if path else ""
    if variable in named:
        source = f" (environment variable {variable})"
    elif loc and f"HOSTPROV_{loc[0].upper()}" in named:
        source = f" (environment variable HOSTPROV_{loc[0].upper()})"
    return f"Setting '{where}' is invalid: {first.get('msg', 'bad value')}{source}."
