"""Dry run: the same checks as issue, the writes rolled back, no GUID anywhere."""

from __future__ import annotations

import pytest

from hostprov_tui.errors import HostprovError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import CheckLine, Plan
from tests.conftest import DemoIds, Env
from tests.support.cli_run import GUID_RE, hostprov
from tests.support.db_state import snapshot


def _comparable(lines: tuple[CheckLine, ...]) -> list[tuple[str, str, str | None, str | None]]:
    """The lines without the connectivity timings (milliseconds differ from run to run)."""
    return [
        (li.code, li.status.value, None if li.code == "connectivity" else li.message, li.hint)
        for li in lines
    ]


def _without_rollback_line(plan: Plan) -> tuple[CheckLine, ...]:
    assert plan.lines[-1].code == "dry_run"
    return plan.lines[:-1]


def test_dry_run_of_a_new_issuance_changes_nothing(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    before = snapshot(env.settings())
    plan = prov.dry_run(Target(ksessions_id=ids.good), created_by="eve", expires="2031-01-01")
    assert plan.ok and plan.dry_run_verified and plan.creates_canvas_session
    assert "rolled back" in plan.lines[-1].message
    assert snapshot(env.settings()) == before
    result = prov.issue(Target(ksessions_id=ids.good), created_by="eve", expires="2031-01-01")
    assert result.plan is not None
    assert _comparable(_without_rollback_line(plan)) == _comparable(result.plan.lines)


def test_dry_run_of_a_rotation_changes_nothing(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    first = prov.issue(Target(ksessions_id=ids.good))
    before = snapshot(env.settings())
    plan = prov.dry_run(Target(ksessions_id=ids.good))
    assert plan.ok and plan.action == "rotate" and plan.host_session_id == first.host_session_id
    assert snapshot(env.settings()) == before
    rotated = prov.issue(Target(ksessions_id=ids.good))
    assert rotated.plan is not None
    assert _comparable(_without_rollback_line(plan)) == _comparable(rotated.plan.lines)


def test_refused_dry_run_shows_the_lines_issue_refuses_with(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    before = snapshot(env.settings())
    cases = [(ids.missing, None), (ids.no_transcripts, None), (ids.good, "2020-01-01")]
    for session, expires in cases:
        plan = prov.dry_run(Target(ksessions_id=session), expires=expires)
        assert not plan.ok and not plan.dry_run_verified
        with pytest.raises(HostprovError) as info:
            prov.issue(Target(ksessions_id=session), expires=expires)
        assert info.value.exit_code == 4
        assert info.value.message == plan.failures[0].message
        refused = info.value.plan.lines  # type: ignore[attr-defined]
        assert _comparable(plan.lines) == _comparable(refused)
    assert snapshot(env.settings()) == before


def test_cli_dry_run_shows_no_guid_and_changes_nothing(
    env: Env, ids: DemoIds
) -> None:
    before = snapshot(env.settings())
    run = hostprov(env, "dry-run", "--ksessions-id", str(ids.good), "--json")
    assert run.code == 0, run.output
    doc = run.json()
    assert doc["ok"] is True and doc["plan"]["dry_run_verified"] is True
    assert not {"guid", "hash"} & set(doc) and not {"guid", "hash"} & set(doc["plan"])
    assert not GUID_RE.search(run.output)
    human = hostprov(env, "dry-run", "--ksessions-id", str(ids.good))
    assert human.code == 0 and "rolled back" in human.stdout
    assert not GUID_RE.search(human.output)
    assert not GUID_RE.search(env.audit_path.read_text(encoding="utf-8"))
    assert snapshot(env.settings()) == before
