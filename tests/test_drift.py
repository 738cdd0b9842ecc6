"""Comparing hostprov's targets with the app's connection strings (services/drift.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from hostprov_tui.config.adonet import parse_connection_string
from hostprov_tui.config.settings import AuditOptions, DatabaseTarget, Settings, TuiOptions
from hostprov_tui.db.urls import target_url
from hostprov_tui.errors import ConfigError
from hostprov_tui.services.api import Provisioner
from hostprov_tui.services.drift import (
    DatabaseDrift,
    compare_one,
    drift_from_file,
    same_secret,
)
from hostprov_tui.services.results import to_jsonable

FIXTURES = Path(__file__).parent / "fixtures" / "appsettings"
ISSUE39 = (
    "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Password=adf4961glo;"
    "Connection Timeout=3600;MultipleActiveResultSets=true;TrustServerCertificate=true;"
    "Encrypt=false"
)
ISSUE39_URL = (
    "mssql+pyodbc://sa@AHHOME/KSESSIONS_DEV?driver=ODBC+Driver+18+for+SQL+Server"
    "&TrustServerCertificate=yes&Encrypt=no"
)


def one(app: str, url: str, password: str | None = None, name: str = "ksessions") -> DatabaseDrift:
    target = DatabaseTarget(url=url, password=SecretStr(password) if password else None)
    return compare_one(name, "DefaultConnection", parse_connection_string(app),  # type: ignore[arg-type]
                       target_url(target, name))  # type: ignore[arg-type]


def fields(drift: DatabaseDrift) -> list[str]:
    return [d.field for d in drift.differences]


@pytest.fixture(autouse=True)
def _no_dotnet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOTNET_ENVIRONMENT", raising=False)
    monkeypatch.delenv("ASPNETCORE_ENVIRONMENT", raising=False)


def test_issue39_same_database_and_password() -> None:
    drift = one(ISSUE39, ISSUE39_URL, "adf4961glo")
    assert drift.same and drift.password == "same"
    assert drift.sentence == "KSESSIONS: same database as the app (AHHOME/KSESSIONS_DEV as sa) ✓"


def test_issue39_the_wrong_database_is_named() -> None:
    url = ISSUE39_URL.replace("/KSESSIONS_DEV?", "/KSESSIONS?")
    drift = one(ISSUE39, url, "adf4961glo")
    assert fields(drift) == ["database"]
    assert drift.sentence == "KSESSIONS: app uses KSESSIONS_DEV, you use KSESSIONS ✗"


def test_issue39_the_wrong_password_is_found_but_never_shown() -> None:
    drift = one(ISSUE39, ISSUE39_URL, "123")
    assert fields(drift) == ["password"] and drift.password == "different"
    text = json.dumps(to_jsonable(drift)) + repr(drift) + drift.sentence
    assert "adf4961glo" not in text and "123" not in text
    assert "HOSTPROV_KSESSIONS__PASSWORD" in drift.sentence


def test_missing_password_says_which_variable_to_set() -> None:
    drift = one(ISSUE39, ISSUE39_URL, None, name="canvas")
    assert drift.password == "yours-missing"
    assert drift.sentence == (
        "canvas: the app logs in with a password but you have none "
        "(set HOSTPROV_CANVAS__PASSWORD) ✗"
    )


def test_app_without_password_is_not_compared() -> None:
    app = ISSUE39.replace("Password=adf4961glo;", "")
    drift = one(app, ISSUE39_URL, "whatever")
    assert drift.same and drift.password == "app-missing"
    assert drift.note is not None and "not compared" in drift.note


@pytest.mark.parametrize(
    ("app_server", "url_host"),
    [
        (".", "localhost"),
        ("(local)", "127.0.0.1"),
        ("localhost", "LOCALHOST:1433"),
        ("tcp:ahhome,1433", "AHHOME"),
        ("AHHOME", "ahhome:1433"),
        (r".\SQLEXPRESS", r"localhost\sqlexpress"),
        (r"AHHOME\MSSQLSERVER", "AHHOME"),
        ("ahhome.", "AHHOME"),
    ],
)
def test_server_names_are_normalised(app_server: str, url_host: str) -> None:
    app = f"Server={app_server};Database=KSESSIONS_DEV;User Id=SA;Encrypt=false"
    drift = one(app, f"mssql+pyodbc://sa@{url_host}/ksessions_dev?driver=FreeTDS&Encrypt=no")
    assert drift.same, drift.differences


@pytest.mark.parametrize(
    ("app_server", "url_host", "sentence"),
    [
        ("AHHOME", "OTHERBOX", "app uses server AHHOME, you use OTHERBOX"),
        ("AHHOME,14330", "AHHOME", "app uses server AHHOME,14330, you use AHHOME"),
        (r"AHHOME\SQLEXPRESS", "AHHOME", r"app uses server AHHOME\SQLEXPRESS, you use AHHOME"),
    ],
)
def test_different_servers(app_server: str, url_host: str, sentence: str) -> None:
    app = f"Server={app_server};Database=K_DEV;User Id=sa;Encrypt=false"
    drift = one(app, f"mssql+pyodbc://sa@{url_host}/K_DEV?driver=FreeTDS&Encrypt=no")
    assert fields(drift) == ["server"]
    assert sentence in drift.sentence


def test_login_and_encryption_differences() -> None:
    app = "Server=AHHOME;Database=K_DEV;User Id=canvas_app;Encrypt=false"
    drift = one(app, "mssql+pyodbc://sa@AHHOME/K_DEV?driver=FreeTDS")
    assert fields(drift) == ["user", "encrypt"]
    assert drift.differences[0].sentence == (
        "KSESSIONS: app logs in as canvas_app, you log in as sa ✗"
    )
    assert drift.differences[1].sentence == (
        "KSESSIONS: app uses Encrypt=no, you use Encrypt=yes (driver default) ✗"
    )


@pytest.mark.parametrize(
    ("app_encrypt", "url_query", "same"),
    [
        ("", "", True),  # both driver defaults (encrypted)
        ("Encrypt=true;", "", True),
        ("Encrypt=Mandatory;", "&Encrypt=yes", True),
        ("Encrypt=Optional;", "&Encrypt=no", True),
        ("Encrypt=Strict;", "&Encrypt=strict", True),
        ("Encrypt=false;", "&ENCRYPT=NO", True),
        ("Encrypt=Strict;", "&Encrypt=yes", False),
        ("Encrypt=false;", "", False),
        ("TrustServerCertificate=true;", "", False),
        ("TrustServerCertificate=true;", "&trustservercertificate=yes", True),
    ],
)
def test_encryption_is_compared_by_meaning(app_encrypt: str, url_query: str, same: bool) -> None:
    app = f"Server=AHHOME;Database=K_DEV;User Id=sa;{app_encrypt}"
    drift = one(app, f"mssql+pyodbc://sa@AHHOME/K_DEV?driver=FreeTDS{url_query}")
    assert drift.same is same


def test_integrated_security_on_both_sides() -> None:
    app = "Server=AHHOME;Database=K_DEV;Integrated Security=SSPI"
    drift = one(app, "mssql+pyodbc://AHHOME/K_DEV?driver=FreeTDS&Trusted_Connection=yes")
    assert drift.same and drift.password == "not-used"
    sql_login = one(app, "mssql+pyodbc://sa@AHHOME/K_DEV?driver=FreeTDS")
    assert "app logs in as the Windows login, you log in as sa" in sql_login.sentence


def test_odbc_connect_url_is_read_too() -> None:
    odbc = "DRIVER={FreeTDS};SERVER=ahhome;DATABASE=KSESSIONS_DEV;UID=sa;PWD=adf4961glo;Encrypt=no"
    from urllib.parse import quote_plus

    url = f"mssql+pyodbc:///?odbc_connect={quote_plus(odbc)}"
    drift = one(ISSUE39, url + "&TrustServerCertificate=yes")
    assert fields(drift) == ["trust_server_certificate"]  # the password matched (PWD=...)
    assert drift.password == "same"


def test_embedded_target_is_a_different_kind() -> None:
    drift = one(ISSUE39, "sqlite:////tmp/data/ksessions.db")
    assert fields(drift) == ["kind"]
    assert drift.sentence == (
        "KSESSIONS: app uses SQL Server AHHOME/KSESSIONS_DEV as sa, "
        "you use embedded SQLite ksessions.db ✗"
    )


def test_same_secret() -> None:
    assert same_secret(SecretStr("a"), SecretStr("a"))
    assert not same_secret(SecretStr("a"), SecretStr("A"))
    assert not same_secret(SecretStr(""), SecretStr(" "))


# --- whole files and the Provisioner ----------------------------------------------------------


def mssql_settings(tmp_path: Path, **targets: DatabaseTarget) -> Settings:
    shared = DatabaseTarget(url=ISSUE39_URL, password=SecretStr("adf4961glo"))
    return Settings(
        canvas=targets.get("canvas", shared),
        ksessions=targets.get("ksessions", shared),
        audit=AuditOptions(path=tmp_path / "audit.jsonl"),
    )


def test_issue39_file_against_the_right_config(tmp_path: Path) -> None:
    report = drift_from_file(mssql_settings(tmp_path), FIXTURES / "issue39" / "appsettings.json")
    assert report.same
    assert report.sentence == "same database as the app ✓"
    assert [d.app_connection for d in report.databases] == ["DefaultConnection"] * 2


def test_production_overlay_is_drift_with_one_line_per_difference(tmp_path: Path) -> None:
    report = drift_from_file(mssql_settings(tmp_path), FIXTURES / "environments")
    assert not report.same and report.environment == "Production"
    assert report.lines[:3] == (
        "canvas: app uses server db.noorcanvas.example,1433, you use AHHOME ✗",
        "canvas: app uses KSESSIONS, you use KSESSIONS_DEV ✗",
        "canvas: app logs in as canvas_app, you log in as sa ✗",
    )
    assert len(report.lines) == len(report.differences) == 12
    assert report.sentence.endswith("(and 11 more)")
    dump = json.dumps(to_jsonable(report)) + repr(report)
    for secret in ("Prod-Only-Secret-88", "Base-Pw-4711", "adf4961glo"):
        assert secret not in dump


def test_development_overlay_matches(tmp_path: Path) -> None:
    report = drift_from_file(mssql_settings(tmp_path), FIXTURES / "environments", "Development")
    assert report.same, report.lines


def test_split_databases_compared_separately(tmp_path: Path) -> None:
    canvas = DatabaseTarget(
        connection_string="Server=SQL01;Database=canvas_dev;User Id=canvas_app;Encrypt=true",
        password=SecretStr("Split-Canvas-Pw-3"),
    )
    ksessions = DatabaseTarget(
        url="mssql+pyodbc://ks_reader@sql01:1433/KSESSIONS?driver=FreeTDS",
        password=SecretStr("Split-Ks-Pw-4"),
    )
    settings = mssql_settings(tmp_path, canvas=canvas, ksessions=ksessions)
    report = drift_from_file(settings, FIXTURES / "split")
    assert report.databases[0].same
    assert report.lines[1:] == ("KSESSIONS: app uses KSESSIONS_DEV, you use KSESSIONS ✗",)
    assert report.ignored == ("Redis",)


def test_unreadable_app_connection_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unterminated quote"):
        drift_from_file(mssql_settings(tmp_path), FIXTURES / "badconn")


def test_provisioner_drift_is_none_until_configured(tmp_path: Path) -> None:
    settings = mssql_settings(tmp_path)
    prov = Provisioner(settings, operator="tester")
    try:
        assert prov.drift() is None
    finally:
        prov.close()
    settings.tui = TuiOptions(app_settings=FIXTURES / "environments", app_environment="Production")
    prov = Provisioner(settings, operator="tester")
    try:
        report = prov.drift()
        assert report is not None and not report.same
        assert report.environment_source == "[tui] app_environment"
    finally:
        prov.close()


def test_provisioner_drift_against_a_real_backend(settings: Settings) -> None:
    """The test databases (SQLite or PostgreSQL) are not the app's SQL Server: drift says so."""
    settings.tui = TuiOptions(app_settings=FIXTURES / "issue39" / "appsettings.json")
    prov = Provisioner(settings, operator="tester")
    try:
        report = prov.drift()
    finally:
        prov.close()
    assert report is not None and not report.same
    assert [d.field for d in report.differences] == ["kind", "kind"]
    assert report.lines[0].startswith("canvas: app uses SQL Server AHHOME/KSESSIONS_DEV as sa, ")
