"""Tests for the ADO.NET / SQL Server connection-string parser."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy.dialects.mssql.pyodbc import MSDialect_pyodbc
from sqlalchemy.engine import URL

try:
    import hostprov_tui  # noqa: F401
except ModuleNotFoundError:  # pytest's "prepend" import mode puts tests/, not the repo, on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hostprov_tui.config.adonet import (
    DEFAULT_ODBC_DRIVER,
    AdoNetConnection,
    ConnectionStringError,
    parse_connection_string,
)

AHHOME = (
    "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Password=adf4961glo;"
    "Connection Timeout=3600;MultipleActiveResultSets=true;TrustServerCertificate=true;"
    "Encrypt=false"
)
DRIVER_QUERY = "driver=ODBC+Driver+18+for+SQL+Server"

_DEFAULTS: dict[str, Any] = {
    "port": None,
    "instance": None,
    "database": None,
    "user": None,
    "password": None,
    "integrated_security": False,
    "encrypt": None,
    "trust_server_certificate": None,
    "connect_timeout": None,
    "multiple_active_result_sets": None,
    "application_name": None,
    "extras": {},
}


def fields_of(conn: AdoNetConnection) -> dict[str, Any]:
    """Every public field, with the password unwrapped so it can be compared."""
    values = {
        f.name: getattr(conn, f.name)
        for f in dataclasses.fields(conn)
        if not f.name.startswith("_")
    }
    password = values["password"]
    values["password"] = None if password is None else password.get_secret_value()
    return values


def expect(server: str, **overrides: Any) -> dict[str, Any]:
    unknown = set(overrides) - set(_DEFAULTS)
    assert not unknown, f"typo in test expectation: {unknown}"
    return {"server": server, **_DEFAULTS, **overrides}


def connect_string(url: URL) -> str:
    """The ODBC connection string SQLAlchemy's pyodbc dialect would hand to pyodbc."""
    args, _ = MSDialect_pyodbc().create_connect_args(url)
    return str(args[0])


# ---------------------------------------------------------------------------------------------
# Real-world shapes that parse
# ---------------------------------------------------------------------------------------------

SHAPES = [
    pytest.param(
        AHHOME,
        expect(
            "AHHOME",
            database="KSESSIONS_DEV",
            user="sa",
            password="adf4961glo",
            connect_timeout=3600,
            multiple_active_result_sets=True,
            trust_server_certificate=True,
            encrypt="no",
        ),
        id="ahhome-dev",
    ),
    pytest.param(
        "Server=tcp:x.database.windows.net,1433;Initial Catalog=db;Persist Security Info=False;"
        "User ID=u;Password={p;w}}};MultipleActiveResultSets=False;Encrypt=True;"
        "TrustServerCertificate=False;Connection Timeout=30;",
        expect(
            "x.database.windows.net",
            port=1433,
            database="db",
            user="u",
            password="p;w}",
            multiple_active_result_sets=False,
            encrypt="yes",
            trust_server_certificate=False,
            connect_timeout=30,
            extras={"persist security info": "False"},
        ),
        id="azure-braced-password-with-escaped-brace",
    ),
    pytest.param(
        "Server=tcp:x.database.windows.net,1433;Initial Catalog=db;Persist Security Info=False;"
        "User ID=u;Password={p;w};MultipleActiveResultSets=False;Encrypt=True;"
        "TrustServerCertificate=False;Connection Timeout=30;",
        expect(
            "x.database.windows.net",
            port=1433,
            database="db",
            user="u",
            password="p;w",
            multiple_active_result_sets=False,
            encrypt="yes",
            trust_server_certificate=False,
            connect_timeout=30,
            extras={"persist security info": "False"},
        ),
        id="azure-braced-password",
    ),
    pytest.param(
        "Server=tcp:contoso.database.windows.net,1433;Database=sales;User ID=admin@contoso;"
        "Password={your_password};Encrypt=Strict;Connection Timeout=30;",
        expect(
            "contoso.database.windows.net",
            port=1433,
            database="sales",
            user="admin@contoso",
            password="your_password",
            encrypt="strict",
            connect_timeout=30,
        ),
        id="azure-portal-template-strict",
    ),
    pytest.param(
        r"Server=(localdb)\MSSQLLocalDB;Database=AppDb;Trusted_Connection=True;"
        "MultipleActiveResultSets=true",
        expect(
            "(localdb)",
            instance="MSSQLLocalDB",
            database="AppDb",
            integrated_security=True,
            multiple_active_result_sets=True,
        ),
        id="localdb-ef-core-template",
    ),
    pytest.param(
        r"Data Source=(LocalDB)\.\TeamShared;Initial Catalog=Shared;Integrated Security=True",
        expect(
            "(LocalDB)",
            instance=r".\TeamShared",
            database="Shared",
            integrated_security=True,
        ),
        id="localdb-shared-instance",
    ),
    pytest.param(
        r"Server=.\SQLEXPRESS;Database=Northwind;Trusted_Connection=True;",
        expect(".", instance="SQLEXPRESS", database="Northwind", integrated_security=True),
        id="dot-named-instance-sqlexpress",
    ),
    pytest.param(
        "Data Source=(local);Initial Catalog=Pubs;Integrated Security=SSPI",
        expect("(local)", database="Pubs", integrated_security=True),
        id="local-sspi",
    ),
    pytest.param(
        "Server=localhost,1433;Database=master;User Id=sa;Password=Passw0rd!Strong",
        expect(
            "localhost",
            port=1433,
            database="master",
            user="sa",
            password="Passw0rd!Strong",
        ),
        id="docker-localhost-port",
    ),
    pytest.param(
        "Server=tcp:10.0.0.5,1434;Database=ops;User Id=ops_reader;Password=r34d0nly",
        expect("10.0.0.5", port=1434, database="ops", user="ops_reader", password="r34d0nly"),
        id="tcp-ip-and-port",
    ),
    pytest.param(
        r"Data Source=DBHOST\INST01,50123;Initial Catalog=Billing;User ID=billing;"
        "Password=B1ll!ng#2024",
        expect(
            "DBHOST",
            port=50123,
            instance="INST01",
            database="Billing",
            user="billing",
            password="B1ll!ng#2024",
        ),
        id="named-instance-with-port",
    ),
    pytest.param(
        r"Server=np:\\DBHOST\pipe\MSSQL$SALES\sql\query;Database=sales;Trusted_Connection=yes",
        expect("DBHOST", instance="SALES", database="sales", integrated_security=True),
        id="named-pipe-named-instance",
    ),
    pytest.param(
        r"Server=np:\\.\pipe\sql\query;Database=sales;Integrated Security=true",
        expect(".", database="sales", integrated_security=True),
        id="named-pipe-default-instance",
    ),
    pytest.param(
        "Server=lpc:(local);Database=tempdb;Integrated Security=yes",
        expect("(local)", database="tempdb", integrated_security=True),
        id="shared-memory-prefix",
    ),
    pytest.param(
        "Server=admin:PRODSQL01;Database=master;Integrated Security=true",
        expect("PRODSQL01", database="master", integrated_security=True),
        id="dedicated-admin-connection-prefix",
    ),
    pytest.param(
        "Address=db1.corp.local;Database=hr;User Id=hr;Password=hrpass99",
        expect("db1.corp.local", database="hr", user="hr", password="hrpass99"),
        id="address-synonym",
    ),
    pytest.param(
        "Addr=db2;Initial Catalog=hr;UID=hr;PWD=hrpass99",
        expect("db2", database="hr", user="hr", password="hrpass99"),
        id="addr-uid-pwd-synonyms",
    ),
    pytest.param(
        "Network Address=db3,2433;Database=hr;User=hr;Password=hrpass99",
        expect("db3", port=2433, database="hr", user="hr", password="hrpass99"),
        id="network-address-and-user-synonyms",
    ),
    pytest.param(
        'Server=db;Database=x;User Id=u;Password="a;b=c";',
        expect("db", database="x", user="u", password="a;b=c"),
        id="double-quoted-password-with-semicolon",
    ),
    pytest.param(
        "Server=db;Database=x;User Id=u;Password='it''s;ok'",
        expect("db", database="x", user="u", password="it's;ok"),
        id="single-quoted-password-with-doubled-quote",
    ),
    pytest.param(
        'Server=db;Database=x;User Id=u;Password="say ""hi"";now"',
        expect("db", database="x", user="u", password='say "hi";now'),
        id="double-quoted-password-with-doubled-quote",
    ),
    pytest.param(
        "Server=db;Database=x;User Id=u;Password='q\"uo\"te'",
        expect("db", database="x", user="u", password='q"uo"te'),
        id="single-quoted-password-with-double-quotes",
    ),
    pytest.param(
        'Server=db;Database=x;User Id=u;Password="O\'Brien;1"',
        expect("db", database="x", user="u", password="O'Brien;1"),
        id="double-quoted-password-with-apostrophe",
    ),
    pytest.param(
        "Server=db;Database=x;User Id=u;Password=ab'c\"d",
        expect("db", database="x", user="u", password="ab'c\"d"),
        id="unquoted-password-with-inner-quotes",
    ),
    pytest.param(
        "Server=db;Database=x;User Id=u;Password=a=b==",
        expect("db", database="x", user="u", password="a=b=="),
        id="password-with-equals-signs",
    ),
    pytest.param(
        'Server=db;Database=x;User Id=u;Password="  spaced  "  ;',
        expect("db", database="x", user="u", password="  spaced  "),
        id="quoted-password-keeps-inner-spaces",
    ),
    pytest.param(
        "  SERVER = db1 ;  initial   CATALOG= Foo Bar ; user ID =bob ;PASSWORD= pw-9x ; "
        "encrypt = TRUE; trustSERVERcertificate= Yes ; CONNECT timeout=  15 ",
        expect(
            "db1",
            database="Foo Bar",
            user="bob",
            password="pw-9x",
            encrypt="yes",
            trust_server_certificate=True,
            connect_timeout=15,
        ),
        id="odd-casing-and-spacing",
    ),
    pytest.param(
        "Server=db1;\n    Database=x;\n    User Id=u;\n    Password=multi-line-pw;\n",
        expect("db1", database="x", user="u", password="multi-line-pw"),
        id="multi-line-from-config-file",
    ),
    pytest.param(
        ";;Server=db1;;Database=x;; ;Integrated Security=true;;;",
        expect("db1", database="x", integrated_security=True),
        id="empty-segments",
    ),
    pytest.param(
        "Server=a;Server=b;Database=one;Initial Catalog=two;Password=first-pw;PWD=second-pw;"
        "User Id=u",
        expect("b", database="two", user="u", password="second-pw"),
        id="duplicated-keys-last-wins",
    ),
    pytest.param(
        "Data Source=old;Encrypt=true;Server=new,1500;Encrypt=no",
        expect("new", port=1500, encrypt="no"),
        id="duplicated-synonyms-last-wins",
    ),
    pytest.param(
        "Server=db;Database=x;Database=;Application Name=app;App=",
        expect("db"),
        id="empty-value-unsets",
    ),
    pytest.param(
        "Server=db;Database=x;Encrypt=Mandatory;Trust Server Certificate=false",
        expect("db", database="x", encrypt="mandatory", trust_server_certificate=False),
        id="encrypt-mandatory-trust-spaced",
    ),
    pytest.param(
        "Server=db;Database=x;Encrypt=OPTIONAL;Timeout=0",
        expect("db", database="x", encrypt="optional", connect_timeout=0),
        id="encrypt-optional-timeout-zero",
    ),
    pytest.param(
        "Server=db;Database=x;Multiple Active Result Sets=no;Application Name=Host Provisioner",
        expect(
            "db",
            database="x",
            multiple_active_result_sets=False,
            application_name="Host Provisioner",
        ),
        id="mars-spaced-application-name",
    ),
    pytest.param(
        "Server=db;Database=x;App={My; App};Integrated Security=False;User Id=u;Password=p4ss",
        expect(
            "db",
            database="x",
            application_name="My; App",
            user="u",
            password="p4ss",
        ),
        id="braced-app-name",
    ),
    pytest.param(
        "Server=sqlprod;Database=crm;User Id=crm;Password=crm-pw-1;Pooling=false;"
        "Max Pool Size=100;ApplicationIntent=ReadOnly;MultiSubnetFailover=True;"
        "Workstation ID=WS-42",
        expect(
            "sqlprod",
            database="crm",
            user="crm",
            password="crm-pw-1",
            extras={
                "pooling": "false",
                "max pool size": "100",
                "applicationintent": "ReadOnly",
                "multisubnetfailover": "True",
                "workstation id": "WS-42",
            },
        ),
        id="unknown-keys-go-to-extras",
    ),
    pytest.param(
        "Provider=SQLOLEDB;Data Source=legacy;Initial Catalog=Old;User Id=u;Password=oledb-pw;",
        expect(
            "legacy",
            database="Old",
            user="u",
            password="oledb-pw",
            extras={"provider": "SQLOLEDB"},
        ),
        id="ole-db-provider",
    ),
    pytest.param(
        "Server=tcp:[::1],1433;Database=x;Integrated Security=true",
        expect("::1", port=1433, database="x", integrated_security=True),
        id="ipv6-loopback",
    ),
    pytest.param(
        "Server=SQL01.example.org , 1444 ;Database=x;User Id=DOMAIN\\svc;Password=svc-pw-7",
        expect(
            "SQL01.example.org",
            port=1444,
            database="x",
            user="DOMAIN\\svc",
            password="svc-pw-7",
        ),
        id="spaces-around-port-comma",
    ),
    pytest.param(
        'Server=db;Database=x;User Id=u;Password="""quoted"""',
        expect("db", database="x", user="u", password='"quoted"'),
        id="password-made-of-escaped-quotes",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_parses_real_world_shapes(text: str, expected: dict[str, Any]) -> None:
    assert fields_of(parse_connection_string(text)) == expected


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_password_never_shown(text: str, expected: dict[str, Any]) -> None:
    conn = parse_connection_string(text)
    secret = expected["password"]
    if secret is None:
        assert conn.password is None
        return
    assert conn.password is not None
    assert conn.password.get_secret_value() == secret
    for shown in (repr(conn), str(conn), conn.masked(), repr(conn.describe())):
        assert secret not in shown
    assert "***" in conn.masked()


def test_has_at_least_35_shapes() -> None:
    assert len(SHAPES) >= 35


# ---------------------------------------------------------------------------------------------
# The AHHOME string, end to end
# ---------------------------------------------------------------------------------------------


def test_ahhome_url_and_odbc_string() -> None:
    conn = parse_connection_string(AHHOME)
    url = conn.to_url()

    assert url.render_as_string(hide_password=True) == (
        "mssql+pyodbc://sa:***@AHHOME/KSESSIONS_DEV?Encrypt=no&MARS_Connection=yes"
        f"&TrustServerCertificate=yes&{DRIVER_QUERY}"
    )
    assert "adf4961glo" not in str(url)
    assert "adf4961glo" not in repr(url)
    assert url.drivername == "mssql+pyodbc"
    assert url.username == "sa"
    assert url.password == "adf4961glo"
    assert url.host == "AHHOME"
    assert url.port is None
    assert url.database == "KSESSIONS_DEV"
    assert dict(url.query) == {
        "driver": DEFAULT_ODBC_DRIVER,
        "Encrypt": "no",
        "TrustServerCertificate": "yes",
        "MARS_Connection": "yes",
    }
    assert connect_string(url) == (
        "DRIVER={ODBC Driver 18 for SQL Server};Server=AHHOME;Database=KSESSIONS_DEV;"
        "UID=sa;PWD=adf4961glo;Encrypt=no;TrustServerCertificate=yes;MARS_Connection=yes"
    )
    assert conn.connect_args() == {"timeout": 3600}


def test_ahhome_masked_keeps_the_shape() -> None:
    assert parse_connection_string(AHHOME).masked() == (
        "Data Source=AHHOME;Initial Catalog=KSESSIONS_DEV;User Id=sa;Password=***;"
        "Connection Timeout=3600;MultipleActiveResultSets=true;TrustServerCertificate=true;"
        "Encrypt=false"
    )


def test_ahhome_describe() -> None:
    assert parse_connection_string(AHHOME).describe() == {
        "server": "AHHOME",
        "port": None,
        "instance": None,
        "database": "KSESSIONS_DEV",
        "user": "sa",
        "encrypt": "no",
        "trust_server_certificate": True,
        "integrated_security": False,
        "password_set": True,
    }


def test_repr_and_str_hide_password() -> None:
    conn = parse_connection_string(AHHOME)
    assert "adf4961glo" not in repr(conn)
    assert "adf4961glo" not in str(conn)
    assert "adf4961glo" not in f"{conn!r} {conn!s} {conn}"
    assert "SecretStr('**********')" in repr(conn)
    assert str(conn) == conn.masked()


# ---------------------------------------------------------------------------------------------
# to_url
# ---------------------------------------------------------------------------------------------


def test_azure_url_quotes_password_for_odbc() -> None:
    conn = parse_connection_string(
        "Server=tcp:x.database.windows.net,1433;Initial Catalog=db;Persist Security Info=False;"
        "User ID=u;Password={p;w}}};MultipleActiveResultSets=False;Encrypt=True;"
        "TrustServerCertificate=False;Connection Timeout=30;"
    )
    url = conn.to_url()
    assert url.render_as_string(hide_password=True) == (
        "mssql+pyodbc://u:***@x.database.windows.net:1433/db?Encrypt=yes&MARS_Connection=no"
        f"&TrustServerCertificate=no&{DRIVER_QUERY}"
    )
    assert url.password == "p;w}"
    assert connect_string(url) == (
        "DRIVER={ODBC Driver 18 for SQL Server};Server=x.database.windows.net,1433;Database=db;"
        "UID=u;PWD={p;w}}};Encrypt=yes;TrustServerCertificate=no;MARS_Connection=no"
    )


def test_named_instance_goes_into_host() -> None:
    conn = parse_connection_string(
        r"Data Source=DBHOST\INST01,50123;Initial Catalog=Billing;User ID=billing;Password=pw-b1"
    )
    url = conn.to_url()
    assert url.host == r"DBHOST\INST01"
    assert url.port == 50123
    assert conn.server_with_instance == r"DBHOST\INST01"
    assert r"Server=DBHOST\INST01,50123;Database=Billing;" in connect_string(url)


def test_localdb_instance_in_host() -> None:
    conn = parse_connection_string(
        r"Server=(localdb)\MSSQLLocalDB;Database=AppDb;Trusted_Connection=True"
    )
    assert conn.to_url().host == r"(localdb)\MSSQLLocalDB"


def test_integrated_security_url_has_no_user() -> None:
    conn = parse_connection_string(
        r"Server=.\SQLEXPRESS;Database=Northwind;Integrated Security=SSPI;User Id=ignored;"
        "Password=ignored-pw"
    )
    url = conn.to_url()
    assert url.username is None
    assert url.password is None
    assert dict(url.query) == {"driver": DEFAULT_ODBC_DRIVER, "Trusted_Connection": "yes"}
    assert url.render_as_string(hide_password=False) == (
        rf"mssql+pyodbc://.\SQLEXPRESS/Northwind?Trusted_Connection=yes&{DRIVER_QUERY}"
    )
    odbc = connect_string(url)
    assert "UID=" not in odbc
    assert "ignored-pw" not in odbc


def test_password_argument_overrides_parsed_one() -> None:
    conn = parse_connection_string(AHHOME)
    url = conn.to_url(password=SecretStr("from-env-Secret"))
    assert url.password == "from-env-Secret"
    assert "from-env-Secret" not in url.render_as_string(hide_password=True)
    assert "adf4961glo" not in url.render_as_string(hide_password=False)
    assert "PWD=from-env-Secret" in connect_string(url)


def test_password_argument_supplies_missing_password() -> None:
    conn = parse_connection_string("Server=db;Database=x;User Id=app")
    assert conn.to_url().password is None
    assert conn.to_url(password=SecretStr("late-pw")).password == "late-pw"


def test_custom_driver() -> None:
    url = parse_connection_string(AHHOME).to_url(driver="ODBC Driver 17 for SQL Server")
    assert url.query["driver"] == "ODBC Driver 17 for SQL Server"
    assert connect_string(url).startswith("DRIVER={ODBC Driver 17 for SQL Server};")


@pytest.mark.parametrize(
    ("word", "in_url"),
    [
        ("true", "yes"),
        ("Yes", "yes"),
        ("FALSE", "no"),
        ("no", "no"),
        ("Strict", "strict"),
        ("Mandatory", "yes"),
        ("Optional", "no"),
    ],
)
def test_encrypt_in_url(word: str, in_url: str) -> None:
    conn = parse_connection_string(f"Server=db;Database=x;User Id=u;Encrypt={word}")
    assert conn.to_url().query["Encrypt"] == in_url


def test_url_leaves_out_unset_options() -> None:
    url = parse_connection_string("Server=db;Database=x;User Id=u;Password=pw-0").to_url()
    assert dict(url.query) == {"driver": DEFAULT_ODBC_DRIVER}


def test_application_name_goes_to_odbc_app() -> None:
    url = parse_connection_string(
        "Server=db;Database=x;Integrated Security=true;Application Name=Host Provisioner"
    ).to_url()
    assert url.query["APP"] == "Host Provisioner"
    assert connect_string(url).endswith(";APP=Host Provisioner")


def test_to_url_needs_a_database() -> None:
    conn = parse_connection_string("Server=db;User Id=u;Password=no-db-pw")
    with pytest.raises(ConnectionStringError, match=r"^no database given") as info:
        conn.to_url()
    assert "no-db-pw" not in str(info.value)


def test_to_url_needs_a_login() -> None:
    conn = parse_connection_string("Server=db;Database=x;Password=lonely-pw")
    with pytest.raises(ConnectionStringError, match=r"^no user given") as info:
        conn.to_url()
    assert "lonely-pw" not in str(info.value)


def test_to_url_rejects_blank_driver() -> None:
    with pytest.raises(ConnectionStringError, match="driver"):
        parse_connection_string(AHHOME).to_url(driver="  ")


def test_connect_args_without_timeout() -> None:
    assert parse_connection_string("Server=db").connect_args() == {}


# ---------------------------------------------------------------------------------------------
# masked() and describe()
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            'Server=db; Password = "a;b" ;Database=x',
            "Server=db; Password = *** ;Database=x",
        ),
        (
            "server=db;PWD={x}}y};uid=u",
            "server=db;PWD=***;uid=u",
        ),
        (
            "Password=first-pw;Server=db;Password='second;pw'",
            "Password=***;Server=db;Password=***",
        ),
        (
            "Server=db;Password=;Database=x",
            "Server=db;Password=;Database=x",
        ),
        (
            "Server=db;Database=x",
            "Server=db;Database=x",
        ),
    ],
)
def test_masked_replaces_only_passwords(text: str, masked: str) -> None:
    assert parse_connection_string(text).masked() == masked


def test_masked_for_connection_built_in_code() -> None:
    conn = AdoNetConnection(
        server="db",
        port=1433,
        instance="SQL1",
        database="x",
        user="u",
        password=SecretStr("coded-pw"),
        encrypt="yes",
        trust_server_certificate=True,
        application_name="a;b",
    )
    masked = conn.masked()
    assert masked == (
        r"Server=db\SQL1,1433;Database=x;User Id=u;Password=***;Encrypt=yes;"
        'TrustServerCertificate=true;Application Name="a;b"'
    )
    assert "coded-pw" not in masked
    assert "coded-pw" not in repr(conn)
    reparsed = parse_connection_string(masked)
    assert reparsed.describe() == conn.describe()
    assert reparsed.application_name == "a;b"


def test_describe_without_password() -> None:
    described = parse_connection_string(
        r"Server=tcp:db\INST,1500;Database=x;Trusted_Connection=yes;Encrypt=strict"
    ).describe()
    assert described == {
        "server": "db",
        "port": 1500,
        "instance": "INST",
        "database": "x",
        "user": None,
        "encrypt": "strict",
        "trust_server_certificate": None,
        "integrated_security": True,
        "password_set": False,
    }
    assert "password" not in described


def test_same_target_written_differently_is_equal() -> None:
    a = parse_connection_string(AHHOME)
    b = parse_connection_string(
        " server = AHHOME ; DATABASE=KSESSIONS_DEV;uid=sa;pwd='adf4961glo';timeout=3600;"
        "Multiple Active Result Sets=yes;Trust Server Certificate=YES;encrypt=no;"
    )
    assert a == b
    assert a.describe() == b.describe()
    assert hash(a) == hash(b)


def test_different_password_is_not_equal_but_describes_the_same() -> None:
    a = parse_connection_string(AHHOME)
    b = parse_connection_string(AHHOME.replace("adf4961glo", "other-pw"))
    assert a != b
    assert a.describe() == b.describe()


def test_is_frozen() -> None:
    conn = parse_connection_string(AHHOME)
    with pytest.raises(dataclasses.FrozenInstanceError):
        conn.server = "elsewhere"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Broken strings
# ---------------------------------------------------------------------------------------------

BROKEN = [
    pytest.param(
        "Server=db;Database=x;Data Source;Password=bad-pw-1",
        'segment 3 "Data Source" has no "=" sign',
        "bad-pw-1",
        id="segment-without-equals",
    ),
    pytest.param(
        'Server=db;User Id=u;Password="abc;def;Database=x',
        'unterminated quote in the value of "Password"',
        "abc",
        id="unterminated-double-quote-in-password",
    ),
    pytest.param(
        "Server=db;User Id=u;Pwd='it''s",
        'unterminated quote in the value of "Pwd"',
        "it",
        id="unterminated-single-quote-in-password",
    ),
    pytest.param(
        "Server=db;User Id=u;Password={abc;def",
        'unterminated brace "{" in the value of "Password"',
        "abc",
        id="unterminated-brace-in-password",
    ),
    pytest.param(
        # "}}" inside braces is an escaped "}", so this brace never closes (write "{p;w}}}").
        "Server=tcp:x.database.windows.net,1433;Initial Catalog=db;Persist Security Info=False;"
        "User ID=u;Password={p;w}};MultipleActiveResultSets=False;Encrypt=True;"
        "TrustServerCertificate=False;Connection Timeout=30;",
        'unterminated brace "{" in the value of "Password"',
        "p;w",
        id="azure-brace-not-closed",
    ),
    pytest.param(
        "Server=db;User Id=u;Password=abc;def;Database=x",
        'segment 4 (right after "Password") has no "=" sign; '
        'if the password contains ";", wrap it in quotes',
        "def",
        id="unquoted-semicolon-in-password",
    ),
    pytest.param(
        'Server=db;Password="secret-1"xyz;Database=x',
        'unexpected text after the closing quote in the value of "Password"',
        "secret-1",
        id="text-after-closing-quote",
    ),
    pytest.param(
        "Server=db;Password=pw-top;=orphan",
        'segment 3 has no key name before its "=" sign',
        "pw-top",
        id="empty-key",
    ),
    pytest.param(
        "Server=db;Password=pw-abc-1;Connection Timeout=abc",
        '"Connection Timeout" must be a whole number of seconds, got "abc"',
        "pw-abc-1",
        id="timeout-not-a-number",
    ),
    pytest.param(
        "Server=db;Password=pw-neg-1;connect timeout=-5",
        '"connect timeout" must be a whole number of seconds, got "-5"',
        "pw-neg-1",
        id="timeout-negative",
    ),
    pytest.param(
        "Initial Catalog=x;User Id=sa;Password=adf4961glo",
        "no server given (expected Server= or Data Source=)",
        "adf4961glo",
        id="no-server",
    ),
    pytest.param(
        "Server=;Database=x;Password=pw-empty-srv",
        "no server given (expected Server= or Data Source=)",
        "pw-empty-srv",
        id="empty-server",
    ),
    pytest.param(
        "Server=db,14x3;Password=pw-port-1",
        'port "14x3" in Server is not a number',
        "pw-port-1",
        id="port-not-a-number",
    ),
    pytest.param(
        "Data Source=db,70000;Password=pw-port-2",
        "port 70000 in Data Source is out of range (1-65535)",
        "pw-port-2",
        id="port-out-of-range",
    ),
    pytest.param(
        "Server=db,;Password=pw-port-3",
        'Server "db," has a "," but no port after it',
        "pw-port-3",
        id="comma-without-port",
    ),
    pytest.param(
        "Server=x.database.windows.net:1433;Password=pw-colon-1",
        'Server "x.database.windows.net:1433" gives the port after ":", '
        'but SQL Server expects "host,port"',
        "pw-colon-1",
        id="port-after-colon",
    ),
    pytest.param(
        "Server=udp:db;Password=pw-proto-1",
        'unknown protocol "udp:" in Server (expected tcp:, np:, lpc: or admin:)',
        "pw-proto-1",
        id="unknown-protocol",
    ),
    pytest.param(
        "Server=db\\;Password=pw-inst-1",
        'the instance name after "\\" in Server "db\\" is empty',
        "pw-inst-1",
        id="empty-instance",
    ),
    pytest.param(
        "Server=a\\b\\c;Password=pw-inst-2",
        'Server "a\\b\\c" has more than one "\\"',
        "pw-inst-2",
        id="two-backslashes",
    ),
    pytest.param(
        "Server=,1433;Password=pw-host-1",
        'no host name in Server ",1433"',
        "pw-host-1",
        id="no-host",
    ),
    pytest.param(
        "Server=my db;Password=pw-space-1",
        'host name "my db" in Server contains a space',
        "pw-space-1",
        id="space-in-host",
    ),
    pytest.param(
        "Server=db;Password=pw-tsc-1;TrustServerCertificate=maybe",
        '"TrustServerCertificate" must be true, false, yes or no, got "maybe"',
        "pw-tsc-1",
        id="bad-boolean",
    ),
    pytest.param(
        "Server=db;Password=pw-mars-1;MultipleActiveResultSets=1",
        '"MultipleActiveResultSets" must be true, false, yes or no, got "1"',
        "pw-mars-1",
        id="bad-boolean-digit",
    ),
    pytest.param(
        "Server=db;Password=pw-iss-1;Integrated Security=kerberos",
        '"Integrated Security" must be true, false, yes, no or sspi, got "kerberos"',
        "pw-iss-1",
        id="bad-integrated-security",
    ),
    pytest.param(
        "Server=db;Password=pw-enc-1;Encrypt=sometimes",
        '"Encrypt" must be true, false, yes, no, strict, mandatory or optional, got "sometimes"',
        "pw-enc-1",
        id="bad-encrypt",
    ),
    pytest.param(
        "Password=hunter22;Server=hunter22:1433",
        'Server "***:1433" gives the port after ":", but SQL Server expects "host,port"',
        "hunter22",
        id="password-echoed-elsewhere-is-scrubbed",
    ),
    pytest.param(
        "   ",
        "the connection string is empty",
        "",
        id="blank",
    ),
    pytest.param(
        ";;;",
        "no server given (expected Server= or Data Source=)",
        "",
        id="only-semicolons",
    ),
]


@pytest.mark.parametrize(("text", "message", "password"), BROKEN)
def test_broken_strings(text: str, message: str, password: str) -> None:
    with pytest.raises(ConnectionStringError) as info:
        parse_connection_string(text)
    shown = str(info.value)
    assert shown == message
    if password:
        assert password not in shown
        assert password not in repr(info.value)


def test_has_at_least_10_broken_strings() -> None:
    assert len(BROKEN) >= 10


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no server given"):
        parse_connection_string("Database=x")
