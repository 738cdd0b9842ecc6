"""The two canvas tables this tool writes (schema ``canvas``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Unicode,
    Uuid,
    text,
    true,
)

from hostprov_tui.db.partial_index import partial_index
from hostprov_tui.db.tables import DeclarativeBase, Mapped, mapped_column
from hostprov_tui.db.types import DateTime2, IdentityBigInt

CANVAS_SCHEMA = "canvas"

#: Indexes this tool adds when it creates the tables itself. On an existing database their
#: absence is reported as a warning, never "fixed": locks still keep issuance correct.
EXTRA_INDEXES = ("UX_Sessions_KSessionsId", "UX_HostSessions_OneActive")


class CanvasBase(DeclarativeBase):
    metadata = MetaData(schema=CANVAS_SCHEMA)


class CanvasSession(CanvasBase):
    """``canvas.Sessions``: one per KSESSIONS session at most."""

    __tablename__ = "Sessions"
    __table_args__ = (
        partial_index(
            "UX_Sessions_KSessionsId",
            "KSessionsId",
            unique=True,
            where={
                "mssql": "[KSessionsId] IS NOT NULL",
                "postgresql": '"KSessionsId" IS NOT NULL',
                "sqlite": '"KSessionsId" IS NOT NULL',
            },
        ),
    )

    SessionId: Mapped[int] = mapped_column(
        IdentityBigInt, Identity(start=1, increment=1), primary_key=True
    )
    KSessionsId: Mapped[int | None] = mapped_column(Integer)
    GroupId: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    Title: Mapped[str | None] = mapped_column(Unicode(200))
    Description: Mapped[str | None] = mapped_column(Unicode(1000))
    Status: Mapped[str | None] = mapped_column(Unicode(50), server_default=text("'Created'"))
    ParticipantCount: Mapped[int | None] = mapped_column(Integer, server_default=text("0"))
    MaxParticipants: Mapped[int | None] = mapped_column(Integer)
    StartedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    EndedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    ExpiresAt: Mapped[datetime | None] = mapped_column(DateTime2)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    ModifiedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)


class HostSession(CanvasBase):
    """``canvas.HostSessions``: the hashed Host GUIDs; one active per canvas session."""

    __tablename__ = "HostSessions"
    __table_args__ = (
        Index("IX_HostSessions_SessionGuidHash", "SessionId", "HostGuidHash", unique=True),
        partial_index(
            "UX_HostSessions_OneActive",
            "SessionId",
            unique=True,
            where={
                "mssql": "[IsActive] = 1",
                "postgresql": '"IsActive"',
                "sqlite": '"IsActive" = 1',
            },
        ),
    )

    HostSessionId: Mapped[int] = mapped_column(
        IdentityBigInt, Identity(start=1, increment=1), primary_key=True
    )
    SessionId: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey(
            "canvas.Sessions.SessionId",
            name="FK_HostSessions_Sessions_SessionId",
            ondelete="CASCADE",
        ),
        nullable=False,
    )
    HostGuidHash: Mapped[str] = mapped_column(Unicode(128), nullable=False)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    ExpiresAt: Mapped[datetime | None] = mapped_column(DateTime2)
    LastUsedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    CreatedBy: Mapped[str | None] = mapped_column(Unicode(128))
    RevokedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    RevokedBy: Mapped[str | None] = mapped_column(Unicode(128))
    IsActive: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
