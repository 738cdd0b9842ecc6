"""Wording that tells the truth (tokens generation, real processes over a real SQLite pair): a
session whose Status is 'Expired' but whose ExpiresAt lies ahead is never said to have "expired"
on that future date, and a tokens bulk run names its file's tokens, not "GUIDs"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.tokens_models import TokenSession
from hostprov_tui.services.api import Provisioner
from tests.conftest import Env, build_env, demo_ids
from tests.support.cli_run import run_process


@pytest.fixture
def tokens_env(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    return build_env("sqlite", tmp_path, request, generation="tokens")


def _cli(env: Env, *args: str) -> str:
    run = run_process(["--config", str(env.write_config()), *args],
                      {"HOSTPROV_SECURITY__HASH_SECRET": "unused-in-the-tokens-generation"},
                      env.tmp)
    assert "Traceback" not in run.output, run.output
    return " ".join(run.output.split())


def _good(env: Env, n: int = 1) -> list[int]:
    prov = Provisioner(env.settings(), operator="tester")
    try:
        ids = demo_ids(prov)
        return [ids.good, ids.good2][:n]
    finally:
        prov.close()


def test_status_expired_never_prints_a_future_expired_date(tokens_env: Env) -> None:
    (ks,) = _good(tokens_env)
    _cli(tokens_env, "issue", "--ksessions-id", str(ks))
    future = (datetime.utcnow() + timedelta(days=30)).replace(microsecond=0)
    dbs = open_databases(tokens_env.settings())
    try:
        with dbs.canvas.engine.begin() as conn:  # what the NOOR Canvas app does on its own
            conn.execute(update(TokenSession).where(TokenSession.SessionId == ks)
                         .values(Status="Expired", ExpiresAt=future))
    finally:
        dbs.dispose()
    day = future.strftime("%Y-%m-%d")
    for args in (["revoke", "--ksessions-id", str(ks)], ["links", "--ksessions-id", str(ks)],
                 ["dry-run", "--ksessions-id", str(ks)]):
        said = _cli(tokens_env, *args)
        assert not re.search(rf"expired (at )?{day}", said), (args, said)
        assert "Status" in said and "Expired" in said, (args, said)


def test_a_tokens_bulk_run_speaks_of_tokens(tokens_env: Env) -> None:
    ids = tokens_env.tmp / "ids.txt"
    ids.write_text("\n".join(map(str, _good(tokens_env, 2))) + "\n", encoding="utf-8")
    out = tokens_env.tmp / "tokens.csv"
    said = _cli(tokens_env, "issue", "--from-file", str(ids), "--output", str(out))
    assert f"Tokens: {out}" in said or f"Tokens of 2 sessions are in {out}" in said, said
    assert "GUIDs" not in said, said
