"""Sixteen issuers of the tokens generation at the same instant, on the app's own schema.

On one session: one canvas row, exactly one of the issued host tokens signs in (the row's),
participants keep one token throughout, and no token value appears twice in canvas.Sessions
(both columns, the app's own rows included). On sixteen sessions whose issuers are all made to
draw the same first tokens: every issuer still succeeds (a unique-index violation is retried
with fresh tokens, never shown), and no value appears twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.services import issuance
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.generations import token_rows
from hostprov_tui.services.inputs import Target
from tests.conftest import Env
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, utcnow
from tests.support.token_race import TokenOutcomes, issue_in_processes, issue_in_threads

WORKERS = 16


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("app"), request, sessions=40)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    good = good_ksessions_ids(app_env)
    db.insert_app_session(good[-1], "APPH2345", "APPU2345", "Active",
                          utcnow() + timedelta(days=1))
    db.insert_app_session(good[-2], "EXPH6789", "EXPU6789", "Expired", None)
    yield db
    db.close()


def _assert_one_row_one_host_token(
    app: AppDb, ks: int, out: TokenOutcomes, label: str, user_token: str | None
) -> None:
    print(f"\n[tokens concurrency] {label}: {WORKERS} workers → {out.summary()}")
    assert not out.other, out.other
    assert out.issued, "at least one worker must succeed"
    for message in out.retryable:
        assert "try again" in message.lower(), message
    row = app.session(ks)
    assert row is not None
    assert len(app.rows()) == 3, "the app's two rows and ours"
    signing_in = [g for g in out.issued if app.host_signs_in(g.host_token) == [ks]]
    assert len(signing_in) == 1, f"{len(signing_in)} issued host tokens still sign in"
    assert signing_in[0].host_token == row["HostToken"]
    users = {g.user_token for g in out.issued}
    assert users == {row["UserToken"]}, "participants keep one token through the rotations"
    if user_token is not None:
        assert users == {user_token}
    assert app.user_signs_in(row["UserToken"]) == [ks]
    hosts = [g.host_token for g in out.issued]
    assert len(hosts) == len(set(hosts)), "a host token was issued twice"
    values = app.all_tokens()
    assert len(values) == len(set(values)), "a token value appears twice in canvas.Sessions"
    assert sum(g.action == "created" for g in out.issued) <= 1


@pytest.mark.parametrize("preissued", [False, True], ids=["create", "rotate"])
def test_threads_on_one_session(app_env: Env, app: AppDb, preissued: bool) -> None:
    ks = good_ksessions_ids(app_env)[0]
    user_token = None
    if preissued:
        prov = Provisioner(app_env.settings(), operator="tester")
        try:
            user_token = prov.issue(Target(ksessions_id=ks)).user_token  # type: ignore[union-attr]
        finally:
            prov.close()
    out = issue_in_threads(app_env.settings, [ks] * WORKERS)
    _assert_one_row_one_host_token(
        app, ks, out, f"threads on {app_env.backend}, {'rotate' if preissued else 'create'}",
        user_token,
    )
    if preissued:
        assert all(g.action == "rotated" for g in out.issued)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
def test_processes_on_one_session(app_env: Env, app: AppDb, tmp_path: Path) -> None:
    ks = good_ksessions_ids(app_env)[0]
    out = issue_in_processes(app_env, ks, WORKERS, tmp_path)
    _assert_one_row_one_host_token(app, ks, out, "processes on postgres", None)


def test_same_first_draw_on_sixteen_sessions_is_retried_unseen(
    app_env: Env, app: AppDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every issuer's first two draws are the same pair of tokens: one session gets them, every
    other issuer draws again (or, after a unique-index violation, retries) and still succeeds."""
    good = good_ksessions_ids(app_env)
    targets = good[:WORKERS]
    assert len(targets) == WORKERS and not {good[-1], good[-2]} & set(targets)
    first_pair = ("SAMEH234", "SAMEU234")
    local = threading.local()
    real = token_rows.new_token

    def rigged() -> str:
        count = getattr(local, "count", 0)
        local.count = count + 1
        return first_pair[count] if count < len(first_pair) else real()

    attempts: list[int] = []
    real_attempt = issuance._attempt

    def counted(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        return real_attempt(*args, **kwargs)

    monkeypatch.setattr(token_rows, "new_token", rigged)
    monkeypatch.setattr(issuance, "_attempt", counted)
    out = issue_in_threads(app_env.settings, targets)
    print(f"\n[tokens concurrency] same first draw on {app_env.backend}: {out.summary()}, "
          f"{len(attempts) - WORKERS} retried after a unique-index violation")
    assert not out.other and not out.retryable, (out.other, out.retryable)
    assert sorted(g.ksessions_id for g in out.issued) == sorted(targets)
    values = app.all_tokens()
    assert len(values) == len(set(values)) == 2 * (WORKERS + 2)
    holders = [g for g in out.issued if (g.host_token, g.user_token) == first_pair]
    assert len(holders) == 1
    for g in out.issued:
        assert app.host_signs_in(g.host_token) == [g.ksessions_id]
        assert app.user_signs_in(g.user_token) == [g.ksessions_id]
