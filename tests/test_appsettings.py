"""Reading the app's appsettings.json as .NET does, mapping it, and editing config.toml safely."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from hostprov_tui.config.adonet import parse_connection_string
from hostprov_tui.config.appsettings import (
    flatten,
    load_app_settings,
    read_jsonc,
    resolve_environment,
    strip_jsonc,
)
from hostprov_tui.config.toml_edit import TableEdit, edit_tables, toml_string
from hostprov_tui.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "appsettings"
NO_ENV: dict[str, str] = {}


def app(name: str) -> Path:
    return FIXTURES / name / "appsettings.json"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- JSON with comments ------------------------------------------------------------------------


def test_comments_and_trailing_commas_are_accepted() -> None:
    data = read_jsonc(app("commented"))
    names = list(data["ConnectionStrings"])
    assert names == ["CanvasDb", "KSessionsDb", "KQUR"]  # the commented-out CanvasDb is gone
    assert data["Url"] == "https://localhost:9091"  # "//" inside a string is not a comment


def test_strip_keeps_line_and_column_numbers() -> None:
    text = '{\n  // note\n  "a": 1, /* x\n y */ "b": [1, 2,],\n}\n'
    cleaned = strip_jsonc(text)
    assert len(cleaned) == len(text)
    assert cleaned.count("\n") == text.count("\n")
    assert json.loads(cleaned) == {"a": 1, "b": [1, 2]}


def test_escaped_quote_inside_string_does_not_end_it(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '{"k": "say \\"hi\\" // not a comment", /* c */ }')
    assert read_jsonc(path) == {"k": 'say "hi" // not a comment'}


def test_unclosed_block_comment_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '{\n "a": 1\n /* never closed\n}')
    with pytest.raises(ConfigError, match=r"/\* comment opened on line 3 is never closed"):
        read_jsonc(path)


def test_broken_json_names_file_line_and_column_but_no_value() -> None:
    with pytest.raises(ConfigError) as caught:
        read_jsonc(app("broken"))
    message = caught.value.message
    assert "broken/appsettings.json is not valid JSON" in message
    assert "line 4, column 5" in message
    assert "Broken-Json-Pw-5" not in message


def test_duplicate_key_differing_only_in_case_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '{"ConnectionStrings": {"A": "x", "a": "y"}}')
    with pytest.raises(ConfigError, match='key "a" appears twice'):
        read_jsonc(path)


@pytest.mark.parametrize("text", [
    '{"a": \'single quotes\'}', '{bare: 1}', '{"a": 0x10}', '{"a": NaN}', '{"a": -Infinity}',
    '{"a": +1}', '{"a": .5}', '{"a": "line \\\n continued"}',
])
def test_json5_only_syntax_is_refused_as_dotnet_refuses_it(tmp_path: Path, text: str) -> None:
    """JSONC is JSON plus comments and trailing commas, no more: what the app cannot load."""
    path = write(tmp_path, "a.json", text)
    with pytest.raises(ConfigError, match="is not valid JSON"):
        read_jsonc(path)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [("[1, 2]", "does not hold a JSON object"), ("", "not valid JSON")],
)
def test_not_an_object(tmp_path: Path, text: str, sentence: str) -> None:
    with pytest.raises(ConfigError, match=sentence):
        read_jsonc(write(tmp_path, "a.json", text))


def test_missing_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_app_settings(tmp_path / "appsettings.json", environ=NO_ENV)


def test_byte_order_mark_is_skipped() -> None:
    assert app("commented").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "ConnectionStrings" in read_jsonc(app("commented"))


def test_flatten_is_case_insensitive_and_indexes_arrays() -> None:
    flat = flatten({"Connectionstrings": {"Main": "x"}, "List": [1, {"A": 2}]})
    assert flat == {
        "connectionstrings:main": ("Connectionstrings:Main", "x"),
        "list:0": ("List:0", 1),
        "list:1:a": ("List:1:A", 2),
    }


# --- environments ------------------------------------------------------------------------------


def test_environment_file_overrides_base_case_insensitively() -> None:
    settings = load_app_settings(app("environments"), "Development", environ=NO_ENV)
    assert [f.name for f in settings.files] == ["appsettings.json", "appsettings.Development.json"]
    (entry,) = settings.connection_strings
    assert entry.name == "defaultConnection"
    assert entry.source.name == "appsettings.Development.json"
    assert entry.connection is not None and entry.connection.database == "ksessions_dev"


def test_no_environment_means_production_as_in_dotnet() -> None:
    settings = load_app_settings(app("environments"), environ=NO_ENV)
    assert (settings.environment, settings.environment_source) == ("Production", ".NET default")
    assert settings.files[-1].name == "appsettings.Production.json"
    assert settings.connection_strings[0].require().database == "KSESSIONS"


def test_environment_without_a_file_reads_the_base_only() -> None:
    settings = load_app_settings(app("environments"), "Staging", environ=NO_ENV)
    assert [f.name for f in settings.files] == ["appsettings.json"]
    assert settings.connection_strings[0].require().database == "KSESSIONS"


def test_environment_file_name_matches_in_any_case() -> None:
    settings = load_app_settings(app("environments"), "development", environ=NO_ENV)
    assert settings.files[-1].name == "appsettings.Development.json"


@pytest.mark.parametrize(
    ("explicit", "configured", "environ", "expected"),
    [
        ("Development", "Staging", {"DOTNET_ENVIRONMENT": "X"},
         ("Development", "--app-environment")),
        (None, "Staging", {"DOTNET_ENVIRONMENT": "X"}, ("Staging", "[tui] app_environment")),
        (None, None, {"DOTNET_ENVIRONMENT": "X", "ASPNETCORE_ENVIRONMENT": "Y"},
         ("X", "DOTNET_ENVIRONMENT")),
        (None, None, {"ASPNETCORE_ENVIRONMENT": "Y"}, ("Y", "ASPNETCORE_ENVIRONMENT")),
        (None, " ", {}, ("Production", ".NET default")),
    ],
)
def test_environment_resolution(
    explicit: str | None, configured: str | None, environ: dict[str, str],
    expected: tuple[str, str],
) -> None:
    assert resolve_environment(explicit, configured, environ) == expected


def test_a_directory_means_its_appsettings_json() -> None:
    settings = load_app_settings(FIXTURES / "issue39", environ=NO_ENV)
    assert settings.base.name == "appsettings.json"


# --- which connection string is which database -------------------------------------------------


def test_default_connection_alone_serves_both() -> None:
    targets = load_app_settings(app("issue39"), environ=NO_ENV).map_targets()
    assert targets.canvas is not None and targets.canvas is targets.ksessions
    assert targets.canvas.name == "DefaultConnection"
    assert targets.targets_of("DefaultConnection") == ("canvas", "ksessions")


def test_named_connections_win_over_default_and_others_are_ignored() -> None:
    targets = load_app_settings(app("commented"), environ=NO_ENV).map_targets()
    assert targets.canvas is not None and targets.canvas.name == "CanvasDb"
    assert targets.ksessions is not None and targets.ksessions.name == "KSessionsDb"
    assert targets.ignored == ("KQUR",)


def test_default_connection_fills_only_the_missing_one(tmp_path: Path) -> None:
    path = write(tmp_path, "appsettings.json", """{"ConnectionStrings": {
        "DefaultConnection": "Server=a;Database=KSESSIONS_DEV;User Id=u",
        "KSessionsReadOnly": "Server=b;Database=KSESSIONS_DEV;User Id=r"}}""")
    targets = load_app_settings(path, environ=NO_ENV).map_targets()
    assert targets.canvas is not None and targets.canvas.name == "DefaultConnection"
    assert targets.ksessions is not None and targets.ksessions.name == "KSessionsReadOnly"


def test_two_candidates_are_refused_with_the_option_to_choose(tmp_path: Path) -> None:
    path = write(tmp_path, "appsettings.json", """{"ConnectionStrings": {
        "KSessionsDb": "Server=a;Database=K;User Id=u",
        "KSessionsArchive": "Server=b;Database=K;User Id=u"}}""")
    settings = load_app_settings(path, environ=NO_ENV)
    with pytest.raises(ConfigError, match="KSessionsDb, KSessionsArchive") as caught:
        settings.map_targets()
    assert caught.value.hint == "Choose one with --ksessions-name NAME."
    chosen = settings.map_targets(ksessions_name="kSESSIONSarchive")
    assert chosen.ksessions is not None and chosen.ksessions.name == "KSessionsArchive"


def test_explicit_name_that_does_not_exist(tmp_path: Path) -> None:
    settings = load_app_settings(app("split"), environ=NO_ENV)
    with pytest.raises(ConfigError, match="no connection string named Nope"):
        settings.map_targets(canvas_name="Nope")


def test_nothing_usable_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "appsettings.json", '{"ConnectionStrings": {"Redis": "x:1"}}')
    with pytest.raises(ConfigError, match=r"no connection string for canvas or KSESSIONS"):
        load_app_settings(path, environ=NO_ENV).map_targets()


def test_unreadable_connection_string_is_reported_without_its_password() -> None:
    settings = load_app_settings(app("badconn"), environ=NO_ENV)
    entry = settings.connection_strings[0]
    assert entry.connection is None and entry.masked == "(unreadable)"
    with pytest.raises(ConfigError) as caught:
        entry.require()
    assert "unterminated quote" in caught.value.message
    assert "Unterminated-Pw-6" not in caught.value.message


@pytest.mark.parametrize(
    ("value", "error"),
    [("", "the value is empty"), (None, "the value is empty"), (42, "the value is not text")],
)
def test_empty_or_non_text_values(tmp_path: Path, value: object, error: str) -> None:
    path = write(tmp_path, "appsettings.json", json.dumps({"ConnectionStrings": {"X": value}}))
    (entry,) = load_app_settings(path, environ=NO_ENV).connection_strings
    assert entry.connection is None and entry.error == error


# --- without_password (what goes into config.toml) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Password=adf4961glo;"
         "Encrypt=false", "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;"
         "Encrypt=false"),
        ('Password="a;b";Server=s;Database=d', "Server=s;Database=d"),
        ("Server=s;pwd={x}}y};Database=d;", "Server=s;Database=d"),
        ("Server=s;Database=d;Password=", "Server=s;Database=d"),
        ("Server=s;Database=d;Password=one;PWD=two", "Server=s;Database=d"),
        ("Server=s;Database=d;Integrated Security=true", "Server=s;Database=d;Integrated "
         "Security=true"),
    ],
)
def test_without_password(text: str, expected: str) -> None:
    stripped = parse_connection_string(text).without_password()
    assert stripped == expected
    assert parse_connection_string(stripped).password is None


# --- editing config.toml -----------------------------------------------------------------------


REPO_CONFIG = Path(__file__).parent.parent / "config.toml"


def test_edit_replaces_only_the_keys_it_sets() -> None:
    text = REPO_CONFIG.read_text(encoding="utf-8")
    edited = edit_tables(text, {
        "canvas": TableEdit(set={"connection_string": ("Server=A\\B;Database=D", "note")},
                            remove=("url",)),
    })
    before, after = text.splitlines(), edited.splitlines()
    changed = [line for line in after if line not in before]
    assert changed == ['connection_string = "Server=A\\\\B;Database=D"  # note']
    assert [line for line in before if line not in after] == [
        line for line in before if line.startswith("url = \"sqlite:///data/canvas.db\"")
    ]
    data = tomllib.loads(edited)
    assert data["canvas"] == {"connection_string": "Server=A\\B;Database=D"}
    assert data["ksessions"]["url"] == "sqlite:///data/ksessions.db"


def test_edit_appends_a_missing_table_and_keeps_comments() -> None:
    text = "# top\nenvironment = \"development\"  # keep me\n"
    edited = edit_tables(text, {"tui": TableEdit(set={"app_settings": ("a.json", None)})})
    assert edited.startswith(text)
    assert tomllib.loads(edited)["tui"] == {"app_settings": "a.json"}


def test_edit_keeps_a_trailing_comment_of_a_replaced_key() -> None:
    text = '[tui]\napp_settings = "old # not a comment"  # the app\n'
    edited = edit_tables(text, {"tui": TableEdit(set={"app_settings": ("new", None)})})
    assert edited == '[tui]\napp_settings = "new"  # the app\n'


@pytest.mark.parametrize("text", [
    'canvas = { url = "sqlite:///a.db", odbc_driver = "FreeTDS" }  # inline\n',
    'canvas.url = "sqlite:///a.db"\ncanvas.odbc_driver = "FreeTDS"\n',
])
def test_edit_follows_inline_tables_and_dotted_keys(text: str) -> None:
    edited = edit_tables(text, {"canvas": TableEdit(set={"connection_string": ("S=x", None)},
                                                    remove=("url",))})
    assert tomllib.loads(edited) == {
        "canvas": {"connection_string": "S=x", "odbc_driver": "FreeTDS"}}
    assert edited.count("\n") == text.count("\n")  # written in the file's own layout


def test_edit_refuses_a_layout_it_cannot_follow() -> None:
    text = '[[canvas]]\nurl = "sqlite:///a.db"\n'  # an array of tables, not a table
    with pytest.raises(ConfigError, match="cannot be edited safely"):
        edit_tables(text, {"canvas": TableEdit(set={"connection_string": ("S=x", None)},
                                               remove=("url",))})


def test_edit_refuses_invalid_toml() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        edit_tables("[canvas\n", {})


@pytest.mark.parametrize("value", ['a"b', "c:\\dir\\x", "tab\there", "é ü", "\x7f", "line\nnext"])
def test_toml_string_round_trips(value: str) -> None:
    assert tomllib.loads(f"k = {toml_string(value)}")["k"] == value
