"""Bulk issuance from the Sessions screen, by keys, against the real demo catalogue: mark three
sessions (one without transcripts), Ctrl+F, confirm, progress, results; every GUID shown is
checked through the service, and the production path needs the count typed."""

from __future__ import annotations

import stat
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.bulk_journal import read_journal
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.screens.modals.bulk_progress import BulkProgressed
from hostprov_tui.tui.screens.modals.bulk_results import CSV_HEADER, BulkResultsModal
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.sessions import SessionsScreen
from hostprov_tui.tui.widgets.session_table import SessionTable
from tests.conftest import DemoIds, Env
from tests.support.tui import MessageLog, settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SIZE = (120, 36)


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)




async def mark_by_search(pilot: Pilot[int], ids: list[int]) -> SessionsScreen:
    """F3, then for each ID: search it, go to the results, Space on its row."""
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    sessions = pilot.app.screen
    assert isinstance(sessions, SessionsScreen)
    table = sessions.query_one(SessionTable)
    for ks_id in ids:
        await pilot.press("slash", "end", "ctrl+u", *str(ks_id))
        await settle(pilot, typed=True)
        await pilot.press("escape")
        assert table.current() is not None and table.current().session_id == ks_id  # type: ignore[union-attr]
        await pilot.press("space")
        await pilot.pause()
    assert list(table.marked) == ids
    return sessions


async def run_bulk(pilot: Pilot[int], typed: str | None = None) -> tuple[str, BulkResultsModal]:
    await pilot.press("ctrl+f")
    await settle(pilot)
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmModal)
    body = str(confirm.body)
    if typed is not None:
        await pilot.press(*typed, "enter")
    elif confirm.danger:  # rotations among them: Cancel has the focus, Tab goes to Issue
        await pilot.press("tab", "enter")
    else:
        await pilot.press("enter")  # the confirm button has the focus
    for _ in range(100):  # the progress modal, then the results
        await settle(pilot)
        if isinstance(pilot.app.screen, BulkResultsModal):
            break
    results = pilot.app.screen
    assert isinstance(results, BulkResultsModal)
    return body, results


async def test_bulk_issue_for_three_marked_sessions(
    app: HostprovApp, prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    marked = [ids.good, ids.no_transcripts, ids.good2]
    progress = MessageLog(BulkProgressed)
    async with app.run_test(size=SIZE, message_hook=progress) as pilot:
        sessions = await mark_by_search(pilot, marked)
        status = str(sessions.query_one("#results-status").content)  # type: ignore[attr-defined]
        assert "3 marked" in status
        body, results = await run_bulk(pilot)
        assert "3 sessions" in body and "stops working" in body

        last = progress.messages[-1]
        assert (last.done, last.total) == (3, 3)  # the progress bar reached the total
        summary = str(results.query_one("#bulk-summary").content)  # type: ignore[attr-defined]
        assert summary.startswith("2 issued (created 2, rotated 0) · 1 refused")
        shown = str(results.query_one("#bulk-items").content)  # type: ignore[attr-defined]
        by_id = {i.ksessions_id: i for i in results.result.items}
        assert by_id[ids.no_transcripts].status == "failed"
        assert by_id[ids.no_transcripts].guid is None
        refused_line = next(line for line in shown.splitlines()
                            if line.strip().startswith(str(ids.no_transcripts)))
        assert "refused" in refused_line and "transcript" in refused_line.lower()
        guids = [by_id[i].guid for i in (ids.good, ids.good2)]
        for guid in guids:
            assert guid is not None and guid in shown
            assert prov.verify(guid).status is GuidStatus.ACTIVE
        # a crash now would lose nothing: the GUIDs were saved before their commit, beside
        # the audit log, 0600, until the results are closed
        journal = results.journal
        assert journal is not None and journal.path.parent == env.audit_path.parent
        assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
        rows, torn = read_journal(journal.path)
        assert {r.guid for r in rows} == set(guids) and torn == 0
        assert {r.state for r in rows} == {"applied"}

        # the footer shows the window's own keys, not the Sessions screen's under it
        keys = {k.key for k in results.query("FooterKey")}  # type: ignore[attr-defined]
        assert keys == {"c", "escape"}, keys
        await pilot.press("c")
        clip = app.clipboard.splitlines()
        assert clip[0] == CSV_HEADER and len(clip) == 3
        assert all(any(g in line for line in clip) for g in guids)
        toasts = " ".join(n.message for n in app._notifications)
        assert not any(g in toasts for g in guids if g)  # shown once: never in a toast
        assert "sent to the terminal's clipboard (OSC 52) — paste to check" in toasts
        assert "on the clipboard" not in toasts
        await pilot.press("escape")  # copying is no proof: the first Esc still only warns
        await settle(pilot)
        assert app.screen is results and journal.path.exists()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is sessions
        assert not journal.path.exists()  # shown once: gone with the results, as told
        assert list(sessions.query_one(SessionTable).marked) == [ids.no_transcripts]  # refused
        rows = {r.session_id: r for r in sessions.query_one(SessionTable).session_rows}
        if ids.good2 in rows:  # the re-read list shows the new status
            assert rows[ids.good2].guid_status is GuidStatus.ACTIVE


async def test_bulk_rotation_warns_and_closing_uncopied_asks_twice(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    from hostprov_tui.services.inputs import Target

    first = prov.issue(Target(ksessions_id=ids.good))
    async with app.run_test(size=SIZE) as pilot:
        await mark_by_search(pilot, [ids.good])
        body, results = await run_bulk(pilot)
        assert "1 session of these had an active Host GUID" in body
        assert [i.action for i in results.result.items] == ["rotated"]
        assert prov.verify(first.guid).status is not GuidStatus.ACTIVE
        await pilot.press("escape")  # not copied: the first Esc only warns
        await pilot.pause()
        assert app.screen is results
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)


async def test_ctrl_q_on_the_results_asks_and_only_a_yes_removes_the_file(
    app: HostprovApp, prov: Provisioner, ids: DemoIds, env: Env
) -> None:
    """Ctrl+Q over the bulk results asks first (Enter and Esc: stay) and names the file that
    keeps the GUIDs; leaving the app any other way (an unmount, a crash) keeps that file, and
    `bulk status` finds every GUID of it in force."""
    from hostprov_tui.tui.screens.modals.confirm import ConfirmModal as Confirm

    async with app.run_test(size=SIZE) as pilot:
        await mark_by_search(pilot, [ids.good, ids.good2])
        _body, results = await run_bulk(pilot)
        journal = results.journal
        assert journal is not None and journal.path.exists()
        guids = [i.guid for i in results.result.items if i.guid]
        for answer in ("enter", "escape"):
            await pilot.press("ctrl+q")
            await settle(pilot)
            question = app.screen
            assert isinstance(question, Confirm) and question.id == "quit-question"
            body = str(question.body)
            assert "2 new Host GUIDs" in body and str(journal.path) in " ".join(body.split())
            assert not any(g in body for g in guids)
            footer = {(k.key, k.description) for k in question.query("FooterKey")}  # type: ignore[attr-defined]
            assert footer == {("escape", "Stay")}, footer  # the question's keys only
            await pilot.press(answer)
            await settle(pilot)
            assert app.is_running and app.screen is results and journal.path.exists()
    # the test's end unmounts every screen, as a quit would: the file stays
    assert journal.path.exists()
    report = prov.bulk_status(journal.path)
    assert report.in_force == 2 and report.complete


async def test_ctrl_q_while_a_bulk_issue_runs_asks_first(
    app: HostprovApp, ids: DemoIds, env: Env
) -> None:
    """Another process holds the canvas database's write lock, so the run waits: Ctrl+Q then
    asks (its GUIDs are about to be shown once); Stay, the lock goes, the results come."""
    import sqlite3

    from hostprov_tui.tui.screens.modals.bulk_progress import BulkProgressModal
    from hostprov_tui.tui.screens.modals.confirm import ConfirmModal as Confirm

    async with app.run_test(size=SIZE) as pilot:
        await mark_by_search(pilot, [ids.good])
        other = sqlite3.connect(env.tmp / "canvas.db", isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # a writer elsewhere: the run waits for it
            await pilot.press("ctrl+f")
            await settle(pilot)
            await pilot.press("enter")
            for _ in range(50):
                await pilot.pause(0.05)
                if isinstance(app.screen, BulkProgressModal):
                    break
            assert isinstance(app.screen, BulkProgressModal)
            await pilot.press("ctrl+q")
            await pilot.pause()
            question = app.screen
            assert isinstance(question, Confirm) and question.id == "quit-question"
            assert "bulk issue is under way" in str(question.body)
            await pilot.press("escape")  # stay
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, BulkProgressModal)
        finally:
            other.execute("ROLLBACK")
            other.close()
        for _ in range(100):
            await settle(pilot)
            if isinstance(app.screen, BulkResultsModal):
                break
        results = app.screen
        assert isinstance(results, BulkResultsModal)
        assert [i.status for i in results.result.items] == ["ok"]


async def test_ctrl_q_quits_after_a_yes_and_removes_the_file(
    app: HostprovApp, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await mark_by_search(pilot, [ids.good])
        _body, results = await run_bulk(pilot)
        journal = results.journal
        assert journal is not None and journal.path.exists()
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("tab", "enter")  # deliberately to "Quit and lose it"
        await pilot.pause()
        assert app._exit
    assert not journal.path.exists()


async def test_production_needs_the_count_typed(env: Env, ids: DemoIds) -> None:
    settings = env.settings(environment="production", tui=TuiOptions(refresh_s=3600))
    prov = Provisioner(settings, operator="tester")
    app = HostprovApp(settings, provisioner=prov)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await mark_by_search(pilot, [ids.good, ids.good2])
            await pilot.press("ctrl+f")
            await settle(pilot)
            confirm = app.screen
            assert isinstance(confirm, ConfirmModal) and confirm.require == "2"
            await pilot.press("1", "enter")  # the wrong count does not confirm
            await pilot.pause()
            assert app.screen is confirm
            await pilot.press("backspace", "2", "enter")
            for _ in range(100):
                await settle(pilot)
                if isinstance(app.screen, BulkResultsModal):
                    break
            results = app.screen
            assert isinstance(results, BulkResultsModal)
            assert [i.status for i in results.result.items] == ["ok", "ok"], [
                i.message for i in results.result.items]
    finally:
        prov.close()


async def test_nothing_marked_is_a_warning(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        assert "Nothing marked" in [n.title for n in app._notifications]


async def test_palette_offers_the_bulk_commands(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Bulk issue for marked sessions" in titles and "Clear marks" not in titles
        await pilot.press("escape", "space")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Bulk issue for the 1 marked session" in titles and "Clear marks" in titles
        dashboard = next(s for s in app.screen_stack_all() if isinstance(s, DashboardScreen))
        dashboard_titles = [c.title for c in app.get_system_commands(dashboard)]
        assert "Go to Sessions" in dashboard_titles
        assert not any(t.startswith("Bulk issue") for t in dashboard_titles)


async def test_database_gone_before_the_bulk_issue_is_reported(
    app: HostprovApp, env: Env, ids: DemoIds
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await mark_by_search(pilot, [ids.good, ids.good2])
        for extra in env.tmp.glob("canvas.db-*"):
            extra.unlink()
        (env.tmp / "canvas.db").write_bytes(b"this is no longer a database" * 200)
        _body, results = await run_bulk(pilot)
        assert [i.status for i in results.result.items] == ["failed", "failed"]
        shown = str(results.query_one("#bulk-items").content)  # type: ignore[attr-defined]
        assert "failed" in shown and not results.guid_count
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)  # no crash, no GUID to lose
