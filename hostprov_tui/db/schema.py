"""Check a database's schema against the models; create tables only in an empty database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.exc import DBAPIError

from hostprov_tui.db.canvas_models import CANVAS_SCHEMA, EXTRA_INDEXES, CanvasBase
from hostprov_tui.db.engines import DatabaseHandle, Databases
from hostprov_tui.db.errors import translate_db_error
from hostprov_tui.db.generation import (
    Detected,
    GenerationName,
    detect_in,
    resolve_generation,
)
from hostprov_tui.db.ksessions_models import KSESSIONS_SCHEMA, KSessionsAppBase, KSessionsBase
from hostprov_tui.errors import SchemaMissing

#: SQL Server has no CREATE SCHEMA IF NOT EXISTS (and CREATE SCHEMA must start its batch).
MSSQL_CREATE_SCHEMA = "IF SCHEMA_ID('{0}') IS NULL EXEC('CREATE SCHEMA [{0}]')"

#: Tables of the app that hostprov reads but can work without: a database lacking them is
#: complete for hostprov, and `check` says what the app then cannot do (services/readiness.py).
OPTIONAL_TABLES = frozenset({"Participants", "SessionData"})

def _metadata(handle: DatabaseHandle, generation: GenerationName) -> tuple[MetaData, str]:
    """The tables hostprov relies on, per database (canvas: per generation of its schema; the
    tokens generation's models load only for a database of that generation)."""
    if handle.name == "ksessions":
        return KSessionsBase.metadata, KSESSIONS_SCHEMA
    if generation == "tokens":
        from hostprov_tui.db.tokens_models import TokensBase

        return TokensBase.metadata, CANVAS_SCHEMA
    return CanvasBase.metadata, CANVAS_SCHEMA


@dataclass(frozen=True)
class SchemaReport:
    """What a database lacks. Extra indexes of ours are only a warning."""

    database: str
    expected_tables: int
    missing_tables: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    missing_optional_indexes: tuple[str, ...] = ()
    #: canvas only: the generation of its schema that was checked (None for KSESSIONS)
    generation: GenerationName | None = None
    #: the app's tables of OPTIONAL_TABLES that are missing (schema.table)
    missing_optional_tables: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.missing_tables and not self.missing_columns

    @property
    def empty(self) -> bool:
        return len(self.missing_tables) == self.expected_tables

    def sentence(self) -> str:
        if self.ok:
            extra = (
                f" (without the optional indexes {', '.join(self.missing_optional_indexes)})"
                if self.missing_optional_indexes
                else ""
            )
            if self.expected_tables == 1:
                return f"Its table and the table's columns are present{extra}."
            return f"All {self.expected_tables} tables and their columns are present{extra}."
        parts = []
        if self.missing_tables:
            parts.append(f"missing tables: {', '.join(self.missing_tables)}")
        if self.missing_columns:
            parts.append(f"missing columns: {', '.join(self.missing_columns)}")
        text = "Schema incomplete — " + "; ".join(parts) + "."
        if self.database == "canvas" and self.generation is None and self.empty:
            text += (" (That is the guid generation; the tokens generation needs "
                     "canvas.Sessions with HostToken and UserToken instead.)")
        elif self.generation is not None:
            text = f"{self.generation} generation: {text}"
        return text


def detect_generation(handle: DatabaseHandle) -> Detected:
    """Which generation of the canvas schema this database holds, from its tables."""
    try:
        with handle.connect() as conn:  # bounded by the connect timeout; typed errors
            return detect_in(inspect(conn), handle.schema(CANVAS_SCHEMA))
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None


def check_schema(
    handle: DatabaseHandle, generation: GenerationName | str = "auto"
) -> SchemaReport:
    """Compare the live tables/columns with the models. Never alters anything.

    For canvas, ``generation`` is the setting (auto, guid, tokens): the generation found in the
    database is checked; a database of the other generation, or of neither, raises SchemaMissing.
    """
    checked: GenerationName | None = None
    try:
        with handle.engine.connect() as conn:
            insp = inspect(conn)
            if handle.name == "canvas":
                found = detect_in(insp, handle.schema(CANVAS_SCHEMA))
                checked = resolve_generation(found, generation)
            metadata, logical = _metadata(handle, checked or "guid")
            schema = handle.schema(logical)
            present = {t.lower() for t in insp.get_table_names(schema=schema)}
            missing_tables: list[str] = []
            missing_columns: list[str] = []
            missing_indexes: list[str] = []
            missing_optional: list[str] = []
            for table in metadata.sorted_tables:
                qualified = f"{logical}.{table.name}"
                if table.name.lower() not in present:
                    (missing_optional if table.name in OPTIONAL_TABLES
                     else missing_tables).append(qualified)
                    continue
                cols = {c["name"].lower() for c in insp.get_columns(table.name, schema=schema)}
                missing_columns += [
                    f"{qualified}.{c.name}" for c in table.columns if c.name.lower() not in cols
                ]
                indexes = insp.get_indexes(table.name, schema)
                names = {(i.get("name") or "").lower() for i in indexes}
                missing_indexes += [
                    i.name
                    for i in table.indexes
                    if i.name in EXTRA_INDEXES and i.name.lower() not in names
                ]
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None
    return SchemaReport(
        handle.name,
        len([t for t in metadata.sorted_tables if t.name not in OPTIONAL_TABLES]),
        tuple(missing_tables),
        tuple(missing_columns),
        tuple(missing_indexes),
        checked,
        tuple(missing_optional),
    )


@dataclass(frozen=True)
class InitResult:
    database: str
    created: tuple[str, ...]
    already_present: bool


def init_schema(
    handle: DatabaseHandle, generation: GenerationName = "guid", setting: str = "auto"
) -> InitResult:
    """Create the tables in an empty database; refuse a partly built one; never alter.

    ``generation`` picks the canvas tables of an empty canvas database; one that has tables keeps
    its own generation, unless ``setting`` (guid, tokens) names the other (SchemaMissing)."""
    report = check_schema(handle, setting)
    metadata, logical = _metadata(handle, report.generation or generation)
    if report.ok:
        return InitResult(handle.name, (), already_present=True)
    if not report.empty:
        raise SchemaMissing(
            f"The {handle.name} database already has some of its tables, so hostprov will not "
            f"touch it. {report.sentence()}",
            hint="hostprov db init only builds empty databases; fix this one with the app's "
            "own migrations.",
        )
    try:
        with handle.engine.begin() as conn:
            if handle.backend == "postgresql":
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{logical}"'))
            elif handle.backend == "mssql":
                conn.execute(text(MSSQL_CREATE_SCHEMA.format(logical)))
            metadata.create_all(conn)
            extra = KSessionsAppBase.metadata if handle.name == "ksessions" else None
            if extra is not None:  # the app's own tables beside the catalogue (dbo.Countries)
                extra.create_all(conn)
    except DBAPIError as exc:
        raise translate_db_error(exc, handle.target) from None
    return InitResult(handle.name, tuple(f"{logical}.{t.name}" for t in metadata.sorted_tables),
                      already_present=False)


def init_databases(
    dbs: Databases, generation: GenerationName = "guid", setting: str = "auto"
) -> list[InitResult]:
    return [init_schema(dbs.ksessions), init_schema(dbs.canvas, generation, setting)]
