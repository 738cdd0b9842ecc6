"""Partial (filtered) indexes whose WHERE clause is spelled per dialect, loaded with the dialect.

``Index(..., mssql_where=..., postgresql_where=...)`` makes SQLAlchemy validate each keyword
against its dialect when the Index is built, which imports the SQL Server and PostgreSQL
dialects (and their async drivers' modules) in every command that imports the models. Here the
clauses wait in ``Index.info`` and become the dialect's own ``<dialect>_where`` option when
``CREATE INDEX`` is compiled for that dialect (``create_all``, or ``CreateIndex(...).compile``),
so the statement is exactly what the keyword would have rendered, and only the dialect in use is
ever loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler

#: The key of ``Index.info`` that holds the WHERE clause per dialect name.
WHERE_KEY = "hostprov_where"


def partial_index(name: str, *columns: str, where: Mapping[str, str], unique: bool = False
                  ) -> Index:
    """An index on ``columns`` with the WHERE clause ``where[dialect name]`` (SQL text)."""
    return Index(name, *columns, unique=unique,
                 info={WHERE_KEY: {dialect: text(sql) for dialect, sql in where.items()}})


def dialect_where(index: Index, dialect_name: str) -> Any:
    """The WHERE clause of ``index`` on that dialect (None: a full index there)."""
    return index.info.get(WHERE_KEY, {}).get(dialect_name)


@compiles(CreateIndex)
def _create_index(element: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    index = element.element
    name = compiler.dialect.name
    where = dialect_where(index, name) if isinstance(index, Index) else None
    if where is not None:  # the dialect is loaded: it is compiling this statement
        index.dialect_options[name]["where"] = where
    return compiler.visit_create_index(element, **kw)
