"""Rotation leaves one active row; revoke by either ID; verify's five answers (service layer)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from hostprov_tui.errors import InputError, NotFound, ValidationRefused
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from tests.conftest import DemoIds, Env
from tests.support.db_state import host_rows, set_host_expiry


def test_issuing_twice_leaves_one_active_row_with_the_new_hash(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    first = prov.issue(Target(ksessions_id=ids.good), created_by="alice")
    other = prov.issue(Target(ksessions_id=ids.good2))
    second = prov.issue(Target(ksessions_id=ids.good), created_by="bob", reason="lost it")
    assert second.action == "rotated" and second.guid != first.guid
    rows = [r for r in host_rows(env.settings()) if r["SessionId"] == first.canvas_session_id]
    assert len(rows) == 1
    row = rows[0]
    assert row["IsActive"] is True or row["IsActive"] == 1
    assert row["HostGuidHash"] == second.hash != first.hash
    assert row["CreatedBy"] == "bob"
    assert row["RevokedAt"] is None and row["RevokedBy"] is None
    assert prov.verify(first.guid).status is not GuidStatus.ACTIVE
    assert prov.verify(second.guid).status is GuidStatus.ACTIVE
    assert prov.verify(other.guid).status is GuidStatus.ACTIVE  # another session is untouched


def test_rotation_clears_a_revocation_and_an_expiry(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    first = prov.issue(Target(ksessions_id=ids.good), expires="2030-01-01")
    set_host_expiry(env.settings(), first.host_session_id, utcnow() - timedelta(days=1))
    assert prov.verify(first.guid).status is GuidStatus.EXPIRED
    plan = prov.dry_run(Target(ksessions_id=ids.good))
    assert any("expired" in li.message and li.code == "host_session" for li in plan.lines)
    second = prov.issue(Target(ksessions_id=ids.good))
    assert second.action == "rotated"
    row = host_rows(env.settings())[0]
    assert row["ExpiresAt"] is None and row["HostGuidHash"] == second.hash


def test_revoke_by_ksessions_id(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    result = prov.revoke(Target(ksessions_id=ids.good), by="carol", reason="left")
    assert result.host_session_id == issued.host_session_id
    assert result.canvas_session_id == issued.canvas_session_id
    assert result.ksessions_id == ids.good and result.revoked_by == "carol"
    row = host_rows(env.settings())[0]
    assert not row["IsActive"] and row["RevokedBy"] == "carol"
    assert row["RevokedAt"] == result.revoked_at
    verdict = prov.verify(issued.guid)
    assert verdict.status is GuidStatus.REVOKED
    assert "carol" in verdict.message and verdict.revoked_by == "carol"


def test_revoke_by_canvas_session_id(prov: Provisioner, ids: DemoIds) -> None:
    issued = prov.issue(Target(ksessions_id=ids.good))
    result = prov.revoke(Target(canvas_session_id=issued.canvas_session_id))
    assert result.host_session_id == issued.host_session_id
    assert result.revoked_by == "tester"  # the operator by default
    assert prov.verify(issued.guid).status is GuidStatus.REVOKED


def test_nothing_to_revoke_is_refused(prov: Provisioner, ids: DemoIds) -> None:
    with pytest.raises(ValidationRefused) as never:
        prov.revoke(Target(ksessions_id=ids.good))
    assert never.value.exit_code == 4 and "nothing to revoke" in never.value.message
    with pytest.raises(NotFound) as missing:
        prov.revoke(Target(ksessions_id=ids.missing))
    assert missing.value.message == f"Session {ids.missing} does not exist in KSESSIONS."
    with pytest.raises(NotFound) as no_canvas:
        prov.revoke(Target(canvas_session_id=424242))
    assert no_canvas.value.message == "Canvas session 424242 does not exist."
    issued = prov.issue(Target(ksessions_id=ids.good))
    prov.revoke(Target(ksessions_id=ids.good))
    with pytest.raises(ValidationRefused) as twice:
        prov.revoke(Target(canvas_session_id=issued.canvas_session_id))
    assert "no active Host GUID" in twice.value.message and twice.value.exit_code == 4


def test_verify_active_expired_revoked_unknown(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    active = prov.issue(Target(ksessions_id=ids.good), created_by="dana")
    verdict = prov.verify(active.guid)
    assert verdict.status is GuidStatus.ACTIVE
    assert verdict.canvas_session_id == active.canvas_session_id
    assert verdict.ksessions_id == ids.good and verdict.created_by == "dana"
    assert f"canvas session {active.canvas_session_id} (KSESSIONS {ids.good})" in verdict.message
    assert prov.verify(active.guid.upper()).status is GuidStatus.ACTIVE  # same GUID, any case

    expiring = prov.issue(Target(ksessions_id=ids.good2), expires="2030-06-01")
    assert prov.verify(expiring.guid).status is GuidStatus.ACTIVE
    set_host_expiry(env.settings(), expiring.host_session_id, utcnow() - timedelta(minutes=5))
    expired = prov.verify(expiring.guid)
    assert expired.status is GuidStatus.EXPIRED and expired.message.startswith("Expired")

    prov.revoke(Target(ksessions_id=ids.good))
    assert prov.verify(active.guid).status is GuidStatus.REVOKED
    unknown = prov.verify(str(uuid.uuid4()))
    assert unknown.status is GuidStatus.UNKNOWN and unknown.host_session_id is None


def test_verify_malformed_guid_is_bad_input(prov: Provisioner, env: Env) -> None:
    for bad in ("", "nope", "1234", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0"):
        with pytest.raises(InputError) as info:
            prov.verify(bad)
        assert info.value.exit_code == 2
        assert "is not a GUID" in info.value.message
    outcomes = [(r.action, r.outcome) for r in prov.audit_tail(10)]
    assert outcomes == [("verify", "refused")] * 3  # the empty value asked for nothing
