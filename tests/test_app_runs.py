"""A session's runs, judged by the NOOR Canvas app itself (docs/design.md, "A session's runs").

On a canvas database built from the app's own DDL (tests/support/app_schema.py), each test plays
the app's run with the app's own writes — the session opener's schedule, Start, a participant
registering, a question — and judges every step with the app's own queries, translated from
its C# with file and line (tests/support/app_run.py): participant routing by Status, Q&A
submit, questions by token, the host control panel's token lookups, ValidateTokenAsync.
hostprov is driven only through its command line.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exists, select

from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.ksessions_models import KSession, SessionTranscript
from tests.conftest import Env
from tests.support.app_run import AppRun
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, utcnow
from tests.support.cli_run import hostprov

QUESTION = "What does verse 2 teach about patience?"


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("run"), request)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    yield db
    db.close()


@pytest.fixture
def run(app: AppDb) -> AppRun:
    return AppRun(app)


@pytest.fixture
def ks(app_env: Env) -> int:
    return good_ksessions_ids(app_env)[0]


def issue(env: Env, ksessions_id: int, *args: str) -> dict[str, Any]:
    done = hostprov(env, "issue", "--ksessions-id", str(ksessions_id), "--json", *args)
    assert done.code == 0, done.output
    doc: dict[str, Any] = done.json()
    return doc


def dry_run_text(env: Env, ksessions_id: int, *args: str) -> str:
    done = hostprov(env, "dry-run", "--ksessions-id", str(ksessions_id), *args)
    assert done.code == 0, done.output
    return " ".join(done.output.split())


def play_a_run(run: AppRun, doc: dict[str, Any], ksessions_id: int) -> str:
    """The host opens the session, presses Start; Amina registers and asks a question."""
    assert run.opener_schedule(ksessions_id, doc["host_token"], "2030-01-15", "6:30 PM", "90")
    assert run.start(ksessions_id)
    guid = run.register(doc["user_token"], "Amina", "amina@example.org", "PK")
    assert guid is not None
    assert run.submit_question(doc["user_token"], guid, QUESTION)
    return guid


def archives(env: Env) -> list[Path]:
    folder = env.audit_path.parent / "archives"
    return sorted(folder.glob("run-archive-*")) if folder.is_dir() else []


def test_first_run_is_the_apps_run(app_env: Env, run: AppRun, ks: int) -> None:
    doc = issue(app_env, ks, "--scheduled-date", "2030-01-15", "--scheduled-time", "18:30",
                "--duration", "90")
    assert run.validate_token(doc["host_token"], is_host_token=True) == ks
    assert run.landing(doc["user_token"]).page == "waiting"  # Status 'Created'
    assert run.waiting_room_start(doc["user_token"]) == datetime(2030, 1, 15, 18, 30)
    row = run.app.session(ks)
    assert row is not None
    assert (row["ScheduledDate"], row["ScheduledTime"], row["ScheduledDuration"]) == \
        ("2030-01-15", "6:30 PM", "90")  # the opener's own formats
    guid = play_a_run(run, doc, ks)
    assert run.landing(doc["user_token"]).page == "canvas"  # Status 'Active'
    assert run.questions(doc["host_token"]) == [QUESTION]
    assert run.sessions_list(doc["host_token"]) == [ks]
    assert guid
    sessions = hostprov(app_env, "sessions", "--json", "--limit", "500")
    assert sessions.code == 0, sessions.output
    status = {r["session_id"]: r["guid_status"] for r in sessions.json()["rows"]}
    assert status[ks] == "live"


def test_rotation_mid_run_keeps_the_participant_and_the_question(
    app_env: Env, run: AppRun, ks: int
) -> None:
    first = issue(app_env, ks)
    guid = play_a_run(run, first, ks)
    said = dry_run_text(app_env, ks)
    assert "The session is live" in said and "keeps its 1 participant and 1 question" in said
    assert "Status and schedule" in said
    moved = dry_run_text(app_env, ks, "--scheduled-date", "2030-02-01")  # a schedule given:
    assert "writes the schedule given" in moved and "Status and schedule" not in moved  # said
    second = issue(app_env, ks)  # the host lost the link
    assert second["user_token"] == first["user_token"]
    assert second["host_token"] != first["host_token"]
    assert run.validate_token(first["host_token"], is_host_token=True) is None
    assert not run.control_panel_finds(first["host_token"])
    assert run.validate_token(second["host_token"], is_host_token=True) == ks
    assert run.questions(second["host_token"]) == [QUESTION]
    assert run.participants(ks) == 1
    assert run.landing(second["user_token"]).page == "canvas"
    assert run.submit_question(second["user_token"], guid, "And verse 3?")  # Q&A stays open
    row = run.app.session(ks)
    assert row is not None and row["Status"] == "Active" and row["StartedAt"] is not None
    assert row["ScheduledTime"] == "6:30 PM"
    assert archives(app_env) == []


def test_a_run_that_is_over_gets_a_new_run_and_its_rows_an_archive(
    app_env: Env, run: AppRun, app: AppDb, ks: int
) -> None:
    first = issue(app_env, ks)
    guid = play_a_run(run, first, ks)
    app.set_expires(ks, utcnow() - timedelta(hours=1))  # the run is over
    said = dry_run_text(app_env, ks)
    assert "the session ran (started" in said.lower()
    assert "a new run archives 1 participant and 1 question (1 row of session data)" in said
    assert archives(app_env) == [], "the dry run leaves no archive behind"
    assert "would start a new run (the session is over; it would archive and remove 1 " \
        "participant and 1 question" in app_env.audit_path.read_text(encoding="utf-8")
    second = issue(app_env, ks)
    assert second["host_token"] != first["host_token"]
    assert second["user_token"] != first["user_token"]
    assert run.questions(second["host_token"]) == []
    assert run.participants(ks) == 0
    assert run.landing(second["user_token"]).page == "waiting"
    assert not run.submit_question(second["user_token"], guid, "Late?")  # Q&A closed
    assert run.waiting_room_start(second["user_token"]) is None  # schedule cleared
    row = app.session(ks)
    assert row is not None
    assert (row["Status"], row["StartedAt"], row["EndedAt"], row["ParticipantCount"]) == \
        ("Created", None, None, 0)
    (archive,) = archives(app_env)
    assert archive.suffix == ".jsonl"
    if os.name == "posix":
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    lines = [json.loads(x) for x in archive.read_text(encoding="utf-8").splitlines()]
    head, rows = lines[0], lines[1:]
    assert head["sessions"] == [ks] and head["participants"] == 1 and head["session_data"] == 1
    assert [r["table"] for r in rows] == ["canvas.Participants", "canvas.SessionData"]
    assert rows[0]["row"]["UserGuid"] == guid and rows[0]["row"]["Name"] == "Amina"
    assert json.loads(rows[1]["row"]["Content"])["text"] == QUESTION
    audit = app_env.audit_path.read_text(encoding="utf-8")
    assert str(archive) in audit and "1 participant and 1 question" in audit
    assert QUESTION not in audit and "patience" not in audit
    for token in (*first.values(), second["host_token"], second["user_token"]):
        if isinstance(token, str) and len(token) == 8:
            assert token not in audit


def test_new_run_asked_for_while_live(app_env: Env, run: AppRun, ks: int) -> None:
    first = issue(app_env, ks)
    play_a_run(run, first, ks)
    said = dry_run_text(app_env, ks, "--new-run")
    assert "a new run was asked for" in said and "archives 1 participant" in said
    second = issue(app_env, ks, "--new-run", "--scheduled-date", "2030-02-01",
                   "--scheduled-time", "7:05 pm", "--duration", "45")
    assert second["user_token"] != first["user_token"]
    assert run.participants(ks) == 0 and run.questions(second["host_token"]) == []
    assert run.landing(second["user_token"]).page == "waiting"
    assert run.waiting_room_start(second["user_token"]) == datetime(2030, 2, 1, 19, 5)
    assert len(archives(app_env)) == 1


def test_revoke_locks_out_every_lookup_and_issuing_again_is_a_new_run(
    app_env: Env, run: AppRun, app: AppDb, ks: int
) -> None:
    first = issue(app_env, ks)
    guid = play_a_run(run, first, ks)
    done = hostprov(app_env, "revoke", "--ksessions-id", str(ks))
    assert done.code == 0, done.output
    assert "it was live: its 1 participant and 1 question" in " ".join(done.output.split())
    for token in (first["host_token"], first["user_token"]):
        assert run.validate_token(token, is_host_token=True) is None
        assert run.validate_token(token, is_host_token=False) is None
        assert not run.control_panel_finds(token)
        assert run.questions(token) == []
        assert run.landing(token).page == "invalid"
        verify = hostprov(app_env, "verify", "--token", token)
        assert verify.code == 4, verify.output
    assert not run.submit_question(first["user_token"], guid, "Still there?")  # Q&A closed
    row = app.session(ks)
    assert row is not None and row["Status"] == "Expired"
    assert run.participants(ks) == 1, "revoke never deletes"
    audit = app_env.audit_path.read_text(encoding="utf-8")
    assert row["HostToken"] not in audit and row["UserToken"] not in audit
    assert row["HostToken"] not in done.output and row["UserToken"] not in done.output
    links = hostprov(app_env, "links", "--ksessions-id", str(ks))
    assert links.code == 4 and "revoked" in links.output, links.output
    assert row["HostToken"] not in links.output
    sessions = hostprov(app_env, "sessions", "--json", "--limit", "500")
    assert {r["session_id"]: r["guid_status"] for r in sessions.json()["rows"]}[ks] == "revoked"
    second = issue(app_env, ks)  # never a dead end: a new run
    assert run.validate_token(second["host_token"], is_host_token=True) == ks
    assert run.landing(second["user_token"]).page == "waiting"
    assert run.participants(ks) == 0
    assert len(archives(app_env)) == 1


def _inactive_with_transcripts(env: Env) -> int:
    dbs = open_databases(env.settings())
    try:
        with dbs.ksessions.engine.connect() as conn:
            has = exists().where(SessionTranscript.SessionID == KSession.SessionID)
            found = conn.execute(select(KSession.SessionID).where(
                KSession.IsActive.is_(False), has).limit(1)).scalar()
    finally:
        dbs.dispose()
    assert found is not None, "the demo catalogue has inactive sessions with transcripts"
    return int(found)


def test_inactive_session_is_refused_and_nothing_is_written(app_env: Env, app: AppDb) -> None:
    inactive = _inactive_with_transcripts(app_env)
    before = app.snapshot()
    done = hostprov(app_env, "issue", "--ksessions-id", str(inactive))
    assert done.code == 4, done.output
    assert "session opener lists active sessions only" in " ".join(done.output.split())
    assert "Traceback" not in done.output
    assert app.snapshot() == before


def test_schedule_in_the_past_or_malformed_is_refused(app_env: Env, app: AppDb, ks: int) -> None:
    before = app.snapshot()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for args in (("--scheduled-date", yesterday),
                 ("--scheduled-date", "2030-13-01"),
                 ("--scheduled-date", "2030-01-15", "--scheduled-time", "25:00"),
                 ("--scheduled-time", "18:30"),
                 ("--scheduled-date", "2030-01-15", "--duration", "0"),
                 ("--scheduled-date", "2030-01-15", "--duration", "481")):
        done = hostprov(app_env, "issue", "--ksessions-id", str(ks), *args)
        assert done.code == 2, (args, done.output)
        assert "Traceback" not in done.output
    assert "in the past" in hostprov(app_env, "issue", "--ksessions-id", str(ks),
                                     "--scheduled-date", yesterday).output
    assert app.snapshot() == before


def test_every_session_state_is_named(app_env: Env, run: AppRun, app: AppDb) -> None:
    fresh, live, over, revoked, untouched = good_ksessions_ids(app_env)[:5]
    issue(app_env, fresh)
    play_a_run(run, issue(app_env, live), live)
    play_a_run(run, issue(app_env, over), over)
    app.set_expires(over, utcnow() - timedelta(minutes=5))
    issue(app_env, revoked)
    assert hostprov(app_env, "revoke", "--ksessions-id", str(revoked)).code == 0
    sessions = hostprov(app_env, "sessions", "--json", "--limit", "500")
    status = {r["session_id"]: r["guid_status"] for r in sessions.json()["rows"]}
    assert [status[i] for i in (fresh, live, over, revoked, untouched)] == \
        ["fresh", "live", "over", "revoked", "none"]


@pytest.mark.parametrize("spoiler", ["link", "file"])
def test_an_archive_that_cannot_be_written_changes_nothing(
    app_env: Env, run: AppRun, app: AppDb, ks: int, tmp_path: Path, spoiler: str
) -> None:
    first = issue(app_env, ks)
    play_a_run(run, first, ks)
    app.set_expires(ks, utcnow() - timedelta(hours=1))
    folder = app_env.audit_path.parent / "archives"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if spoiler == "link":
        folder.symlink_to(elsewhere, target_is_directory=True)
    else:
        folder.write_text("not a folder", encoding="utf-8")
    before = app.snapshot()
    done = hostprov(app_env, "issue", "--ksessions-id", str(ks))
    assert done.code == 1, done.output
    assert "Traceback" not in done.output and "archive" in done.output
    assert app.snapshot() == before
    assert list(elsewhere.iterdir()) == []


def test_bulk_file_applies_the_same_rules_per_session(
    app_env: Env, run: AppRun, app: AppDb, tmp_path: Path
) -> None:
    live, over, fresh = good_ksessions_ids(app_env)[:3]
    inactive = _inactive_with_transcripts(app_env)
    docs = {ks: issue(app_env, ks) for ks in (live, over)}
    guid = play_a_run(run, docs[live], live)
    play_a_run(run, docs[over], over)
    app.set_expires(over, utcnow() - timedelta(minutes=5))
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{live}\n{over}\n{fresh}\n{inactive}\n", encoding="utf-8")
    out = tmp_path / "tokens.csv"
    done = hostprov(app_env, "issue", "--from-file", str(ids), "--output", str(out),
                    "--scheduled-date", "2030-03-01", "--scheduled-time", "19:00",
                    "--duration", "60")
    assert done.code == 4, done.output  # the inactive line only
    assert f"line 4 ({inactive})" in done.stderr and "active sessions only" in \
        " ".join(done.stderr.split())
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {int(r["ksessions_id"]): r for r in csv.DictReader(handle)}
    assert sorted(rows) == sorted([live, over, fresh])
    # live: rotated, its run kept (and the schedule written as asked)
    assert rows[live]["user_token"] == docs[live]["user_token"]
    assert run.questions(rows[live]["host_token"]) == [QUESTION] and run.participants(live) == 1
    assert run.submit_question(rows[live]["user_token"], guid, "Q&A still open?")
    # over: a new run, archived; fresh: created; all count down to the schedule
    assert run.participants(over) == 0
    assert run.landing(rows[over]["user_token"]).page == "waiting"
    for ks in (over, fresh, live):
        assert run.waiting_room_start(rows[ks]["user_token"]) == datetime(2030, 3, 1, 19, 0)
    assert len(archives(app_env)) == 1
    assert app.session(inactive) is None
