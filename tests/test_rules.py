"""The rules of issuance of docs/design.md, each with its sentence, on every backend (service
layer)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from hostprov_tui.errors import HostprovError, NotFound, ValidationRefused
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.clock import utcnow
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import CheckLine, CheckStatus, GuidStatus
from tests.conftest import DemoIds, Env
from tests.support.db_state import (
    add_ksession,
    canvas_rows,
    host_rows,
    insert_canvas_session,
    row_counts,
)


def _refused(prov: Provisioner, target: Target, **kw: object) -> HostprovError:
    with pytest.raises(HostprovError) as info:
        prov.issue(target, **kw)  # type: ignore[arg-type]
    return info.value


def _line(lines: tuple[CheckLine, ...], code: str) -> CheckLine:
    matches = [li for li in lines if li.code == code]
    assert matches, f"no {code} line in {[li.code for li in lines]}"
    return matches[0]


def test_unknown_ksessions_id_is_refused_with_sentence_and_hint(
    prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    before = row_counts(env.settings())
    err = _refused(prov, Target(ksessions_id=ids.missing))
    assert isinstance(err, NotFound)
    assert err.exit_code == 4
    assert err.message == f"Session {ids.missing} does not exist in KSESSIONS."
    assert err.hint and "hostprov sessions" in err.hint
    plan = err.plan  # type: ignore[attr-defined]
    assert _line(plan.lines, "session").status is CheckStatus.FAIL
    assert row_counts(env.settings()) == before


def test_unknown_canvas_session_id_is_refused(prov: Provisioner, env: Env) -> None:
    err = _refused(prov, Target(canvas_session_id=987654))
    assert isinstance(err, NotFound)
    assert err.exit_code == 4
    assert err.message == "Canvas session 987654 does not exist."
    assert err.hint and "--ksessions-id" in err.hint
    assert host_rows(env.settings()) == [] and canvas_rows(env.settings()) == []


def test_session_without_transcripts_is_refused(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    err = _refused(prov, Target(ksessions_id=ids.no_transcripts))
    assert isinstance(err, ValidationRefused)
    assert err.exit_code == 4
    assert "has no transcripts" in err.message and str(ids.no_transcripts) in err.message
    assert host_rows(env.settings()) == [] and canvas_rows(env.settings()) == []


def test_inactive_session_warns_but_is_issued(prov: Provisioner, ids: DemoIds) -> None:
    result = prov.issue(Target(ksessions_id=ids.inactive))
    assert result.action == "created"
    assert result.plan is not None
    line = _line(result.plan.lines, "inactive")
    assert line.status is CheckStatus.WARN
    assert "inactive" in line.message
    assert result.plan.ok
    assert prov.verify(result.guid).status is GuidStatus.ACTIVE


def test_canvas_session_is_created_with_cut_title_and_description(
    prov: Provisioner, env: Env, ids: DemoIds
) -> None:
    name = "N" * 150 + "é" * 100 + "Z" * 250  # 500 characters, unicode at the cut
    description = "d" * 999 + "ü" + "x" * 500
    sid = add_ksession(env.settings(), name, description=description, transcripts=2)
    plan = prov.dry_run(Target(ksessions_id=sid))
    canvas_line = _line(plan.lines, "canvas_session")
    assert "will be created" in canvas_line.message
    assert f"KSessionsId {sid}" in canvas_line.message
    assert plan.creates_canvas_session and plan.action == "create"

    first = prov.issue(Target(ksessions_id=sid))
    other = prov.issue(Target(ksessions_id=ids.good))
    rows = {r["KSessionsId"]: r for r in canvas_rows(env.settings())}
    row = rows[sid]
    assert row["SessionId"] == first.canvas_session_id
    assert row["Title"] == name[:200] and len(row["Title"]) == 200
    assert row["Description"] == description[:1000] and row["Description"].endswith("ü")
    assert isinstance(row["GroupId"], uuid.UUID)
    assert row["GroupId"] != rows[ids.good]["GroupId"]
    assert other.canvas_session_id != first.canvas_session_id
    assert row["CreatedAt"] is not None and row["ModifiedAt"] is not None


def test_existing_canvas_session_is_reused(prov: Provisioner, env: Env, ids: DemoIds) -> None:
    made_by_app = insert_canvas_session(env.settings(), ids.good, "Made by the app")
    plan = prov.dry_run(Target(ksessions_id=ids.good))
    line = _line(plan.lines, "canvas_session")
    assert line.message == f"Canvas session {made_by_app} is linked to it."
    assert not plan.creates_canvas_session

    result = prov.issue(Target(ksessions_id=ids.good))
    assert result.canvas_session_id == made_by_app
    prov.revoke(Target(ksessions_id=ids.good))
    again = prov.issue(Target(ksessions_id=ids.good))
    assert again.canvas_session_id == made_by_app and again.action == "created"
    assert [r["SessionId"] for r in canvas_rows(env.settings())] == [made_by_app]
    actives = [r for r in host_rows(env.settings()) if r["IsActive"]]
    assert [r["HostGuidHash"] for r in actives] == [again.hash]


def test_active_host_session_is_announced_as_rotation(prov: Provisioner, ids: DemoIds) -> None:
    first = prov.issue(Target(ksessions_id=ids.good), created_by="alice")
    plan = prov.dry_run(Target(ksessions_id=ids.good))
    line = _line(plan.lines, "host_session")
    assert line.status is CheckStatus.WARN
    assert line.message.startswith("Will rotate: the current Host GUID")
    assert "stops working" in line.message
    assert f"host session {first.host_session_id}" in line.message
    assert "by alice" in line.message
    assert plan.action == "rotate" and plan.host_session_id == first.host_session_id


def test_first_issue_announces_creation(prov: Provisioner, ids: DemoIds) -> None:
    plan = prov.dry_run(Target(ksessions_id=ids.good))
    line = _line(plan.lines, "host_session")
    assert line.status is CheckStatus.PASS
    assert "will be created" in line.message


def test_expiry_in_the_past_is_refused(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    a_minute_ago = (utcnow() - timedelta(minutes=1)).isoformat(timespec="seconds")
    for expires in ("2020-01-01", a_minute_ago, (utcnow() - timedelta(days=1)).date()):
        err = _refused(prov, Target(ksessions_id=ids.good), expires=expires)
        assert isinstance(err, ValidationRefused) and err.exit_code == 4
        assert "is in the past" in err.message
        assert err.hint and "--expires" in err.hint
    assert host_rows(env.settings()) == [] and canvas_rows(env.settings()) == []


def test_future_expiry_is_stored(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    day = (utcnow() + timedelta(days=30)).date()
    result = prov.issue(Target(ksessions_id=ids.good), expires=day.isoformat())
    stored = host_rows(env.settings())[0]["ExpiresAt"]
    assert stored == datetime(day.year, day.month, day.day, 23, 59, 59)
    assert result.expires_at == stored
    exact = prov.issue(Target(ksessions_id=ids.good), expires="2031-05-06T07:08:09+02:00")
    assert exact.action == "rotated"
    assert host_rows(env.settings())[0]["ExpiresAt"] == datetime(2031, 5, 6, 5, 8, 9)


def test_issue_by_canvas_session_id(prov: Provisioner, ids: DemoIds, env: Env) -> None:
    first = prov.issue(Target(ksessions_id=ids.good))
    by_canvas = prov.issue(Target(canvas_session_id=first.canvas_session_id))
    assert by_canvas.action == "rotated"
    assert by_canvas.ksessions_id == ids.good
    assert by_canvas.canvas_session_id == first.canvas_session_id
    assert by_canvas.host_session_id == first.host_session_id
    assert prov.verify(by_canvas.guid).status is GuidStatus.ACTIVE
    assert len(host_rows(env.settings())) == 1


def test_canvas_session_without_ksessions_link_is_issued_with_a_warning(
    prov: Provisioner, env: Env
) -> None:
    orphan = insert_canvas_session(env.settings(), None, "Ad-hoc session")
    result = prov.issue(Target(canvas_session_id=orphan))
    assert result.action == "created" and result.ksessions_id is None
    assert result.plan is not None
    line = _line(result.plan.lines, "session")
    assert line.status is CheckStatus.WARN
    assert "not linked" in line.message
    assert [r["SessionId"] for r in host_rows(env.settings())] == [orphan]
