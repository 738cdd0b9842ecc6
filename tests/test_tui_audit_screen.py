"""The Audit screen as an operator reads it (issue 18): at the bottom it follows like tail -f,
across screen switches and resizes; scrolled up it stays; its sentences are for people."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from hostprov_tui.config.settings import TuiOptions
from hostprov_tui.errors import InputError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.audit import AuditScreen
from tests.conftest import Env
from tests.support.tui import settle

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _log(app: HostprovApp) -> VerticalScroll:
    return app.screen.query_one("#log", VerticalScroll)


def _at_bottom(app: HostprovApp) -> bool:
    log = _log(app)
    return log.max_scroll_y > 0 and log.scroll_y >= log.max_scroll_y


def _fill(prov: Provisioner, start: int, count: int) -> None:
    for i in range(start, start + count):
        prov.audit.record("check", "ok", message=f"record number {i} of a long morning")


async def test_at_the_bottom_it_follows_across_switches_and_resizes(
    env: Env, prov: Provisioner
) -> None:
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        _fill(prov, 0, 60)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen) and _at_bottom(app)
        await pilot.press("f2")  # away: records arrive meanwhile
        await settle(pilot)
        _fill(prov, 60, 40)
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert _at_bottom(app), (_log(app).scroll_y, _log(app).max_scroll_y)
        await pilot.resize_terminal(80, 24)  # narrower: lines wrap, the log grows
        await settle(pilot)
        await pilot.pause(0.1)
        assert _at_bottom(app)
        _fill(prov, 100, 5)
        await settle(pilot)
        assert _at_bottom(app)
        assert "following" in str(app.screen.query_one("#audit-count", Static).render())

        _log(app).focus()
        await pilot.press("pageup")  # the operator reads: it stays where they are
        await settle(pilot)
        held = _log(app).scroll_y
        _fill(prov, 105, 5)
        await settle(pilot)
        assert _log(app).scroll_y == held and not _at_bottom(app)
        assert "End follows" in str(app.screen.query_one("#audit-count", Static).render())
        await pilot.press("end")
        await settle(pilot)
        _fill(prov, 110, 5)
        await settle(pilot)
        assert _at_bottom(app)


async def test_people_words_dates_and_a_filter_without_match(
    env: Env, prov: Provisioner
) -> None:
    prov.audit.failure("verify", InputError("An empty value is not a GUID; a Host GUID looks "
                                            "like 3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c."))
    app = HostprovApp(env.settings(tui=TuiOptions(refresh_s=3600)), provisioner=prov)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        text = str(app.screen.query_one("#log-body", Static).render())
        assert "bad_input" not in text and "(bad input)" in text
        assert "[guid]" not in text and "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c" in text
        day = app.audit_records[-1].time[:10]
        assert day in text  # the date, not only the time of day
        await pilot.press("slash")
        await pilot.press(*"zzz-nothing")
        await settle(pilot, typed=True)
        text = str(app.screen.query_one("#log-body", Static).render())
        assert "No record matches “zzz-nothing”" in text and "Nothing to show" not in text


def test_an_empty_verify_or_revoke_is_no_refusal_in_the_log(prov: Provisioner) -> None:
    before = len(prov.audit_tail(50))
    with pytest.raises(InputError, match="empty"):
        prov.verify_credential("  ")
    with pytest.raises(InputError):
        prov.target("revoke", "", None)
    assert len(prov.audit_tail(50)) == before
    with pytest.raises(InputError):  # something typed and refused is still recorded
        prov.verify_credential("not-a-guid")
    (record,) = prov.audit_tail(50)[before:]
    assert record.action == "verify" and record.outcome == "refused"
