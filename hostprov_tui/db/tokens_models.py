"""``canvas.Sessions`` of the tokens generation: the host and participant tokens on the session.

The canvas ``SessionId`` of this generation IS the KSESSIONS SessionID (the NOOR Canvas app finds
the KSESSIONS session by it), so rows are inserted with an explicit identity value.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Identity, Index, Integer, MetaData, Unicode, Uuid

from hostprov_tui.db.canvas_models import CANVAS_SCHEMA
from hostprov_tui.db.tables import DeclarativeBase, Mapped, mapped_column
from hostprov_tui.db.types import DateTime2, IdentityBigInt

#: The app's token alphabet (33 characters: no O, 0 or 1) and length.
TOKEN_ALPHABET = "ABCDEFGHIJKLMNPQRSTUVWXYZ23456789"
TOKEN_LENGTH = 8
#: Status values the app gives a session; tokens of an 'Expired' session never sign in.
STATUS_CREATED, STATUS_EXPIRED = "Created", "Expired"


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
