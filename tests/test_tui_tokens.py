"""The TUI on a canvas database of the tokens generation: the provision screen names the
generation, an issue shows the host and participant links (each copied with a toast), the
links can be shown again (audited), and the sessions table reads the status from the tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from hostprov_tui.config.settings import AuditOptions, DatabaseTarget, TuiOptions
from hostprov_tui.errors import InputError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target, credential_from_link
from hostprov_tui.services.results import TOKENS_CSV_COLUMNS, GuidStatus, TokenIssueResult
from hostprov_tui.tui.app import HostprovApp
from hostprov_tui.tui.screens.help import HelpScreen
from hostprov_tui.tui.screens.modals.bulk_progress import BulkProgressed, BulkProgressModal
from hostprov_tui.tui.screens.modals.bulk_results import BulkResultsModal
from hostprov_tui.tui.screens.modals.confirm import ConfirmModal
from hostprov_tui.tui.screens.modals.links import LinksModal
from hostprov_tui.tui.widgets.checklist import Checklist
from tests.conftest import Env, build_env, demo_ids
from tests.support.tui import held_still, settle, steady_cursors
from tests.test_tui_bulk import mark_by_search, run_bulk
from tests.test_tui_snapshots import to_provision

SIZE = (120, 36)


@pytest.fixture
def tokens_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Env]:
    env = build_env("sqlite", tmp_path, request, sessions=60, generation="tokens")
    monkeypatch.chdir(tmp_path)
    with held_still(monkeypatch):
        yield env


def _app(env: Env) -> tuple[HostprovApp, Provisioner]:
    settings = env.settings(
        canvas=DatabaseTarget(url="sqlite:///canvas.db"),
        ksessions=DatabaseTarget(url="sqlite:///ksessions.db"),
        audit=AuditOptions(path=Path("audit.jsonl")),
        tui=TuiOptions(refresh_s=3600),
    )
    prov = Provisioner(settings, operator="tester")
    return HostprovApp(settings, provisioner=prov), prov


def test_provision_checklist_tokens(snap_compare, tokens_env: Env) -> None:  # type: ignore[no-untyped-def]
    app, prov = _app(tokens_env)

    async def run_before(pilot: Pilot[int]) -> None:
        await to_provision(pilot)
        steady_cursors(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        prov.close()


def test_links_modal(snap_compare, tokens_env: Env) -> None:  # type: ignore[no-untyped-def]
    app, prov = _app(tokens_env)
    result = TokenIssueResult(
        host_token="K7XM3QPA", user_token="HXRFEAJ6",
        host_url="https://localhost:9091/host/K7XM3QPA",
        participant_url="https://localhost:9091/user/landing/HXRFEAJ6",
        canvas_session_id=12, ksessions_id=12, action="rotated",
        expires_at=datetime(2026, 12, 31, 9, 30), created_by="tester", new_user_token=False,
    )

    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)  # the screen has learned the generation (a worker) before the window
        await pilot.app.push_screen(LinksModal(result, "Host token rotated"))
        await settle(pilot)
        steady_cursors(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        prov.close()


async def test_issue_shows_links_copies_each_and_shows_them_again(tokens_env: Env) -> None:
    app, prov = _app(tokens_env)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            assert "tokens generation" in str(screen.query_one("#generation", Static).render())
            await pilot.press("ctrl+g")  # confirmation
            await settle(pilot)
            await pilot.click("#confirm")
            await settle(pilot)
            modal = pilot.app.screen
            assert isinstance(modal, LinksModal)
            links = modal.links
            assert isinstance(links, TokenIssueResult) and links.action == "created"
            await pilot.press("h")
            await pilot.press("p")
            await pilot.pause()
            assert copied == [links.host_url, links.participant_url]
            toasts = [n.message for n in pilot.app._notifications]
            assert any("host link was sent to the terminal's clipboard (OSC 52)" in t
                       for t in toasts), toasts
            assert any("participants' link was sent to the terminal's clipboard" in t
                       for t in toasts)
            assert not any("is on the clipboard" in t for t in toasts)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("ctrl+o")  # show the links again: audited
            await settle(pilot)
            again = pilot.app.screen
            assert isinstance(again, LinksModal)
            assert again.links.host_url == links.host_url
            await pilot.press("escape")
            await settle(pilot)
        verdict = prov.verify_token(links.host_token)
        assert verdict.status is GuidStatus.ACTIVE and verdict.ksessions_id == links.ksessions_id
        text = Path("audit.jsonl").read_text(encoding="utf-8")
        records = [json.loads(line) for line in text.splitlines()]
        assert [r["action"] for r in records if r["action"] == "show-links"] == ["show-links"]
        assert links.host_token not in text and links.user_token not in text
    finally:
        prov.close()


def test_sessions_status_reads_the_tokens(tokens_env: Env) -> None:
    prov = Provisioner(tokens_env.settings(), operator="tester")
    try:
        rows = [r for r in prov.search("concept", limit=20).rows if r.transcripts]
        issued, revoked = rows[0].session_id, rows[1].session_id
        prov.issue(Target(ksessions_id=issued))
        prov.issue(Target(ksessions_id=revoked))
        prov.revoke(Target(ksessions_id=revoked))
        status = {r.session_id: r.guid_status for r in prov.search("concept", limit=20).rows}
        assert status[issued] is GuidStatus.FRESH  # issued, not run yet
        assert status[revoked] is GuidStatus.REVOKED
        assert status[rows[2].session_id] is GuidStatus.NONE
    finally:
        prov.close()


async def test_bulk_issue_in_the_tokens_words_and_its_file_for_bulk_status(
    tokens_env: Env,
) -> None:
    """Ctrl+F on a tokens database: the confirmation and the progress speak of host tokens, the
    file that keeps them has the tokens columns (the CLI's), and `bulk status` reads it."""
    app, prov = _app(tokens_env)
    ids = demo_ids(prov)
    titles: list[str] = []

    def progress_title(message: object) -> None:
        if isinstance(message, BulkProgressed) and isinstance(app.screen, BulkProgressModal):
            for part in ("#dialog-title", "#bulk-note"):
                titles.append(str(app.screen.query_one(part, Static).content))

    try:
        async with app.run_test(size=SIZE, message_hook=progress_title) as pilot:
            await mark_by_search(pilot, [ids.good, ids.good2])
            body, results = await run_bulk(pilot)
            assert "host tokens" in body and "GUID" not in body
            assert titles and all("GUID" not in t for t in titles), titles
            assert "Issuing host tokens for 2 sessions" in titles
            journal = results.journal
            assert journal is not None and journal.path.name.startswith("host-tokens-")
            header = journal.path.read_text(encoding="utf-8").splitlines()[0].split(",")
            assert header == ["state", *TOKENS_CSV_COLUMNS, "line"]
            report = prov.bulk_status(journal.path)
            assert (report.in_force, report.complete, report.noun) == (2, True, "host tokens")
            await pilot.press("escape")  # the links can be shown again: one Esc closes
            await settle(pilot)
            assert not isinstance(app.screen, BulkResultsModal)
            assert not journal.path.exists()
    finally:
        prov.close()


async def test_help_speaks_of_tokens(tokens_env: Env) -> None:
    app, prov = _app(tokens_env)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            text = str(app.screen.query_one("#help-body", Static).content)
            keys = [line for line in text.splitlines()
                    if line.strip().startswith(("Ctrl+F", "Ctrl+G", "Ctrl+R", "F4"))]
            assert len(keys) == 4 and not any("GUID" in line for line in keys), keys
            assert "A GUID is shown once" not in text and "never logged" in text
    finally:
        prov.close()


def _first_concept(prov: Provisioner) -> int:
    """The session to_provision picks: the first row for "concept"."""
    return prov.search("concept", limit=1).rows[0].session_id


def _body(screen: object) -> str:
    assert isinstance(screen, ConfirmModal)
    return str(screen.body)


async def test_after_a_revoke_every_sentence_says_both_links_are_new(tokens_env: Env) -> None:
    app, prov = _app(tokens_env)
    try:
        session = _first_concept(prov)
        prov.issue(Target(ksessions_id=session))
        prov.revoke(Target(ksessions_id=session))
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            checks = str(screen.query_one(Checklist).render())
            assert "ROTATE" not in checks and "new participant link" in checks
            await pilot.press("ctrl+g")
            await settle(pilot)
            body = _body(pilot.app.screen)
            assert "keep" not in body and "new participant link" in body
            await pilot.click("#confirm")
            await settle(pilot)
            window = pilot.app.screen
            assert isinstance(window, LinksModal) and window.links.new_user_token  # type: ignore[union-attr]
            assert "new participant link" in window.title_text
            await pilot.press("escape")
            await settle(pilot)
            assert "a new participant link" in str(screen.query_one(Checklist).render())
    finally:
        prov.close()


async def test_a_rotation_says_participants_keep_their_link_everywhere(tokens_env: Env) -> None:
    app, prov = _app(tokens_env)
    try:
        prov.issue(Target(ksessions_id=_first_concept(prov)))
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            checks = str(pilot.app.screen.query_one(Checklist).render())
            assert "ROTATE" in checks and "participants keep their link" in checks
            await pilot.press("ctrl+g")
            await settle(pilot)
            assert "participants keep their link" in _body(pilot.app.screen)
            await pilot.press("right", "enter")
            await settle(pilot)
            window = pilot.app.screen
            assert isinstance(window, LinksModal)
            assert "participants keep theirs" in window.title_text
    finally:
        prov.close()


async def test_the_verify_box_takes_the_links_hostprov_gives_out(tokens_env: Env) -> None:
    app, prov = _app(tokens_env)
    try:
        issued = prov.issue(Target(ksessions_id=_first_concept(prov)))
        assert isinstance(issued, TokenIssueResult)
        async with app.run_test(size=SIZE) as pilot:
            await to_provision(pilot)
            screen = pilot.app.screen
            box = screen.query_one("#guid", Input)
            result = screen.query_one("#verify-result", Static)
            for link in (issued.host_url, issued.participant_url + "/", issued.host_url + "?x=1"):
                box.value = link
                await pilot.press("ctrl+y")
                await settle(pilot)
                assert "ACTIVE" in str(result.render()), link
            box.value = "https://localhost:9091/host/"
            await pilot.press("ctrl+y")
            await settle(pilot)
            assert "ends before its token" in str(result.render())
            toasts = " ".join(n.message for n in pilot.app._notifications)
        audit = Path("audit.jsonl").read_text(encoding="utf-8")
        for token in (issued.host_token, issued.user_token):
            assert token not in audit and token not in toasts
    finally:
        prov.close()


@pytest.mark.parametrize("text", ["https://h/host/K7XM3QPA", "https://h/user/landing/K7XM3QPA/",
                                  "http://h:9/base/host/K7XM3QPA?utm=1#top", " K7XM3QPA "])
def test_credential_from_link_takes_the_token_out(text: str) -> None:
    assert credential_from_link(text) == "K7XM3QPA"


@pytest.mark.parametrize("text", ["https://h/host/", "https://h/user/landing/?a=K7XM3QPA",
                                  "https://h/other/K7XM3QPA"])
def test_credential_from_link_refuses_a_link_without_its_token(text: str) -> None:
    with pytest.raises(InputError) as caught:
        credential_from_link(text)
    assert "K7XM3QPA" not in str(caught.value) + str(caught.value.hint)


def test_the_plan_says_whether_the_tokens_in_place_still_work(tokens_env: Env) -> None:
    prov = Provisioner(tokens_env.settings(), operator="tester")
    try:
        session = Target(ksessions_id=_first_concept(prov))
        fresh = prov.dry_run(session)
        assert fresh.replaces_working is False and fresh.new_participant_link is True
        prov.issue(session)
        working = prov.dry_run(session)
        assert working.action == "rotate" and working.replaces_working is True
        assert working.new_participant_link is False
        assert prov.dry_run(session, new_user_token=True).new_participant_link is True
        prov.revoke(session)
        revoked = prov.dry_run(session)
        assert revoked.action == "rotate" and revoked.replaces_working is False
        assert revoked.new_participant_link is True
    finally:
        prov.close()
