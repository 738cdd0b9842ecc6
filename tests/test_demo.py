"""`hostprov demo`: a deterministic catalogue, only into an empty (or --replace'd) KSESSIONS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Env
from tests.support.cli_run import hostprov
from tests.support.db_state import Snapshot, blank_urls, snapshot


@pytest.fixture
def blank_pair(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Env, Env]:
    """Two sets of empty databases on the same backend, with tables built by `db init`."""
    envs = []
    for _ in range(2):
        tmp = tmp_path_factory.mktemp("demo")
        canvas_url, ks_url = blank_urls(backend, tmp, request)
        env = Env(backend, canvas_url, ks_url, tmp / "audit.jsonl", tmp)
        assert hostprov(env, "db", "init").code == 0
        envs.append(env)
    return envs[0], envs[1]


def _catalogue(env: Env) -> Snapshot:
    return {k: v for k, v in snapshot(env.settings()).items() if k.startswith("dbo.")}


def test_demo_is_deterministic_and_refuses_a_full_catalogue(blank_pair: tuple[Env, Env]) -> None:
    one, two = blank_pair
    first = hostprov(one, "demo", "--sessions", "90", "--seed", "11", "--json")
    assert first.code == 0, first.output
    doc = first.json()
    assert doc["sessions"] == 90 and doc["transcripts"] > 0
    assert hostprov(two, "demo", "--sessions", "90", "--seed", "11").code == 0
    catalogue = _catalogue(one)
    assert catalogue == _catalogue(two)
    assert len(catalogue["dbo.Sessions"]) == 90
    assert len(catalogue["dbo.SessionTranscripts"]) == doc["transcripts"]

    refused = hostprov(one, "demo", "--sessions", "90", "--seed", "11", "--json")
    assert refused.code == 4, refused.output
    assert "--replace" in (refused.json()["error"]["hint"] or "")
    assert _catalogue(one) == catalogue

    other_seed = hostprov(one, "demo", "--sessions", "90", "--seed", "12", "--replace")
    assert other_seed.code == 0, other_seed.output
    assert _catalogue(one) != catalogue
    back = hostprov(one, "demo", "--sessions", "90", "--seed", "11", "--replace")
    assert back.code == 0 and _catalogue(one) == catalogue
    assert all(not rows for k, rows in snapshot(one.settings()).items() if k.startswith("canvas"))


def test_demo_is_for_development_only(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    canvas_url, ks_url = blank_urls("sqlite", tmp_path, request)
    env = Env("sqlite", canvas_url, ks_url, tmp_path / "audit.jsonl", tmp_path)
    assert hostprov(env, "db", "init").code == 0
    run = hostprov(env, "demo", "--sessions", "10", "--environment", "production", "--json")
    assert run.code == 5, run.output
    assert "development" in run.json()["error"]["message"]
    assert not any(snapshot(env.settings()).values())
