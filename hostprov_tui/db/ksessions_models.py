"""The KSESSIONS catalogue (schema ``dbo``): read-only for this tool."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, MetaData, Unicode

from hostprov_tui.db.tables import DeclarativeBase, Mapped, mapped_column
from hostprov_tui.db.types import LegacyDateTime, NVarCharMax

KSESSIONS_SCHEMA = "dbo"


class KSessionsBase(DeclarativeBase):
    metadata = MetaData(schema=KSESSIONS_SCHEMA)


class Speaker(KSessionsBase):
    __tablename__ = "Speakers"

    SpeakerID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    SpeakerName: Mapped[str] = mapped_column(Unicode(150))


class Group(KSessionsBase):
    """An album."""

    __tablename__ = "Groups"

    GroupID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    GroupName: Mapped[str] = mapped_column(Unicode(255))
    GroupImage: Mapped[str | None] = mapped_column(Unicode(255))
    GroupDescription: Mapped[str | None] = mapped_column(NVarCharMax)
    Syllabus: Mapped[str | None] = mapped_column(NVarCharMax)
    SpeakerID: Mapped[int | None] = mapped_column(
        ForeignKey("dbo.Speakers.SpeakerID", name="FK_Groups_Speakers")
    )
    IsCompleted: Mapped[bool | None] = mapped_column(Boolean)
    IsActive: Mapped[bool | None] = mapped_column(Boolean)
    CreatedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    ChangedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)


class Category(KSessionsBase):
    __tablename__ = "Categories"

    CategoryID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    CategoryName: Mapped[str] = mapped_column(Unicode(255))
    GroupID: Mapped[int] = mapped_column(
        ForeignKey("dbo.Groups.GroupID", name="FK_Categories_Groups")
    )
    IsActive: Mapped[bool | None] = mapped_column(Boolean)
    CreatedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    ChangedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    SortOrder: Mapped[int | None] = mapped_column(Integer)


class KSession(KSessionsBase):
    """A catalogue session (``dbo.Sessions``)."""

    __tablename__ = "Sessions"
    __table_args__ = (
        Index("IX_Sessions_GroupID", "GroupID"),
        Index("IX_Sessions_CategoryID", "CategoryID"),
    )

    SessionID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    GroupID: Mapped[int] = mapped_column(
        ForeignKey("dbo.Groups.GroupID", name="FK_Sessions_Groups")
    )
    Sequence: Mapped[int | None] = mapped_column(Integer)
    CategoryID: Mapped[int] = mapped_column(
        ForeignKey("dbo.Categories.CategoryID", name="FK_Sessions_Categories")
    )
    SessionName: Mapped[str] = mapped_column(Unicode(500))
    Description: Mapped[str | None] = mapped_column(NVarCharMax)
    SessionDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    MediaPath: Mapped[str | None] = mapped_column(Unicode(500))
    SpeakerID: Mapped[int | None] = mapped_column(
        ForeignKey("dbo.Speakers.SpeakerID", name="FK_Sessions_Speakers")
    )
    DeliveryRating: Mapped[int | None] = mapped_column(Integer)
    CreatedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    ChangedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    IsActive: Mapped[bool | None] = mapped_column(Boolean)
    ImageCount: Mapped[int | None] = mapped_column(Integer)
    ImagesFolderPath: Mapped[str | None] = mapped_column(Unicode(500))
    ImagesProcessedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)


class SessionTranscript(KSessionsBase):
    __tablename__ = "SessionTranscripts"
    __table_args__ = (Index("IX_SessionTranscripts_SessionID", "SessionID"),)

    TranscriptID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    SessionID: Mapped[int] = mapped_column(
        ForeignKey("dbo.Sessions.SessionID", name="FK_SessionTranscripts_Sessions")
    )
    Transcript: Mapped[str | None] = mapped_column(NVarCharMax)
    CreatedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)
    ChangedDate: Mapped[datetime | None] = mapped_column(LegacyDateTime)


class KSessionsAppBase(DeclarativeBase):
    """Tables of KSESSIONS that the NOOR Canvas app reads and hostprov does not rely on: `check`
    warns when they are missing or empty; `db init` and the demo create and fill them."""

    metadata = MetaData(schema=KSESSIONS_SCHEMA)


class Country(KSessionsAppBase):
    """``dbo.Countries``: the app's registration form lists its active countries
    (HostController.GetCountries); hostprov only checks that it is there and not empty."""

    __tablename__ = "Countries"
    __table_args__ = (
        Index("IX_Countries_IsActive", "IsActive"),
        Index("IX_Countries_CountryName", "CountryName"),
    )

    CountryId: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    CountryName: Mapped[str] = mapped_column(Unicode(100), nullable=False)
    ISO2: Mapped[str | None] = mapped_column(Unicode(2))
    ISO3: Mapped[str | None] = mapped_column(Unicode(3))
    IsActive: Mapped[bool] = mapped_column(Boolean, nullable=False)
    IsShortListed: Mapped[bool] = mapped_column(Boolean, nullable=False)
