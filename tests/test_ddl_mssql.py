"""The models compiled for SQL Server match the NOOR Canvas schema column for column (offline)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Table
from sqlalchemy.dialects import mssql
from sqlalchemy.schema import CreateIndex, CreateTable

from hostprov_tui.db.canvas_models import CanvasBase
from hostprov_tui.db.ksessions_models import KSessionsBase

# The schema as the design describes it: column → (SQL Server type, nullable). "int" renders
# as INTEGER, which SQL Server treats as the same type.
EXPECTED: dict[str, dict[str, tuple[str, bool]]] = {
    "canvas.Sessions": {
        "SessionId": ("BIGINT IDENTITY(1,1)", False),
        "KSessionsId": ("INTEGER", True),
        "GroupId": ("UNIQUEIDENTIFIER", False),
        "Title": ("NVARCHAR(200)", True),
        "Description": ("NVARCHAR(1000)", True),
        "Status": ("NVARCHAR(50) DEFAULT 'Created'", True),
        "ParticipantCount": ("INTEGER DEFAULT 0", True),
        "MaxParticipants": ("INTEGER", True),
        "StartedAt": ("DATETIME2", True),
        "EndedAt": ("DATETIME2", True),
        "ExpiresAt": ("DATETIME2", True),
        "CreatedAt": ("DATETIME2", False),
        "ModifiedAt": ("DATETIME2", False),
    },
    "canvas.HostSessions": {
        "HostSessionId": ("BIGINT IDENTITY(1,1)", False),
        "SessionId": ("BIGINT", False),
        "HostGuidHash": ("NVARCHAR(128)", False),
        "CreatedAt": ("DATETIME2", False),
        "ExpiresAt": ("DATETIME2", True),
        "LastUsedAt": ("DATETIME2", True),
        "CreatedBy": ("NVARCHAR(128)", True),
        "RevokedAt": ("DATETIME2", True),
        "RevokedBy": ("NVARCHAR(128)", True),
        "IsActive": ("BIT DEFAULT 1", False),
    },
    "dbo.Speakers": {"SpeakerID": ("INTEGER", False), "SpeakerName": ("NVARCHAR(150)", False)},
    "dbo.Groups": {
        "GroupID": ("INTEGER", False),
        "GroupName": ("NVARCHAR(255)", False),
        "GroupImage": ("NVARCHAR(255)", True),
        "GroupDescription": ("NVARCHAR(max)", True),
        "Syllabus": ("NVARCHAR(max)", True),
        "SpeakerID": ("INTEGER", True),
        "IsCompleted": ("BIT", True),
        "IsActive": ("BIT", True),
        "CreatedDate": ("DATETIME", True),
        "ChangedDate": ("DATETIME", True),
    },
    "dbo.Categories": {
        "CategoryID": ("INTEGER", False),
        "CategoryName": ("NVARCHAR(255)", False),
        "GroupID": ("INTEGER", False),
        "IsActive": ("BIT", True),
        "CreatedDate": ("DATETIME", True),
        "ChangedDate": ("DATETIME", True),
        "SortOrder": ("INTEGER", True),
    },
    "dbo.Sessions": {
        "SessionID": ("INTEGER", False),
        "GroupID": ("INTEGER", False),
        "Sequence": ("INTEGER", True),
        "CategoryID": ("INTEGER", False),
        "SessionName": ("NVARCHAR(500)", False),
        "Description": ("NVARCHAR(max)", True),
        "SessionDate": ("DATETIME", True),
        "MediaPath": ("NVARCHAR(500)", True),
        "SpeakerID": ("INTEGER", True),
        "DeliveryRating": ("INTEGER", True),
        "CreatedDate": ("DATETIME", True),
        "ChangedDate": ("DATETIME", True),
        "IsActive": ("BIT", True),
        "ImageCount": ("INTEGER", True),
        "ImagesFolderPath": ("NVARCHAR(500)", True),
        "ImagesProcessedDate": ("DATETIME", True),
    },
    "dbo.SessionTranscripts": {
        "TranscriptID": ("INTEGER", False),
        "SessionID": ("INTEGER", False),
        "Transcript": ("NVARCHAR(max)", True),
        "CreatedDate": ("DATETIME", True),
        "ChangedDate": ("DATETIME", True),
    },
}
PRIMARY_KEYS = {
    "canvas.Sessions": "SessionId", "canvas.HostSessions": "HostSessionId",
    "dbo.Speakers": "SpeakerID", "dbo.Groups": "GroupID", "dbo.Categories": "CategoryID",
    "dbo.Sessions": "SessionID", "dbo.SessionTranscripts": "TranscriptID",
}
_COLUMN = re.compile(r"^\s*\[(\w+)\] (.+?) (NOT NULL|NULL)(.*?),?\s*$")


def _tables() -> dict[str, Table]:
    tables = list(CanvasBase.metadata.sorted_tables) + list(KSessionsBase.metadata.sorted_tables)
    return {f"{t.schema}.{t.name}": t for t in tables}


def _ddl(table: Table) -> str:
    return str(CreateTable(table).compile(dialect=mssql.dialect()))


def _columns(ddl: str) -> dict[str, tuple[str, bool]]:
    """Column → (type with identity/default, nullable), parsed from CREATE TABLE."""
    found: dict[str, tuple[str, bool]] = {}
    for line in ddl.splitlines():
        match = _COLUMN.match(line)
        if match:
            name, type_, nullability, rest = match.groups()
            found[name] = (f"{type_} {rest.strip()}".strip(), nullability == "NULL")
    return found


def _index_ddl(table: Table) -> dict[str, str]:
    return {str(i.name): str(CreateIndex(i).compile(dialect=mssql.dialect()))
            for i in table.indexes}


def test_every_table_of_the_design_is_modelled() -> None:
    assert set(_tables()) == set(EXPECTED)


@pytest.mark.parametrize("qualified", sorted(EXPECTED))
def test_columns_match_the_design(qualified: str) -> None:
    ddl = _ddl(_tables()[qualified])
    schema, name = qualified.split(".")
    assert ddl.lstrip().startswith(f"CREATE TABLE {schema}.[{name}] (")
    assert _columns(ddl) == EXPECTED[qualified]  # names, order-free, types, NULL-ness, defaults
    assert f"PRIMARY KEY ([{PRIMARY_KEYS[qualified]}])" in ddl
    assert "NTEXT" not in ddl.upper() and "TEXT" not in ddl.upper().replace("NVARCHAR", "")


def test_canvas_identity_is_generated_by_the_database() -> None:
    for qualified in ("canvas.Sessions", "canvas.HostSessions"):
        ddl = _ddl(_tables()[qualified])
        assert ddl.count("IDENTITY(1,1)") == 1


def test_host_sessions_foreign_key_cascades() -> None:
    ddl = _ddl(_tables()["canvas.HostSessions"])
    assert (
        "CONSTRAINT [FK_HostSessions_Sessions_SessionId] FOREIGN KEY([SessionId]) "
        "REFERENCES canvas.[Sessions] ([SessionId]) ON DELETE CASCADE"
    ) in ddl


def test_indexes_match_the_design() -> None:
    tables = _tables()
    host = _index_ddl(tables["canvas.HostSessions"])
    assert host["IX_HostSessions_SessionGuidHash"] == (
        "CREATE UNIQUE INDEX [IX_HostSessions_SessionGuidHash] ON canvas.[HostSessions] "
        "([SessionId], [HostGuidHash])"
    )
    ks = _index_ddl(tables["dbo.Sessions"])
    assert ks["IX_Sessions_GroupID"] == (
        "CREATE INDEX [IX_Sessions_GroupID] ON dbo.[Sessions] ([GroupID])"
    )
    assert ks["IX_Sessions_CategoryID"] == (
        "CREATE INDEX [IX_Sessions_CategoryID] ON dbo.[Sessions] ([CategoryID])"
    )
    tr = _index_ddl(tables["dbo.SessionTranscripts"])
    assert tr["IX_SessionTranscripts_SessionID"] == (
        "CREATE INDEX [IX_SessionTranscripts_SessionID] ON dbo.[SessionTranscripts] ([SessionID])"
    )


def test_our_extra_indexes_are_filtered_and_unique() -> None:
    tables = _tables()
    assert _index_ddl(tables["canvas.Sessions"])["UX_Sessions_KSessionsId"] == (
        "CREATE UNIQUE INDEX [UX_Sessions_KSessionsId] ON canvas.[Sessions] ([KSessionsId]) "
        "WHERE [KSessionsId] IS NOT NULL"
    )
    assert _index_ddl(tables["canvas.HostSessions"])["UX_HostSessions_OneActive"] == (
        "CREATE UNIQUE INDEX [UX_HostSessions_OneActive] ON canvas.[HostSessions] ([SessionId]) "
        "WHERE [IsActive] = 1"
    )


# The tokens generation: canvas.Sessions as docs/design.md ("Two generations") lists it (SQL
# Server types).
TOKENS_EXPECTED: dict[str, tuple[str, bool]] = {
    "SessionId": ("BIGINT IDENTITY(1,1)", False),
    "AlbumId": ("UNIQUEIDENTIFIER", False),
    "HostToken": ("NVARCHAR(8)", False),
    "UserToken": ("NVARCHAR(8)", False),
    "Status": ("NVARCHAR(20)", False),
    "CreatedAt": ("DATETIME2", False),
    "ModifiedAt": ("DATETIME2", False),
    "StartedAt": ("DATETIME2", True),
    "EndedAt": ("DATETIME2", True),
    "ExpiresAt": ("DATETIME2", True),
    "ParticipantCount": ("INTEGER", True),
    "MaxParticipants": ("INTEGER", True),
    "ScheduledDate": ("NVARCHAR(20)", True),
    "ScheduledTime": ("NVARCHAR(20)", True),
    "ScheduledDuration": ("NVARCHAR(10)", True),
}


def _tokens_table() -> Table:
    from hostprov_tui.db.tokens_models import TokensBase

    return TokensBase.metadata.tables["canvas.Sessions"]


def test_tokens_generation_columns_match_the_design() -> None:
    ddl = _ddl(_tokens_table())
    assert ddl.lstrip().startswith("CREATE TABLE canvas.[Sessions] (")
    # no server defaults: the app's database may carry some, hostprov relies on none
    assert _columns(ddl) == TOKENS_EXPECTED
    assert "PRIMARY KEY ([SessionId])" in ddl
    assert ddl.count("IDENTITY(1,1)") == 1
    # DATETIME2 without a precision is datetime2(7): 100 ns, finer than Python's microseconds
    assert "DEFAULT" not in ddl and "DATETIME2(" not in ddl
    assert "DATETIME " not in ddl.replace("DATETIME2", "")


def test_tokens_generation_indexes_match_the_design() -> None:
    assert _index_ddl(_tokens_table()) == {
        "UQ_Sessions_HostToken":
            "CREATE UNIQUE INDEX [UQ_Sessions_HostToken] ON canvas.[Sessions] ([HostToken])",
        "UQ_Sessions_UserToken":
            "CREATE UNIQUE INDEX [UQ_Sessions_UserToken] ON canvas.[Sessions] ([UserToken])",
        "IX_Sessions_Status_Expires": "CREATE INDEX [IX_Sessions_Status_Expires] "
            "ON canvas.[Sessions] ([Status], [ExpiresAt])",
    }


# The app's Participants, SessionData and KSESSIONS Countries as its EF model snapshot builds
# them (asifhussain60/NOOR-CANVAS, SPA/NoorCanvas/: Migrations/
# SimplifiedCanvasDbContextModelSnapshot.cs lines 69-119 and 197-235; Models/KSESSIONS/
# KSessionsCountry.cs; Data/KSessionsDbContext.cs lines 108-116).
RUN_TABLES_EXPECTED: dict[str, dict[str, tuple[str, bool]]] = {
    "canvas.Participants": {
        "ParticipantId": ("INTEGER IDENTITY(1,1)", False), "SessionId": ("BIGINT", False),
        "UserToken": ("VARCHAR(8)", False), "UserGuid": ("NVARCHAR(256)", True),
        "Name": ("NVARCHAR(100)", True), "Email": ("NVARCHAR(255)", True),
        "Country": ("NVARCHAR(100)", True), "City": ("NVARCHAR(100)", True),
        "JoinedAt": ("DATETIME2", False), "LastSeenAt": ("DATETIME2", True),
    },
    "canvas.SessionData": {
        "DataId": ("INTEGER IDENTITY(1,1)", False), "SessionId": ("BIGINT", False),
        "DataType": ("NVARCHAR(20)", False), "Content": ("NVARCHAR(max)", True),
        "CreatedBy": ("NVARCHAR(100)", True), "CreatedAt": ("DATETIME2", False),
        "IsDeleted": ("BIT", False),
    },
    "dbo.Countries": {
        "CountryId": ("INTEGER", False), "CountryName": ("NVARCHAR(100)", False),
        "ISO2": ("NVARCHAR(2)", True), "ISO3": ("NVARCHAR(3)", True),
        "IsActive": ("BIT", False), "IsShortListed": ("BIT", False),
    },
}


@pytest.mark.parametrize("qualified", sorted(RUN_TABLES_EXPECTED))
def test_the_apps_run_tables_match_its_model(qualified: str) -> None:
    from hostprov_tui.db.ksessions_models import KSessionsAppBase
    from hostprov_tui.db.tokens_models import TokensBase

    tables = {**TokensBase.metadata.tables, **KSessionsAppBase.metadata.tables}
    ddl = _ddl(tables[qualified])
    assert _columns(ddl) == RUN_TABLES_EXPECTED[qualified], ddl
    if qualified.startswith("canvas."):
        assert "FOREIGN KEY([SessionId]) REFERENCES canvas.[Sessions] ([SessionId]) " \
            "ON DELETE CASCADE" in ddl, ddl
