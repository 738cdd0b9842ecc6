"""Bulk issuance applies a session's runs per session in a fixed number of statements per chunk
(docs/design.md, "A session's runs"): reading the state (counts), archiving and removing a new
run's participants and session data, and resetting the rows do not grow with the chunk.
Counted like tests/test_statements.py, on the app's own schema (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from hostprov_tui.services.api import Provisioner
from tests.conftest import Env
from tests.support.app_run import AppRun
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, utcnow
from tests.support.statements import captured


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("stm"), request, sessions=160)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    yield db
    db.close()


@pytest.fixture
def prov(app_env: Env) -> Iterator[Provisioner]:
    p = Provisioner(app_env.settings(), operator="tester")
    yield p
    p.close()


def _ran_and_over(prov: Provisioner, app: AppDb, ids: list[int]) -> None:
    """Each session issued, started by its host, a participant and a question; then over."""
    run = AppRun(app)
    result = prov.issue_many(ids)
    assert result.ok, result.summary()
    for item in result.items:
        issued = item.issued
        assert issued is not None
        session = int(issued.ksessions_id)  # type: ignore[arg-type]
        assert run.start(session)
        guid = run.register(issued.user_token, "Amina", "a@example.org", "PK")  # type: ignore[union-attr]
        assert guid is not None
        assert run.submit_question(issued.user_token, guid, f"Question {session}")  # type: ignore[union-attr]
        app.set_expires(session, utcnow() - timedelta(minutes=1))


def test_new_runs_in_bulk_use_a_fixed_number_of_statements_per_chunk(
    prov: Provisioner, app: AppDb, app_env: Env
) -> None:
    good = good_ksessions_ids(app_env)
    assert len(good) >= 50
    small_ids, large_ids = good[:4], good[4:44]
    _ran_and_over(prov, app, small_ids + large_ids)
    prov.issue_many(good[44:46])  # warm-up: connections, dialect set-up
    with captured(prov, lambda _d, statement, _p: statement) as few:
        small = prov.issue_many(small_ids)
    with captured(prov, lambda _d, statement, _p: statement) as many:
        large = prov.issue_many(large_ids)
    assert small.ok and large.ok and len(large.items) == 40
    assert len(many) == len(few), (few, many)
    assert sum("DELETE" in s.upper() for s in many) == 2  # Participants, SessionData
    # every session's run went to an archive: one file per chunk, one line per removed row
    folder = app_env.audit_path.parent / "archives"
    files = sorted(folder.glob("run-archive-*.jsonl"))
    assert len(files) == 2 and not list(folder.glob("*.pending"))
    heads = [json.loads(f.read_text(encoding="utf-8").splitlines()[0]) for f in files]
    assert sorted(sorted(h["sessions"]) for h in heads) == sorted([large_ids, small_ids])
    assert sorted(h["participants"] for h in heads) == [4, 40]
    assert app.rows("Participants") == [] and app.rows("SessionData") == []
    # live sessions rotate in bulk with the same fixed count, keeping their runs
    run = AppRun(app)
    for item in large.items:
        assert item.issued is not None
        assert run.start(int(item.issued.ksessions_id))  # type: ignore[arg-type]
    with captured(prov, lambda _d, statement, _p: statement) as rotating:
        again = prov.issue_many(large_ids)
    assert again.ok and {i.action for i in again.items} == {"rotated"}
    assert len(rotating) <= len(many)
    assert sum("DELETE" in s.upper() for s in rotating) == 0
