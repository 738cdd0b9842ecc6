"""The two generations of the canvas schema behind one interface (see base.py)."""

from __future__ import annotations

from hostprov_tui.db.engines import DatabaseHandle
from hostprov_tui.db.generation import GenerationName, resolve_generation
from hostprov_tui.db.schema import detect_generation
from hostprov_tui.errors import SchemaMissing
from hostprov_tui.services.generations.base import Decision, Generation

__all__ = ["Decision", "Generation", "for_name", "generation_of"]


def for_name(
    name: GenerationName, tables: tuple[str, ...] | None = None, host_guid: bool = False
) -> Generation:
    """The generation object; ``tables``: the canvas tables found (None: all of them);
    ``host_guid``: canvas.Sessions has a HostGuid column (guid generation)."""
    if name == "tokens":
        from hostprov_tui.services.generations.tokens import TokensGeneration

        lowered = {t.lower() for t in tables} if tables is not None else None
        return TokensGeneration(
            run_tables=lowered is None or {"participants", "sessiondata"} <= lowered
        )
    from hostprov_tui.services.generations.guid import GuidGeneration

    return GuidGeneration(host_guid_column=host_guid)


def generation_of(canvas: DatabaseHandle, setting: str) -> Generation:
    """The generation of this canvas database (``setting``: auto, guid or tokens)."""
    found = detect_generation(canvas)
    name = resolve_generation(found, setting)
    if name is None:
        raise SchemaMissing(
            "The canvas database has no canvas tables yet, so hostprov cannot tell which "
            "generation of the NOOR Canvas schema it is for.",
            hint="Create them with `hostprov db init` (Host GUIDs) or `hostprov db init "
            "--generation tokens` (host tokens), or point [canvas] url at the app's database.",
        )
    return for_name(name, found.tables, found.host_guid_column)
