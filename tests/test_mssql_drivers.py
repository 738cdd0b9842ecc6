"""Both SQL Server drivers, one behaviour: mssql+mssqlpython URLs go wherever mssql+pyodbc ones do,
and ``[canvas] driver`` / ``[ksessions] driver`` (auto | pyodbc | mssql-python) chooses.

These use the real configuration code and the real driver lookup: mssql-python is installed
here (the test extra), and unixODBC knows FreeTDS only (scripts/setup-system.sh), so "ODBC
Driver 18 for SQL Server" is a named driver that is not installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostprov_tui.config.settings import DatabaseTarget, load_settings
from hostprov_tui.db.mssql_driver import odbc_drivers
from hostprov_tui.db.urls import target_url
from hostprov_tui.errors import ConfigError
from hostprov_tui.services.guard import database_verdict, evaluate_guard
from tests.conftest import TEST_SECRET, build_env

REPO = Path(__file__).resolve().parent.parent
NOT_INSTALLED = "ODBC+Driver+18+for+SQL+Server"
HAS_FREETDS = "FreeTDS" in (odbc_drivers() or [])


def url_for(url: str, driver: str = "auto", name: str = "canvas") -> str:
    t = target_url(DatabaseTarget(url=url, driver=driver), name)  # type: ignore[arg-type]
    return t.url.render_as_string(hide_password=False)


def test_an_mssqlpython_url_is_taken_as_it_is() -> None:
    t = target_url(DatabaseTarget(url="mssql+mssqlpython://sa:pw@db:1444/KSESSIONS_DEV"),
                   "canvas")
    assert t.dbapi == "mssqlpython"
    assert t.masked == "mssql+mssqlpython://sa:***@db:1444/KSESSIONS_DEV"
    assert t.database_name == "KSESSIONS_DEV"


def test_auto_takes_mssql_python_when_no_odbc_driver_is_named() -> None:
    assert url_for("mssql+pyodbc://sa@db/KSESSIONS_DEV") == "mssql+mssqlpython://sa@db/KSESSIONS_DEV"
    assert url_for("mssql://sa@db/KSESSIONS_DEV") == "mssql+mssqlpython://sa@db/KSESSIONS_DEV"


def test_auto_takes_mssql_python_when_the_named_odbc_driver_is_not_installed() -> None:
    got = url_for(f"mssql+pyodbc://sa@db:1433/KSESSIONS_DEV?driver={NOT_INSTALLED}"
                  "&TrustServerCertificate=yes")
    assert got == "mssql+mssqlpython://sa@db:1433/KSESSIONS_DEV?TrustServerCertificate=yes"


@pytest.mark.skipif(not HAS_FREETDS, reason="FreeTDS is not registered with unixODBC here")
def test_auto_keeps_pyodbc_for_an_installed_odbc_driver() -> None:
    url = "mssql+pyodbc://sa@db/KSESSIONS_DEV?driver=FreeTDS&TDS_Version=7.4"
    assert url_for(url).startswith("mssql+pyodbc://sa@db/KSESSIONS_DEV?")


def test_auto_never_drops_a_keyword_mssql_python_cannot_take() -> None:
    """A FreeTDS-only keyword: auto stays with pyodbc (which then says what is missing)."""
    url = f"mssql+pyodbc://sa@db/KSESSIONS_DEV?driver={NOT_INSTALLED}&TDS_Version=7.4"
    assert url_for(url).startswith("mssql+pyodbc://")
    with pytest.raises(ConfigError, match="TDS_Version=, which the mssql-python driver"):
        url_for(url, driver="mssql-python")


def test_the_setting_forces_either_driver() -> None:
    assert url_for("mssql+pyodbc://sa@db/KSESSIONS_DEV", "pyodbc") == \
        "mssql+pyodbc://sa@db/KSESSIONS_DEV"
    assert url_for("mssql+pyodbc://sa@db/KSESSIONS_DEV?driver=FreeTDS", "mssql-python") == \
        "mssql+mssqlpython://sa@db/KSESSIONS_DEV"
    with pytest.raises(ConfigError, match="driver is pyodbc"):
        url_for("mssql+mssqlpython://sa@db/KSESSIONS_DEV", "pyodbc")


def test_odbc_connect_is_spread_into_the_mssqlpython_url() -> None:
    odbc = ("DRIVER%3D%7BODBC+Driver+18+for+SQL+Server%7D%3BSERVER%3Dtcp%3Adb.example%2C1444"
            "%3BDATABASE%3DKSESSIONS_DEV%3BUID%3Dsa%3BPWD%3D%7Bse%3Bcret%7D%3BEncrypt%3Dyes")
    t = target_url(DatabaseTarget(url=f"mssql+pyodbc:///?odbc_connect={odbc}"), "canvas")
    assert t.dbapi == "mssqlpython"
    assert t.url.host == "db.example" and t.url.port == 1444
    assert t.url.username == "sa" and t.url.password == "se;cret"
    assert dict(t.url.query) == {"Encrypt": "yes"}
    assert "se;cret" not in t.masked
    assert t.database_name == "KSESSIONS_DEV"


def test_a_connection_string_becomes_a_url_for_the_driver_in_use() -> None:
    cs = ("Server=tcp:db,1433;Database=KSESSIONS_DEV;User Id=sa;Password=pw;"
          "MultipleActiveResultSets=true;TrustServerCertificate=True;Encrypt=True")
    auto = target_url(DatabaseTarget(connection_string=cs), "canvas")
    assert auto.url.render_as_string(hide_password=False) == (
        "mssql+mssqlpython://sa:pw@db:1433/KSESSIONS_DEV?Encrypt=yes&TrustServerCertificate=yes")
    odbc = target_url(DatabaseTarget(connection_string=cs, driver="pyodbc"), "canvas")
    assert odbc.dbapi == "pyodbc"
    assert odbc.url.query["driver"] == "ODBC Driver 18 for SQL Server"
    assert odbc.url.query["MARS_Connection"] == "yes"


@pytest.mark.parametrize("url", [
    "mssql+mssqlpython://sa@db/KSESSIONS",
    "mssql+pyodbc://sa@db/KSESSIONS",
])
def test_the_guard_reads_the_database_name_of_mssqlpython_urls(url: str) -> None:
    """Development refuses a database whose name does not end in _DEV, whichever driver."""
    t = target_url(DatabaseTarget(url=url), "canvas")
    assert t.dbapi == "mssqlpython"
    assert t.database_name == "KSESSIONS"
    assert not database_verdict("development", t).allowed
    dev = target_url(DatabaseTarget(url=url.replace("KSESSIONS", "KSESSIONS_DEV")), "canvas")
    assert database_verdict("development", dev).allowed
    refused = evaluate_guard("production", (t,), allow_production=False)
    assert not refused.allowed and "KSESSIONS" in refused.sentence


def test_a_database_named_in_the_query_of_an_mssqlpython_url_is_not_judged_by_a_guess() -> None:
    """SQLAlchemy's mssqlpython dialect passes the URL's (empty) path as Database= and the query's
    Database= after it; mssql-python refuses a keyword given twice, so the guard cannot tell which
    database would open and refuses it, even when the query's name ends in _DEV."""
    t = target_url(DatabaseTarget(url="mssql+mssqlpython://sa@db/?Database=KSESSIONS_DEV"),
                   "canvas")
    verdict = evaluate_guard("development", (t,), allow_production=False)
    assert not verdict.allowed and "cannot tell for certain" in verdict.sentence


def test_the_driver_setting_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[canvas]\nurl = "mssql+pyodbc://sa@db/KSESSIONS_DEV"\n', encoding="utf-8")
    monkeypatch.setenv("HOSTPROV_CANVAS__DRIVER", "pyodbc")
    assert load_settings(config).canvas.driver == "pyodbc"
    monkeypatch.setenv("HOSTPROV_CANVAS__DRIVER", "odbc")
    with pytest.raises(ConfigError, match="driver"):
        load_settings(config)


def test_the_embedded_path_imports_neither_driver(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """`hostprov check` and `sessions` on SQLite, in a fresh interpreter: no pyodbc, no
    mssql_python (nor its native bindings) is loaded."""
    env = build_env("sqlite", tmp_path, request, sessions=20)
    config = env.write_config()
    code = (
        "import os, sys, json\n"
        f"os.environ['HOSTPROV_SECURITY__HASH_SECRET'] = {TEST_SECRET!r}\n"
        "from hostprov_tui.cli.main import cli\n"
        "for args in (['check', '--json'], ['sessions', 'a', '--json']):\n"
        "    try:\n"
        f"        cli.main(['--config', {str(config)!r}, '-q', *args], standalone_mode=True)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.split('.')[0] in ('pyodbc', 'mssql_python',\n"
        "                                               'mssql_python_odbc'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
