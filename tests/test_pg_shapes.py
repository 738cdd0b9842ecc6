"""PostgreSQL in both shapes: dbo and canvas in one database, or in two."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from hostprov_tui.services.api import Provisioner
from tests.conftest import TEST_SECRET, Env
from tests.support.flow import assert_flow, cli_flow

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"])]


@pytest.mark.parametrize("shared", [True, False], ids=["one_database", "two_databases"])
def test_whole_flow(make_env: Callable[..., Env], shared: bool) -> None:
    env = make_env(shared=shared, sessions=40)
    prov = Provisioner(env.settings(), operator="tester")
    try:
        page = [r for r in prov.search("", limit=50).rows if r.transcripts and r.is_active]
        ksessions_id = page[0].session_id
    finally:
        prov.close()
    runs = cli_flow(env.write_config(), ksessions_id,
                    {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET})
    assert_flow(runs, ksessions_id)
    check = json.loads(runs["check"].stdout)
    assert check["shared_engine"] is shared
    assert check["canvas"]["backend"] == check["ksessions"]["backend"] == "postgresql"
