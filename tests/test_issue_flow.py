"""The happy path of docs/design.md on every backend: issue, verify, rotate, revoke."""

from __future__ import annotations

from sqlalchemy import select

from hostprov_tui.db.canvas_models import CanvasSession, HostSession
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import DemoIds


def _host_rows(prov: Provisioner) -> list[tuple]:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(HostSession.SessionId, HostSession.HostGuidHash, HostSession.IsActive)
        )]


def test_issue_verify_rotate_revoke(prov: Provisioner, ids: DemoIds) -> None:
    first = prov.issue(Target(ksessions_id=ids.good), created_by="alice")
    assert first.action == "created"
    assert prov.verify(first.guid).status is GuidStatus.ACTIVE

    second = prov.issue(Target(ksessions_id=ids.good), created_by="bob")
    assert second.action == "rotated"
    assert second.host_session_id == first.host_session_id
    assert second.canvas_session_id == first.canvas_session_id
    rows = _host_rows(prov)
    assert rows == [(first.canvas_session_id, second.hash, True)]
    assert prov.verify(first.guid).status is GuidStatus.UNKNOWN
    assert prov.verify(second.guid).status is GuidStatus.ACTIVE

    revoked = prov.revoke(Target(ksessions_id=ids.good), by="carol")
    assert revoked.host_session_id == second.host_session_id
    assert prov.verify(second.guid).status is GuidStatus.REVOKED

    with prov.ctx.databases().canvas.engine.connect() as conn:
        canvas = conn.execute(select(CanvasSession.KSessionsId)).scalars().all()
    assert canvas == [ids.good]
