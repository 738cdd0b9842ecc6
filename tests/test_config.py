"""Configuration: precedence, relative paths, secrets never in files, masking, the first run."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hostprov_tui.config.masking import mask_text, mask_url
from hostprov_tui.config.secrets import hash_secret
from hostprov_tui.config.settings import load_settings
from hostprov_tui.errors import ConfigError
from tests.conftest import build_env
from tests.support.cli_run import hostprov, invoke
from tests.support.pgserver import free_port

PASSWORD = "Pa55w0rd-That-Must-Not-Leak"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _write(tmp_path / "config.toml", (
        'environment = "development"\n'
        '[canvas]\nurl = "sqlite:///c.db"\n'
        "[database]\nconnect_timeout_s = 7\nstatement_timeout_s = 40\n"
        "[demo]\nsessions = 50\n"
    ))
    st = load_settings(config)
    assert st.database.connect_timeout_s == 7 and st.database.statement_timeout_s == 40
    assert st.config_path == config.resolve()

    monkeypatch.setenv("HOSTPROV_DATABASE__CONNECT_TIMEOUT_S", "9")
    monkeypatch.setenv("HOSTPROV_ENVIRONMENT", "production")
    monkeypatch.setenv("HOSTPROV_CANVAS__URL", "postgresql+psycopg://u@h/from_env_dev")
    st = load_settings(config)
    assert st.database.connect_timeout_s == 9
    assert st.database.statement_timeout_s == 40  # untouched keys of the file survive
    assert st.environment == "production" and st.canvas.url.endswith("/from_env_dev")
    assert st.demo.sessions == 50

    st = load_settings(config, {"environment": "development",
                                "canvas": {"url": "postgresql+psycopg://u@h/flag_dev"}})
    assert st.environment == "development" and st.canvas.url.endswith("/flag_dev")
    assert st.database.connect_timeout_s == 9


def test_relative_paths_are_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "deploy" / "conf"
    config = _write(folder / "config.toml", (
        '[canvas]\nurl = "sqlite:///data/canvas.db"\n'
        '[ksessions]\nurl = "sqlite:///../ks/ksessions.db"\n'
        '[audit]\npath = "logs/audit.jsonl"\n'
        '[security]\nhash_secret_file = "secret/hash"\n'
        '[tui]\napp_settings = "appsettings.json"\n'
    ))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    st = load_settings(config)
    base = folder.resolve()
    assert make_url(st.canvas.url).database == str(base / "data" / "canvas.db")
    assert make_url(st.ksessions.url).database == str(base.parent / "ks" / "ksessions.db")
    assert st.audit.path == base / "logs" / "audit.jsonl"
    assert st.security.hash_secret_file == base / "secret" / "hash"
    assert st.tui.app_settings == base / "appsettings.json"


def test_environment_paths_are_not_rebased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _write(tmp_path / "c" / "config.toml", '[audit]\npath = "a.jsonl"\n')
    monkeypatch.setenv("HOSTPROV_AUDIT__PATH", "/var/tmp/x/audit.jsonl")
    assert load_settings(config).audit.path == Path("/var/tmp/x/audit.jsonl")


@pytest.mark.parametrize(("toml", "env_var"), [
    (f'[canvas]\nurl = "postgresql+psycopg://sa:{PASSWORD}@db/K_DEV"\n',
     "HOSTPROV_CANVAS__PASSWORD"),
    (f'[ksessions]\nurl = "mssql+pyodbc://sa:{PASSWORD}@AHHOME/KSESSIONS_DEV?driver=FreeTDS"\n',
     "HOSTPROV_KSESSIONS__PASSWORD"),
    (f'[ksessions]\nurl = "postgresql+psycopg://sa@db/K_DEV"\npassword = "{PASSWORD}"\n',
     "HOSTPROV_KSESSIONS__PASSWORD"),
    (f'[canvas]\nconnection_string = "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;'
     f'User Id=sa;Password={PASSWORD};"\n', "HOSTPROV_CANVAS__PASSWORD"),
    (f'[security]\nhash_secret = "{PASSWORD}"\n', "HOSTPROV_SECURITY__HASH_SECRET"),
    (f'[canvas]\nurl = "mssql+pyodbc:///?odbc_connect=DRIVER%3DFreeTDS%3BUID%3Dsa%3BPWD%3D'
     f'{PASSWORD}"\n', "HOSTPROV_CANVAS__PASSWORD"),
])
def test_a_secret_in_the_config_file_is_refused(tmp_path: Path, toml: str, env_var: str) -> None:
    config = _write(tmp_path / "config.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    err = info.value
    assert env_var in f"{err.message} {err.hint}"
    assert PASSWORD not in f"{err.message} {err.hint}"
    run = invoke(["--config", str(config), "check", "--json"])
    assert run.code == 2, run.output
    assert env_var in run.output and PASSWORD not in run.output
    assert run.json()["error"]["code"] == "bad_config"


def test_bad_config_files_are_a_sentence(tmp_path: Path) -> None:
    broken = _write(tmp_path / "broken.toml", "[canvas\nurl = 1\n")
    run = invoke(["--config", str(broken), "check"])
    assert run.code == 2 and "is not valid TOML" in run.stderr
    unknown = _write(tmp_path / "unknown.toml", "[canvas]\nuri = 'x'\n")
    run = invoke(["--config", str(unknown), "check"])
    assert run.code == 2 and "canvas.uri" in run.stderr
    run = invoke(["--config", str(tmp_path / "missing.toml"), "check", "--json"])
    assert run.code == 2 and "does not exist" in run.json()["error"]["message"]


def test_mask_url_and_text() -> None:
    url = make_url(f"postgresql+psycopg://sa:{PASSWORD}@db.example:5432/KSESSIONS_DEV")
    masked = mask_url(url)
    assert PASSWORD not in masked and "sa:***@db.example:5432/KSESSIONS_DEV" in masked
    odbc = make_url(
        "mssql+pyodbc:///?odbc_connect=" + f"DRIVER%3DFreeTDS%3BUID%3Dsa%3BPWD%3D{PASSWORD}"
    )
    assert PASSWORD not in mask_url(odbc)
    for text in (f"Server=x;Password={PASSWORD};Database=y", f"PWD={{{PASSWORD}}};",
                 f"password = '{PASSWORD}'", f"postgresql://sa:{PASSWORD}@host/db"):
        assert PASSWORD not in mask_text(text), text
    assert mask_text("nothing secret here") == "nothing secret here"


def test_check_json_masks_a_password_from_the_environment(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = build_env("postgres", tmp_path, request, sessions=20)
    run = hostprov(env, "check", "--json", extra_env={"HOSTPROV_CANVAS__PASSWORD": PASSWORD})
    assert run.code == 0, run.output
    doc = run.json()
    assert doc["canvas"]["reachable"] and "postgres:***@" in doc["canvas"]["url"]
    assert "***" not in doc["ksessions"]["url"]  # no password there, nothing to mask
    assert PASSWORD not in run.output
    closed = f"postgresql+psycopg://bob@127.0.0.1:{free_port()}/gone_dev"
    down = hostprov(env, "issue", "--ksessions-id", "1", "--canvas-url", closed, "--json",
                    extra_env={"HOSTPROV_CANVAS__PASSWORD": PASSWORD})
    assert down.code == 3 and PASSWORD not in down.output
    check = hostprov(env, "check", "--canvas-url", closed,
                     extra_env={"HOSTPROV_CANVAS__PASSWORD": PASSWORD})
    assert check.code == 3 and PASSWORD not in check.output
    assert PASSWORD not in env.audit_path.read_text(encoding="utf-8")


def test_environment_secret_overrides_the_secret_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    _write(tmp_path / "hash_secret", "secret-from-the-file\n").chmod(0o600)  # as OpenSSH wants
    config = _write(tmp_path / "config.toml", '[security]\nhash_secret_file = "hash_secret"\n')
    assert hash_secret(load_settings(config)).get_secret_value() == "secret-from-the-file"
    monkeypatch.setenv("HOSTPROV_SECURITY__HASH_SECRET", "secret-from-the-environment")
    assert hash_secret(load_settings(config)).get_secret_value() == "secret-from-the-environment"
    monkeypatch.delenv("HOSTPROV_SECURITY__HASH_SECRET")

    env = build_env("sqlite", tmp_path / "db", request, sessions=20)
    toml = env.write_config()
    toml.write_text(toml.read_text() + f'[security]\nhash_secret_file = "{tmp_path}/hash_secret"\n')
    run = invoke(["--config", str(toml), "-q", "issue", "--ksessions-id", "1", "--json"],
                 {"HOSTPROV_SECURITY__HASH_SECRET": "secret-from-the-environment"})
    assert run.code == 0, run.output
    doc = run.json()
    expected = base64.b64encode(hmac.new(b"secret-from-the-environment", doc["guid"].encode(),
                                         hashlib.sha256).digest()).decode()
    assert doc["hash"] == expected
    from_file = invoke(["--config", str(toml), "-q", "verify", "--guid", doc["guid"], "--json"],
                       {})
    assert from_file.json()["status"] == "unknown"  # the file's secret hashes differently


def test_embedded_first_run_builds_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo_config = Path(__file__).resolve().parent.parent / "config.toml"
    config = _write(tmp_path / "app" / "config.toml", repo_config.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    run = invoke(["--config", str(config), "check", "--json"], {})
    assert run.code == 0, run.output
    assert "Created the embedded demo databases" in run.stderr
    data = tmp_path / "app" / "data"
    secret = data / "hash_secret"
    assert (data / "canvas.db").is_file() and (data / "ksessions.db").is_file()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_text().strip()) >= 32
    assert not (tmp_path / "data").exists()  # relative to the config file, not the cwd

    with sqlite3.connect(data / "ksessions.db") as db:
        def count(sql: str) -> int:
            return int(db.execute(sql).fetchone()[0])

        assert count("SELECT COUNT(*) FROM Groups") >= 8
        assert count("SELECT COUNT(*) FROM Categories") >= 30
        assert count("SELECT COUNT(*) FROM Speakers") >= 6
        assert count("SELECT COUNT(*) FROM Sessions") >= 400
        assert count("SELECT COUNT(*) FROM Sessions s WHERE NOT EXISTS (SELECT 1 FROM "
                     "SessionTranscripts t WHERE t.SessionID = s.SessionID)") > 0
        assert count("SELECT COUNT(*) FROM Sessions WHERE IsActive = 0") > 0
        session = count("SELECT MIN(SessionID) FROM Sessions s WHERE EXISTS (SELECT 1 FROM "
                         "SessionTranscripts t WHERE t.SessionID = s.SessionID)")

    first_secret = secret.read_text()
    again = invoke(["--config", str(config), "-q", "issue", "--ksessions-id", str(session),
                    "--json"], {})
    assert again.code == 0, again.output
    assert "Created the embedded" not in again.stderr
    assert secret.read_text() == first_secret  # generated once, then reused
    doc = json.loads(again.stdout)
    key = first_secret.strip().encode()
    assert doc["hash"] == base64.b64encode(
        hmac.new(key, doc["guid"].encode(), hashlib.sha256).digest()
    ).decode()
