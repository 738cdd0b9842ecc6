"""The CLI contract of docs/design.md: JSON shapes, exit codes, sentences, nothing written on
errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hostprov_tui import __version__
from tests.conftest import DemoIds, Env, build_env
from tests.support.cli_run import GUID_RE, Run, hostprov, invoke, subprocess_hostprov
from tests.support.db_state import add_ksession, row_counts
from tests.support.pgserver import free_port

ISSUE_KEYS = {"guid", "host_session_id", "canvas_session_id", "ksessions_id", "action", "hash"}


def _one_sentence_error(run: Run, code: int) -> dict:
    """An error run: the exit code, ONE JSON document, a one-line message, no traceback."""
    assert run.code == code, run.output
    doc = run.json()
    assert doc["ok"] is False and doc["error"]["exit_code"] == code
    message = doc["error"]["message"]
    assert message and "\n" not in message and message.rstrip().endswith((".", ")"))
    assert "Traceback" not in run.output and "Error:" in run.stderr
    return doc


def test_issue_verify_rotate_contract(env: Env, ids: DemoIds) -> None:
    first = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--json")
    assert first.code == 0, first.output
    doc = first.json()
    assert set(doc) >= ISSUE_KEYS
    assert doc["action"] == "created" and doc["ksessions_id"] == ids.good
    assert GUID_RE.fullmatch(doc["guid"]) and doc["guid"] == doc["guid"].lower()
    assert isinstance(doc["host_session_id"], int) and isinstance(doc["canvas_session_id"], int)

    verify = hostprov(env, "verify", "--guid", doc["guid"], "--json")
    assert verify.code == 0 and verify.json()["status"] == "active"
    assert verify.json()["canvas_session_id"] == doc["canvas_session_id"]

    again = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--json")
    assert again.code == 0
    rotated = again.json()
    assert rotated["action"] == "rotated" and rotated["guid"] != doc["guid"]
    assert rotated["host_session_id"] == doc["host_session_id"]
    old = hostprov(env, "verify", "--guid", doc["guid"], "--json")
    assert old.code == 4 and old.json()["status"] != "active"
    # the GUID is shown once on stdout, and never echoed on stderr (the audit lines)
    assert doc["guid"] not in first.stderr and rotated["guid"] not in again.stderr


def test_human_issue_output_shows_the_guid_once(env: Env, ids: DemoIds) -> None:
    run = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--created-by", "ops")
    assert run.code == 0, run.output
    guids = GUID_RE.findall(run.stdout)
    assert len(guids) == 1 and not GUID_RE.search(run.stderr)
    assert "shown once" in run.stdout


def test_bad_ids_exit_2_with_a_sentence_and_write_nothing(env: Env) -> None:
    before = row_counts(env.settings())
    cases = [
        ("--ksessions-id", "abc"), ("--ksessions-id", "-5"), ("--ksessions-id", "0"),
        ("--ksessions-id", "99999999999999999999"), ("--ksessions-id", "1.5"),
        ("--ksessions-id", ""), ("--canvas-session-id", "x1"),
        ("--canvas-session-id", "99999999999999999999"),
    ]
    for command in ("issue", "dry-run", "revoke"):
        for option, value in cases:
            run = hostprov(env, command, option, value, "--json")
            doc = _one_sentence_error(run, 2)
            assert doc["error"]["code"] == "bad_input", (command, value)
    assert row_counts(env.settings()) == before


def test_both_or_neither_target_exits_2(env: Env) -> None:
    before = row_counts(env.settings())
    both = hostprov(env, "issue", "--ksessions-id", "1", "--canvas-session-id", "1", "--json")
    assert "not both" in _one_sentence_error(both, 2)["error"]["message"]
    neither = hostprov(env, "issue", "--json")
    assert "exactly one" in _one_sentence_error(neither, 2)["error"]["message"]
    assert hostprov(env, "revoke").code == 2
    assert row_counts(env.settings()) == before


def test_expiry_inputs(env: Env, ids: DemoIds) -> None:
    before = row_counts(env.settings())
    past = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--expires", "2020-01-01",
                    "--json")
    doc = _one_sentence_error(past, 4)
    assert "in the past" in doc["error"]["message"]
    assert any(c["code"] == "expiry" and c["status"] == "fail" for c in doc["checks"])
    for bad in ("2027-13-45", "tomorrow", "31/12/2027", "2027-12-31T25:00"):
        run = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--expires", bad, "--json")
        assert "not a date" in _one_sentence_error(run, 2)["error"]["message"]
    assert row_counts(env.settings()) == before


def test_refusals_exit_4(env: Env, ids: DemoIds) -> None:
    before = row_counts(env.settings())
    missing = hostprov(env, "issue", "--ksessions-id", str(ids.missing), "--json")
    doc = _one_sentence_error(missing, 4)
    assert doc["error"]["message"] == f"Session {ids.missing} does not exist in KSESSIONS."
    assert "hostprov sessions" in doc["error"]["hint"]
    human = hostprov(env, "issue", "--ksessions-id", str(ids.missing))
    assert human.code == 4 and "does not exist in KSESSIONS" in human.stderr
    assert "Hint:" in human.stderr
    canvas = hostprov(env, "issue", "--canvas-session-id", "77777", "--json")
    assert _one_sentence_error(canvas, 4)["error"]["code"] == "not_found"
    empty = hostprov(env, "issue", "--ksessions-id", str(ids.no_transcripts), "--json")
    assert "no transcripts" in _one_sentence_error(empty, 4)["error"]["message"]
    nothing = hostprov(env, "revoke", "--ksessions-id", str(ids.good), "--json")
    assert "nothing to revoke" in _one_sentence_error(nothing, 4)["error"]["message"]
    assert row_counts(env.settings()) == before


def test_revoke_by_either_id_and_inactive_warning(env: Env, ids: DemoIds) -> None:
    issued = hostprov(env, "issue", "--ksessions-id", str(ids.inactive))
    assert issued.code == 0, issued.output
    assert re.search(r"warn\s+KSESSIONS session \d+ is marked inactive", issued.stdout)
    guid = GUID_RE.findall(issued.stdout)[0]
    doc = {"guid": guid, **hostprov(env, "verify", "--guid", guid, "--json").json()}
    by_canvas = hostprov(env, "revoke", "--canvas-session-id", str(doc["canvas_session_id"]),
                         "--by", "ops", "--json")
    assert by_canvas.code == 0, by_canvas.output
    assert by_canvas.json()["host_session_id"] == doc["host_session_id"]
    assert hostprov(env, "verify", "--guid", doc["guid"], "--json").json()["status"] == "revoked"
    second = hostprov(env, "issue", "--canvas-session-id", str(doc["canvas_session_id"]),
                      "--json")
    assert second.code == 0 and second.json()["ksessions_id"] == ids.inactive
    by_ks = hostprov(env, "revoke", "--ksessions-id", str(ids.inactive))
    assert by_ks.code == 0 and "Revoked" in by_ks.stdout


def test_verify_exit_codes(env: Env) -> None:
    unknown = hostprov(env, "verify", "--guid", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c", "--json")
    assert unknown.code == 4 and unknown.json()["status"] == "unknown"
    malformed = hostprov(env, "verify", "--guid", "not-a-guid", "--json")
    assert "is not a GUID" in _one_sentence_error(malformed, 2)["error"]["message"]


def test_search_text_is_taken_literally(env: Env) -> None:
    before = row_counts(env.settings())
    for text in ("100%", "a_b", "O'Brien", 'say "salam"', "back\\slash", "%_'\"\\/", "';--"):
        run = hostprov(env, "sessions", text, "--json")
        assert run.code == 0, (text, run.output)
        assert run.json()["rows"] == [], text  # the demo catalogue has none of these
    long = hostprov(env, "sessions", "x" * 201, "--json")
    _one_sentence_error(long, 2)
    nul = hostprov(env, "sessions", "a\x00b", "--json")
    _one_sentence_error(nul, 2)
    for option in ("--offset", "--album", "--category"):
        huge = hostprov(env, "sessions", option, "99999999999999999999", "--json")
        assert "2147483647" in _one_sentence_error(huge, 2)["error"]["message"]
    assert row_counts(env.settings()) == before


def test_human_output_prints_markup_like_text_literally(env: Env) -> None:
    name = "[bold]Markup[/bold] in a name [/] and [red"
    sid = add_ksession(env.settings(), name)
    for query in ("[/]", "[bold]zz", "[red]"):
        run = hostprov(env, "sessions", query)
        assert run.code == 0, run.output
        assert query in run.stdout or "No KSESSIONS session matches" in run.stdout
    empty = hostprov(env, "sessions", "[/]nothing")
    assert empty.code == 0 and "'[/]nothing'" in empty.stdout
    listed = hostprov(env, "sessions", "Markup[/bold]")
    assert listed.code == 0 and "[bold]Markup[/bold]" in listed.stdout, listed.output
    issued = hostprov(env, "issue", "--ksessions-id", str(sid), "--reason", "[/] odd")
    assert issued.code == 0 and "[bold]Markup[/bold]" in issued.stdout, issued.output


def test_sessions_and_check(env: Env, ids: DemoIds) -> None:
    run = hostprov(env, "sessions", str(ids.good), "--json")
    assert run.code == 0
    assert ids.good in [r["session_id"] for r in run.json()["rows"]]
    check = hostprov(env, "check", "--json")
    assert check.code == 0, check.output
    doc = check.json()
    assert doc["ok"] is True and doc["canvas"]["schema_ok"] and doc["ksessions"]["reachable"]
    human = hostprov(env, "check")
    assert human.code == 0 and "reachable" in human.stdout


def test_unreachable_canvas_exits_3(env: Env, ids: DemoIds) -> None:
    port = free_port()
    for url in (f"postgresql+psycopg://nobody@127.0.0.1:{port}/gone_dev",
                f"sqlite:///{env.tmp}/no-such-dir/canvas.db"):
        check = hostprov(env, "check", "--canvas-url", url, "--json")
        assert check.code == 3, check.output
        canvas = check.json()["canvas"]
        assert canvas["reachable"] is False and canvas["error"].endswith(".")
        issue = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--canvas-url", url,
                         "--json")
        doc = _one_sentence_error(issue, 3)
        assert doc["error"]["code"] == "database_unreachable"
        assert "unreachable" in doc["error"]["message"] or "not answer" in doc["error"]["message"]
        verify = hostprov(env, "verify", "--guid", "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c",
                          "--canvas-url", url, "--json")
        _one_sentence_error(verify, 3)
    assert not (env.tmp / "no-such-dir").exists()


def test_production_guard_exits_5(env: Env, ids: DemoIds) -> None:
    before = row_counts(env.settings())
    run = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--environment", "production",
                   "--json")
    doc = _one_sentence_error(run, 5)
    assert "--allow-production" in doc["error"]["message"]
    weak = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--environment", "production",
                    "--allow-production", "--json",
                    extra_env={"HOSTPROV_SECURITY__HASH_SECRET": "changeme"})
    assert "known public value" in _one_sentence_error(weak, 5)["error"]["message"]
    assert row_counts(env.settings()) == before
    ok = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--environment", "production",
                  "--allow-production", "--json")
    assert ok.code == 0 and ok.json()["action"] == "created"


def test_version_and_help() -> None:
    run = invoke(["--version"])
    assert run.code == 0 and __version__ in run.stdout and "hostprov" in run.stdout
    helped = invoke(["--help"])
    assert helped.code == 0 and "Exit codes" in helped.stdout
    for command in ("check", "sessions", "dry-run", "issue", "revoke", "verify", "audit", "db",
                    "demo"):
        assert re.search(rf"^\s+{command}\b", helped.stdout, re.M), command


def test_console_script_in_a_real_process(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The installed entry point (embedded backend only: process start-up is the slow part)."""
    env = build_env("sqlite", tmp_path, request, sessions=40)
    version = subprocess_hostprov(env, "--version")
    assert version.code == 0 and __version__ in version.stdout
    issued = subprocess_hostprov(env, "issue", "--ksessions-id", "1", "--json")
    assert issued.code == 0, issued.output  # the seeded demo's session 1 has transcripts
    doc = issued.json()
    assert set(doc) >= ISSUE_KEYS and doc["action"] == "created"
    verified = subprocess_hostprov(env, "verify", "--guid", doc["guid"], "--json")
    assert verified.code == 0 and verified.json()["status"] == "active"


def test_usage_error_with_json_still_prints_one_document() -> None:
    run = invoke(["verify", "--json"])
    assert run.code == 2
    run.json()
