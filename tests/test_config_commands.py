"""``hostprov config import | drift | show``, and connection_string in the configuration."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostprov_tui.cli.main import cli
from hostprov_tui.config.settings import load_settings
from hostprov_tui.db.urls import target_url
from hostprov_tui.errors import ConfigError
from tests.support.cli_run import Run

FIXTURES = Path(__file__).parent / "fixtures" / "appsettings"
REPO_CONFIG = Path(__file__).parent.parent / "config.toml"
ISSUE39_FILE = FIXTURES / "issue39" / "appsettings.json"
#: every password written in the fixture files (the test below proves each one is there)
FIXTURE_PASSWORDS = (
    "adf4961glo", "Base-Pw-4711", "Prod-Only-Secret-88", "Canvas;Pw-2025", "Reader-Pw-77",
    "Kqur-Pw-99", "Old-Comment-Pw-1", "Broken-Json-Pw-5", "Split-Canvas-Pw-3", "Split-Ks-Pw-4",
    "Unterminated-Pw-6",
)
SHOW_SECRET = "show-secret-0123456789-abcdefghijklmnopqrstuvwxyz"




def hostprov(args: Sequence[str], **env: str) -> Run:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test runs in its own directory with a copy of the repository's config.toml."""
    for variable in ("DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "HOSTPROV_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    shutil.copy(REPO_CONFIG, tmp_path / "config.toml")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def fixture(name: str) -> str:
    return str(FIXTURES / name / "appsettings.json")


# --- connection_string in config.toml and the environment ---------------------------------------


CONN = "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Encrypt=false"


def test_toml_connection_string_with_password_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[canvas]\nconnection_string = "{CONN}"\nodbc_driver = "FreeTDS"\n')
    monkeypatch.setenv("HOSTPROV_CANVAS__PASSWORD", 'p@ss;w"rd')
    url = target_url(load_settings(config).canvas, "canvas")
    assert url.url.password == 'p@ss;w"rd'
    assert url.masked == (
        "mssql+pyodbc://sa:***@AHHOME/KSESSIONS_DEV?Encrypt=no&driver=FreeTDS"
    )


def test_env_connection_string_replaces_the_file_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTPROV_KSESSIONS__CONNECTION_STRING", CONN)
    monkeypatch.setenv("HOSTPROV_KSESSIONS__PASSWORD", "from-env")
    settings = load_settings(Path("config.toml"))  # its [ksessions] has a url
    assert settings.ksessions.url is None
    url = target_url(settings.ksessions, "ksessions")
    assert url.database_name == "KSESSIONS_DEV" and url.url.password == "from-env"
    assert settings.canvas.url is not None and settings.canvas.url.startswith("sqlite")


def test_flag_url_replaces_the_file_connection_string(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[canvas]\nconnection_string = "{CONN}"\n')
    settings = load_settings(config, {"canvas": {"url": "sqlite:///x.db"}})
    assert settings.canvas.connection_string is None
    assert target_url(settings.canvas, "canvas").backend == "sqlite"


def test_both_in_one_source_is_still_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[canvas]\nurl = "sqlite:///a.db"\nconnection_string = "{CONN}"\n')
    with pytest.raises(ConfigError, match="sets both url and connection_string"):
        target_url(load_settings(config).canvas, "canvas")


@pytest.mark.parametrize("segment", ["Password=x", "pwd = x", "PASSWORD = "])
def test_config_file_refuses_a_connection_string_with_a_password(
    tmp_path: Path, segment: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[ksessions]\nconnection_string = "{CONN};{segment}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert caught.value.hint is not None and "HOSTPROV_KSESSIONS__PASSWORD" in caught.value.hint


def test_bad_connection_string_is_one_sentence(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[canvas]\nconnection_string = "Server=AHHOME,port;Database=D;User Id=u"\n')
    with pytest.raises(ConfigError, match=r'\[canvas\] connection_string: port "port" in Server'):
        target_url(load_settings(config).canvas, "canvas")


# --- config import ---------------------------------------------------------------------------


def test_import_issue39_writes_both_tables_without_password(_workdir: Path) -> None:
    before = (_workdir / "config.toml").read_text()
    run = hostprov(["config", "import", str(ISSUE39_FILE)])
    assert run.code == 0, run.output
    text = (_workdir / "config.toml").read_text()
    data = tomllib.loads(text)
    expected = (
        "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Connection Timeout=3600;"
        "MultipleActiveResultSets=true;TrustServerCertificate=true;Encrypt=false"
    )
    assert data["canvas"] == {"connection_string": expected}
    assert data["ksessions"] == {"connection_string": expected}
    assert data["tui"]["app_settings"] == str(ISSUE39_FILE)
    old = tomllib.loads(before)
    for table in ("database", "audit", "security", "demo"):
        assert data[table] == old[table]
    kept = [line for line in before.splitlines() if not line.startswith("url = ")]
    assert [line for line in kept if line not in text.splitlines()] == []
    assert "HOSTPROV_CANVAS__PASSWORD" in run.stdout
    assert "HOSTPROV_KSESSIONS__PASSWORD" in run.stdout
    assert "Password=***" in run.stdout


def test_imported_config_connects_with_the_password_from_env(
    _workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hostprov(["config", "import", str(ISSUE39_FILE)]).code == 0
    monkeypatch.setenv("HOSTPROV_CANVAS__PASSWORD", "adf4961glo")
    url = target_url(load_settings(Path("config.toml")).canvas, "canvas")
    assert url.url.password == "adf4961glo"
    assert url.url.host == "AHHOME" and url.database_name == "KSESSIONS_DEV"


def test_import_is_idempotent(_workdir: Path) -> None:
    assert hostprov(["config", "import", str(ISSUE39_FILE)]).code == 0
    first = (_workdir / "config.toml").read_text()
    assert hostprov(["config", "import", str(ISSUE39_FILE)]).code == 0
    assert (_workdir / "config.toml").read_text() == first


def test_import_environment_and_write_path(_workdir: Path) -> None:
    target = _workdir / "sub" / "hostprov.toml"
    run = hostprov(["config", "import", str(FIXTURES / "environments"), "--environment",
                    "Development", "--write", str(target), "--odbc-driver", "FreeTDS"])
    assert run.code == 0, run.output
    data = tomllib.loads(target.read_text())
    assert "Initial Catalog=ksessions_dev" in data["ksessions"]["connection_string"]
    assert data["canvas"]["odbc_driver"] == "FreeTDS"
    assert data["tui"]["app_environment"] == "Development"
    assert (_workdir / "config.toml").read_text() == REPO_CONFIG.read_text()


def test_import_notes_a_production_database(_workdir: Path) -> None:
    run = hostprov(["config", "import", fixture("environments"), "--write", "p.toml"])
    assert run.code == 0
    assert "KSESSIONS is KSESSIONS, which does not end in _DEV" in run.stdout


def test_import_dry_run_writes_nothing(_workdir: Path) -> None:
    run = hostprov(["config", "import", fixture("commented"), "--dry-run", "--json"])
    assert run.code == 0, run.output
    doc = json.loads(run.stdout)
    assert doc["dry_run"] is True
    assert [c["name"] for c in doc["connection_strings"]] == ["CanvasDb", "KSessionsDb", "KQUR"]
    assert [c["targets"] for c in doc["connection_strings"]] == [["canvas"], ["ksessions"], []]
    assert r'connection_string = "Server=.\\SQLEXPRESS;Database=KSESSIONS_DEV' in (
        doc["toml_preview"]
    )
    assert (_workdir / "config.toml").read_text() == REPO_CONFIG.read_text()


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("broken", "is not valid JSON: expecting ',' delimiter at line 4, column 5."),
        ("badconn", "unterminated quote in the value of \"Password\""),
        ("missing", "does not exist"),
    ],
)
def test_import_refuses_unreadable_files(_workdir: Path, name: str, sentence: str) -> None:
    run = hostprov(["config", "import", fixture(name)])
    assert run.code == 2
    assert sentence in " ".join(run.stderr.split())
    assert "Traceback" not in run.output
    assert (_workdir / "config.toml").read_text() == REPO_CONFIG.read_text()


def test_import_keeps_the_old_file_when_the_result_is_refused(_workdir: Path) -> None:
    config = _workdir / "config.toml"
    config.write_text('[security]\nhash_secret_file = "s"\n[tui]\nrefresh_s = 0.1\n')
    before = config.read_text()
    run = hostprov(["config", "import", str(ISSUE39_FILE)])
    assert run.code == 2
    assert "was left unchanged" in " ".join(run.stderr.split())
    assert config.read_text() == before


# --- config drift ----------------------------------------------------------------------------


def imported(_workdir: Path, app: Path = ISSUE39_FILE) -> None:
    assert hostprov(["config", "import", str(app)]).code == 0


def test_drift_same_database_exits_0(_workdir: Path) -> None:
    imported(_workdir)
    run = hostprov(["config", "drift"], HOSTPROV_CANVAS__PASSWORD="adf4961glo",
                   HOSTPROV_KSESSIONS__PASSWORD="adf4961glo")
    assert run.code == 0, run.output
    assert run.stdout.strip().splitlines()[-1] == "same database as the app ✓"


def test_drift_wrong_database_and_password_exits_4(_workdir: Path) -> None:
    imported(_workdir)
    run = hostprov(["config", "drift", "--ksessions-url",
                    "mssql+pyodbc://sa@AHHOME/KSESSIONS?driver=FreeTDS&Encrypt=no"
                    "&TrustServerCertificate=yes"],
                   HOSTPROV_CANVAS__PASSWORD="123", HOSTPROV_KSESSIONS__PASSWORD="adf4961glo")
    assert run.code == 4
    lines = run.stdout.strip().splitlines()
    assert "KSESSIONS: app uses KSESSIONS_DEV, you use KSESSIONS ✗" in lines
    wrong = "canvas: your password (HOSTPROV_CANVAS__PASSWORD"
    assert any(line.startswith(wrong) for line in lines)
    assert lines[-1] == "2 differences from the app ✗"


def test_drift_json_document(_workdir: Path) -> None:
    imported(_workdir)
    run = hostprov(["config", "drift", fixture("environments"), "--json"],
                   HOSTPROV_CANVAS__PASSWORD="adf4961glo")
    assert run.code == 4
    doc = json.loads(run.stdout)
    assert doc["same"] is False and doc["environment"] == "Production"
    assert doc["databases"][1]["password"] == "yours-missing"
    assert doc["lines"][0] == "canvas: app uses server db.noorcanvas.example,1433, you use AHHOME ✗"


def test_drift_environment_option_selects_the_overlay(_workdir: Path) -> None:
    imported(_workdir)
    run = hostprov(["config", "drift", fixture("environments"), "-e", "Development"],
                   HOSTPROV_CANVAS__PASSWORD="adf4961glo",
                   HOSTPROV_KSESSIONS__PASSWORD="adf4961glo")
    assert run.code == 0, run.output


def test_drift_against_the_embedded_default_exits_4(_workdir: Path) -> None:
    run = hostprov(["config", "drift", str(ISSUE39_FILE)])
    assert run.code == 4
    assert "canvas: app uses SQL Server AHHOME/KSESSIONS_DEV as sa, you use embedded SQLite " \
        "canvas.db ✗" in run.stdout


@pytest.mark.parametrize("name", ["broken", "badconn", "missing"])
def test_drift_unreadable_file_exits_2(_workdir: Path, name: str) -> None:
    run = hostprov(["config", "drift", fixture(name), "--json"])
    assert run.code == 2
    assert json.loads(run.stdout)["error"]["code"] == "bad_config"


def test_drift_without_a_file_exits_2(_workdir: Path) -> None:
    run = hostprov(["config", "drift"])
    assert run.code == 2
    assert "No app settings file to compare with." in run.stderr


# --- config show -----------------------------------------------------------------------------


def test_show_names_every_source(_workdir: Path) -> None:
    imported(_workdir)
    run = hostprov(["config", "show", "--json", "--ksessions-url", "sqlite:///k.db"],
                   HOSTPROV_CANVAS__PASSWORD="adf4961glo",
                   HOSTPROV_SECURITY__HASH_SECRET=SHOW_SECRET,
                   HOSTPROV_DATABASE__CONNECT_TIMEOUT_S="9")
    assert run.code == 0, run.output
    doc = json.loads(run.stdout)
    values = {v["key"]: v for v in doc["values"]}
    assert doc["config_file_source"] == "./config.toml"
    assert values["environment"]["source"] == "file"
    assert values["database.connect_timeout_s"] == {
        "key": "database.connect_timeout_s", "value": 9.0, "source": "env",
        "where": "HOSTPROV_DATABASE__CONNECT_TIMEOUT_S",
    }
    assert values["ksessions.url"]["source"] == "flag"
    assert values["ksessions.url"]["where"] == "--ksessions-url"
    assert values["ksessions.connection_string"]["value"].startswith("not used")
    assert values["canvas.odbc_driver"]["source"] == "default"
    assert values["canvas.password"]["value"] == "set (from env HOSTPROV_CANVAS__PASSWORD)"
    assert values["ksessions.password"]["value"] == "not set"
    assert values["security.hash_secret"]["value"] == (
        "set (from env HOSTPROV_SECURITY__HASH_SECRET)"
    )
    # driver auto, ODBC Driver 18 (the default name) not installed here, mssql-python installed
    assert values["canvas.driver"] == {"key": "canvas.driver", "value": "auto",
                                       "source": "default", "where": None}
    assert doc["targets"]["canvas"]["url"].startswith("mssql+mssqlpython://sa:***@AHHOME/")
    assert doc["targets"]["ksessions"]["url"] == "sqlite+pysqlite:///k.db"
    assert SHOW_SECRET not in run.output


def test_show_without_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "config.toml").unlink()
    run = hostprov(["config", "show"])
    assert run.code == 0, run.output
    assert "Config file: (none) (none found: " in run.stdout
    assert "config.toml is not written yet, so the built-in defaults apply" in run.stdout
    assert "canvas.url" in run.stdout and "(default)" in run.stdout


def test_show_reports_an_unusable_target(_workdir: Path) -> None:
    run = hostprov(["config", "show", "--json"],
                   HOSTPROV_CANVAS__CONNECTION_STRING="Server=a;Database=b")
    assert run.code == 0
    canvas = json.loads(run.stdout)["targets"]["canvas"]
    assert canvas["url"] is None and "no user given" in canvas["error"]


# --- no password from an app settings file ever shows ----------------------------------------


def test_every_fixture_password_is_in_the_fixtures() -> None:
    raw = "".join(p.read_text(encoding="utf-8-sig") for p in FIXTURES.rglob("*.json"))
    for password in FIXTURE_PASSWORDS:
        assert password in raw, password


def test_no_app_password_in_any_output_or_written_file(_workdir: Path) -> None:
    outputs: list[str] = []
    names = ("issue39", "environments", "commented", "broken", "split", "badconn")
    envs = (None, "Development", "Production")
    for name in names:
        for environment in envs:
            extra = ["--environment", environment] if environment else []
            for fmt in ([], ["--json"]):
                write = ["--write", str(_workdir / f"{name}.toml")]
                for args in (["config", "import", fixture(name), *write, *fmt, *extra],
                             ["config", "import", fixture(name), "--dry-run", *fmt, *extra],
                             ["config", "drift", fixture(name), *fmt, *extra]):
                    run = hostprov(args, HOSTPROV_CANVAS__PASSWORD="adf4961glo")
                    assert run.code in (0, 2, 4), (args, run.output)
                    outputs.append(run.output)
    for fmt in ([], ["--json"]):
        outputs.append(hostprov(["config", "show", "--config", str(_workdir / "issue39.toml"),
                                 *fmt], HOSTPROV_CANVAS__PASSWORD="adf4961glo").output)
    written = [p.read_text() for p in _workdir.glob("*.toml")]
    assert len(written) >= 5  # config.toml + the imports that succeeded
    everything = "\n".join(outputs + written)
    assert "Password=***" in everything  # the masked strings were shown...
    for password in FIXTURE_PASSWORDS:
        assert password not in everything, password  # ...and never a password
    for text in written:
        assert "password=" not in text.lower().replace(" ", "")


def test_import_app_environment_has_its_own_name_and_the_old_one_still_works(
    _workdir: Path
) -> None:
    new = hostprov(["config", "import", str(FIXTURES / "environments"), "--app-environment",
                    "Development", "--write", "new.toml"])
    assert new.code == 0, new.output
    assert "Note:" not in new.stderr
    assert tomllib.loads((_workdir / "new.toml").read_text())["tui"]["app_environment"] == \
        "Development"
    old = hostprov(["config", "import", str(FIXTURES / "environments"), "-e", "Development",
                    "--write", "old.toml"])
    assert old.code == 0, old.output
    assert "now --app-environment" in old.stderr
    assert (_workdir / "old.toml").read_text() == (_workdir / "new.toml").read_text()
    help_text = hostprov(["config", "drift", "--help"]).stdout
    assert "--app-environment" in help_text and "-e, --environment" not in help_text


def test_import_says_how_to_check_the_file_it_wrote_and_previews_literally(
    _workdir: Path
) -> None:
    run = hostprov(["config", "import", fixture("commented"), "--write", "elsewhere.toml"])
    assert run.code == 0, run.output
    written = str((_workdir / "elsewhere.toml").resolve())
    assert f"hostprov config drift --config {written}" in run.stdout.replace("\n", " ")
    dry = hostprov(["config", "import", fixture("commented"), "--dry-run"], COLUMNS="50")
    assert dry.code == 0, dry.output
    assert "\\[canvas]" not in dry.stdout and "[canvas]" in dry.stdout
    for line in dry.stdout.splitlines():
        if line.startswith("connection_string = "):
            assert line.endswith('"'), line  # the quoted value is on one line


def test_a_missing_odbc_driver_speaks_of_the_connection_string(_workdir: Path) -> None:
    pytest.importorskip("pyodbc")
    import pyodbc

    run = hostprov(["config", "import", fixture("commented"), "--write", "x.toml",
                    "--odbc-driver", "No Such Driver 99"])
    assert run.code == 0, run.output
    assert "No Such Driver 99" not in pyodbc.drivers()
    check = hostprov(["--config", "x.toml", "check", "--json", "-q"],
                     HOSTPROV_SECURITY__HASH_SECRET="s" * 32, HOSTPROV_CANVAS__PASSWORD="p",
                     HOSTPROV_KSESSIONS__PASSWORD="p",
                     # pyodbc asked for: "auto" would take mssql-python (no such ODBC driver)
                     HOSTPROV_CANVAS__DRIVER="pyodbc", HOSTPROV_KSESSIONS__DRIVER="pyodbc")
    text = check.stdout + check.stderr
    assert "connection_string" in text and "[canvas] odbc_driver" in text, text
    assert "canvas URL" not in text and "driver= in the URL" not in text
