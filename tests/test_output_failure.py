"""A credential is never silently lost to a standard output that fails (issue 17, item 8).

Real ``hostprov`` processes with standard output on ``/dev/full``, closed (``>&-``), or a pipe
whose reader has gone: a closed one is refused before anything is done (exit 2); one that fails
after the commit ends with one sentence naming the recovery (exit 1), the audit file says the
credential was not shown (not a plain "ok"), and the credential never reaches stderr.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import IO, Any

import pytest

from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.inputs import Target
from tests.conftest import DemoIds, Env, build_env
from tests.support.cli_run import GUID_RE, HOSTPROV, process_env, secret_env
from tests.support.contention import canvas_rows

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])
GUARD_S = 90.0  # a hang guard


def _run(config: Path, args: list[str], stdout: str) -> tuple[int, str]:
    """``hostprov ARGS`` with stdout "full" (/dev/full), "closed" (>&-) or "gone" (a pipe
    whose reader closed it before hostprov wrote); (exit code, stderr)."""
    argv = [str(HOSTPROV), "--config", str(config), *args]
    environ = process_env(secret_env())
    if stdout == "closed":
        proc = subprocess.run(["bash", "-c", '"$@" >&-', "bash", *argv], env=environ,
                              stderr=subprocess.PIPE, text=True, timeout=GUARD_S, check=False)
        return proc.returncode, proc.stderr
    sink: IO[Any] | int = open("/dev/full", "w") if stdout == "full" else subprocess.PIPE  # noqa: SIM115
    try:
        child = subprocess.Popen(argv, env=environ, stdout=sink, stderr=subprocess.PIPE,
                                 text=True)
        if stdout == "gone":
            assert child.stdout is not None
            child.stdout.close()  # the reader is gone before anything was written
        _out, err = child.communicate(timeout=GUARD_S)
        return child.returncode, err
    finally:
        if not isinstance(sink, int):
            sink.close()


def _records(env: Env) -> list[dict[str, Any]]:
    return [json.loads(line) for line in env.audit_path.read_text().splitlines()]


@pytest.mark.parametrize("stdout", ["full", "gone"])
@pytest.mark.parametrize("json_mode", [True, False], ids=["json", "text"])
def test_a_guid_that_cannot_be_shown_is_audited_and_says_how_to_recover(
    env: Env, ids: DemoIds, prov: Provisioner, stdout: str, json_mode: bool,
) -> None:
    config = env.write_config()
    args = (["--json"] if json_mode else []) + ["issue", "--ksessions-id", str(ids.good)]
    code, err = _run(config, args, stdout)
    assert code == 1, err
    assert "could not be written to standard output" in err and "Traceback" not in err
    assert f"hostprov issue --ksessions-id {ids.good}" in err  # the recovery: issue again
    assert not GUID_RE.search(err)
    records = [r for r in _records(env) if r["ksessions_id"] == ids.good]
    assert [r["outcome"] for r in records][-2:] == ["ok", "not-shown"]
    assert records[-1]["hash_prefix"] == records[-2]["hash_prefix"]
    assert len(canvas_rows(prov, ids.good)) == 1  # committed: it is in force, nobody has it
    assert prov.issue(Target(ksessions_id=ids.good)).action == "rotated"  # the recovery works


def test_a_closed_stdout_is_refused_before_anything_is_done(
    env: Env, ids: DemoIds, prov: Provisioner
) -> None:
    code, err = _run(env.write_config(), ["issue", "--ksessions-id", str(ids.good)], "closed")
    assert code == 2, err
    assert "Standard output is closed" in err and "nothing was done" in err
    assert "Traceback" not in err
    assert canvas_rows(prov, ids.good) == []
    assert not env.audit_path.exists() or all(
        r["outcome"] != "ok" for r in _records(env))


@pytest.mark.parametrize("stdout", ["full", "gone"])
def test_bulk_whose_summary_cannot_be_shown_names_its_file(
    env: Env, ids: DemoIds, tmp_path: Path, stdout: str
) -> None:
    id_file, output = tmp_path / "ids.txt", tmp_path / "out.csv"
    id_file.write_text(f"{ids.good}\n{ids.good2}\n", encoding="utf-8")
    code, err = _run(env.write_config(), ["issue", "--from-file", str(id_file), "--output",
                                          str(output)], stdout)
    assert code == 1, err
    assert "could not be written to standard output" in err and str(output) in err
    assert "Traceback" not in err
    assert len(output.read_text().splitlines()) == 3  # header + both GUIDs: nothing lost


def test_links_that_cannot_be_shown_are_audited(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
) -> None:
    env = build_env(backend, tmp_path_factory.mktemp("tokens"), request, generation="tokens")
    prov = Provisioner(env.settings(), operator="tester")
    try:
        from tests.conftest import demo_ids

        good = demo_ids(prov).good
        issued = prov.issue(Target(ksessions_id=good))
        code, err = _run(env.write_config(), ["links", "--ksessions-id", str(good)], "full")
        assert code == 1, err
        assert "could not be written to standard output" in err and "Traceback" not in err
        assert issued.host_token not in err and issued.user_token not in err  # type: ignore[union-attr]
        assert _records(env)[-1]["outcome"] == "not-shown"
        assert _records(env)[-1]["action"] == "show-links"
    finally:
        prov.close()


def test_a_pipe_closed_after_part_of_a_long_listing_is_one_sentence(
    env: Env, tmp_path: Path
) -> None:
    started = time.monotonic()
    code, err = _run(env.write_config(), ["audit", "--tail", "5"], "gone")
    assert time.monotonic() - started < GUARD_S
    assert code == 1 and "Traceback" not in err and "could not be written" in err


def test_with_stderr_closed_too_the_audit_still_says_not_shown(
    env: Env, ids: DemoIds, prov: Provisioner
) -> None:
    argv = [str(HOSTPROV), "--config", str(env.write_config()), "issue", "--ksessions-id",
            str(ids.good)]
    proc = subprocess.run(["bash", "-c", '"$@" >/dev/full 2>&-', "bash", *argv],
                          env=process_env(secret_env()), timeout=GUARD_S, check=False)
    assert proc.returncode == 1
    assert [r["outcome"] for r in _records(env)][-2:] == ["ok", "not-shown"]
