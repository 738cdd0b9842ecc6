"""Faults in the middle of an issuance: the server dies, the audit trail cannot be written.

The PostgreSQL server of this module is its own (not the session one): it is stopped in the
middle of issuances — just before the HostSessions INSERT, the rotation UPDATE, or the COMMIT —
by a SQLAlchemy event, then started again. Nothing partial may survive, the operator gets a
sentence (exit 3 on the CLI), no GUID is shown, and the next issuance works.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from hostprov_tui.config.settings import AuditOptions
from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.errors import AuditUnavailable, DatabaseUnavailable
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import TEST_SECRET, DemoIds, Env
from tests.support.cli_run import invoke
from tests.support.pgserver import PostgresServer


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    """This module's own server (overrides the session one): it gets stopped on purpose."""
    with PostgresServer() as server:
        yield server


Hook = Callable[..., None]


def _stopper(pg: PostgresServer, moment: str, fired: list[str]) -> tuple[str, Hook]:
    """An engine event that stops the server once, at ``moment``."""

    def stop_once() -> None:
        if not fired:
            fired.append(moment)
            pg.stop()

    if moment == "commit":
        def on_commit(_conn: Any) -> None:
            stop_once()

        return "commit", on_commit

    marker = {"insert": 'INSERT INTO canvas."HostSessions"',
              "update": 'UPDATE canvas."HostSessions"'}[moment]

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith(marker):
            stop_once()

    return "before_cursor_execute", before


def _rows(prov: Provisioner, ksessions_id: int) -> tuple[list[int], list[tuple[str, bool]]]:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        canvas = list(conn.execute(select(CanvasSession.SessionId)
                                   .where(CanvasSession.KSessionsId == ksessions_id)).scalars())
        hosts = [(r[0], bool(r[1])) for r in conn.execute(
            select(HostSession.HostGuidHash, HostSession.IsActive)
            .where(HostSession.SessionId.in_(canvas)))]
    return canvas, hosts


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.parametrize("moment", ["insert", "update", "commit"])
def test_server_stops_mid_issue(
    env: Env, prov: Provisioner, ids: DemoIds, pg_server: PostgresServer, moment: str
) -> None:
    before: tuple[list[int], list[tuple[str, bool]]] = ([], [])
    earlier = None
    if moment == "update":  # a rotation: the current GUID must survive the failed rotation
        earlier = prov.issue(Target(ksessions_id=ids.good), created_by="earlier")
        before = _rows(prov, ids.good)
    fired: list[str] = []
    name, hook = _stopper(pg_server, moment, fired)
    engine = prov.ctx.databases().canvas.base_engine
    event.listen(engine, name, hook)
    try:
        with pytest.raises(DatabaseUnavailable) as caught:
            prov.issue(Target(ksessions_id=ids.good), created_by="doomed")
    finally:
        event.remove(engine, name, hook)
        pg_server.start()
    print(f"\n[faults] server stopped at {moment}: {caught.value.message}")
    assert fired == [moment]
    assert caught.value.exit_code == 3
    assert "unreachable" in caught.value.message or "did not answer" in caught.value.message
    assert _rows(prov, ids.good) == before  # nothing partial: the same rows as before
    if earlier is not None:
        assert prov.verify(earlier.guid).status is GuidStatus.ACTIVE
    records = [r for r in prov.audit_tail(5) if r.action in ("issue", "rotate")]
    assert records[-1].outcome == "failed"
    lines = [json.loads(x) for x in env.audit_path.read_text(encoding="utf-8").splitlines()]
    doomed = [r["outcome"] for r in lines if "by doomed" in r["message"]]
    # never "ok" for what the database does not hold; a COMMIT that got no answer is unknown
    assert doomed == (["pending", "unknown"] if moment == "commit" else [])
    after = prov.issue(Target(ksessions_id=ids.good), created_by="after-restart")
    assert after.action == ("rotated" if earlier else "created")
    assert prov.verify(after.guid).status is GuidStatus.ACTIVE


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
def test_cli_server_stops_mid_issue(
    env: Env, prov: Provisioner, ids: DemoIds, pg_server: PostgresServer
) -> None:
    fired: list[str] = []
    name, hook = _stopper(pg_server, "insert", fired)
    event.listen(Engine, name, hook)  # every engine, including the one the CLI builds
    try:
        run = invoke(["issue", "--ksessions-id", str(ids.good), "--json", "--config",
                      str(env.write_config())],
                     {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET})
    finally:
        event.remove(Engine, name, hook)
        pg_server.start()
    assert fired == ["insert"]
    assert run.code == 3, run.output
    assert '"guid"' not in run.stdout
    assert "Error:" in run.stderr and "Traceback" not in run.output
    assert _rows(prov, ids.good) == ([], [])
    again = invoke(["issue", "--ksessions-id", str(ids.good), "--json", "-q", "--config",
                    str(env.write_config())], {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET})
    assert again.code == 0, again.output


def _unwritable(kind: str, tmp: Path) -> Path:
    if kind == "disk_full":
        return Path("/dev/full")  # every write fails with ENOSPC, even for root
    directory = tmp / "audit-is-a-directory"
    directory.mkdir()
    return directory


@pytest.mark.parametrize("kind", ["disk_full", "path_is_directory"])
def test_unwritable_audit_refuses_and_rolls_back(
    env: Env, ids: DemoIds, tmp_path: Path, kind: str
) -> None:
    good = Provisioner(env.settings(), operator="tester")
    try:
        earlier = good.issue(Target(ksessions_id=ids.good2), created_by="earlier")
        before = {k: _rows(good, k) for k in (ids.good, ids.good2)}
        broken = Provisioner(env.settings(audit=AuditOptions(path=_unwritable(kind, tmp_path))),
                             operator="tester")
        try:
            for ksid in (ids.good, ids.good2):  # a creation and a rotation
                with pytest.raises(AuditUnavailable) as caught:
                    broken.issue(Target(ksessions_id=ksid), created_by="unaudited")
                assert caught.value.exit_code == 1
                assert "nothing was changed" in caught.value.message
        finally:
            broken.close()
        assert {k: _rows(good, k) for k in (ids.good, ids.good2)} == before
        assert good.verify(earlier.guid).status is GuidStatus.ACTIVE
    finally:
        good.close()


def test_cli_unwritable_audit_exit_1(env: Env, ids: DemoIds) -> None:
    run = invoke(["issue", "--ksessions-id", str(ids.good), "--json", "--config",
                  str(env.write_config())],
                 {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET,
                  "HOSTPROV_AUDIT__PATH": "/dev/full"})
    assert run.code == 1, run.output
    assert "audit file /dev/full cannot be written" in " ".join(run.stderr.split())
    assert '"guid"' not in run.stdout
