"""`hostprov bulk status FILE [--ids IDFILE]`: which GUIDs of a bulk run's file are in force, by
hash against the database, and which lines of the ID file to issue again (the crash tests check
it after every kill; here its answers one by one, and its output)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hostprov_tui.services.api import Provisioner
from tests.conftest import DemoIds, Env, build_env, demo_ids
from tests.support.cli_run import hostprov

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _flat(text: str) -> str:
    return " ".join(text.split())


@SQLITE
def test_status_of_a_run_then_of_what_happened_since(
    env: Env, ids: DemoIds, tmp_path: Path
) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{ids.good}\n{ids.no_transcripts}\n{ids.good2}\n{ids.inactive}\n")
    out = tmp_path / "guids.csv"
    assert hostprov(env, "-q", "issue", "--from-file", str(ids_file), "--output",
                    str(out)).code == 4
    guids = [r["guid"] for r in csv.DictReader(out.open(newline=""))]

    whole = hostprov(env, "-q", "bulk", "status", str(out), "--json")
    assert whole.code == 0, whole.output
    doc = whole.json()
    assert doc["in_force"] == 3 and doc["counts"] == {"in_force": 3} and doc["torn"] == 0
    lines = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file), "--json")
    assert lines.code == 4
    assert [(m["line"], m["ksessions_id"]) for m in lines.json()["missing"]] == [
        (2, ids.no_transcripts)]

    # since the run: good rotated, good2 revoked; the run stopped before marking inactive
    assert hostprov(env, "-q", "issue", "--ksessions-id", str(ids.good)).code == 0
    assert hostprov(env, "-q", "revoke", "--ksessions-id", str(ids.good2)).code == 0
    text = out.read_text()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    out.write_text(text.replace(last, last.replace("applied", "pending", 1))
                   + "pending,99,1,1,created,3f2b8c1e-9d4a")  # a row cut short by a kill
    now = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file), "--json")
    assert now.code == 4
    rows = {r["ksessions_id"]: r for r in now.json()["rows"]}
    assert rows[ids.good]["status"] == "replaced" and not rows[ids.good]["in_force"]
    assert rows[ids.good2]["status"] == "revoked"
    assert rows[ids.inactive]["status"] == "in_force" and rows[ids.inactive]["file_state"] == \
        "pending"
    assert now.json()["torn"] == 1
    human = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file))
    flat = _flat(human.stdout)
    assert "1 of 3 GUIDs" in flat and "1 row(s) cut short by the interruption" in flat
    assert f"Issue them again (a new ID file): {ids.good} {ids.no_transcripts} {ids.good2}" \
        in flat
    assert not any(g in human.output + now.output for g in guids)  # no GUID is printed


@SQLITE
def test_status_of_a_file_that_is_no_guid_file(env: Env, tmp_path: Path) -> None:
    missing = hostprov(env, "-q", "bulk", "status", str(tmp_path / "absent.csv"))
    assert missing.code == 2 and "does not exist" in _flat(missing.stderr)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    wrong = hostprov(env, "-q", "bulk", "status", str(other))
    assert wrong.code == 2 and "not a GUID file written by hostprov" in _flat(wrong.stderr)
    huge = tmp_path / "huge.csv"  # an ID no database column holds: unreadable, not a crash
    huge.write_text("state,ksessions_id,canvas_session_id,host_session_id,action,guid,line\n"
                    "applied,99999999999999999999,1,1,created,"
                    "3f2b8c1e-9d4a-4c6e-8f00-0123456789ab,1\n")
    odd = hostprov(env, "-q", "bulk", "status", str(huge), "--json")
    assert odd.code == 0 and odd.json()["torn"] == 1 and not odd.json()["rows"], odd.output
    tokens = tmp_path / "tokens.csv"  # a tokens file with no row: nothing to be in force
    tokens.write_text("state,ksessions_id,host_token,user_token,host_url,participant_url,"
                      "expires_at,line\n")
    told = hostprov(env, "-q", "bulk", "status", str(tokens))
    assert told.code == 0 and "0 of 0 host tokens" in _flat(told.stdout)


@pytest.fixture
def tokens_env(request: pytest.FixtureRequest, tmp_path: Path) -> Env:
    return build_env("sqlite", tmp_path / "db", request, sessions=60, generation="tokens")


def test_status_of_a_tokens_file(tokens_env: Env, tmp_path: Path) -> None:
    """The CLI's tokens CSV: is each session's HostToken still the file's, and does it sign
    in — then after a rotation, a revoke and a row the run did not mark; no token printed."""
    env = tokens_env
    prov = Provisioner(env.settings(), operator="tester")
    try:
        ids = demo_ids(prov)
    finally:
        prov.close()
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(f"{ids.good}\n{ids.no_transcripts}\n{ids.good2}\n{ids.good3}\n")
    out = tmp_path / "tokens.csv"
    assert hostprov(env, "-q", "issue", "--from-file", str(ids_file), "--output",
                    str(out)).code == 4
    rows = list(csv.DictReader(out.open(newline="")))
    assert rows and "host_token" in rows[0]
    secrets = [r[k] for r in rows for k in ("host_token", "user_token")]

    whole = hostprov(env, "-q", "bulk", "status", str(out), "--json")
    assert whole.code == 0, whole.output
    doc = whole.json()
    assert doc["in_force"] == 3 and doc["counts"] == {"in_force": 3} and doc["torn"] == 0
    lines = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file), "--json")
    assert lines.code == 4
    assert [(m["line"], m["ksessions_id"]) for m in lines.json()["missing"]] == [
        (2, ids.no_transcripts)]

    assert hostprov(env, "-q", "issue", "--ksessions-id", str(ids.good)).code == 0
    assert hostprov(env, "-q", "revoke", "--ksessions-id", str(ids.good2)).code == 0
    text = out.read_text()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    out.write_text(text.replace(last, last.replace("applied", "pending", 1))
                   + "pending,99,K7XM")  # a row cut short by a kill
    hostile = tmp_path / "hostile.csv"  # an ID no column holds, a token of the wrong length
    hostile.write_text(text.splitlines()[0] + "\n" + "applied," + "9" * 5000
                       + ",AAAAAAAA,BBBBBBBB,x,y,,1\napplied,1,AAAAAAAAA,BBBBBBBB,x,y,,2\n")
    refused = hostprov(env, "-q", "bulk", "status", str(hostile), "--json")
    assert refused.code == 0 and refused.json()["torn"] == 2, refused.output
    now = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file), "--json")
    assert now.code == 4, now.output
    by_id = {r["ksessions_id"]: r for r in now.json()["rows"]}
    assert by_id[ids.good]["status"] == "replaced" and not by_id[ids.good]["in_force"]
    assert by_id[ids.good2]["status"] == "expired"
    assert by_id[ids.good3]["status"] == "in_force"
    assert by_id[ids.good3]["file_state"] == "pending"
    assert now.json()["torn"] == 1
    human = hostprov(env, "-q", "bulk", "status", str(out), "--ids", str(ids_file))
    flat = _flat(human.stdout)
    assert "1 of 3 host tokens" in flat and "1 row(s) cut short" in flat
    assert f"Issue them again (a new ID file): {ids.good} {ids.no_transcripts} {ids.good2}" \
        in flat
    assert not any(t in human.output + now.output for t in secrets)  # no token is printed
    audit = env.audit_path.read_text(encoding="utf-8")
    assert not any(t in audit for t in secrets)
