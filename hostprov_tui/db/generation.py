"""Which generation of the canvas schema a database holds, told from its tables.

- **guid**: ``canvas.Sessions`` linked by ``KSessionsId`` and ``canvas.HostSessions`` holding the
  hashes of Host GUIDs (the app of the C# provisioner's time).
- **tokens**: no ``canvas.HostSessions``; ``canvas.Sessions`` carries an 8-character
  ``HostToken`` and ``UserToken`` (the NOOR Canvas app today).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from hostprov_tui.errors import SchemaMissing

GenerationName = Literal["guid", "tokens"]
GENERATIONS: tuple[GenerationName, ...] = get_args(GenerationName)

#: What each generation needs, in the words of the sentences below.
NEEDS: dict[GenerationName, str] = {
    "guid": "canvas.Sessions with KSessionsId and canvas.HostSessions (Host GUIDs)",
    "tokens": "canvas.Sessions with HostToken and UserToken, and no canvas.HostSessions "
    "(host tokens)",
}


@dataclass(frozen=True)
class Detected:
    """What the canvas schema holds: its tables, the columns of Sessions that tell, and the
    generation they make (None: empty, or matching neither)."""

    generation: GenerationName | None
    tables: tuple[str, ...]
    telling_columns: tuple[str, ...] = ()
    #: canvas.Sessions has the HostGuid column of the guid generation's app of that time
    host_guid_column: bool = False

    @property
    def empty(self) -> bool:
        return not self.tables

    def found(self) -> str:
        if self.empty:
            return "no canvas tables"
        columns = f" (Sessions has {', '.join(self.telling_columns)})" \
            if self.telling_columns else " (Sessions has none of " + ", ".join(_TELLING) + ")"
        return "canvas." + ", canvas.".join(self.tables) + \
            (columns if "Sessions" in self.tables else "")


#: Columns of canvas.Sessions that tell the generations apart, strongest first; GroupId and
#: AlbumId (the album, under its two names) tell an incomplete Sessions table's generation.
_TELLING = ("KSessionsId", "HostToken", "UserToken", "GroupId", "AlbumId")


def detect_in(inspector: Any, schema: str | None) -> Detected:
    """Detect from a SQLAlchemy inspector (``schema`` None: SQLite, one file per schema)."""
    tables = tuple(sorted(inspector.get_table_names(schema=schema)))
    lowered = {t.lower(): t for t in tables}
    columns: set[str] = set()
    if "sessions" in lowered:
        columns = {c["name"].lower() for c in inspector.get_columns(lowered["sessions"], schema)}
    telling = tuple(c for c in _TELLING if c.lower() in columns)
    generation: GenerationName | None = None
    if "hostsessions" in lowered or "ksessionsid" in columns:
        generation = "guid"
    elif "hosttoken" in columns or "usertoken" in columns:
        generation = "tokens"
    elif "groupid" in columns:
        generation = "guid"
    elif "albumid" in columns:
        generation = "tokens"
    return Detected(generation, tables, telling, "hostguid" in columns)


def to_create(setting: str) -> GenerationName:
    """The generation an EMPTY canvas database gets for a ``[canvas] generation`` setting:
    the one named, or guid for "auto"."""
    return "tokens" if setting == "tokens" else "guid"


def resolve_generation(found: Detected, setting: str) -> GenerationName | None:
    """The generation to use: the one found, unless ``[canvas] generation`` says otherwise.

    None for an empty database left on "auto" (``hostprov db init`` builds it). A database of
    the other generation, or one that matches neither, raises SchemaMissing (exit 3).
    """
    if found.generation is not None:
        if setting not in ("auto", found.generation):
            raise SchemaMissing(
                f"[canvas] generation is \"{setting}\" but the canvas database holds the "
                f"{found.generation} generation ({found.found()}).",
                hint=f"The {setting} generation needs {NEEDS[setting]}. "  # type: ignore[index]
                f"Set [canvas] generation = \"auto\" (or \"{found.generation}\"), or point "
                "[canvas] url at the right database.",
            )
        return found.generation
    if found.empty:
        return None if setting == "auto" else setting  # type: ignore[return-value]
    raise SchemaMissing(
        f"The canvas database matches neither generation of the NOOR Canvas schema: found "
        f"{found.found()}.",
        hint=f"The guid generation needs {NEEDS['guid']}; the tokens generation needs "
        f"{NEEDS['tokens']}.",
    )
