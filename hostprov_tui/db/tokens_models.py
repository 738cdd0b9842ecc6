"""``canvas.Sessions`` of the tokens generation: the host and participant tokens on the session.

The canvas ``SessionId`` of this generation IS the KSESSIONS SessionID (the NOOR Canvas app finds
the KSESSIONS session by it), so rows are inserted with an explicit identity value.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Unicode,
    Uuid,
)

from hostprov_tui.db.canvas_models import CANVAS_SCHEMA
from hostprov_tui.db.tables import DeclarativeBase, Mapped, mapped_column
from hostprov_tui.db.types import DateTime2, IdentityBigInt, NVarCharMax

#: The app's token alphabet (33 characters: no O, 0 or 1) and length.
TOKEN_ALPHABET = "ABCDEFGHIJKLMNPQRSTUVWXYZ23456789"
TOKEN_LENGTH = 8
#: Status values the app gives a session; tokens of an 'Expired' session never sign in.
STATUS_CREATED, STATUS_EXPIRED = "Created", "Expired"
#: What the app's Start writes (HostController.StartSession).
STATUS_ACTIVE = "Active"


class TokensBase(DeclarativeBase):
    metadata = MetaData(schema=CANVAS_SCHEMA)


class TokenSession(TokensBase):
    """``canvas.Sessions`` (tokens generation): one row per KSESSIONS session, same ID."""

    __tablename__ = "Sessions"
    __table_args__ = (
        Index("UQ_Sessions_HostToken", "HostToken", unique=True),
        Index("UQ_Sessions_UserToken", "UserToken", unique=True),
        Index("IX_Sessions_Status_Expires", "Status", "ExpiresAt"),
    )

    SessionId: Mapped[int] = mapped_column(
        IdentityBigInt, Identity(start=1, increment=1), primary_key=True
    )
    AlbumId: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    HostToken: Mapped[str] = mapped_column(Unicode(8), nullable=False)
    UserToken: Mapped[str] = mapped_column(Unicode(8), nullable=False)
    Status: Mapped[str] = mapped_column(Unicode(20), nullable=False)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    ModifiedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    StartedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    EndedAt: Mapped[datetime | None] = mapped_column(DateTime2)
    ExpiresAt: Mapped[datetime | None] = mapped_column(DateTime2)
    ParticipantCount: Mapped[int | None] = mapped_column(Integer)
    MaxParticipants: Mapped[int | None] = mapped_column(Integer)
    ScheduledDate: Mapped[str | None] = mapped_column(Unicode(20))
    ScheduledTime: Mapped[str | None] = mapped_column(Unicode(20))
    ScheduledDuration: Mapped[str | None] = mapped_column(Unicode(10))


#: The identity of the app's Participants / SessionData (``int`` on SQL Server).
_IntIdentity = Integer()


class Participant(TokensBase):
    """``canvas.Participants``: one row per participant who registered for a run (the app's
    ParticipantController.RegisterWithToken writes it; hostprov reads it and, for a new run,
    archives and removes the session's rows)."""

    __tablename__ = "Participants"
    __table_args__ = (
        Index("IX_Participants_SessionId", "SessionId"),
        Index("IX_Participants_SessionUser", "SessionId", "UserGuid"),
    )

    ParticipantId: Mapped[int] = mapped_column(
        _IntIdentity, Identity(start=1, increment=1), primary_key=True
    )
    SessionId: Mapped[int] = mapped_column(
        IdentityBigInt, ForeignKey(TokenSession.SessionId, ondelete="CASCADE"), nullable=False
    )
    UserToken: Mapped[str] = mapped_column(String(8), nullable=False)
    UserGuid: Mapped[str | None] = mapped_column(Unicode(256))
    Name: Mapped[str | None] = mapped_column(Unicode(100))
    Email: Mapped[str | None] = mapped_column(Unicode(255))
    Country: Mapped[str | None] = mapped_column(Unicode(100))
    City: Mapped[str | None] = mapped_column(Unicode(100))
    JoinedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    LastSeenAt: Mapped[datetime | None] = mapped_column(DateTime2)


class SessionDataRow(TokensBase):
    """``canvas.SessionData``: questions, answers, votes, shared assets, annotations of a run."""

    __tablename__ = "SessionData"
    __table_args__ = (
        Index("IX_SessionData_SessionId", "SessionId"),
        Index("IX_SessionData_Session_Type", "SessionId", "DataType"),
        Index("IX_SessionData_Query_Optimized", "SessionId", "DataType", "IsDeleted",
              "CreatedAt"),
    )

    DataId: Mapped[int] = mapped_column(
        _IntIdentity, Identity(start=1, increment=1), primary_key=True
    )
    SessionId: Mapped[int] = mapped_column(
        IdentityBigInt, ForeignKey(TokenSession.SessionId, ondelete="CASCADE"), nullable=False
    )
    DataType: Mapped[str] = mapped_column(Unicode(20), nullable=False)
    Content: Mapped[str | None] = mapped_column(NVarCharMax)
    CreatedBy: Mapped[str | None] = mapped_column(Unicode(100))
    CreatedAt: Mapped[datetime] = mapped_column(DateTime2, nullable=False)
    IsDeleted: Mapped[bool] = mapped_column(Boolean, nullable=False)


#: SessionData's DataType of a question (QuestionController.Submit).
DATA_QUESTION = "Question"
