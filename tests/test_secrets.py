"""No secret leaks: a GUID appears once (where it is issued), a password and the hash secret never.

A PostgreSQL role with a password (given only through HOSTPROV_*__PASSWORD) and a distinctive
hash secret drive every command — successes, refusals and failures, with a config file and
without one — then every captured stdout/stderr and every file the runs wrote is scanned.
(The test server trusts local logins, so any password works: what matters is where it shows.)
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Env
from tests.support.cli_run import Run, invoke
from tests.support.pgserver import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"])]

PASSWORD = "Pw-" + secrets.token_hex(12)
INLINE_PASSWORD = "Inline-" + secrets.token_hex(12)
HASH_SECRET = "hs-" + secrets.token_urlsafe(36)


def _role_env(make_env: Callable[..., Env]) -> tuple[Env, str]:
    env = make_env(shared=True, sessions=30)
    db = make_url(env.canvas_url).database
    assert db
    role = f"hp_pw_{uuid.uuid4().hex[:8]}"
    env.pg.create_role(role, password=PASSWORD)
    env.pg.execute(
        f"GRANT USAGE ON SCHEMA canvas, dbo TO {role};"
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA canvas TO {role};"
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA canvas TO {role};"
        f"GRANT SELECT ON ALL TABLES IN SCHEMA dbo TO {role}", database=db)
    env.canvas_url = env.ksessions_url = env.pg.url(db, user=role)  # no password in the URL
    return env, db


def _forms(value: str) -> set[str]:
    return {value, value.lower(), value.upper(), value.replace("-", ""),
            value.replace("-", "").upper()}


def test_nothing_secret_leaks(
    make_env: Callable[..., Env], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, db = _role_env(make_env)
    config = str(env.write_config())
    secret_env = {"HOSTPROV_SECURITY__HASH_SECRET": HASH_SECRET,
                  "HOSTPROV_CANVAS__PASSWORD": PASSWORD, "HOSTPROV_KSESSIONS__PASSWORD": PASSWORD}
    runs: list[tuple[str, Run]] = []

    def cli(name: str, *args: str, code: int | None = 0) -> Run:
        run = invoke([*args, "--config", config], secret_env)
        runs.append((name, run))
        if code is not None:
            assert run.code == code, (name, run.output)
        return run

    ks = _good_session(env, db)
    cli("check", "check")
    cli("check-json", "check", "--json")
    cli("sessions", "sessions", "a")
    cli("dry-run", "dry-run", "--ksessions-id", ks)
    cli("dry-run-json", "dry-run", "--ksessions-id", ks, "--json")
    first = cli("issue-json", "issue", "--ksessions-id", ks, "--json", "--reason", "leak test")
    issued = {"issue-json": json.loads(first.stdout)}
    human = cli("issue-human", "issue", "--ksessions-id", ks)
    guid2 = _guid_in(human.stdout)
    cli("verify-old", "verify", "--guid", issued["issue-json"]["guid"], "--json", code=4)
    cli("verify-new", "verify", "--guid", guid2)
    cli("verify-upper", "verify", "--guid", guid2.upper(), "--json")
    cli("revoke", "revoke", "--ksessions-id", ks, "--reason", "done")
    cli("verify-revoked", "verify", "--guid", guid2, code=4)
    cli("missing", "issue", "--ksessions-id", "2147483000", code=4)
    cli("bad-id", "issue", "--ksessions-id", "12'; --", code=2)
    cli("bad-guid", "verify", "--guid", "not-a-guid", code=2)
    cli("audit", "audit", "--tail", "200")
    cli("audit-json", "audit", "--tail", "200", "--json")
    cli("config-show", "config", "show", code=None)
    cli("config-show-json", "config", "show", "--json", code=None)
    dead = f"postgresql+psycopg://someone:{INLINE_PASSWORD}@127.0.0.1:{free_port()}/x_DEV"
    cli("unreachable-check", "check", "--json", "--canvas-url", dead, code=3)
    cli("unreachable-issue", "issue", "--ksessions-id", ks, "--canvas-url", dead, code=3)
    cli("unreachable-show", "config", "show", "--canvas-url", dead, code=None)
    no_db = env.pg.url("hp_absent_dev", user="nobody_here")
    cli("no-database", "issue", "--ksessions-id", ks, "--canvas-url", no_db, code=3)

    # Without a config file: everything from the environment, as a script would run it
    # (in a directory holding no config.toml).
    bare = tmp_path / "bare"
    bare.mkdir()
    monkeypatch.chdir(bare)
    bare_env = {**secret_env, "HOSTPROV_CANVAS__URL": env.canvas_url,
                "HOSTPROV_KSESSIONS__URL": env.ksessions_url,
                "HOSTPROV_AUDIT__PATH": str(bare / "audit.jsonl")}
    for name, args, code in (("bare-check", ["check", "--json"], 0),
                             ("bare-issue", ["issue", "--ksessions-id", ks, "--json"], 0),
                             ("bare-missing", ["revoke", "--ksessions-id", "2147483000"], 4)):
        run = invoke(args, bare_env)
        runs.append((name, run))
        assert run.code == code, (name, run.output)
    issued["bare-issue"] = json.loads(runs[-2][1].stdout)
    bare_guid = issued["bare-issue"]["guid"]
    run = invoke(["verify", "--guid", bare_guid], bare_env)
    runs.append(("bare-verify", run))
    assert run.code == 0, run.output

    displays = {doc["guid"]: name for name, doc in issued.items()} | {guid2: "issue-human"}
    hashes = {doc["hash"]: name for name, doc in issued.items()}
    files = [p for root in (env.tmp, bare) for p in root.rglob("*") if p.is_file()]
    texts = [(f"{name} stdout", run.stdout) for name, run in runs]
    texts += [(f"{name} stderr", run.stderr) for name, run in runs]
    texts += [(f"file {p}", p.read_text(encoding="utf-8", errors="replace")) for p in files]
    assert any("audit.jsonl" in where for where, _ in texts)

    leaks = []
    for where, text in texts:
        for guid, shown_by in displays.items():
            allowed = 1 if where == f"{shown_by} stdout" else 0
            count = sum(text.count(form) for form in _forms(guid))
            if count != allowed:
                leaks.append(f"GUID of {shown_by} ×{count} in {where}")
        for full_hash, shown_by in hashes.items():
            if full_hash in text and where != f"{shown_by} stdout":
                leaks.append(f"full hash of {shown_by} in {where}")
        for label, value in (("password", PASSWORD), ("inline password", INLINE_PASSWORD),
                             ("hash secret", HASH_SECRET)):
            if value in text:
                leaks.append(f"{label} in {where}")
    print(f"\n[secrets] scanned {len(runs)} runs ({2 * len(runs)} streams) and {len(files)} "
          f"files for {len(displays)} GUIDs, {len(hashes)} hashes, 2 passwords, 1 hash secret")
    assert not leaks, leaks
    assert "***" in " ".join(t for w, t in texts if w.startswith("unreachable"))


def _good_session(env: Env, db: str) -> str:
    rows = env.pg.execute('SELECT s."SessionID" FROM dbo."Sessions" s WHERE s."IsActive" AND '
                          'EXISTS (SELECT 1 FROM dbo."SessionTranscripts" t '
                          'WHERE t."SessionID" = s."SessionID") ORDER BY 1 LIMIT 1', database=db)
    return str(rows[0][0])


def _guid_in(text: str) -> str:
    import re

    found = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
    assert len(found) == 1, text
    return found[0]
