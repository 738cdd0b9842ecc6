"""The tokens generation against the NOOR Canvas app's own canvas schema (raw DDL from
docs/design.md).

Every check asks the app's own sign-in query (``tests/support/app_schema.py``), never hostprov:
an issued host token signs in as the KSESSIONS session; a rotation ends the old host token and
keeps the participants' token; a revoke replaces both (Status 'Expired') without deleting the
row; rows the app made itself are never modified unless issued for (a revoked one then gets a new
run) and their tokens never reused. The runs themselves: tests/test_app_runs.py.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hostprov_tui.services.generations import token_rows
from tests.conftest import Env
from tests.support.app_schema import (
    AppDb,
    AppRow,
    build_app_env,
    good_ksessions_ids,
    utcnow,
)
from tests.support.cli_run import Run, hostprov

DOC_KEYS = {"ok", "generation", "ksessions_id", "canvas_session_id", "host_token", "user_token",
            "host_url", "participant_url", "expires_at", "action"}
DEFAULT_BASE = "https://localhost:9091"


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("app"), request)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    yield db
    db.close()


@pytest.fixture
def good(app_env: Env) -> list[int]:
    ids = good_ksessions_ids(app_env)
    assert len(ids) >= 8, "the demo catalogue must have sessions with transcripts"
    return ids


@pytest.fixture
def app_rows(app: AppDb, good: list[int]) -> tuple[AppRow, AppRow]:
    """Two sessions the app made itself, on the catalogue's last two good IDs: one active with
    its own tokens, one with Status 'Expired' (whose tokens the app refuses)."""
    active = app.insert_app_session(good[-1], "APPH2345", "APPU2345", "Active",
                                    utcnow() + timedelta(days=3))
    expired = app.insert_app_session(good[-2], "EXPH6789", "EXPU6789", "Expired", None)
    app.insert_assets()
    assert app.host_signs_in("APPH2345") == [good[-1]]
    assert app.host_signs_in("EXPH6789") == []  # the app's rule: Status 'Expired'
    return active, expired


def issue(env: Env, ksessions_id: int, *args: str, **extra_env: str) -> dict[str, Any]:
    run = hostprov(env, "issue", "--ksessions-id", str(ksessions_id), "--json", *args,
                   extra_env=extra_env)
    assert run.code == 0, run.output
    doc: dict[str, Any] = run.json()
    return doc


def run_ok(env: Env, *args: str) -> Run:
    run = hostprov(env, *args)
    assert run.code == 0, run.output
    return run


def _when(doc: dict[str, Any]) -> datetime:
    return _utc(doc["expires_at"])


def _utc(text: str) -> datetime:
    """A JSON moment: ISO with its zone, UTC (+00:00); naive for comparing with the app's."""
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0, text
    return moment.replace(tzinfo=None)


def test_issue_signs_in_as_the_ksessions_session(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    ks = good[0]
    before = utcnow()
    doc = issue(app_env, ks)
    after = utcnow()
    assert doc["action"] == "created" and doc["generation"] == "tokens"
    assert doc["ksessions_id"] == ks and doc["canvas_session_id"] == ks
    assert app.host_signs_in(doc["host_token"]) == [ks]
    assert app.user_signs_in(doc["user_token"]) == [ks]
    assert app.user_signs_in(doc["host_token"]) == []  # each token in its own column
    assert app.host_signs_in(doc["user_token"]) == []
    row = app.session(ks)
    assert row is not None
    assert row["Status"] == "Created" and row["AlbumId"]
    assert row["HostToken"] == doc["host_token"] and row["UserToken"] == doc["user_token"]
    # default expiry: now + 24 h (the app's default)
    expires = app.expires_at(ks)
    assert expires is not None
    assert before + timedelta(hours=24) <= expires <= after + timedelta(hours=24)
    assert _when(doc) == expires
    assert doc["host_url"] == f"{DEFAULT_BASE}/host/{doc['host_token']}"
    assert doc["participant_url"] == f"{DEFAULT_BASE}/user/landing/{doc['user_token']}"


def test_issue_json_document_has_exactly_the_designed_keys(
    app_env: Env, good: list[int]
) -> None:
    doc = issue(app_env, good[0])
    assert set(doc) == DOC_KEYS, f"extra: {set(doc) - DOC_KEYS}, missing: {DOC_KEYS - set(doc)}"


def test_rotation_ends_the_host_token_and_keeps_the_participants_link(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    ks = good[0]
    first = issue(app_env, ks)
    second = issue(app_env, ks)
    assert second["action"] == "rotated"
    assert second["host_token"] != first["host_token"]
    assert second["user_token"] == first["user_token"]
    assert app.host_signs_in(first["host_token"]) == []
    assert app.host_signs_in(second["host_token"]) == [ks]
    assert app.user_signs_in(first["user_token"]) == [ks]
    old = hostprov(app_env, "verify", "--token", first["host_token"], "--json")
    assert old.code == 4 and old.json()["status"] == "unknown", old.output


def test_new_user_token_replaces_both(app_env: Env, app: AppDb, good: list[int]) -> None:
    ks = good[0]
    first = issue(app_env, ks)
    second = issue(app_env, ks, "--new-user-token")
    assert second["action"] == "rotated"
    assert second["host_token"] != first["host_token"]
    assert second["user_token"] != first["user_token"]
    assert app.host_signs_in(first["host_token"]) == []
    assert app.user_signs_in(first["user_token"]) == []
    assert app.host_signs_in(second["host_token"]) == [ks]
    assert app.user_signs_in(second["user_token"]) == [ks]


def test_revoke_ends_both_tokens_and_keeps_the_row(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    ks = good[0]
    doc = issue(app_env, ks)
    row = app.session(ks)
    assert row is not None
    started = utcnow()
    run_ok(app_env, "revoke", "--ksessions-id", str(ks), "--reason", "lost laptop")
    ended = utcnow()
    assert app.host_signs_in(doc["host_token"]) == []
    assert app.user_signs_in(doc["user_token"]) == []
    after = app.session(ks)
    assert after is not None, "revoke never deletes the row"
    assert row["Status"] == "Created" and after["Status"] == "Expired"
    # both tokens replaced by values nobody was shown: no lookup of the app finds the old ones
    assert after["HostToken"] not in (doc["host_token"], doc["user_token"])
    assert after["UserToken"] not in (doc["host_token"], doc["user_token"])
    expires = app.expires_at(ks)
    assert expires is not None
    assert started - timedelta(minutes=1) <= expires <= ended - timedelta(minutes=1)
    assert app.rows() == [tuple(after.values())]
    again = hostprov(app_env, "revoke", "--ksessions-id", str(ks))
    assert again.code == 4 and "nothing to revoke" in again.stderr, again.output
    assert after["HostToken"] not in again.output + (app_env.audit_path.read_text())
    assert app.expires_at(ks) == expires


def test_issue_after_revoke_gives_both_new(app_env: Env, app: AppDb, good: list[int]) -> None:
    ks = good[0]
    first = issue(app_env, ks)
    run_ok(app_env, "revoke", "--ksessions-id", str(ks))
    started = utcnow()
    second = issue(app_env, ks)
    assert second["action"] == "rotated"
    assert second["host_token"] != first["host_token"]
    assert second["user_token"] != first["user_token"]
    assert app.host_signs_in(second["host_token"]) == [ks]
    assert app.user_signs_in(second["user_token"]) == [ks]
    assert app.host_signs_in(first["host_token"]) == []
    assert app.user_signs_in(first["user_token"]) == []
    assert _when(second) >= started + timedelta(hours=24)


def test_expired_row_gets_both_new_and_a_new_expiry(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    ks = good[0]
    first = issue(app_env, ks)
    app.set_expires(ks, utcnow() - timedelta(hours=3))  # the app's own expiry
    assert app.host_signs_in(first["host_token"]) == []
    started = utcnow()
    second = issue(app_env, ks)
    assert second["host_token"] != first["host_token"]
    assert second["user_token"] != first["user_token"]
    assert app.host_signs_in(second["host_token"]) == [ks]
    assert app.user_signs_in(second["user_token"]) == [ks]
    expires = app.expires_at(ks)
    assert expires is not None and expires >= started + timedelta(hours=24)


def test_rows_the_app_made_are_never_touched(
    app_env: Env, app: AppDb, good: list[int], app_rows: tuple[AppRow, AppRow]
) -> None:
    active, expired = app_rows
    before = app.snapshot()
    app_row_values = {r for r in before["Sessions"] if r[0] in (active.session_id,
                                                                 expired.session_id)}
    ours = good[:3]
    issued: list[dict[str, Any]] = []
    for ks in ours:
        issued.append(issue(app_env, ks))
    issued.append(issue(app_env, ours[0]))
    issued.append(issue(app_env, ours[1], "--new-user-token"))
    run_ok(app_env, "revoke", "--ksessions-id", str(ours[2]))
    issued.append(issue(app_env, ours[2]))
    run_ok(app_env, "dry-run", "--ksessions-id", str(ours[0]))
    # the app's 'Expired' session: issuing would start a new run (the dry run only says so) ...
    said_run = hostprov(app_env, "dry-run", "--ksessions-id", str(expired.session_id))
    assert said_run.code == 0 and "a new run archives 1 participant and 1 question" \
        in " ".join(said_run.output.split()), said_run.output
    nothing = hostprov(app_env, "revoke", "--ksessions-id", str(expired.session_id))
    assert nothing.code == 4, nothing.output
    said = hostprov(app_env, "verify", "--token", expired.host_token, "--json")
    assert said.code == 4 and said.json()["status"] == "expired", said.output
    # ... and showing the active one's links again reads, never writes
    shown = hostprov(app_env, "links", "--ksessions-id", str(active.session_id), "--json")
    assert shown.code == 0 and shown.json()["host_token"] == active.host_token, shown.output

    after = app.snapshot()
    assert {r for r in after["Sessions"] if r[0] in (active.session_id, expired.session_id)} \
        == app_row_values
    for table in ("Participants", "SessionData", "AssetLookup"):
        assert after[table] == before[table], table
    app_tokens = {active.host_token, active.user_token, expired.host_token, expired.user_token}
    ours_tokens = {d[k] for d in issued for k in ("host_token", "user_token")}
    assert not ours_tokens & app_tokens
    assert len(after["Sessions"]) == 2 + len(ours)
    values = app.all_tokens()
    assert len(values) == len(set(values)), "a token value appears twice in canvas.Sessions"


def test_tokens_of_the_apps_rows_are_never_drawn_again(
    app_env: Env, app: AppDb, good: list[int], app_rows: tuple[AppRow, AppRow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The random source is made to propose the app's tokens (the expired row's included)
    first: hostprov must skip every one of them and still issue."""
    active, expired = app_rows
    taken = [active.host_token, expired.user_token, expired.host_token, active.user_token]
    proposals = iter(taken * 2)
    proposed: list[str] = []
    real = token_rows.new_token

    def rigged() -> str:
        value = next(proposals, None) or real()
        proposed.append(value)
        return value

    monkeypatch.setattr(token_rows, "new_token", rigged)
    first = issue(app_env, good[0])
    second = issue(app_env, good[0], "--new-user-token")
    assert set(taken) <= set(proposed), "the app's tokens were proposed"
    for doc in (first, second):
        assert doc["host_token"] not in taken and doc["user_token"] not in taken
    values = app.all_tokens()
    assert len(values) == len(set(values))
    assert app.host_signs_in(active.host_token) == [active.session_id]
    assert app.host_signs_in(second["host_token"]) == [good[0]]


def test_dry_run_leaves_nothing_behind(
    app_env: Env, app: AppDb, good: list[int], app_rows: tuple[AppRow, AppRow]
) -> None:
    ks = good[0]
    cases: list[tuple[str, ...]] = [("--ksessions-id", str(ks))]  # would create
    for args in cases:
        before = app.snapshot()
        run = hostprov(app_env, "dry-run", *args, "--json")
        assert run.code == 0, run.output
        assert run.json()["plan"]["creates_canvas_session"] is True
        assert app.snapshot() == before
    doc = issue(app_env, ks)
    for extra in ((), ("--new-user-token",), ("--expires", "2099-01-01")):
        before = app.snapshot()
        run = hostprov(app_env, "dry-run", "--ksessions-id", str(ks), *extra, "--json")
        assert run.code == 0, run.output
        assert run.json()["plan"]["action"] == "rotate"
        assert not {"host_token", "user_token"} & set(run.json()), run.stdout
        assert doc["host_token"] not in run.output and doc["user_token"] not in run.output
        assert app.snapshot() == before
    assert app.host_signs_in(doc["host_token"]) == [ks]


def test_bulk_csv_holds_tokens_that_sign_in(
    app_env: Env, app: AppDb, good: list[int], tmp_path: Path
) -> None:
    ids = good[:4]
    id_file = tmp_path / "ids.txt"
    id_file.write_text("# sessions for Sunday\n" + "\n".join(map(str, ids)) + "\n",
                       encoding="utf-8")
    out = tmp_path / "tokens.csv"
    base = "https://canvas.example.org"
    run = hostprov(app_env, "issue", "--from-file", str(id_file), "--output", str(out),
                   extra_env={"HOSTPROV_APP__BASE_URL": base})
    assert run.code == 0, run.output
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["state", "ksessions_id", "host_token", "user_token", "host_url",
                       "participant_url", "expires_at", "line"]
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert sorted(int(r["ksessions_id"]) for r in body) == ids
    assert {r["state"] for r in body} == {"applied"}  # saved before, marked after the commit
    for r in body:
        ks = int(r["ksessions_id"])
        assert app.host_signs_in(r["host_token"]) == [ks]
        assert app.user_signs_in(r["user_token"]) == [ks]
        assert r["host_url"] == f"{base}/host/{r['host_token']}"
        assert r["participant_url"] == f"{base}/user/landing/{r['user_token']}"
        assert datetime.fromisoformat(r["expires_at"]) == app.expires_at(ks)  # CSV: as it was
    values = app.all_tokens()
    assert len(values) == len(set(values)) == 2 * len(ids)


def test_links_use_the_configured_base_url(app_env: Env, app: AppDb, good: list[int]) -> None:
    ks = good[0]
    base = "https://canvas.example.org:8443"
    doc = issue(app_env, ks, HOSTPROV_APP__BASE_URL=base + "/")
    assert doc["host_url"] == f"{base}/host/{doc['host_token']}"
    assert doc["participant_url"] == f"{base}/user/landing/{doc['user_token']}"
    shown = hostprov(app_env, "links", "--ksessions-id", str(ks), "--json",
                     extra_env={"HOSTPROV_APP__BASE_URL": base})
    assert shown.code == 0, shown.output
    links = shown.json()
    assert (links["host_url"], links["participant_url"]) == (doc["host_url"],
                                                            doc["participant_url"])
    default = hostprov(app_env, "links", "--ksessions-id", str(ks), "--json")
    assert default.json()["host_url"] == f"{DEFAULT_BASE}/host/{doc['host_token']}"


def test_valid_hours_changes_the_default_expiry(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    config = app_env.write_config()
    with config.open("a", encoding="utf-8") as handle:
        handle.write("[tokens]\nvalid_hours = 2\n")
    from tests.support.cli_run import invoke, secret_env

    started = utcnow()
    run = invoke(["--config", str(config), "issue", "--ksessions-id", str(good[0]), "--json"],
                 secret_env())
    ended = utcnow()
    assert run.code == 0, run.output
    expires = app.expires_at(good[0])
    assert expires is not None
    assert started + timedelta(hours=2) <= expires <= ended + timedelta(hours=2)
    assert _utc(run.json()["expires_at"]) == expires
    by_env = issue(app_env, good[1], HOSTPROV_TOKENS__VALID_HOURS="0.5")
    assert _when(by_env) <= utcnow() + timedelta(minutes=30)


def test_expires_sets_the_expiry_and_a_past_one_is_refused(
    app_env: Env, app: AppDb, good: list[int]
) -> None:
    doc = issue(app_env, good[0], "--expires", "2099-06-30")
    assert app.expires_at(good[0]) == datetime(2099, 6, 30, 23, 59, 59) == _when(doc)
    before = app.snapshot()
    for ks in (good[0], good[1]):  # a rotation and a creation
        run = hostprov(app_env, "issue", "--ksessions-id", str(ks), "--expires", "2020-01-01",
                       "--json")
        assert run.code == 4, run.output
        assert "in the past" in run.json()["error"]["message"] + run.stdout
    assert app.snapshot() == before
    assert app.host_signs_in(doc["host_token"]) == [good[0]]


def test_bulk_reports_the_lines_it_cannot_issue_and_writes_only_the_others(
    app_env: Env, app: AppDb, good: list[int], app_rows: tuple[AppRow, AppRow], tmp_path: Path
) -> None:
    _active, expired = app_rows
    before = app.snapshot()
    missing = max(good) + 1000
    id_file = tmp_path / "ids.txt"
    id_file.write_text(f"{good[0]}\n{expired.session_id}\n{missing}\n", encoding="utf-8")
    out = tmp_path / "tokens.csv"
    run = hostprov(app_env, "issue", "--from-file", str(id_file), "--output", str(out))
    assert run.code == 4, run.output
    # the app's 'Expired' (revoked) session gets a new run; the missing one is refused
    assert f"line 2 ({expired.session_id})" not in run.stderr
    assert f"line 3 ({missing})" in run.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["ksessions_id"]) for r in rows] == [good[0], expired.session_id]
    assert app.host_signs_in(rows[0]["host_token"]) == [good[0]]
    assert app.host_signs_in(rows[1]["host_token"]) == [expired.session_id]
    after = app.snapshot()
    touched = (good[0], expired.session_id)
    assert [r for r in after["Sessions"] if r[0] not in touched] == \
        [r for r in before["Sessions"] if r[0] not in touched]
    for table in ("Participants", "SessionData"):  # the revoked run's rows: archived, removed
        assert after[table] == [r for r in before[table] if r[1] != expired.session_id], table
        assert len(after[table]) == len(before[table]) - 1, table
    assert after["AssetLookup"] == before["AssetLookup"]


def test_links_of_a_session_without_tokens_is_refused(app_env: Env, good: list[int]) -> None:
    run = hostprov(app_env, "links", "--ksessions-id", str(good[0]), "--json")
    assert run.code == 4, run.output
    assert "no tokens yet" in run.json()["error"]["message"]
