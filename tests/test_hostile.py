"""Hostile input, generated: IDs, search text, dates, GUIDs, names — through services and CLI.

Every input ends in a result or a HostprovError (never another exception), the CLI exits with a
documented code, and no input changes a table it should not (row counts are compared).
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hostprov_tui.db.canvas_models import CanvasBase, HostSession
from hostprov_tui.db.ksessions_models import KSessionsBase
from hostprov_tui.errors import HostprovError, InputError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import INT_MAX, Target
from hostprov_tui.services.results import SearchPage
from tests.conftest import TEST_SECRET, DemoIds, Env
from tests.support.cli_run import invoke

SQL_BITS = ["'; DROP TABLE dbo.Sessions; --", "' OR '1'='1", '" OR ""="', "1; DELETE FROM x",
            "%", "_", "%%", "\\", "\\'", "' UNION SELECT * FROM canvas.HostSessions --",
            "]]; DROP TABLE [dbo].[Sessions]", "$$", "E'\\x00'", "/*", "*/", "--", "\x00", "a\x00b",
            "ab\udcffcd", "\udc80"]  # the last two: invalid UTF-8 bytes as Python decodes argv
WEIRD_IDS = ["١٢", "١", "１２", "𝟏𝟐", "²", "½", "0", "-0", "-1", "+7", " 12 ", "12\n", "0x10",
             "1e3", "1.0", "12abc", "9" * 400, str(INT_MAX), str(INT_MAX + 1), str(2**63),
             str(-(2**63)), "NaN", "∞", "", " ", "\t", "12\x00"]
WEIRD_DATES = ["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59",
               "1970-01-01T00:00:00Z", "2026-11-23T25:00", "yesterday", "2027-01-01+99:00",
               "2027-01-01T00:00:00+14:00", "2027-01-01T00:00:00-12:00", "+275760-09-13",
               "2027-1-1", "２０２７-01-01", "2027-01-01\x00", "''; --",
               "9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+14:00"]
GUID_SHAPES = ["{3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c}", "3F2B8C1E9D4A4E7BA1C25D6E7F8A9B0C",
               "urn:uuid:3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c",
               "00000000-0000-0000-0000-000000000000",
               "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0cc",
               "ｇｕｉｄ", "' OR 1=1 --"]

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
hostile = st.one_of(texts, st.sampled_from(SQL_BITS),
                    st.builds(lambda a, b: a + b, st.sampled_from(SQL_BITS), texts))
id_texts = st.one_of(st.sampled_from(WEIRD_IDS), st.integers(-(2**70), 2**70).map(str),
                st.text(alphabet=string.digits + "١٢٣٤-+ x", max_size=25), hostile)
search_texts = st.one_of(hostile, st.sampled_from(["a" * 10_000, "%" * 10_000, "_" * 201,
                                               "ن" * 5000, "\\" * 300]),
                     st.text(alphabet="%_\\'\"[]^*-", max_size=40))
offsets = st.sampled_from(["Z", "+14:00", "-12:00", "+00:00", "-00:30", "+23:59"])
date_texts = st.one_of(st.sampled_from(WEIRD_DATES), st.dates().map(str),
                       st.datetimes().map(lambda d: d.isoformat()),
                       st.builds(lambda d, o: d.isoformat() + o, st.datetimes(), offsets), texts)
guid_texts = st.one_of(st.sampled_from(GUID_SHAPES), st.uuids().map(str),
                  st.uuids().map(lambda u: u.hex.upper()), hostile)

#: Both databases are up, so 3 (unreachable) would be wrong too.
CLI_CODES = {0, 2, 4}
#: LIKE / regex / FTS metacharacters: no demo name contains them, so they must match nothing.
#: Not "-": it is real text in the demo (album "Al-Kahf"), so a search for "-" rightly finds
#: those sessions.
WILDCARDS = set("%_\\'\"[]^*")


def _examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _counts(prov: Provisioner) -> dict[str, int]:
    dbs = prov.ctx.databases()
    found: dict[str, int] = {}
    for handle, metadata in ((dbs.ksessions, KSessionsBase.metadata),
                             (dbs.canvas, CanvasBase.metadata)):
        with handle.engine.connect() as conn:
            for table in metadata.sorted_tables:
                found[f"{table.schema}.{table.name}"] = int(
                    conn.execute(select(func.count()).select_from(table)).scalar_one())
    return found


@pytest.fixture
def tried() -> Iterator[Counter[str]]:
    counter: Counter[str] = Counter()
    yield counter
    print(f"\n[hostile] inputs tried: {sum(counter.values())} {dict(counter)}")


def _service(call: Callable[[], object]) -> object:
    """Run a service call: a result, or a typed error — anything else fails the test."""
    try:
        return call()
    except HostprovError as exc:
        assert exc.message and exc.exit_code in (1, 2, 3, 4, 5)
        return exc


def test_services_survive_hostile_input(
    prov: Provisioner, ids: DemoIds, tried: Counter[str]
) -> None:
    before = _counts(prov)

    @_examples(150)
    @given(value=id_texts)
    def target_ids(value: str) -> None:
        tried["ids"] += 1
        for make in (lambda: Target.parse(ksessions_id=value),
                     lambda: Target.parse(canvas_session_id=value)):
            target = _service(make)
            if isinstance(target, Target):
                assert (target.ksessions_id or target.canvas_session_id or 0) > 0
                for call in (lambda t=target: prov.dry_run(t),
                             lambda t=target: prov.revoke(t)):
                    outcome = _service(call)  # type: ignore[arg-type]
                    assert not isinstance(outcome, HostprovError) or outcome.exit_code == 4
            else:
                assert isinstance(target, InputError)

    @_examples(150)
    @given(query=search_texts)
    def search(query: str) -> None:
        tried["search"] += 1
        page = _service(lambda: prov.search(query, limit=20))
        assert not isinstance(page, HostprovError) or isinstance(page, InputError)
        if isinstance(page, SearchPage) and query.strip() and set(query.strip()) <= WILDCARDS:
            assert page.rows == (), f"{query!r} matched as a pattern, not as text"

    @_examples(100)
    @given(value=date_texts)
    def expiry(value: str) -> None:
        tried["dates"] += 1
        result = _service(lambda: prov.dry_run(Target(ksessions_id=ids.good), expires=value))
        assert not isinstance(result, HostprovError) or isinstance(result, InputError)

    @_examples(100)
    @given(value=guid_texts)
    def verify(value: str) -> None:
        tried["guids"] += 1
        result = _service(lambda: prov.verify(value))
        assert not isinstance(result, HostprovError) or isinstance(result, InputError)

    target_ids()
    search()
    expiry()
    verify()
    assert _counts(prov) == before  # dry runs rolled back, nothing else wrote


def test_hostile_names_are_stored_verbatim(
    prov: Provisioner, ids: DemoIds, tried: Counter[str]
) -> None:
    """Issuing with hostile CreatedBy/reason: one canvas and one host row, the text as given."""
    before = _counts(prov)

    @_examples(60)
    @given(name=hostile, reason=hostile)
    def issue(name: str, reason: str) -> None:
        tried["names"] += 1
        result = _service(lambda: prov.issue(Target(ksessions_id=ids.good), created_by=name,
                                             reason=reason))
        if isinstance(result, HostprovError):
            assert isinstance(result, InputError)  # e.g. NUL, or longer than 128 characters
            return
        with prov.ctx.databases().canvas.engine.connect() as conn:
            stored = conn.execute(select(HostSession.CreatedBy).where(
                HostSession.HostSessionId == result.host_session_id)).scalar_one()
        assert stored == (name.strip() or prov.operator)

    issue()
    after = _counts(prov)
    grown = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert grown in ({}, {"canvas.Sessions": 1, "canvas.HostSessions": 1})


def test_cli_survives_hostile_input(env: Env, ids: DemoIds, tried: Counter[str]) -> None:
    config = str(env.write_config())
    environ = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET}
    prov = Provisioner(env.settings(), operator="tester")
    before = _counts(prov)

    def run(*args: str) -> int:
        result = invoke([*args, "-q", "--config", config], environ)
        assert result.code in CLI_CODES, result.output
        assert "Traceback" not in result.output and "Unexpected error" not in result.output
        return result.code

    @_examples(40)
    @given(value=id_texts)
    def target_ids(value: str) -> None:
        tried["cli ids"] += 1
        run("dry-run", "--ksessions-id", value)
        run("revoke", "--canvas-session-id", value)

    @_examples(40)
    @given(query=search_texts)
    def search(query: str) -> None:
        tried["cli search"] += 1
        assert run("sessions", "--", query) in (0, 2)

    @_examples(30)
    @given(value=date_texts)
    def expiry(value: str) -> None:
        tried["cli dates"] += 1
        run("dry-run", "--ksessions-id", str(ids.good), "--expires", value)

    @_examples(30)
    @given(value=guid_texts)
    def verify(value: str) -> None:
        tried["cli guids"] += 1
        assert run("verify", "--guid", value) in (2, 4)

    try:
        target_ids()
        search()
        expiry()
        verify()
        assert _counts(prov) == before
    finally:
        prov.close()
