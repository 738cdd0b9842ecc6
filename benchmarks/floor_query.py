"""The floor of a database command: what any Python tool built on the same libraries pays.

It imports pydantic-settings, SQLAlchemy and click (hostprov's settings, database and command
libraries), then runs one query on the same SQLite file. `hostprov -q check` and `hostprov -q
sessions WORD` are measured against this whole process (benchmarks/prompt.py).

    python benchmarks/floor_query.py PATH/ksessions.db
"""

from __future__ import annotations

import sys

import click  # noqa: F401  (imported as hostprov imports it)
import pydantic_settings  # noqa: F401
from sqlalchemy import create_engine, text


def main(path: str) -> int:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM Sessions WHERE SessionID < 100")).scalar()
    print(found)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
