"""A session's runs on the Provision screen (tokens generation): the run's state in the checks and
every confirmation, the "New run" box, the schedule fields (written in the opener's formats, a
bad or past value refused under its field), and the archive a new run names.

The session's run is played with the NOOR Canvas app's own writes (tests/support/app_run.py) on
the tokens demo; hostprov is driven through the TUI only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.screens.modals.links import LinksModal
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.field_note import FieldNote
from tests.conftest import Env
from tests.support.app_run import AppRun
from tests.support.app_schema import AppDb, utcnow
from tests.support.tui import settle
from tests.test_tui_snapshots import to_provision
from tests.test_tui_tokens import SIZE, _app, _body, _first_concept, tokens_env

__all__ = ["tokens_env"]  # the fixture, used by name
TABLES = ("Sessions", "Participants", "SessionData")


@pytest.fixture
def app_db(tokens_env: Env) -> Iterator[AppDb]:
    db = AppDb(tokens_env)
    yield db
    db.close()


def played(prov: Provisioner, db: AppDb, *, over: bool) -> int:
    """The session to_provision picks, issued and run as the app runs it: the opener's
    schedule, Start, a participant who registers and asks a question (then, ``over``, its
    tokens expire as the app's expiry job does it)."""
    ks = _first_concept(prov)
    doc = prov.issue(Target(ksessions_id=ks))
    run = AppRun(db)
    assert run.opener_schedule(ks, doc.host_token, "2030-01-15", "6:30 PM", "90")  # type: ignore[union-attr]
    assert run.start(ks)
    guid = run.register(doc.user_token, "Amina", "amina@example.org", "PK")  # type: ignore[union-attr]
    assert guid is not None
    assert run.submit_question(doc.user_token, guid, "What does verse 2 teach?")  # type: ignore[union-attr]
    if over:
        db.set_expires(ks, utcnow() - timedelta(hours=1))
    return ks


def checks(pilot: Pilot[int]) -> str:
    return " ".join(str(pilot.app.screen.query_one(Checklist).render()).split())


def archives() -> list[Path]:
    folder = Path("archives")  # beside audit.jsonl (the test's working directory)
    return sorted(folder.glob("run-archive-*")) if folder.is_dir() else []


async def test_a_session_that_ran_says_so_and_its_new_run_names_the_archive(
    tokens_env: Env, app_db: AppDb
) -> None:
    app, prov = _app(tokens_env)
    try:
        ks = played(prov, app_db, over=True)
        listed = {r.session_id: r.guid_status for r in prov.search("concept", limit=5).rows}
        assert listed[ks] is GuidStatus.OVER  # what the sessions table's Host column shows
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            said = checks(pilot)
            assert "the session ran (started" in said.lower()
            assert "a new run archives 1 participant and 1 question (1 row of session data)" \
                in said
            assert "Ready for a NEW RUN" in said
            assert archives() == [], "the dry run leaves no archive"
            await pilot.press("ctrl+g")
            await settle(pilot)
            body = " ".join(_body(pilot.app.screen).split())
            assert "a new run archives 1 participant and 1 question" in body
            assert "archives/run-archive-" in body.replace("\\", "/")
            assert "Created by" in body and "Expires" in body and "Reason" in body
            await pilot.press("right", "enter")  # a dangerous write: Cancel has the focus
            await settle(pilot)
            assert isinstance(pilot.app.screen, LinksModal)
            await pilot.press("escape")
            await settle(pilot)
            (archive,) = archives()
            done = checks(pilot)
            assert "New run for KSESSIONS session" in done
            assert f"1 participant and 1 question (1 row of session data) archived to " \
                   f"{archive.resolve()}" in done or str(archive) in done, done
        row = app_db.session(ks)
        assert row is not None and row["Status"] == "Created" and row["StartedAt"] is None
        assert AppRun(app_db).participants(ks) == 0
        head = json.loads(archive.read_text(encoding="utf-8").splitlines()[0])
        assert head["participants"] == 1
    finally:
        prov.close()


async def test_a_live_session_rotates_unless_new_run_is_ticked_with_a_schedule(
    tokens_env: Env, app_db: AppDb
) -> None:
    app, prov = _app(tokens_env)
    try:
        ks = played(prov, app_db, over=False)
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            assert "the rotation keeps its 1 participant" in checks(pilot)
            assert "the “New run” box starts a new run instead" in checks(pilot)
            await pilot.press("ctrl+g")  # the rotation's confirmation says what it keeps
            await settle(pilot)
            body = " ".join(_body(pilot.app.screen).split())
            assert "the rotation keeps its 1 participant and 1 question" in body
            assert "the “New run” box" in body and "--new-run" not in body
            await pilot.press("escape")
            await settle(pilot)
            screen.query_one("#new-run", Checkbox).value = True
            screen.query_one("#scheduled-date", Input).value = "2030-02-01"
            screen.query_one("#scheduled-time", Input).value = "7:05 pm"
            screen.query_one("#duration", Input).value = "45"
            await pilot.press("ctrl+l")
            await settle(pilot)
            said = checks(pilot)
            assert "a new run was asked for" in said and "archives 1 participant" in said
            await pilot.press("ctrl+g")
            await settle(pilot)
            body = " ".join(_body(pilot.app.screen).split())
            assert "a new run was asked for" in body and "2030-02-01" in body
            await pilot.press("right", "enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, LinksModal)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("f3")  # a new pick resets the fields of the run
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            form = pilot.app.screen.query_one("#new-run", Checkbox)
            assert form.value is False
            assert pilot.app.screen.query_one("#scheduled-date", Input).value == ""
        row = app_db.session(ks)
        assert row is not None
        assert (row["Status"], row["ScheduledDate"], row["ScheduledTime"],
                row["ScheduledDuration"]) == ("Created", "2030-02-01", "7:05 PM", "45")
        assert AppRun(app_db).participants(ks) == 0
        assert len(archives()) == 1
    finally:
        prov.close()


async def test_a_past_date_or_a_bad_duration_is_refused_under_its_field(
    tokens_env: Env, app_db: AppDb
) -> None:
    app, prov = _app(tokens_env)
    try:
        before = {t: app_db.rows(t) for t in TABLES}
        audit_before = Path("audit.jsonl").read_text(encoding="utf-8") \
            if Path("audit.jsonl").exists() else ""
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            note = screen.query_one("#scheduled-date-note", FieldNote)
            assert not note.display
            screen.query_one("#scheduled-date", Input).value = "2020-01-15"
            await pilot.press("ctrl+g")  # issue: refused before any confirmation
            await settle(pilot)
            assert pilot.app.screen is screen
            assert note.display
            assert "2020-01-15 is in the past" in " ".join(str(note.render()).split())
            screen.query_one("#scheduled-date", Input).value = "2030-01-15"
            await pilot.pause()
            assert not note.display  # typed again: the sentence went
            screen.query_one("#duration", Input).value = "999"
            await pilot.press("ctrl+l")
            await settle(pilot)
            duration = screen.query_one("#duration-note", FieldNote)
            assert duration.display and "from 1 to 480" in str(duration.render())
            assert "Traceback" not in checks(pilot)
        assert {t: app_db.rows(t) for t in TABLES} == before, "nothing was written"
        audit = Path("audit.jsonl").read_text(encoding="utf-8")[len(audit_before):]
        assert all(json.loads(x)["action"] not in ("issue", "rotate")
                   for x in audit.splitlines())
    finally:
        prov.close()


async def test_the_guid_generation_has_no_fields_of_runs(tokens_env: Env) -> None:
    """Until the worker has named the generation the form speaks of the guid generation: the
    fields of runs are hidden; once it says tokens, they are shown."""
    app, prov = _app(tokens_env)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            for box in ("#new-run", "#scheduled-date", "#scheduled-time", "#duration"):
                assert screen.query_one(box).parent.display  # type: ignore[union-attr]
            from hostprov_tui.tui.credential_words import WORDS

            screen.words = WORDS["guid"]  # type: ignore[attr-defined]
            await pilot.pause()
            for box in ("#new-run", "#scheduled-date", "#scheduled-time", "#duration"):
                assert not screen.query_one(box).parent.display  # type: ignore[union-attr]
            assert "schedule" not in screen.form.options(WORDS["guid"])  # type: ignore[attr-defined]
            assert "new_run" not in screen.form.options(WORDS["guid"])  # type: ignore[attr-defined]
    finally:
        prov.close()


@pytest.mark.parametrize("over", [False, True], ids=["live", "over"])
async def test_the_revoke_confirmation_says_nothing_is_deleted(
    tokens_env: Env, app_db: AppDb, over: bool
) -> None:
    """A live or over session can be revoked (its Status becomes 'Expired': the app's control
    panel ignores ExpiresAt); the confirmation says its run's rows stay."""
    app, prov = _app(tokens_env)
    try:
        ks = played(prov, app_db, over=over)
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)  # the dry run read the run's state
            await pilot.press("ctrl+r")
            await settle(pilot)
            body = " ".join(_body(pilot.app.screen).split())
            assert "Nothing is deleted: its 1 participant and 1 question" in body
            assert "issuing afterwards starts a new run" in body
            await pilot.press("escape")
            await settle(pilot)
        assert AppRun(app_db).participants(ks) == 1  # cancelled: nothing written
    finally:
        prov.close()
