"""The whole operator flow through the CLI, as one script: check → … → revoke → verify."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.support.cli_run import Run, invoke


def cli_flow(config: Path, ksessions_id: int, env: Mapping[str, str]) -> dict[str, Run]:
    """Run every command once; returns each run by name (the caller asserts)."""
    base = ["--config", str(config)]
    ks = ["--ksessions-id", str(ksessions_id)]
    runs: dict[str, Run] = {}
    runs["check"] = invoke(["check", "--json", "-q", *base], env)
    runs["sessions"] = invoke(["sessions", str(ksessions_id), "--json", "-q", *base], env)
    runs["dry-run"] = invoke(["dry-run", *ks, "--json", "-q", *base], env)
    runs["issue"] = invoke(["issue", *ks, "--json", "-q", *base], env)
    guid = json.loads(runs["issue"].stdout)["guid"] if runs["issue"].code == 0 else "x"
    runs["verify"] = invoke(["verify", "--guid", guid, "--json", "-q", *base], env)
    runs["rotate"] = invoke(["issue", *ks, "--json", "-q", *base], env)
    runs["verify-old"] = invoke(["verify", "--guid", guid, "--json", "-q", *base], env)
    runs["revoke"] = invoke(["revoke", *ks, "--json", "-q", *base], env)
    new = json.loads(runs["rotate"].stdout)["guid"] if runs["rotate"].code == 0 else "x"
    runs["verify-revoked"] = invoke(["verify", "--guid", new, "--json", "-q", *base], env)
    return runs


#: The exit code each step of cli_flow must end with (the exit codes of docs/design.md).
EXPECTED_CODES = {"check": 0, "sessions": 0, "dry-run": 0, "issue": 0, "verify": 0, "rotate": 0,
                  "verify-old": 4, "revoke": 0, "verify-revoked": 4}


def assert_flow(runs: dict[str, Run], ksessions_id: int) -> None:
    codes = {name: run.code for name, run in runs.items()}
    assert codes == EXPECTED_CODES, {n: r.output[-400:] for n, r in runs.items()}
    issued = json.loads(runs["issue"].stdout)
    rotated = json.loads(runs["rotate"].stdout)
    assert issued["action"] == "created" and rotated["action"] == "rotated"
    assert issued["ksessions_id"] == rotated["ksessions_id"] == ksessions_id
    assert issued["host_session_id"] == rotated["host_session_id"]
    assert json.loads(runs["verify"].stdout)["status"] == "active"
    assert json.loads(runs["verify-old"].stdout)["status"] == "unknown"
    assert json.loads(runs["verify-revoked"].stdout)["status"] == "revoked"
    rows = json.loads(runs["sessions"].stdout)["rows"]
    assert [r for r in rows if r.get("session_id") == ksessions_id], rows
