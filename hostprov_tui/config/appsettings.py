"""The NOOR Canvas app's ``appsettings.json``, read the way .NET reads it.

* ``appsettings.json`` first, then ``appsettings.<Environment>.json`` next to it (when it exists)
  on top, key by key. Keys are case-insensitive; a later file wins; duplicate keys inside one JSON
  object are an error (as in .NET).
* The environment is ``--environment``, else ``[tui] app_environment``, else
  ``DOTNET_ENVIRONMENT``/``ASPNETCORE_ENVIRONMENT``, else ``Production`` (the .NET default).
* Comments (``//`` and ``/* */``) and trailing commas are accepted, as .NET accepts them; a UTF-8
  byte-order mark is skipped. Nothing else beyond JSON is (no JSON5: single quotes, bare keys,
  hex or NaN are refused, as .NET refuses them), so a file the app cannot load is not read here.

Which connection string is which database (``map_targets``):

1. ``--canvas-name`` / ``--ksessions-name`` name them explicitly;
2. a name containing ``ksessions`` (KSessionsDb, KSESSIONS, ...) is KSESSIONS;
3. ``SimplifiedConnection`` is canvas (the app's tokens-generation context reads it first);
   else a name containing ``canvas`` (CanvasDb, NoorCanvas, ...);
4. ``DefaultConnection`` is canvas when neither is there (the app's own fallback), and KSESSIONS
   when no name contains ``ksessions`` — so a file with only ``DefaultConnection`` (the usual
   KSESSIONS_DEV, which holds both ``dbo.*`` and ``canvas.*``) gives both;
5. every other name is ignored (and listed as such).

Nothing here ever returns or prints a password: connection strings are kept parsed, with the
password inside a ``SecretStr``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hostprov_tui.config.adonet import (
    AdoNetConnection,
    ConnectionStringError,
    parse_connection_string,
)
from hostprov_tui.errors import ConfigError

TargetName = Literal["canvas", "ksessions"]
DEFAULT_CONNECTION = "DefaultConnection"
#: The connection string the app's tokens-generation context (SimplifiedCanvasDbContext) reads.
SIMPLIFIED_CONNECTION = "SimplifiedConnection"
DOTNET_DEFAULT_ENVIRONMENT = "Production"
ENVIRONMENT_VARIABLES = ("DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT")
SECTION = "connectionstrings"


@dataclass(frozen=True)
class AppConnectionString:
    """One entry of ``ConnectionStrings``: parsed, or the sentence saying why it cannot be."""

    name: str
    source: Path  # the file whose value won
    connection: AdoNetConnection | None
    error: str | None = None

    @property
    def masked(self) -> str:
        return self.connection.masked() if self.connection else "(unreadable)"

    def require(self) -> AdoNetConnection:
        if self.connection is None:
            raise ConfigError(
                f"Connection string {self.name} in {self.source.name}: {self.error}",
                hint="Fix it in the app's settings file; hostprov reads it as the app does.",
            )
        return self.connection


@dataclass(frozen=True)
class AppTargets:
    """Which app connection string hostprov's canvas and KSESSIONS correspond to."""

    canvas: AppConnectionString | None
    ksessions: AppConnectionString | None
    ignored: tuple[str, ...] = ()

    def get(self, name: TargetName) -> AppConnectionString | None:
        return self.canvas if name == "canvas" else self.ksessions

    def targets_of(self, connection_name: str) -> tuple[TargetName, ...]:
        return tuple(
            name
            for name in ("canvas", "ksessions")
            if (entry := self.get(name)) is not None and entry.name == connection_name
        )


@dataclass(frozen=True)
class AppSettings:
    """The app's effective ``ConnectionStrings`` for one environment."""

    files: tuple[Path, ...]  # the base file, then the environment's file when it exists
    environment: str
    environment_source: str  # "--app-environment", "[tui] app_environment", a variable, …
    connection_strings: tuple[AppConnectionString, ...]
    #: the app's own URL (Kestrel:Endpoints:<name>:Url, the HTTPS endpoint first), if it says
    base_url: str | None = None

    @property
    def base(self) -> Path:
        return self.files[0]

    def named(self, name: str) -> AppConnectionString | None:
        wanted = name.casefold()
        return next((c for c in self.connection_strings if c.name.casefold() == wanted), None)

    def map_targets(
        self, canvas_name: str | None = None, ksessions_name: str | None = None
    ) -> AppTargets:
        """Apply the naming rules of this module; explicit names win."""
        canvas = self._pick("canvas", canvas_name)
        ksessions = self._pick("ksessions", ksessions_name)
        if canvas is None and ksessions is None:
            names = ", ".join(c.name for c in self.connection_strings) or "none"
            raise ConfigError(
                f"{self.base.name} has no connection string for canvas or KSESSIONS "
                f"(found: {names}).",
                hint="Name them with --canvas-name and --ksessions-name.",
            )
        used = {c.name for c in (canvas, ksessions) if c is not None}
        ignored = tuple(c.name for c in self.connection_strings if c.name not in used)
        return AppTargets(canvas, ksessions, ignored)

    def _pick(self, target: TargetName, explicit: str | None) -> AppConnectionString | None:
        if explicit:
            found = self.named(explicit)
            if found is None:
                names = ", ".join(c.name for c in self.connection_strings) or "none"
                raise ConfigError(
                    f"{self.base.name} has no connection string named {explicit} "
                    f"(found: {names})."
                )
            return found
        word = target  # "canvas" or "ksessions"
        if target == "canvas" and (simplified := self.named(SIMPLIFIED_CONNECTION)) is not None:
            return simplified
        matches = [c for c in self.connection_strings if word in c.name.casefold()]
        if len(matches) > 1:
            names = ", ".join(c.name for c in matches)
            option = f"--{target}-name"
            raise ConfigError(
                f"{self.base.name} has several connection strings that could be {_label(target)}: "
                f"{names}.",
                hint=f"Choose one with {option} NAME.",
            )
        if matches:
            return matches[0]
        return self.named(DEFAULT_CONNECTION)


def _label(target: TargetName) -> str:
    return "canvas" if target == "canvas" else "KSESSIONS"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def resolve_environment(
    explicit: str | None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """The .NET environment name and where it came from."""
    if explicit and explicit.strip():
        return explicit.strip(), "--app-environment"
    if configured and configured.strip():
        return configured.strip(), "[tui] app_environment"
    env = os.environ if environ is None else environ
    for variable in ENVIRONMENT_VARIABLES:
        value = env.get(variable, "").strip()
        if value:
            return value, variable
    return DOTNET_DEFAULT_ENVIRONMENT, ".NET default"


def load_app_settings(
    path: Path,
    environment: str | None = None,
    *,
    configured_environment: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> AppSettings:
    """Read ``path`` and its environment file; raise :class:`ConfigError` with one sentence."""
    env_name, env_source = resolve_environment(environment, configured_environment, environ)
    if path.is_dir():
        path = path / "appsettings.json"
    files = [path]
    overlay = environment_file(path, env_name)
    if overlay is not None:
        files.append(overlay)
    merged: dict[str, tuple[str, Any, Path]] = {}
    for file in files:
        for key, (display, value) in flatten(read_jsonc(file)).items():
            merged[key] = (display, value, file)
    return AppSettings(
        tuple(files), env_name, env_source, tuple(_connection_strings(merged)),
        kestrel_url(merged),
    )


def kestrel_url(merged: Mapping[str, tuple[str, Any, Path]]) -> str | None:
    """The app's base URL from ``Kestrel:Endpoints:<name>:Url``: an https:// one first (the app
    links hosts to it), else the first http:// one; ``*``/``+``/``0.0.0.0`` hosts become
    localhost. None when the settings name no endpoint."""
    urls: list[str] = []
    for key, (_display, value, _file) in merged.items():
        parts = key.split(":")
        if len(parts) == 4 and parts[:2] == ["kestrel", "endpoints"] and parts[3] == "url" \
                and isinstance(value, str) and value.strip():
            urls.append(value.strip().split(";")[0].rstrip("/"))
    for scheme in ("https://", "http://"):
        for url in urls:
            if url.lower().startswith(scheme):
                host = url[len(scheme):]
                for wildcard in ("*", "+", "0.0.0.0", "[::]"):
                    if host == wildcard or host.startswith(wildcard + ":"):
                        host = "localhost" + host[len(wildcard):]
                return scheme + host
    return None


def environment_file(base: Path, environment: str) -> Path | None:
    """``appsettings.<Environment>.json`` next to ``base``; exact name first, then any case."""
    name = f"{base.stem}.{environment}{base.suffix}"
    exact = base.with_name(name)
    if exact.is_file():
        return exact
    try:
        siblings = list(base.parent.iterdir())
    except OSError:
        return None
    folded = name.casefold()
    return next((p for p in sorted(siblings) if p.name.casefold() == folded and p.is_file()), None)


def _connection_strings(
    merged: Mapping[str, tuple[str, Any, Path]],
) -> list[AppConnectionString]:
    found: list[AppConnectionString] = []
    prefix = SECTION + ":"
    for key, (display, value, file) in merged.items():
        if not key.startswith(prefix) or ":" in key[len(prefix) :]:
            continue
        name = display.split(":", 1)[1]
        if value is None or (isinstance(value, str) and not value.strip()):
            found.append(AppConnectionString(name, file, None, "the value is empty"))
            continue
        if not isinstance(value, str):
            found.append(AppConnectionString(name, file, None, "the value is not text"))
            continue
        try:
            found.append(AppConnectionString(name, file, parse_connection_string(value)))
        except ConnectionStringError as exc:
            found.append(AppConnectionString(name, file, None, str(exc)))
    return found


def flatten(node: Any, prefix: str = "") -> dict[str, tuple[str, Any]]:
    """.NET's view of a JSON document: ``Section:Key`` → value, keys folded to lower case.

    Arrays become ``Section:0``, ``Section:1``... as in .NET; the display key keeps the case of
    the file that set it.
    """
    out: dict[str, tuple[str, Any]] = {}
    if isinstance(node, dict):
        items: list[tuple[str, Any]] = list(node.items())
    elif isinstance(node, list):
        items = [(str(i), v) for i, v in enumerate(node)]
    else:
        if prefix:
            out[prefix.casefold()] = (prefix, node)
        return out
    for key, value in items:
        path = f"{prefix}:{key}" if prefix else key
        out.update(flatten(value, path))
    return out


# ---------------------------------------------------------------------------------------------
# JSON with comments and trailing commas
# ---------------------------------------------------------------------------------------------


def read_jsonc(path: Path) -> Any:
    """Parse a .NET settings file; errors name the file, the line and the column, never a value."""
    from hostprov_tui.config.size_limits import check_file_size

    check_file_size(path, "app settings file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"The app settings file {path} does not exist.") from None
    except IsADirectoryError:
        raise ConfigError(f"The app settings file {path} is a directory.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The app settings file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"The app settings file {path} cannot be read: {exc.strerror}.") from None
    try:
        cleaned = strip_jsonc(text)
        document = json.loads(cleaned, object_pairs_hook=_no_duplicates,
                              parse_constant=_no_named_numbers)
    except _JsoncError as exc:
        raise ConfigError(f"The app settings file {path} is not valid JSON: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"The app settings file {path} is not valid JSON: {exc.msg.lower()} "
            f"at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise ConfigError(f"The app settings file {path} is nested too deeply to be app "
                          "settings.") from None
    if not isinstance(document, dict):
        raise ConfigError(f"The app settings file {path} does not hold a JSON object.")
    return document


class _JsoncError(ValueError):
    pass


def _no_named_numbers(name: str) -> Any:
    """NaN and Infinity: Python's json takes them, .NET's reader (and JSON) does not."""
    raise _JsoncError(f"{name} is not a JSON value")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, str] = {}
    result: dict[str, Any] = {}
    for key, value in pairs:
        folded = key.casefold()
        if folded in seen:
            raise _JsoncError(f'the key "{key}" appears twice in one object')
        seen[folded] = key
        result[key] = value
    return result


#: a JSON string (possibly unterminated at the line end) — kept as it is
_STRING = r'"(?:\\.|[^"\\\n])*"?'
_COMMENTS = re.compile(rf"{_STRING}|//[^\n]*|/\*.*?\*/|/\*", re.DOTALL)
_TRAILING_COMMAS = re.compile(rf"{_STRING}|,(?=\s*[}}\]])", re.DOTALL)


def strip_jsonc(text: str) -> str:
    """``text`` with comments and trailing commas blanked out; line and column numbers kept."""
    return _TRAILING_COMMAS.sub(_blank_comma, _COMMENTS.sub(_blank_comment, text))


def _blank_comment(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith('"'):
        return token
    if token == "/*":  # no closing */ anywhere after it
        line = match.string.count("\n", 0, match.start()) + 1
        raise _JsoncError(f"a /* comment opened on line {line} is never closed")
    return re.sub(r"[^\n]", " ", token)


def _blank_comma(match: re.Match[str]) -> str:
    return match.group() if match.group().startswith('"') else " "
