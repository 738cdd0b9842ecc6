"""Captured steps compiled as T-SQL with SQLAlchemy's mssql+pyodbc or mssql+mssqlpython dialect.

The dialect is set up as after connecting to SQL Server 2022 (version 16: OFFSET/FETCH, multi-row
VALUES, nvarchar(max)), with its real DBAPI module, so that what each driver binds is known:
pyodbc gets SQLAlchemy's ``setinputsizes`` types; mssql-python gets none (the dialect's
``bind_typing`` is NONE) and picks an ODBC type from each Python value
(``mssql_python.cursor.Cursor._map_sql_type``). The statements are compiled without a schema
translate map, so ``canvas.`` and ``dbo.`` stay as SQL Server sees them. Besides hostprov's
statements, SQLAlchemy's mssql dialect sends two of its own around an INSERT that carries an
explicit IDENTITY value (``MSExecutionContext.pre_exec/post_exec``); they are rendered too, marked
as the dialect's.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import mssql_python
import pyodbc
from mssql_python.parameter_helper import convert_pyformat_to_qmark, parse_pyformat_params
from sqlalchemy import Insert, TextClause
from sqlalchemy.dialects.mssql import mssqlpython as mssql_mssqlpython
from sqlalchemy.dialects.mssql import pyodbc as mssql_pyodbc
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from tests.support.tsql_capture import Step

HOSTPROV, DIALECT = "hostprov", "SQLAlchemy's mssql dialect"
#: How pyodbc binds a Python value when no setinputsizes type says otherwise (pyodbc's params.cpp)
_PYODBC_BINDS: tuple[tuple[type, str], ...] = (
    (bool, "SQL_BIT"), (int, "SQL_INTEGER/SQL_BIGINT"), (str, "SQL_WVARCHAR (nvarchar)"),
    (datetime.datetime, "SQL_TYPE_TIMESTAMP"), (uuid.UUID, "SQL_GUID"),
    (Decimal, "SQL_NUMERIC"), (bytes, "SQL_VARBINARY"),
)


#: How mssql-python binds a Python value (its ``Cursor._map_sql_type``): an int by its range, a
#: str as varchar when it is ASCII and nvarchar otherwise (at most 4,000 characters inline).
_MSSQLPYTHON_BINDS: tuple[tuple[type, str], ...] = (
    (bool, "SQL_BIT"), (int, "SQL_TINYINT/SMALLINT/INTEGER/BIGINT by value"),
    (str, "SQL_VARCHAR if ASCII, else SQL_WVARCHAR"),
    (datetime.datetime, "SQL_TYPE_TIMESTAMP"), (uuid.UUID, "SQL_GUID"),
    (Decimal, "SQL_NUMERIC"), (bytes, "SQL_VARBINARY"),
)


def mssql_dialect(driver: str = "pyodbc") -> Dialect:
    """mssql+pyodbc (or mssql+mssqlpython) as after its first connection to SQL Server 2022."""
    if driver == "mssqlpython":
        dialect = mssql_mssqlpython.dialect(dbapi=mssql_python)
    else:
        dialect = mssql_pyodbc.dialect(dbapi=pyodbc)
    dialect.server_version_info = (16, 0, 1000, 6)
    dialect._setup_version_attributes()  # type: ignore[attr-defined]
    dialect._supports_nvarchar_max = True  # type: ignore[attr-defined]
    dialect.default_schema_name = "dbo"
    return dialect


@dataclass(frozen=True)
class Statement:
    """One statement as SQL Server receives it from pyodbc."""

    database: str
    sql: str
    origin: str  # HOSTPROV or DIALECT
    #: one line per positional parameter (of the first row for a multi-row statement)
    parameters: tuple[str, ...] = ()
    rows: int = 1
    how: str = "execute"  # execute | executemany | insertmanyvalues


def compile_step(step: Step, dialect: Dialect) -> list[Statement]:
    """The statement(s) SQL Server receives for one captured ``sql`` step."""
    assert step.element is not None
    rows = step.params
    many = len(rows) > 1
    compiled = step.element.compile(
        dialect=dialect, column_keys=sorted(rows[0]) if rows else [], for_executemany=many
    )
    assert isinstance(compiled, SQLCompiler)
    state = compiled.construct_expanded_state(rows[0] if rows else None)
    sql, names = state.statement, list(state.positiontup or ())
    if not dialect.positional:  # mssql-python: pyformat, turned into "?" by the driver itself
        names = parse_pyformat_params(sql)
        sql = convert_pyformat_to_qmark(sql, dict(state.parameters))[0]
    how = "executemany" if many else "execute"
    if many and isinstance(step.element, Insert) and compiled._insertmanyvalues:
        sql, how = _insertmanyvalues(compiled, rows, dialect), "insertmanyvalues"
    text = isinstance(step.element, TextClause)
    parameters = tuple(
        _parameter(i, name, compiled, state.parameters, dialect, text)
        for i, name in enumerate(names, 1)
    )
    main = Statement(step.database, _tidy(sql), HOSTPROV, parameters, max(1, len(rows)), how)
    return _identity_insert(step, compiled, dialect, main)


def _insertmanyvalues(compiled: SQLCompiler, rows: list[dict[str, Any]], dialect: Dialect) -> str:
    """The first batch of a multi-row INSERT as the dialect sends it (VALUES (…), (…) and, with
    RETURNING, OUTPUT inserted.…), through the same batching SQLAlchemy's engine uses."""
    each = [compiled.construct_params(r) for r in rows]
    positional: list[Any] = [tuple(p[k] for k in compiled.positiontup or ()) for p in each] \
        if dialect.positional else each
    batches = list(compiled._deliver_insertmanyvalues_batches(
        compiled.string, positional, each, None, dialect.insertmanyvalues_page_size, False, None,
    ))
    assert len(batches) == 1, "the golden flows stay within one insertmanyvalues batch"
    batch = batches[0]
    if not dialect.positional:  # what mssql-python sends after its pyformat → "?" rewrite
        return convert_pyformat_to_qmark(str(batch.replaced_statement),
                                         dict(batch.replaced_parameters))[0]
    return str(batch.replaced_statement)


def _identity_insert(
    step: Step, compiled: SQLCompiler, dialect: Dialect, main: Statement
) -> list[Statement]:
    """What the mssql dialect adds around an INSERT (``MSExecutionContext.pre_exec``)."""
    if not isinstance(step.element, Insert):
        return [main]
    table = compiled.compile_state.dml_table  # type: ignore[union-attr]
    identity = table._autoincrement_column
    explicit = identity is not None and bool(step.params) and identity.key in step.params[0]
    if not explicit:
        # an INSERT into an IDENTITY table without RETURNING would get "; select
        # scope_identity()" appended by the dialect; hostprov has none (all RETURNING or
        # explicit): keep it that way, or render that too
        assert identity is None or compiled.effective_returning, main.sql
        return [main]
    name = dialect.identifier_preparer.format_table(table)
    return [
        Statement(step.database, f"SET IDENTITY_INSERT {name} ON", DIALECT),
        main,
        Statement(step.database, f"SET IDENTITY_INSERT {name} OFF", DIALECT),
    ]


def _parameter(
    position: int, name: str, compiled: SQLCompiler, values: dict[str, Any],
    dialect: Dialect, text: bool,
) -> str:
    """``?n name: DECLARED TYPE, python type → what the driver binds``."""
    bind = compiled.binds.get(name)
    if bind is None:  # one element of an expanded IN list: name_1, name_2, …
        bind = compiled.binds[name.rsplit("_", 1)[0]]
    value = values[name]
    impl = bind.type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if processor is not None and value is not None:
        value = processor(value)
    declared = "untyped" if bind.type._isnull else bind.type.compile(dialect=dialect)
    if dialect.driver == "mssqlpython":  # no setinputsizes: the value's type decides
        binds = "NULL" if value is None else next(
            (b for t, b in _MSSQLPYTHON_BINDS if isinstance(value, t)), "?")
        python = "None" if value is None else type(value).__name__
        return f"?{position} {name}: {declared}, {python} -> {binds}"
    dbtype = None if text else impl.get_dbapi_type(pyodbc)
    if isinstance(dbtype, tuple):
        dbtype = dbtype[0]
    if isinstance(dbtype, int):  # setinputsizes passes SQL type numbers only; pyodbc ignores
        binds = f"setinputsizes {_sql_type_name(dbtype)}"  # the Python types SQLAlchemy gives
    elif value is None:
        binds = "NULL"
    else:
        binds = next((b for t, b in _PYODBC_BINDS if isinstance(value, t)), "?")
    python = "None" if value is None else type(value).__name__
    return f"?{position} {name}: {declared}, {python} -> {binds}"


def _sql_type_name(number: int) -> str:
    names = [n for n in dir(pyodbc) if n.startswith("SQL_") and getattr(pyodbc, n) == number
             and not n.startswith(("SQL_C_", "SQL_DESC_"))]
    return min(names, key=len) if names else str(number)


def _tidy(sql: str) -> str:
    return "\n".join(line.rstrip() for line in sql.strip().splitlines())
