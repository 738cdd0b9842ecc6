"""Column types that render exactly as the NOOR Canvas SQL Server schema on mssql."""

from __future__ import annotations

from sqlalchemy import BigInteger, DateTime, Integer, UnicodeText
from sqlalchemy.dialects import mssql

#: ``datetime2`` on SQL Server, a plain timestamp elsewhere.
DateTime2 = DateTime().with_variant(mssql.DATETIME2(), "mssql")
#: ``datetime`` (the legacy SQL Server type used by KSESSIONS).
LegacyDateTime = DateTime().with_variant(mssql.DATETIME(), "mssql")
#: ``bigint``; SQLite needs INTEGER for its rowid alias to generate identities.
IdentityBigInt = BigInteger().with_variant(Integer(), "sqlite")
#: ``nvarchar(max)`` on SQL Server (never the deprecated ``ntext``), TEXT elsewhere.
NVarCharMax = UnicodeText().with_variant(mssql.NVARCHAR("max"), "mssql")
