"""The TUI driven by keys, against a real SQLite catalogue: search → pick → validate → issue →
rotate, with every GUID checked through the service; and a database that breaks mid-run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.results import GuidStatus
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.dashboard import DashboardScreen
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.guid import GuidModal
from hostprov_tui.tui.screens.provision import ProvisionScreen
from hostprov_tui.tui.screens.sessions import PageLoaded, SessionsScreen
from hostprov_tui.tui.widgets.checklist import Checklist
from hostprov_tui.tui.widgets.db_card import DbCard
from tests.conftest import DemoIds, Env
from tests.support.tui import MessageLog, settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
SIZE = (120, 36)


@pytest.fixture
def app(env: Env, prov: Provisioner) -> Iterator[HostprovApp]:
    yield HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)




async def issue_from_provision(pilot: Pilot[int]) -> GuidModal:
    await pilot.press("ctrl+g")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmModal)
    await pilot.press("enter")  # the confirm button has the focus
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, GuidModal)
    return modal


async def test_issue_then_rotate_by_keys(app: HostprovApp, prov: Provisioner, ids: DemoIds) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        sessions = app.screen
        assert isinstance(sessions, SessionsScreen)
        await pilot.press(*str(ids.good))
        await settle(pilot, typed=True)
        await pilot.press("escape")
        rows = sessions.query_one("#results").session_rows  # type: ignore[attr-defined]
        assert rows[0].session_id == ids.good
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvisionScreen)

        await pilot.press("ctrl+l")
        await settle(pilot)
        plan = app.screen.query_one(Checklist).plan
        assert plan is not None and plan.ok and plan.action == "create"
        assert plan.ksessions_id == ids.good

        first = await issue_from_provision(pilot)
        guid = first.result.guid
        await pilot.press("c")
        assert app.clipboard == guid
        assert prov.verify(guid).status is GuidStatus.ACTIVE
        await pilot.press("escape", "escape")  # copying is no proof: Esc is asked twice still
        await settle(pilot)

        await pilot.press("ctrl+g")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal) and confirm.danger
        confirm_text = str(confirm.body)
        await pilot.press("enter")  # a rotation opens on Cancel: Enter is the safe answer
        await settle(pilot)
        assert isinstance(app.screen, ProvisionScreen)
        assert prov.verify(guid).status is GuidStatus.ACTIVE  # nothing rotated
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("right", "enter")  # to the Rotate button, deliberately
        await settle(pilot)
        second = app.screen
        assert isinstance(second, GuidModal)
        assert second.result.action == "rotated"
        assert "stop working" in confirm_text
        assert second.result.guid != guid
        assert prov.verify(guid).status is not GuidStatus.ACTIVE
        assert prov.verify(second.result.guid).status is GuidStatus.ACTIVE


async def test_ten_quick_keystrokes_run_at_most_two_searches(app: HostprovApp) -> None:
    searches = MessageLog(PageLoaded, lambda m: m.page is not None and m.page.offset == 0)
    async with app.run_test(size=SIZE, message_hook=searches) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        sessions = app.screen
        assert isinstance(sessions, SessionsScreen)
        before = len(searches)
        assert before == 1  # the initial listing
        await pilot.press(*"tafseer of")  # ten keystrokes
        await settle(pilot, typed=True)
        ran = len(searches) - before
        assert 1 <= ran <= 2
        table = sessions.query_one("#results")
        assert table.row_count > 0  # the last query's results are the ones shown


async def test_paging_loads_more_near_the_end(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#results")
        first_page = table.row_count
        assert first_page == 50
        table.focus()
        table.move_cursor(row=first_page - 12)
        await pilot.press("down", "down")  # the cursor nears the end of what is loaded
        await settle(pilot)
        assert table.row_count > first_page


async def test_reaching_the_end_during_a_new_search_loads_nothing_of_the_old_one(
    app: HostprovApp, prov: Provisioner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator scrolls to the end while a new search runs: no "more" of the old query may
    land under the new one (later pages answer slowly here, so a stale one would arrive last)."""
    import time

    from textual.widgets import Input

    search = prov.search

    def slow_later_pages(*args: object, **kwargs: object) -> object:
        if kwargs.get("offset"):
            time.sleep(0.3)
        return search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(prov, "search", slow_later_pages)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        sessions = app.screen
        assert isinstance(sessions, SessionsScreen)
        table = sessions.query_one("#results")
        assert table.row_count == 50
        box = sessions.query_one("#query", Input)
        with box.prevent(Input.Changed):
            box.value = "zzzzqqq"
        sessions.start_search()  # under way…
        table.move_cursor(row=table.row_count - 1)  # …while the cursor reaches the end
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert table.row_count == 0


async def test_the_hidden_audit_screen_redraws_only_when_shown_again(
    app: HostprovApp, prov: Provisioner
) -> None:
    from textual.widgets import Static

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        audit = app.screen
        count = audit.query_one("#audit-count", Static)
        before = str(count.render())
        await pilot.press("f3")
        await settle(pilot)
        for i in range(40):
            prov.audit.record("check", "ok", message=f"filler {i}")
        await settle(pilot)
        assert str(count.render()) == before  # hidden: not redrawn for each record
        await pilot.press("f5")
        await settle(pilot)
        assert str(count.render()) != before
        assert "filler 39" in str(audit.query_one("#log-body", Static).render())


async def test_bad_input_in_the_provision_form_is_refused_and_audited(
    app: HostprovApp, env: Env
) -> None:
    """The form is parsed by the services, as the CLI's input is: a refusal is in the audit."""
    import json

    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#target", Input).value = "12"
        app.screen.query_one("#expires", Input).value = "2001-01-01"  # in the past
        await pilot.press("ctrl+l")
        await settle(pilot)
        app.screen.query_one("#target", Input).value = ""
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ProvisionScreen)  # no confirmation for nothing
        records = [json.loads(line) for line in env.audit_path.read_text().splitlines()]
        assert "revoke" not in [r["action"] for r in records]  # nothing asked, nothing recorded
        app.screen.query_one("#target", Input).value = "abc"
        await pilot.press("ctrl+r")
        await settle(pilot)
    records = [json.loads(line) for line in env.audit_path.read_text().splitlines()]
    refused = [(r["action"], r["outcome"]) for r in records if r["outcome"] != "ok"]
    assert ("dry-run", "refused") in refused and ("revoke", "refused") in refused


async def test_database_gone_mid_run_turns_card_red(
    app: HostprovApp, env: Env
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cards = {c.db_name: c for c in app.screen.query(DbCard)}
        assert cards["ksessions"].has_class("-ok")
        ks_file = env.tmp / "ksessions.db"
        for extra in env.tmp.glob("ksessions.db-*"):
            extra.unlink()
        ks_file.write_bytes(b"this is no longer a database" * 200)

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert cards["ksessions"].has_class("-down")
        assert cards["canvas"].has_class("-ok")
        titles = [n.title for n in app._notifications]
        assert "ksessions unreachable" in titles

        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"fiqh")
        await settle(pilot, typed=True)
        assert any(n.title == "Search failed" for n in app._notifications)
        await pilot.press("f4")
        await pilot.press(*"12", "enter")
        await settle(pilot)
        assert any(n.title.startswith("Validation") for n in app._notifications)
        plan = app.screen.query_one(Checklist).plan
        assert plan is None or not plan.ok
        assert app.is_running
        await pilot.press("f5")
        assert app.current_mode == "audit"


async def test_an_uncopied_guid_needs_a_second_escape(app: HostprovApp, ids: DemoIds) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        pilot.app.screen.query_one("#target").value = str(ids.good)  # type: ignore[attr-defined]
        modal = await issue_from_provision(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal  # warned, still shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not modal


async def test_a_copied_guid_still_asks_and_ctrl_q_asks_first(
    app: HostprovApp, prov: Provisioner, ids: DemoIds
) -> None:
    """A copy is only sent to the terminal (which may drop it): the toast says so, the second
    Esc is still asked for, and Ctrl+Q asks before the GUID goes (Enter and Esc: stay)."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        pilot.app.screen.query_one("#target").value = str(ids.good)  # type: ignore[attr-defined]
        modal = await issue_from_provision(pilot)
        assert "Copy to clipboard (c)" in str(modal.query_one("#copy").label)  # type: ignore[attr-defined]
        assert "Close (Esc)" in str(modal.query_one("#close").label)  # type: ignore[attr-defined]
        await pilot.press("c")
        await pilot.pause()
        toasts = [(n.title, n.message) for n in app._notifications]
        assert any("sent to the terminal's clipboard (OSC 52) — paste to check" in m
                   for _t, m in toasts), toasts
        assert not any("is on the clipboard" in m or t == "Copied" for t, m in toasts)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal  # copied, yet warned: still shown
        for answer in ("enter", "escape"):  # the safe answers: stay
            await pilot.press("ctrl+q", "ctrl+q")  # a second Ctrl+Q is no answer
            await settle(pilot)
            question = app.screen
            assert isinstance(question, ConfirmModal) and question.id == "quit-question"
            assert [s.id for s in app.screen_stack].count("quit-question") == 1
            assert "will not be shown again" in str(question.body)
            assert modal.result.guid not in str(question.body)
            await pilot.press(answer)
            await settle(pilot)
            assert app.is_running and app.screen is modal
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("tab", "enter")  # deliberately to "Quit and lose it"
        await pilot.pause()
        assert app._exit  # the app is quitting
    assert prov.verify(modal.result.guid).status is GuidStatus.ACTIVE


async def test_ctrl_q_without_a_credential_on_screen_quits_at_once(app: HostprovApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app._exit


async def test_production_needs_the_session_id_typed(
    env: Env, prov: Provisioner, ids: DemoIds
) -> None:
    settings = env.settings(environment="production", tui=TuiOptions(refresh_s=3600))
    prod = Provisioner(settings, operator="tester")
    app = HostprovApp(settings, provisioner=prod)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.query_one("EnvBanner").has_class("-production")
            await pilot.press("f4")
            await pilot.press(*str(ids.good))
            await settle(pilot, typed=True)  # the session's row looked up (else the sentence
            assert getattr(app.screen, "row", None) is not None  # is "issue or rotate")
            await pilot.press("ctrl+g")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, ConfirmModal)
            assert modal.query_one("#confirm").disabled
            body = " ".join(str(modal.body).split())  # no dry run first: one clear sentence
            assert body.startswith(f"For KSESSIONS session {ids.good}. A new Host GUID is made "
                                   "and shown once."), body
            assert body.endswith("This is the PRODUCTION environment."), body  # said once, last
            assert "Rotating" not in body and body.count("PRODUCTION") == 1, body
            assert "Created by tester" in body, body  # who, until when and why repeated
            await pilot.press("enter")  # nothing typed yet: no issuance
            assert app.screen is modal
            await pilot.press(*str(ids.good), "enter")
            await settle(pilot)
            shown = app.screen
            assert isinstance(shown, GuidModal)
            assert prov.verify(shown.result.guid).status is GuidStatus.ACTIVE
    finally:
        prod.close()


async def test_theme_comes_from_settings_and_toggles(env: Env, prov: Provisioner) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(theme="textual-light")), provisioner=prov)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_sessions_show_the_new_status_after_an_issue(app: HostprovApp, ids: DemoIds) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*str(ids.good2))
        await settle(pilot, typed=True)
        await pilot.press("escape", "enter")
        await settle(pilot)
        await issue_from_provision(pilot)
        await pilot.press("escape", "escape", "f3")  # not copied: the first Esc only warns
        await settle(pilot)
        rows = app.screen.query_one("#results").session_rows  # type: ignore[attr-defined]
        assert rows[0].session_id == ids.good2
        assert rows[0].guid_status is GuidStatus.ACTIVE
