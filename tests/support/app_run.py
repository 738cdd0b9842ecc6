"""The NOOR Canvas app's run of a session, played with the app's own writes and judged with its
own queries, each translated from its C# (``asifhussain60/NOOR-CANVAS`` at commit
71af76e522f32dc3397a2c2668cd083f3b2a21b8; paths under ``SPA/NoorCanvas/``, line numbers of
that commit). Raw SQL on the test's own engine, never hostprov's code.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, bindparam, text

from tests.support.app_schema import AppDb, utcnow

#: The app's commit the translations below were read from.
APP_COMMIT = "71af76e522f32dc3397a2c2668cd083f3b2a21b8"


@dataclass(frozen=True)
class Route:
    """Where UserLanding.razor sends a participant who opens the participant link."""

    page: str  # "waiting" (registration, then the waiting room), "canvas" (live) or "invalid"


class AppRun:
    """The app's writes and reads of one canvas database (SQLite or PostgreSQL)."""

    def __init__(self, app: AppDb) -> None:
        self.app = app
        self.t = app.t

    def _one(self, sql: str, params: dict[str, Any], *dates: str) -> Any:
        stmt = text(sql).bindparams(*[bindparam(d, type_=DateTime()) for d in dates])
        with self.app.engine.connect() as conn:
            return conn.execute(stmt, params).mappings().first()

    def _all(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.app.engine.connect() as conn:
            return list(conn.execute(text(sql), params).mappings())

    def _write(self, sql: str, params: dict[str, Any], *dates: str, flags: tuple[str, ...] = ()
               ) -> None:
        stmt = text(sql).bindparams(*[bindparam(d, type_=DateTime()) for d in dates],
                                    *[bindparam(f, type_=Boolean()) for f in flags])
        with self.app.engine.begin() as conn:
            conn.execute(stmt, params)

    # -- SimplifiedTokenService.cs --------------------------------------------------------------

    def validate_token(self, token: str, is_host_token: bool) -> int | None:
        """ValidateTokenAsync, Services/SimplifiedTokenService.cs lines 88-91: ExpiresAt NULL or
        future, Status not 'Expired', HostToken (or UserToken) = token."""
        column = "HostToken" if is_host_token else "UserToken"
        row = self._one(
            f'SELECT "SessionId" FROM {self.t}"Sessions" WHERE ("ExpiresAt" IS NULL OR '
            f'"ExpiresAt" > :now) AND "Status" <> \'Expired\' AND "{column}" = :t',
            {"now": utcnow(), "t": token}, "now",
        )
        return int(row["SessionId"]) if row else None

    # -- HostController.cs ------------------------------------------------------------------------

    def opener_schedule(self, session_id: int, host_token: str, day: str, at: str,
                        duration: str) -> bool:
        """The session opener's CreateSessionAndGenerateToken, Controllers/HostController.cs
        lines 286-334: the row by SessionId, refused unless its HostToken is the host's
        (line 295), then ScheduledDate / ScheduledTime / ScheduledDuration (lines 316-328)."""
        row = self._one(f'SELECT "HostToken" FROM {self.t}"Sessions" WHERE "SessionId" = :i',
                        {"i": session_id})
        if row is None or row["HostToken"] != host_token:
            return False
        self._write(
            f'UPDATE {self.t}"Sessions" SET "ScheduledDate" = :d, "ScheduledTime" = :a, '
            '"ScheduledDuration" = :m WHERE "SessionId" = :i',
            {"d": day, "a": at, "m": duration, "i": session_id},
        )
        return True

    def start(self, session_id: int) -> bool:
        """StartSession, Controllers/HostController.cs lines 357-372: FindAsync(sessionId) —
        no token, no expiry —, StartedAt = UtcNow, Status = 'Active'."""
        if self.app.session(session_id) is None:
            return False
        self._write(
            f'UPDATE {self.t}"Sessions" SET "StartedAt" = :now, "Status" = \'Active\' '
            'WHERE "SessionId" = :i', {"now": utcnow(), "i": session_id}, "now",
        )
        return True

    def sessions_list(self, host_token: str) -> list[int]:
        """GetSessionsList, Controllers/HostController.cs lines 1287-1304 (HostControlPanel.razor
        line 425): Sessions WHERE HostToken = hostToken, whatever ExpiresAt and Status."""
        return [int(r["SessionId"]) for r in self._all(
            f'SELECT "SessionId" FROM {self.t}"Sessions" WHERE "HostToken" = :t',
            {"t": host_token})]

    def session_id_by_token(self, host_token: str) -> int | None:
        """token/{hostToken}/session-id, Controllers/HostController.cs lines 1369-1381
        (HostControlPanel.razor line 764): WHERE HostToken = hostToken, nothing else."""
        row = self._one(f'SELECT "SessionId" FROM {self.t}"Sessions" WHERE "HostToken" = :t',
                        {"t": host_token})
        return int(row["SessionId"]) if row else None

    def session_by_token(self, host_token: str) -> int | None:
        """sessions/by-token/{hostToken}, Controllers/HostController.cs lines 1411-1423
        (HostControlPanel.razor line 938): WHERE HostToken = hostToken."""
        return self.session_id_by_token(host_token)

    def control_panel_finds(self, token: str) -> bool:
        """Does any of the host control panel's lookups find a session by this token?"""
        return bool(self.sessions_list(token)) or self.session_id_by_token(token) is not None \
            or self.session_by_token(token) is not None or bool(self.question_session(token))

    # -- ParticipantController.cs / UserLanding.razor / SessionWaiting.razor ---------------------

    def landing(self, user_token: str) -> Route:
        """A participant opens the link: ParticipantController.cs line 85 validates the token
        (ValidateTokenAsync, isHostToken false), and UserLanding.razor lines 307-324 route by
        Status: 'active' (or 'started', 'in progress') → /session/canvas, else registration
        and the waiting room."""
        session_id = self.validate_token(user_token, is_host_token=False)
        if session_id is None:
            return Route("invalid")
        status = (self.app.session(session_id) or {}).get("Status") or ""
        return Route("canvas" if status.lower() in ("active", "started", "in progress")
                     else "waiting")

    def register(self, user_token: str, name: str, email: str, country: str) -> str | None:
        """RegisterWithToken, Controllers/ParticipantController.cs lines 199-272: the token
        validated (line 230), then a Participant with the session's UserToken and a new
        UserGuid (lines 259-270). Returns the UserGuid, or None when refused."""
        session_id = self.validate_token(user_token, is_host_token=False)
        if session_id is None:
            return None
        guid = str(uuid.uuid4())
        self._write(
            f'INSERT INTO {self.t}"Participants" ("SessionId", "UserToken", "UserGuid", "Name", '
            '"Email", "Country", "JoinedAt") VALUES (:i, :u, :g, :n, :e, :c, :now)',
            {"i": session_id, "u": user_token, "g": guid, "n": name, "e": email, "c": country,
             "now": utcnow()}, "now",
        )
        return guid

    def waiting_room_start(self, user_token: str) -> datetime | None:
        """What the waiting room counts down to: ParticipantController.cs lines 168-170 hand it
        ScheduledDate / ScheduledTime / ScheduledDuration; SessionWaiting.razor lines 972-1021
        combine date and time, else fall back to "now + 5 minutes" (None here)."""
        session_id = self.validate_token(user_token, is_host_token=False)
        if session_id is None:
            return None
        row = self.app.session(session_id) or {}
        day, at = row.get("ScheduledDate"), row.get("ScheduledTime")
        if not day or not at:
            return None
        moment = datetime.strptime(at.strip(), "%I:%M %p")
        return datetime.fromisoformat(day).replace(hour=moment.hour, minute=moment.minute)

    # -- QuestionController.cs ---------------------------------------------------------------------

    def submit_question(self, user_token: str, user_guid: str, question: str) -> bool:
        """SubmitQuestion, Controllers/QuestionController.cs lines 79-170: the session by
        UserToken with Status 'Active' or 'Configured' (lines 104-105; no expiry), the
        participant by SessionId and UserGuid (line 122), then a SessionData 'Question'
        (lines 154-166)."""
        row = self._one(
            f'SELECT "SessionId" FROM {self.t}"Sessions" WHERE "UserToken" = :t AND '
            '("Status" = \'Active\' OR "Status" = \'Configured\')', {"t": user_token})
        if row is None:
            return False
        session_id = int(row["SessionId"])
        who = self._one(
            f'SELECT "Name" FROM {self.t}"Participants" WHERE "SessionId" = :i AND '
            '"UserGuid" = :g', {"i": session_id, "g": user_guid})
        if who is None:
            return False
        content = json.dumps({"questionId": str(uuid.uuid4()), "text": question,
                              "userName": who["Name"], "userId": user_guid, "votes": 0,
                              "isAnswered": False})
        self._write(
            f'INSERT INTO {self.t}"SessionData" ("SessionId", "DataType", "Content", '
            '"CreatedBy", "CreatedAt", "IsDeleted") VALUES (:i, \'Question\', :c, :g, :now, :d)',
            {"i": session_id, "c": content, "g": user_guid, "now": utcnow(), "d": False},
            "now", flags=("d",),
        )
        return True

    def question_session(self, token: str) -> int | None:
        """GetQuestions, Controllers/QuestionController.cs line 366: the session whose UserToken
        or HostToken is the token — no expiry, no Status (HostControlPanel.razor line 831)."""
        row = self._one(
            f'SELECT "SessionId" FROM {self.t}"Sessions" WHERE "UserToken" = :t OR '
            '"HostToken" = :t', {"t": token})
        return int(row["SessionId"]) if row else None

    def questions(self, token: str) -> list[str]:
        """The questions the host and participants see, QuestionController.cs lines 366-381:
        SessionData of that SessionId with DataType 'Question'."""
        session_id = self.question_session(token)
        if session_id is None:
            return []
        return [json.loads(r["Content"])["text"] for r in self._all(
            f'SELECT "Content" FROM {self.t}"SessionData" WHERE "SessionId" = :i AND '
            '"DataType" = \'Question\' ORDER BY "DataId"', {"i": session_id})]

    def participants(self, session_id: int) -> int:
        return len(self._all(f'SELECT 1 FROM {self.t}"Participants" WHERE "SessionId" = :i',
                             {"i": session_id}))
