"""Hostile configuration, through the real console script: credentials in a file's URL, files
that are not UTF-8, malformed environment variables, timeouts that would be no limit, unknown
connection options, absurd sizes. Each is exit 2 with one sentence, and no secret is quoted."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hostprov_tui.config.settings import DatabaseOptions
from hostprov_tui.db.engines import open_databases
from tests.conftest import TEST_SECRET, Env, build_env
from tests.support.cli_run import run_process

SECRET = "Hunter2-s3cr3t-value"


def _config(tmp: Path, body: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(f'environment = "development"\n[audit]\npath = "{tmp / "audit.jsonl"}"\n'
                    + body, encoding="utf-8")
    return path


def _run(tmp: Path, config: Path, *args: str, **environ: str) -> Any:
    env = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET, **environ}
    run = run_process(["--config", str(config), *args], env, tmp, timeout=60)
    assert "Traceback" not in run.output, run.output
    return run


def _flat(text_: str) -> str:
    return " ".join(text_.split())


PG = "postgresql+psycopg://u@127.0.0.1:1/KS_DEV"
MS = "mssql+pyodbc://u@127.0.0.1:1/KS_DEV?driver=FreeTDS"


@pytest.mark.parametrize("url", [
    f"{PG}?password={SECRET}",
    f"{PG}?sslmode=prefer&PASSWORD={SECRET}",
    f"{PG}?sslpassword={SECRET}",
    f"{MS}&PWD={SECRET}",
    f"{MS}&Pwd={SECRET}",
    f"{MS}&password={SECRET}",
    f"mssql+pyodbc://u@h?odbc_connect=DRIVER%3DD%3BDATABASE%3DK_DEV%3BPWD%3D{SECRET}",
    f"mssql+pyodbc://u@h?odbc_connect=DATABASE%3DK_DEV%3B+Pwd+%3D{SECRET}",
    f"mssql+pyodbc://u@h?odbc_connect=DATABASE%3DK_DEV%3BPassword%3D%7B{SECRET}%7D",
])
def test_a_credential_in_a_config_files_url_is_refused(tmp_path: Path, url: str) -> None:
    config = _config(tmp_path, f'[canvas]\nurl = "{url}"\n[ksessions]\nurl = "{PG}"\n')
    run = _run(tmp_path, config, "check")
    flat = _flat(run.output)
    assert run.code == 2, run.output
    assert "carries a credential" in flat or "contains a password" in flat, flat
    assert "HOSTPROV_CANVAS__PASSWORD" in flat, flat
    assert SECRET not in run.output


@pytest.fixture
def lite(tmp_path: Path, request: pytest.FixtureRequest) -> Env:
    return build_env("sqlite", tmp_path / "db", request)


@pytest.mark.parametrize("which", ["hash secret", "password"])
def test_a_secret_file_that_is_not_utf8_is_exit_2(tmp_path: Path, lite: Env, which: str) -> None:
    bad = tmp_path / "secret.bin"
    bad.write_bytes(b"\xff\xfe\x00s\xe9cret\x80\n")
    bad.chmod(0o600)
    if which == "hash secret":
        config = lite.write_config(**{"[security]\nhash_secret_file": f'"{bad}"'})
        environ: dict[str, str] = {}
    else:
        config = _config(tmp_path, f'[ksessions]\nurl = "{PG}"\npassword_file = "{bad}"\n'
                         f'[canvas]\nurl = "{lite.canvas_url}"\n')
        environ = {"HOSTPROV_SECURITY__HASH_SECRET": TEST_SECRET}
    run = run_process(["--config", str(config), "issue", "--ksessions-id", "1"], environ,
                      tmp_path)
    assert "Traceback" not in run.output, run.output
    assert run.code == 2, run.output
    assert f"{bad} is not UTF-8 text" in _flat(run.output), run.output


def test_a_missing_hash_secret_file_is_named(tmp_path: Path, lite: Env) -> None:
    missing = tmp_path / "nowhere" / "hash_secret"
    config = lite.write_config(**{"[security]\nhash_secret_file": f'"{missing}"'})
    run = run_process(["--config", str(config), "issue", "--ksessions-id", "1"], {}, tmp_path)
    flat = _flat(run.output)
    assert run.code == 2, run.output
    assert f"The hash secret file {missing} does not exist" in flat, flat
    assert "No hash secret is configured" not in flat


@pytest.mark.parametrize(("variable", "value"), [
    ("HOSTPROV_CANVAS", "not json"),
    ("HOSTPROV_DATABASE", "{statement_timeout_s: 5"),
    ("HOSTPROV_SECURITY", "[1, 2"),
    ("HOSTPROV_TOKENS", "nan"),
])
def test_a_malformed_environment_variable_is_named(tmp_path: Path, variable: str,
                                                  value: str) -> None:
    run = _run(tmp_path, _config(tmp_path, ""), "check", **{variable: value})
    assert run.code == 2, run.output
    assert f"environment variable {variable}" in _flat(run.output), run.output


@pytest.mark.parametrize(("key", "value", "words"), [
    ("statement_timeout_s", "0.0009", "greater than or equal to 0.001"),
    ("statement_timeout_s", "0", "greater than or equal to 0.001"),
    ("connect_timeout_s", "0.0001", "greater than or equal to 0.001"),
    ("statement_timeout_s", "nan", "finite number"),
    ("statement_timeout_s", "inf", "finite number"),
    ("connect_timeout_s", "-inf", "finite number"),
    ("connect_timeout_s", "nan", "finite number"),
])
def test_a_timeout_that_would_be_no_limit_is_refused(tmp_path: Path, key: str, value: str,
                                                     words: str) -> None:
    config = _config(tmp_path, f"[database]\n{key} = {value}\n")
    run = _run(tmp_path, config, "check")
    flat = _flat(run.output)
    assert run.code == 2, run.output
    assert f"database.{key}" in flat and words in flat, flat
    assert "less than or equal" not in flat  # nan is not "too large"
    env_run = _run(tmp_path, _config(tmp_path, ""), "check",
                   **{f"HOSTPROV_DATABASE__{key.upper()}": value})
    assert env_run.code == 2 and words in _flat(env_run.output), env_run.output


@pytest.mark.postgres
@pytest.mark.parametrize("seconds", [0.001, 0.0015, 0.0019, 0.01, 1.0, 3600.0])
def test_every_accepted_statement_timeout_is_a_real_limit(env_factory_pg: Env,
                                                          seconds: float) -> None:
    settings = env_factory_pg.settings(database=DatabaseOptions(statement_timeout_s=seconds))
    for _ in range(3):
        dbs = open_databases(settings)
        try:
            with dbs.canvas.engine.connect() as conn:
                shown = {name: conn.execute(text(f"SHOW {name}")).scalar_one()
                         for name in ("statement_timeout", "lock_timeout")}
            break
        except OperationalError as exc:
            if "canceling statement due to user request" in str(exc):
                # the client's own bound (the limit + 1 s) ran out first: the machine stalled
                # this process for a second; that says nothing of the server's limit, so again
                continue
            # a 1 ms limit on a busy machine: the server cancelled the SHOW itself
            assert "canceling statement due to statement timeout" in str(exc), exc
            return  # the limit is in force, so it is not PostgreSQL's 0 ("no limit")
        finally:
            dbs.dispose()
    else:
        pytest.fail("three SHOWs in a row outlived the client's bound")
    for name, value in shown.items():
        assert value != "0", (name, value)  # PostgreSQL's 0 is "no limit"
    assert math.isclose(_ms(shown["statement_timeout"]), math.floor(seconds * 1000), abs_tol=1)


def _ms(shown: str) -> float:
    units = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000}
    for unit in sorted(units, key=len, reverse=True):
        if shown.endswith(unit):
            return float(shown[: -len(unit)]) * units[unit]
    return float(shown)


@pytest.fixture
def env_factory_pg(pg_server: Any, tmp_path: Path) -> Env:
    url = pg_server.create_database("hp_timeouts_dev" + tmp_path.name[-6:].lower()
                                    .replace("-", "_"))
    return Env("postgres", url, url, tmp_path / "audit.jsonl", tmp_path, pg_server)


@pytest.mark.postgres
@pytest.mark.parametrize("option", ["foo=bar", "sslmode=require&Foo=1", "dbname_=x"])
def test_an_unknown_connection_option_is_a_sentence(pg_server: Any, tmp_path: Path,
                                                    option: str) -> None:
    url = pg_server.create_database("hp_opt_dev" + tmp_path.name[-4:].lower().replace("-", "_"))
    config = _config(tmp_path, f'[canvas]\nurl = "{url}?{option}"\n[ksessions]\nurl = "{url}"\n')
    key = option.split("&")[-1].split("=")[0]
    for args in (["check"], ["check", "--json"], ["issue", "--ksessions-id", "1"]):
        run = _run(tmp_path, config, *args)
        assert run.code == 2, run.output
        assert f"[canvas] url sets {key}=, which is not a PostgreSQL connection option" \
            in _flat(run.output), run.output
        assert "UnboundLocalError" not in run.output


def _app_settings(folder: Path, canvas: str) -> Path:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "appsettings.json"
    path.write_text(json.dumps({"ConnectionStrings": {
        "CanvasDb": canvas,
        "KSessionsDb": "Server=sql01;Database=KSESSIONS_DEV;User Id=ks;Encrypt=true"}}),
        encoding="utf-8")
    return path


@pytest.mark.parametrize(("what", "canvas"), [
    ("a 50 MB password", "Server=sql01;Database=CANVAS_DEV;User Id=c;Password="
     + "p" * 50_000_000),
    ("a 10 MB server name", "Server=" + "s" * 10_000_000 + ";Database=CANVAS_DEV;User Id=c"),
], ids=["password", "server"])
def test_config_import_refuses_absurd_sizes_early(tmp_path: Path, what: str, canvas: str) -> None:
    app = _app_settings(tmp_path / "app", canvas)
    config = _config(tmp_path, "")
    before = config.read_text(encoding="utf-8")
    run = _run(tmp_path, config, "config", "import", str(app))
    assert run.code == 2, run.output[:300]
    assert f"The app settings file {app} is" in _flat(run.output), run.output[:2000]
    assert run.seconds < 20, what  # refused before parsing (it took 33 s and 6 GB)
    assert len(run.output) < 2000 and "ppppp" not in run.output
    assert config.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("where", ["connection_string", "url", "config file"])
def test_absurd_sizes_in_config_are_refused_early(tmp_path: Path, where: str) -> None:
    big = "s" * 2_000_000
    environ: dict[str, str] = {}
    body = ""
    if where == "connection_string":
        environ["HOSTPROV_CANVAS__CONNECTION_STRING"] = "Server=" + "s" * 100_000 + ";Database=X"
    elif where == "url":
        environ["HOSTPROV_CANVAS__URL"] = "postgresql+psycopg://u@" + "h" * 100_000 + "/X_DEV"
    else:
        body = f'[tui]\ntheme = "{big}"\n'
    run = _run(tmp_path, _config(tmp_path, body), "check", **environ)
    assert run.code == 2, run.output[:300]
    assert "ssssssssss" not in run.output and "hhhhhhhhhh" not in run.output
    assert "so hostprov does not" in _flat(run.output), run.output[:300]


def test_an_absurd_secret_file_is_refused_early(tmp_path: Path, lite: Env) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s" * 2_000_000, encoding="utf-8")
    secret.chmod(0o600)
    config = lite.write_config(**{"[security]\nhash_secret_file": f'"{secret}"'})
    run = run_process(["--config", str(config), "issue", "--ksessions-id", "1"], {}, tmp_path)
    assert run.code == 2, run.output[:300]
    assert "ssssssssss" not in run.output
    assert f"The hash secret file {secret} is 1.9 MB" in _flat(run.output), run.output[:300]
