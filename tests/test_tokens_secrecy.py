"""Tokens never enter the audit file, a log or stderr, across a full CLI run of the tokens
generation (issue, rotate, bulk, verify, links, dry run, revoke, audit); and `verify --token`
turns bad input into one sentence without echoing it or changing anything."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hostprov_tui.cli.main import cli
from tests.conftest import DemoIds, Env
from tests.support.app_schema import AppDb, build_app_env, good_ksessions_ids, utcnow
from tests.support.cli_run import Run, hostprov, secret_env


@pytest.fixture
def app_env(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Env:
    return build_app_env(backend, tmp_path_factory.mktemp("app"), request)


@pytest.fixture
def app(app_env: Env) -> Iterator[AppDb]:
    db = AppDb(app_env)
    db.insert_app_session(good_ksessions_ids(app_env)[-1], "APPH2345", "APPU2345", "Active",
                          utcnow() + timedelta(days=1))
    yield db
    db.close()


class Runs:
    """Every CLI run of a test, so their stderr can be searched afterwards."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.all: list[tuple[tuple[str, ...], Run]] = []

    def __call__(self, *args: str, code: int = 0) -> Run:
        run = hostprov(self.env, *args)
        assert run.code == code, (args, run.output)
        self.all.append((args, run))
        return run

    def json(self, *args: str, code: int = 0) -> Any:
        return self(*args, "--json", code=code).json()


def _leaks(tokens: set[str], where: str, text: str) -> list[str]:
    low = text.lower()
    return [f"{token} in {where}" for token in tokens if token.lower() in low]


def test_tokens_never_reach_the_audit_file_logs_or_stderr(
    app_env: Env, app: AppDb, tmp_path: Path, capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a bulk run with --json also saves its file (./host-guids-…)
    good = good_ksessions_ids(app_env)
    ks, others = good[0], good[1:4]
    run = Runs(app_env)
    tokens: set[str] = {"APPH2345", "APPU2345"}  # the app's own, shown by `links` below

    def keep(doc: dict[str, Any]) -> dict[str, Any]:
        tokens.update((doc["host_token"], doc["user_token"]))
        return doc

    first = keep(run.json("issue", "--ksessions-id", str(ks), "--reason", "Sunday class"))
    run("issue", "--ksessions-id", str(ks))  # a rotation, the human way
    keep(run.json("links", "--ksessions-id", str(ks)))
    keep(run.json("issue", "--ksessions-id", str(ks), "--new-user-token"))
    id_file = tmp_path / "ids.txt"
    id_file.write_text("\n".join(map(str, others)) + "\n", encoding="utf-8")
    out = tmp_path / "bulk.csv"
    run("issue", "--from-file", str(id_file), "--output", str(out))  # progress bar on stderr
    with out.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            tokens.update((row["host_token"], row["user_token"]))
    bulk_doc = run.json("issue", "--from-file", str(id_file))  # rotations, in the document
    for item in bulk_doc["results"]:
        assert item["status"] == "ok", item
    current = keep(run.json("links", "--ksessions-id", str(ks)))
    for other in others:
        keep(run.json("links", "--ksessions-id", str(other)))
    run("links", "--ksessions-id", str(app.rows()[-1][0]), "--reason", "app's row")
    assert current["host_token"] != first["host_token"]
    verified = run.json("verify", "--token", current["host_token"])
    assert verified["status"] == "active" and verified["ksessions_id"] == ks
    participant = run.json("verify", "--token", current["user_token"].lower())
    assert participant["status"] == "active" and participant["role"] == "participant"
    run("verify", "--token", first["host_token"], code=4)  # rotated away
    run("dry-run", "--ksessions-id", str(ks))
    run("revoke", "--ksessions-id", str(ks), "--reason", "done")
    run("verify", "--token", current["host_token"], code=4)
    run("verify", "--token", current["user_token"], code=4)
    audit_out = run("audit", "--tail", "500")
    assert len(tokens) >= 2 * (1 + len(others)) + 2

    leaks: list[str] = []
    for args, done in run.all:
        leaks += _leaks(tokens, f"stderr of {' '.join(args)}", done.stderr)
    leaks += _leaks(tokens, "stdout of audit --tail", audit_out.stdout)
    captured = capfd.readouterr()
    leaks += _leaks(tokens, "the process's own stderr", captured.err)
    audit_text = app_env.audit_path.read_text(encoding="utf-8")
    assert audit_text.count("\n") >= len(run.all), "every run wrote audit records"
    for path in sorted(p for p in app_env.tmp.rglob("*") if p.is_file()):
        if ".db" not in path.name:  # the database (and its WAL) holds them, as the app's does
            leaks += _leaks(tokens, str(path.relative_to(app_env.tmp)),
                            path.read_text(encoding="utf-8", errors="replace"))
    assert not leaks, leaks
    assert "show-links" in audit_text
    assert sum(" rotate ok " in done.stderr for _, done in run.all) >= 2, "audit echoed"


BAD_TOKENS = {
    "seven characters": "K7XM3QP",
    "nine characters": "K7XM3QPAB",
    "the letter O": "K7XMOQPA",
    "the digit 0": "K7XM0QPA",
    "the digit 1": "K7XM1QPA",
    "a hyphen": "K7XM-QPA",
}


@pytest.mark.parametrize("why", list(BAD_TOKENS))
def test_bad_tokens_get_a_sentence_and_are_not_echoed(
    app_env: Env, app: AppDb, why: str
) -> None:
    value = BAD_TOKENS[why]
    before = app.snapshot()
    run = hostprov(app_env, "verify", "--token", value, "--json")
    assert run.code == 2, run.output
    error = run.json()["error"]
    message = error["message"]
    assert message and "\n" not in message and message.endswith("."), message
    assert "Traceback" not in run.output
    assert value.lower() not in run.output.lower(), run.output
    assert value.lower() not in app_env.audit_path.read_text(encoding="utf-8").lower()
    if why.startswith("the "):
        assert "O" in message and "0" in message and "1" in message, message
    assert app.snapshot() == before


def test_lowercase_token_is_accepted_as_the_app_does(app_env: Env, app: AppDb) -> None:
    ks = good_ksessions_ids(app_env)[0]
    doc = hostprov(app_env, "issue", "--ksessions-id", str(ks), "--json").json()
    for typed in (doc["host_token"].lower(), f"  {doc['host_token'].lower()}  "):
        run = hostprov(app_env, "verify", "--token", typed, "--json")
        assert run.code == 0, run.output
        assert run.json()["status"] == "active" and run.json()["role"] == "host"
        assert run.json()["ksessions_id"] == ks
    assert app.host_signs_in(doc["host_token"]) == [ks]
    unknown = hostprov(app_env, "verify", "--token", "ZZZZZZZZ", "--json")
    assert unknown.code == 4 and unknown.json()["status"] == "unknown", unknown.output


def _verify_from_stdin(env: Env, option: str, value: str) -> dict[str, Any]:
    config = env.write_config()
    result = CliRunner().invoke(
        cli, ["--config", str(config), "verify", option, "-", "--json"], input=value + "\n",
        env=secret_env(),
    )
    assert result.exit_code == 0, result.output
    assert value.strip().lower() not in result.stderr.lower()
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_verify_reads_the_token_from_stdin(app_env: Env, app: AppDb) -> None:
    """`--token -` (what hostprov's own hints advise) keeps the token off the command line."""
    ks = good_ksessions_ids(app_env)[0]
    doc = hostprov(app_env, "issue", "--ksessions-id", str(ks), "--json").json()
    verified = _verify_from_stdin(app_env, "--token", doc["user_token"].lower())
    assert verified["role"] == "participant" and verified["ksessions_id"] == ks


def test_verify_reads_the_guid_from_stdin(env: Env, ids: DemoIds) -> None:
    """The same for a Host GUID (the hint of the guid generation says `--guid -`)."""
    doc = hostprov(env, "issue", "--ksessions-id", str(ids.good), "--json").json()
    verified = _verify_from_stdin(env, "--guid", doc["guid"])
    assert verified["status"] == "active" and verified["ksessions_id"] == ids.good
