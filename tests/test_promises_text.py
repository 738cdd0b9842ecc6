"""What a person types never leaks or forges: mistyped GUIDs and tokens are not quoted anywhere
(stderr, stdout, the audit file, the TUI's audit line), control characters in names are refused,
free text cannot start a line or drive the terminal, and IDs are ASCII digits of a sane length.
Real processes (``python -m hostprov_tui``) over a real SQLite pair (and PostgreSQL for 18)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hostprov_tui.db.canvas_models import HostSession
from hostprov_tui.db.engines import open_databases
from hostprov_tui.services.audit import AuditRecord, scrub
from hostprov_tui.services.inputs import parse_token
from hostprov_tui.tui.widgets.audit_format import audit_line
from tests.conftest import TEST_SECRET, Env, build_env
from tests.support import zygote
from tests.support.cli_run import Run, process_env

GUID = str(uuid.UUID("3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"))
HEX = re.compile(r"[^0-9a-f]")
#: A GUID mistyped in the ways people (and their keyboards) do.
NEAR_MISSES = {
    "one char dropped": GUID[:-1],
    "first char dropped": GUID[1:],
    "a middle char dropped": GUID[:15] + GUID[16:],
    "en dashes": GUID.replace("-", "\u2013"),
    "em dashes": GUID.replace("-", "\u2014"),
    "spaces": GUID.replace("-", " "),
    "a changed last char": GUID[:-1] + "g",
    "a changed first char": "x" + GUID[1:],
    "no hyphens, one dropped": GUID.replace("-", "")[:-1],
    "upper case, one extra": GUID.upper() + "A",
    "an unclosed brace, one dropped": "{" + GUID[:-1],
    "underscores": GUID.replace("-", "_"),
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def lite(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    return build_env("sqlite", tmp_path / "db", request)


def _cli(env: Env, *args: str, stdin: str | None = None) -> Run:
    config = env.write_config()
    proc = zygote.run(
        ["--config", str(config), *args],
        process_env({"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, "COLUMNS": "200"}),
        env.tmp, stdin=stdin, timeout=90,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in run.output, run.output
    return run


def _leaks(secret: str, *texts: str) -> bool:
    """True when 12 hex digits in a row of ``secret`` show up in any of ``texts`` (case, dashes
    and spaces aside)."""
    digits = HEX.sub("", secret.lower())
    hay = [HEX.sub("", t.lower()) for t in texts]
    return any(digits[i:i + 12] in h for i in range(len(digits) - 11) for h in hay)


def _audit_text(env: Env) -> str:
    return env.audit_path.read_text(encoding="utf-8") if env.audit_path.exists() else ""


@pytest.mark.parametrize("slip", sorted(NEAR_MISSES))
def test_a_mistyped_guid_is_quoted_nowhere(lite: Env, slip: str) -> None:
    typed = NEAR_MISSES[slip]
    forms: list[tuple[list[str], str | None]] = [(["verify", "--guid", "-"], typed + "\n")]
    if slip in ("one char dropped", "en dashes", "spaces"):
        forms += [(["verify", "--guid", "-", "--json"], typed + "\n"),
                  (["verify", "--guid", typed], None)]
    for args, stdin in forms:
        run = _cli(lite, *args, stdin=stdin)
        assert run.code == 2, (slip, run.output)
        assert "is not a GUID" in run.output
        assert not _leaks(typed, run.stdout, run.stderr, _audit_text(lite)), (slip, run.output)
    records = [AuditRecord(**json.loads(line)) for line in _audit_text(lite).splitlines()]
    shown = " ".join(audit_line(r).plain for r in records)  # the TUI's audit strip and screen
    assert records and not _leaks(typed, shown)


@pytest.mark.parametrize("slip", sorted(NEAR_MISSES))
def test_the_scrubber_catches_near_guids(slip: str) -> None:
    typed = NEAR_MISSES[slip]
    assert not _leaks(typed, scrub(f"verify failed for {typed} today") or "")


@pytest.mark.parametrize("text", [
    "they expired 2026-12-31 23:59:59 (UTC)", "ksessions=12 canvas=3 host=5 hash=AbCd1234…",
    "Canvas session 9223372036854775807 does not exist.", "a bad decade of facade beef cafe",
])
def test_the_scrubber_leaves_ordinary_text(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize("typed", ["K7XM3QP", "K7XM3QPAX", "K7XM 3QPA", "K7XM3QP0", "K7XM3QP\u00e9",
                                   "k7xm3qpO"])
def test_a_mistyped_token_is_not_quoted(typed: str) -> None:
    from hostprov_tui.errors import InputError

    with pytest.raises(InputError) as caught:
        parse_token(typed)
    words = caught.value.message + (caught.value.hint or "")
    core = typed.upper().replace(" ", "")[:6]
    assert core not in words.upper(), words


NAMES = {"a line break": "bob\naudit 21:00:00 INFO    issue ok ksessions=99",
         "a carriage return": "bob\rmallory", "an escape (ESC)": "\x1b]0;pwned\x07bob",
         "a line separator": "bob\u2028forged", "a control character (U+202E)": "bob\u202eevil",
         "a next-line (NEL)": "bob\x85x", "a tab": "bob\tx"}


@pytest.mark.parametrize("what", sorted(NAMES))
def test_a_control_character_in_a_name_is_refused(lite: Env, what: str) -> None:
    before = _hosts(lite)
    for args in (["issue", "--ksessions-id", "1", "--created-by", NAMES[what]],
                 ["dry-run", "--ksessions-id", "1", "--created-by", NAMES[what]],
                 ["revoke", "--ksessions-id", "1", "--by", NAMES[what]]):
        run = _cli(lite, *args)
        assert run.code == 2, run.output
        assert f"contains {what}" in run.stderr, run.stderr
        assert not CONTROL.search(run.output), repr(run.output)
        assert "\t" not in run.output
        assert not any(line.startswith("audit") and "issue ok" in line
                       for line in run.stderr.splitlines())
    assert _hosts(lite) == before


def test_free_text_cannot_start_a_line_or_drive_the_terminal(lite: Env) -> None:
    reason = "why\naudit 21:00:00 INFO    revoke ok ksessions=1\x1b[2J\x1b]52;c;aGk=\x07\u202e"
    ks = _good_id(lite)
    issued = _cli(lite, "issue", "--ksessions-id", str(ks), "--reason", reason)
    assert issued.code == 0, issued.output
    shown = _cli(lite, "audit", "--tail", "5")
    for run in (issued, shown):
        assert not CONTROL.search(run.stderr + run.stdout), repr(run.output)
        assert not any("revoke ok" in line for line in run.output.splitlines())
    records = [AuditRecord(**json.loads(line)) for line in _audit_text(lite).splitlines()]
    assert any(r.reason == reason for r in records)  # the file keeps it as typed (JSON-escaped)
    for record in records:
        line = audit_line(record).plain
        assert not CONTROL.search(line) and "\n" not in line, repr(line)
    as_json = _cli(lite, "audit", "--tail", "5", "--json")
    assert reason in json.dumps(as_json.json(), ensure_ascii=False) or reason in [
        r.get("reason") for r in as_json.json()["records"]]


@pytest.mark.parametrize("typed", ["9" * 5000, "1" + "0" * 4299, "0" * 30 + "12" + "9" * 20,
                                   "\u0661\u0662", "\uff11\uff12", "\U0001d7cf", "\u0967"])
def test_an_id_is_ascii_digits_of_a_sane_length(lite: Env, typed: str) -> None:
    for command in ("dry-run", "issue"):
        run = _cli(lite, command, "--ksessions-id", typed)
        assert run.code == 2, run.output
        assert "KSESSIONS session ID" in run.stderr
        assert len(run.stderr) < 2000  # the 5,000 digits are not echoed back
    audit = _audit_text(lite)
    assert audit.count('"outcome": "refused"') >= 2  # audited as bad input


def test_a_bad_line_is_that_lines_refusal_in_a_bulk_run(lite: Env) -> None:
    ks = _good_id(lite)
    ids = lite.tmp / "ids.txt"
    ids.write_text("\n".join([str(ks), "9" * 5000, "\u0661\u0662", "12\x00", "7\x1b[2J",
                              "\u2028"]) + "\n", encoding="utf-8")
    out = lite.tmp / "out.csv"
    run = _cli(lite, "issue", "--from-file", str(ids), "--output", str(out))
    assert run.code == 2, run.output
    assert not CONTROL.search(run.output), repr(run.output)
    assert "9" * 100 not in run.output
    assert out.exists() and str(ks) in out.read_text(encoding="utf-8")  # the good line issued
    assert _hosts(lite) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_an_out_of_range_canvas_id_does_not_exist_on_every_backend(
    tmp_path: Path, request: pytest.FixtureRequest, backend_name: str
) -> None:
    (tmp_path / "db").mkdir()
    env = build_env(backend_name, tmp_path / "db", request, generation="tokens")
    for big in ("9999999999", str(2**31), str(2**63 - 1)):
        for args in (["revoke", "--canvas-session-id", big],
                     ["dry-run", "--canvas-session-id", big],
                     ["issue", "--canvas-session-id", big]):
            run = _cli(env, *args)
            assert run.code == 4, (args, run.output)
            assert f"Canvas session {big} does not exist" in " ".join(run.output.split())
            assert "out of range" not in run.output


def _hosts(env: Env) -> int:
    dbs = open_databases(env.settings())
    try:
        with dbs.canvas.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(HostSession)).scalar_one())
    finally:
        dbs.dispose()


def _good_id(env: Env) -> int:
    from hostprov_tui.services.api import Provisioner
    from tests.conftest import demo_ids

    prov: Any = Provisioner(env.settings(), operator="tester")
    try:
        return demo_ids(prov).good
    finally:
        prov.close()
