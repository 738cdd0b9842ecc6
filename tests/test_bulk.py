"""Bulk issuance (`hostprov issue --from-file`, Provisioner.issue_many) on every backend."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.bulk import issue_many, parse_lines
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.issuance import IssueOptions
from hostprov_tui.services.results import GuidStatus
from tests.conftest import DemoIds, Env
from tests.support.cli_run import hostprov


def _active_per_session(prov: Provisioner) -> dict[int, int]:
    with prov.ctx.databases().canvas.engine.connect() as conn:
        rows = conn.execute(
            select(HostSession.SessionId, func.count())
            .where(HostSession.IsActive.is_(True)).group_by(HostSession.SessionId)
        ).all()
    return {int(r[0]): int(r[1]) for r in rows}


def _flat(text: str) -> str:
    """Terminal output without its line wrapping."""
    return " ".join(text.split())


def _audit(env: Env) -> list[dict]:
    return [json.loads(line) for line in env.audit_path.read_text().splitlines()]


def test_parse_lines_ignores_blanks_and_comments_and_skips_duplicates() -> None:
    entries, bad = parse_lines(["# ids", "", "  12 ", "12", "x7", "13 # note", "-4"])
    assert [(e.line, e.ksessions_id) for e in entries] == [(3, 12), (6, 13)]
    assert [(b.line, b.status, b.exit_code) for b in bad] == [
        (4, "skipped", 0), (5, "failed", 2), (7, "failed", 2)
    ]
    assert "line 3" in (bad[0].message or "")


def test_every_failure_is_reported_per_id_and_the_rest_is_issued(
    prov: Provisioner, ids: DemoIds
) -> None:
    lines = ["# a batch", "", str(ids.good), "garbage", str(ids.missing),
             str(ids.no_transcripts), str(ids.inactive), f"{ids.good2}  # comment", str(ids.good)]
    progress: list[tuple[int, int]] = []
    result = prov.issue_many(lines, created_by="bulk-test", progress=lambda d, t: progress.append(
        (d, t)))
    by_line = {i.line: i for i in result.items}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9}
    assert by_line[3].status == "ok" and by_line[3].action == "created"
    assert by_line[4].status == "failed" and by_line[4].exit_code == 2
    assert by_line[5].status == "failed" and by_line[5].error_code == "not_found"
    assert by_line[5].exit_code == 4 and str(ids.missing) in (by_line[5].message or "")
    assert by_line[6].status == "failed" and "no transcripts" in (by_line[6].message or "")
    assert by_line[7].status == "ok"  # inactive: a warning, not a refusal
    assert by_line[8].status == "ok" and by_line[8].ksessions_id == ids.good2
    assert by_line[9].status == "skipped"
    assert result.exit_code == 4  # refused outranks bad input
    assert progress[-1] == (7, 7) and progress[0][0] <= progress[-1][0]
    assert "3 failed" in result.summary()
    for item in result.items:
        if item.ok:
            assert item.guid is not None
            verified = prov.verify(item.guid)
            assert verified.status is GuidStatus.ACTIVE
            assert verified.canvas_session_id == item.canvas_session_id
    assert set(_active_per_session(prov).values()) == {1}
    assert len(_active_per_session(prov)) == 3


def test_an_all_good_batch_run_twice_rotates_every_guid(
    prov: Provisioner, ids: DemoIds
) -> None:
    first = prov.issue_many([ids.good, ids.good2, ids.inactive])
    assert first.exit_code == 0 and first.ok
    assert {i.action for i in first.items} == {"created"}
    single = prov.issue(Target(ksessions_id=ids.good))  # the single path sees the same rows
    assert single.action == "rotated"
    assert single.host_session_id == first.items[0].host_session_id
    again = prov.issue_many([ids.good, ids.good2, ids.inactive])
    assert {i.action for i in again.items} == {"rotated"}
    records = prov.audit_tail(3)
    assert [r.action for r in records] == ["rotate"] * 3
    assert all(r.outcome == "ok" and r.hash_prefix for r in records)
    assert [i.host_session_id for i in again.items] == [i.host_session_id for i in first.items]
    for old, new in zip(first.items, again.items, strict=True):
        assert prov.verify(old.guid or "").status is GuidStatus.UNKNOWN
        assert prov.verify(new.guid or "").status is GuidStatus.ACTIVE
    assert _active_per_session(prov) == {i.canvas_session_id: 1 for i in again.items}


def test_a_database_error_in_a_chunk_costs_only_its_id(
    env: Env, prov: Provisioner, ids: DemoIds
) -> None:
    """A real trigger refuses one insert: its chunk rolls back, the others are retried alone."""
    bad = ids.inactive
    dbs = prov.ctx.databases()
    with dbs.canvas.base_engine.begin() as conn:
        if env.backend == "sqlite":
            conn.exec_driver_sql(
                f'CREATE TRIGGER boom BEFORE INSERT ON "Sessions" WHEN new."KSessionsId" = {bad} '
                "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
            )
        else:
            conn.execute(text(
                "CREATE FUNCTION canvas.boom() RETURNS trigger AS $$ BEGIN "
                f'IF NEW."KSessionsId" = {bad} THEN RAISE EXCEPTION \'refused by a test trigger\';'
                " END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            ))
            conn.execute(text(
                'CREATE TRIGGER boom BEFORE INSERT ON canvas."Sessions" FOR EACH ROW '
                "EXECUTE FUNCTION canvas.boom()"
            ))
    opts = IssueOptions(created_by="bulk-test")
    result = issue_many(prov.ctx, [ids.good, bad, ids.good2, ids.missing], opts, chunk_size=10)
    by_id = {i.ksessions_id: i for i in result.items}
    assert by_id[ids.good].ok and by_id[ids.good2].ok
    assert by_id[bad].status == "failed" and by_id[bad].exit_code not in (0, 4)
    assert by_id[ids.missing].error_code == "not_found"
    assert result.exit_code == by_id[bad].exit_code  # more severe than the refusal
    assert prov.verify(by_id[ids.good].guid or "").status is GuidStatus.ACTIVE
    records = _audit(env)
    ok = [r["ksessions_id"] for r in records if r["outcome"] == "ok" and r["action"] == "issue"]
    assert sorted(ok) == sorted([ids.good, ids.good2])  # one record per committed issuance
    assert any(r["ksessions_id"] == bad and r["outcome"] == "failed" for r in records)
    assert set(_active_per_session(prov).values()) == {1} and len(_active_per_session(prov)) == 2


def test_an_unwritable_audit_file_fails_closed(env: Env, ids: DemoIds, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    prov = Provisioner(env.settings(audit={"path": blocker / "audit.jsonl"}), operator="t")
    try:
        result = prov.issue_many([ids.good, ids.good2, "x"])
        failed = [i for i in result.items if i.status == "failed"]
        assert len(failed) == 3 and result.exit_code == 1
        assert {i.error_code for i in failed} == {"audit_unavailable", "bad_input"}
        assert _active_per_session(prov) == {}
    finally:
        prov.close()


def test_cli_writes_a_0600_csv_and_never_overwrites(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"# hosts\n{ids.good}\n\nnope\n{ids.missing}\n{ids.good2}\n")
    out = tmp_path / "guids.csv"
    run = hostprov(env, "issue", "--from-file", str(ids_file), "--output", str(out))
    assert run.code == 4, run.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["state", "ksessions_id", "canvas_session_id", "host_session_id",
                             "action", "guid", "line"]
    assert [int(r["ksessions_id"]) for r in rows] == [ids.good, ids.good2]
    assert [(r["state"], r["line"]) for r in rows] == [("applied", "2"), ("applied", "6")]
    for row in rows:
        verify = hostprov(env, "verify", "--guid", row["guid"], "--json")
        assert verify.code == 0 and verify.json()["status"] == "active"
        assert row["guid"] not in run.stderr  # shown only in the file
    assert "line 4" in _flat(run.stderr) and f"{ids.missing}" in _flat(run.stderr)
    assert "Issued 2 of 4" in _flat(run.stdout)
    again = hostprov(env, "issue", "--from-file", str(ids_file), "--output", str(out))
    assert again.code == 2 and "already exists" in _flat(again.stderr)
    assert len(list(csv.DictReader(out.open(newline="")))) == 2  # untouched


def test_cli_json_document_and_default_file(
    env: Env, ids: DemoIds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{ids.good}\n{ids.good2}\n")
    monkeypatch.chdir(tmp_path)
    run = hostprov(env, "--json", "issue", "--from-file", str(ids_file))
    assert run.code == 0, run.output
    doc = run.json()
    assert doc["ok"] is True and doc["exit_code"] == 0
    assert doc["summary"]["created"] == 2 and doc["summary"]["failed"] == 0
    assert [r["status"] for r in doc["results"]] == ["ok", "ok"]
    # --json too: the GUIDs reach a file before their commit, the document comes at the end
    made = list(tmp_path.glob("host-guids-*.csv"))
    assert [str(m) for m in made] == [doc["output"]]
    assert stat.S_IMODE(made[0].stat().st_mode) == 0o600
    assert {r["guid"] for r in csv.DictReader(made[0].open(newline=""))} == {
        r["guid"] for r in doc["results"]}
    made[0].unlink()
    human = hostprov(env, "issue", "--from-file", str(ids_file))
    assert human.code == 0, human.output
    made = list(tmp_path.glob("host-guids-*.csv"))
    assert len(made) == 1 and stat.S_IMODE(made[0].stat().st_mode) == 0o600
    assert {r["action"] for r in csv.DictReader(made[0].open(newline=""))} == {"rotated"}


def test_cli_refuses_mixed_or_missing_inputs(env: Env, ids: DemoIds, tmp_path: Path) -> None:
    both = hostprov(env, "issue", "--from-file", str(tmp_path / "x"), "--ksessions-id", "1")
    assert both.code == 2 and "not both" in _flat(both.stderr)
    missing = hostprov(env, "issue", "--from-file", str(tmp_path / "absent.txt"),
                       "--output", str(tmp_path / "o.csv"))
    assert missing.code == 2 and "does not exist" in _flat(missing.stderr)
    assert not (tmp_path / "o.csv").exists()
    stray = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--output",
                     str(tmp_path / "o.csv"))
    assert stray.code == 2 and not (tmp_path / "o.csv").exists()


def test_an_unreachable_database_is_met_once_not_once_per_id(env: Env, ids: DemoIds) -> None:
    from sqlalchemy import event

    from hostprov_tui.config.settings import DatabaseTarget
    from tests.support.pgserver import free_port

    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone_dev"
    prov = Provisioner(env.settings(canvas=DatabaseTarget(url=closed)), operator="tester")
    attempts: list[int] = []
    event.listen(prov.ctx.databases().canvas.base_engine, "do_connect",
                 lambda *_args: attempts.append(1))
    try:
        result = issue_many(prov.ctx, [str(ids.good), str(ids.good2), "7", "8"],
                            IssueOptions(created_by="bulk-test"), chunk_size=2)
    finally:
        prov.close()
    assert [i.status for i in result.items] == ["failed"] * 4
    assert len(attempts) == 1
    first, second, *later = result.items
    assert "unreachable" in (first.message or "") and "unreachable" in (second.message or "")
    assert all((i.message or "").startswith("Not tried:") for i in later)
