"""Every statement hostprov sends to SQL Server, in both canvas generations, kept as T-SQL.

hostprov's flows (check, search, dry run, issue, rotate, verify, links, bulk, revoke, db init) run
for real on SQLite; each statement is compiled again with SQLAlchemy's mssql+pyodbc dialect and
kept under tests/golden/tsql/<generation>_<flow>.sql with its parameters and transaction
boundaries (tests/support/tsql_flows.py says how), and once more with the mssql+mssqlpython
dialect (Microsoft's mssql-python driver) as <generation>_<flow>.mssqlpython.sql. Two kinds of test:

- the golden files match what the code sends today (a changed statement shows as a diff);
- every statement parses as T-SQL with sqlglot's tsql dialect, and passes the T-SQL rules
  sqlglot does not enforce (``IS`` only before ``[NOT] NULL``; every table schema-qualified;
  one parameter per ``?``).

After an intended change, rewrite the golden files and review the diff::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_tsql_golden.py
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from tests.support.tsql import Statement
from tests.support.tsql_flows import (
    DRIVERS,
    FLOWS,
    GENERATIONS,
    GOLDEN_DIR,
    Rendered,
    build_env,
    render_generation,
)

#: read at import: the suite's autouse fixture clears HOSTPROV_* variables, not this one
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
NAMES = [f"{g}_{f.name}{suffix}" for g in GENERATIONS for f in FLOWS if f.only in (None, g)
         for suffix, _ in DRIVERS.values()] + [
    f"{g}_db_init{suffix}" for g in GENERATIONS for suffix, _ in DRIVERS.values()]

#: Statements sqlglot keeps as an opaque Command (or whose tree it gets wrong): each is checked
#: against the syntax SQL Server documents for it instead, by a pattern.
_NAME = r"(?:\[\w+\]|\w+)"
DOCUMENTED_SYNTAX = {
    # sqlglot: "contains unsupported syntax. Falling back to parsing as a 'Command'"
    "SET IDENTITY_INSERT": re.compile(rf"SET IDENTITY_INSERT {_NAME}\.{_NAME} (ON|OFF)"),
    # sqlglot reads EXEC('…') after IF as a block; the dynamic SQL inside is parsed on its own
    "IF SCHEMA_ID": re.compile(r"IF SCHEMA_ID\('(\w+)'\) IS NULL EXEC\('(CREATE SCHEMA \[\1\])'\)"),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Rendered]]:
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("HOSTPROV_")]:
            patch.delenv(key)
        out: dict[str, Rendered] = {}
        for generation in GENERATIONS:
            env = build_env(tmp_path_factory.mktemp(f"tsql-{generation}"), generation)
            out.update((r.name, r) for r in render_generation(env, generation))
        if UPDATE:
            _rewrite(out)
        yield out


def _rewrite(rendered: dict[str, Rendered]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in GOLDEN_DIR.glob("*.sql"):
        if stale.stem not in rendered:
            stale.unlink()
    for name, r in rendered.items():
        (GOLDEN_DIR / f"{name}.sql").write_text(r.text, encoding="utf-8")


def test_every_flow_has_a_golden_file_and_no_other(rendered: dict[str, Rendered]) -> None:
    assert sorted(rendered) == sorted(NAMES)
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.sql")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_golden_file_matches(rendered: dict[str, Rendered], name: str) -> None:
    path = GOLDEN_DIR / f"{name}.sql"
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 (see the module docstring)"
    assert rendered[name].text == path.read_text(encoding="utf-8"), (
        f"{name}: the statements sent to SQL Server changed; review, then UPDATE_GOLDEN=1")


@pytest.mark.parametrize("name", NAMES)
def test_every_statement_is_valid_tsql(rendered: dict[str, Rendered], name: str) -> None:
    statements = rendered[name].statements
    assert statements, f"{name} sends nothing?"
    for st in statements:
        check_tsql(st)


#: DELETE … OUTPUT deleted.<column>, … WHERE … (SQL Server's DELETE … RETURNING): sqlglot reads no
#: OUTPUT clause in a DELETE, so the clause is checked by this pattern (deleted.<column> only)
#: and the DELETE without it is checked like any other statement.
DELETE_OUTPUT = re.compile(
    rf"(DELETE FROM {_NAME}\.{_NAME}) OUTPUT (deleted\.{_NAME}(?:, deleted\.{_NAME})*) "
    r"(WHERE .+)", re.S)


def check_tsql(st: Statement) -> None:
    output = DELETE_OUTPUT.fullmatch(st.sql)
    if output is not None:
        check_tsql(dataclasses.replace(st, sql=f"{output[1]} {output[3]}"))
        return
    documented = next((p for k, p in DOCUMENTED_SYNTAX.items() if st.sql.startswith(k)), None)
    if documented is not None:
        match = documented.fullmatch(st.sql)
        assert match, f"not the documented syntax:\n{st.sql}"
        for inner in match.groups()[1:]:  # dynamic SQL inside EXEC('…')
            _parse(inner)
        return
    trees = _parse(st.sql)
    for tree in trees:
        assert not isinstance(tree, exp.Command), f"sqlglot did not parse:\n{st.sql}"
        for node in tree.find_all(exp.Is):
            assert isinstance(node.expression, exp.Null), (
                f"T-SQL allows IS only before [NOT] NULL: {node.sql('tsql')}\n{st.sql}")
        for table in tree.find_all(exp.Table):
            if isinstance(table.parent, exp.Execute):
                continue  # the procedure of EXEC: sp_getapplock resolves in sys from anywhere
            assert table.db, f"table {table.sql('tsql')} is not schema-qualified:\n{st.sql}"
    placeholders = sum(len(list(t.find_all(exp.Placeholder))) for t in trees)
    assert placeholders == len(st.parameters) * (st.rows if st.how == "insertmanyvalues" else 1), (
        f"{placeholders} placeholders for {len(st.parameters)} parameters:\n{st.sql}")


def _parse(sql: str) -> list[exp.Expression]:
    trees = [t for t in sqlglot.parse(sql, read="tsql") if t is not None]
    assert trees, f"nothing parsed:\n{sql}"
    return trees


def test_the_checks_catch_what_sqlglot_lets_through() -> None:
    """The extra rules fail on the statements SQLAlchemy renders for ``is_(True)`` and
    ``is_not(False)`` on SQL Server (``IS 1``, ``IS NOT 0``), which sqlglot accepts."""
    for sql in ("SELECT t.a FROM canvas.t WHERE t.b IS 1",
                "SELECT t.a FROM dbo.t WHERE t.b IS NOT 0"):
        with pytest.raises(AssertionError, match="IS only before"):
            check_tsql(Statement("canvas", sql, "hostprov"))
    with pytest.raises(AssertionError, match="schema-qualified"):
        check_tsql(Statement("canvas", "SELECT a FROM t", "hostprov"))
    with pytest.raises(AssertionError, match="placeholders"):
        check_tsql(Statement("canvas", "SELECT a FROM dbo.t WHERE a = ?", "hostprov"))
    with pytest.raises(AssertionError, match="documented syntax"):
        check_tsql(Statement("canvas", "SET IDENTITY_INSERT canvas.Sessions", "hostprov"))


def test_sp_getapplock_always_runs_inside_an_open_transaction(
    rendered: dict[str, Rendered],
) -> None:
    """sp_getapplock with @LockOwner = 'Transaction' needs an open transaction; the drivers in
    use begin one themselves (tests/test_mssql_transactions.py), but under a driver in
    implicit-transaction mode only a table statement opens one, so the lock batch opens it
    itself when it comes first on its connection (revoke; issue with two databases)."""
    outside = {n: r.applocks_outside_transaction for n, r in rendered.items()
               if r.applocks_outside_transaction}
    assert not outside, outside


def test_a_bulk_chunk_stays_within_sql_servers_2100_parameters() -> None:
    """SQL Server takes at most 2,100 parameters per request. SQLAlchemy splits a multi-row
    INSERT itself; the widest other statement of a chunk is the token check (tokens
    generation): ``HostToken IN (n) OR UserToken IN (n)`` with up to two new tokens per ID."""
    from hostprov_tui.services.bulk import CHUNK_SIZE

    assert 2 * 2 * CHUNK_SIZE <= 2099


def test_golden_files_are_plain_text(rendered: dict[str, Rendered]) -> None:
    """No secret or moment leaks into a golden file: parameters show types, never values."""
    for name in NAMES:
        text = Path(GOLDEN_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), name
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text), name


def test_both_drivers_send_the_same_statements(rendered: dict[str, Rendered]) -> None:
    """mssql-python gets pyformat from SQLAlchemy and rewrites it to ``?`` itself: SQL Server
    then receives, statement for statement, the text pyodbc sends (locks, hints, IDENTITY_INSERT,
    OUTPUT inserted); only how each parameter is bound differs (see the files' parameter lines)."""
    pairs = [(n, f"{n}.mssqlpython") for n in NAMES if not n.endswith(".mssqlpython")]
    assert pairs and all(other in rendered for _, other in pairs)
    for pyodbc_name, other in pairs:
        assert [s.sql for s in rendered[pyodbc_name].statements] == \
            [s.sql for s in rendered[other].statements], other
        assert rendered[other].applocks_outside_transaction == 0, other
