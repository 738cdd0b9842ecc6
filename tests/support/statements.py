"""Every SQL statement the databases see, captured with SQLAlchemy's ``before_cursor_execute``
event on the base engine of both database handles (BEGIN included). Used by the statement-count
and query-plan tests and by the benchmark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

#: issuance of a new Host GUID in a fixed, small number of statements (README, Performance)
MAX_ISSUE_STATEMENTS = 8


def _everything(database: str, statement: str, parameters: Any) -> Any:
    return (database, statement, parameters)


def selects(database: str, statement: str, parameters: Any) -> Any:
    """A ``keep`` for :func:`captured`: the queries only (not BEGIN, not SQLite's own catalogue)."""
    if statement.lstrip().upper().startswith("SELECT") and "sqlite_master" not in statement:
        return (database, statement, parameters)
    return None


@contextmanager
def captured(
    prov: Any, keep: Callable[[str, str, Any], Any] = _everything
) -> Iterator[list[Any]]:
    """Yields a list that fills with ``keep(database, statement, parameters)`` for each statement
    (skipped when it returns None). One engine shared by both databases is hooked once."""
    dbs = prov.ctx.databases()
    seen: list[Any] = []
    engines: dict[int, tuple[str, Any]] = {}
    for name, engine in (("canvas", dbs.canvas.base_engine),
                         ("ksessions", dbs.ksessions.base_engine)):
        engines.setdefault(id(engine), (name, engine))
    hooks = []
    for name, engine in engines.values():
        def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any,
                 name: str = name) -> None:
            item = keep(name, statement, parameters)
            if item is not None:
                seen.append(item)

        event.listen(engine, "before_cursor_execute", hook)
        hooks.append((engine, hook))
    try:
        yield seen
    finally:
        for engine, hook in hooks:
            event.remove(engine, "before_cursor_execute", hook)
