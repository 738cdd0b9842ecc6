"""Column types that render exactly as the NOOR Canvas SQL Server schema on mssql.

The SQL Server spellings (``datetime2``, ``datetime``, ``nvarchar(max)``) come from
``sqlalchemy.dialects.mssql``, which these types import only when a SQL Server dialect asks for
them (``load_dialect_impl``): a command on SQLite or PostgreSQL never loads the SQL Server
dialect. On mssql each type is the dialect's own type, so DDL, binding and result processing are
those of ``DateTime().with_variant(mssql.DATETIME2(), "mssql")`` and its like.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, Integer, UnicodeText
from sqlalchemy.types import TypeDecorator, TypeEngine

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


class _DateTime2(TypeDecorator[datetime]):
    """``datetime2`` on SQL Server, a plain timestamp elsewhere."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            from sqlalchemy.dialects.mssql import DATETIME2

            return DATETIME2()
        if dialect.name == "sqlite":
            return _sqlite_datetime()()
        return self.impl_instance


@functools.cache
def _sqlite_datetime() -> type[TypeEngine[Any]]:
    """SQLite's DATETIME (text), formatting the datetime bound last again only when another one
    comes: a bulk chunk binds the same ``now`` in every row it writes (the processor is one
    for every column of the type)."""
    from sqlalchemy.dialects.sqlite import DATETIME

    class _RepeatedDateTime(DATETIME):
        def bind_processor(self, dialect: Dialect) -> Any:
            process = super().bind_processor(dialect)
            last: list[tuple[object, object]] = [(None, None)]  # (value, text), swapped whole

            def repeated(value: object) -> object:
                if value is None:  # NULL, between the same datetime: it stays remembered
                    return None
                seen, text = last[0]
                if value is seen:  # the same (immutable) datetime object
                    return text
                text = process(value)
                last[0] = (value, text)
                return text

            return repeated

    return _RepeatedDateTime


class _LegacyDateTime(TypeDecorator[datetime]):
    """``datetime`` (the legacy SQL Server type used by KSESSIONS), a timestamp elsewhere."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            from sqlalchemy.dialects.mssql import DATETIME

            return DATETIME()
        return self.impl_instance


class _NVarCharMax(TypeDecorator[str]):
    """``nvarchar(max)`` on SQL Server (never the deprecated ``ntext``), TEXT elsewhere."""

    impl = UnicodeText
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            from sqlalchemy.dialects.mssql import NVARCHAR

            return NVARCHAR("max")
        return self.impl_instance


#: ``datetime2`` on SQL Server, a plain timestamp elsewhere.
DateTime2 = _DateTime2()
#: ``datetime`` (the legacy SQL Server type used by KSESSIONS).
LegacyDateTime = _LegacyDateTime()
#: ``bigint``; SQLite needs INTEGER for its rowid alias to generate identities.
IdentityBigInt = BigInteger().with_variant(Integer(), "sqlite")
#: ``nvarchar(max)`` on SQL Server (never the deprecated ``ntext``), TEXT elsewhere.
NVarCharMax = _NVarCharMax()
