"""Typed results returned by the services (plain data: the CLI and the TUI only render them)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

# the run state lives in run_state.py; re-exported here, beside the Plan that carries it
from hostprov_tui.services.run_state import RunState, RunStateName  # noqa: F401

#: The columns of the GUID CSV of a bulk issue: the CLI's 0600 file and the TUI's clipboard.
GUID_CSV_COLUMNS = ("ksessions_id", "canvas_session_id", "host_session_id", "action", "guid")
#: The same for the tokens generation.
TOKENS_CSV_COLUMNS = (
    "ksessions_id", "host_token", "user_token", "host_url", "participant_url", "expires_at",
)


class CheckStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class GuidStatus(StrEnum):
    NONE = "none"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    #: tokens generation: the state of the session's run (see RunState)
    FRESH = "fresh"
    LIVE = "live"
    OVER = "over"


@dataclass(frozen=True)
class CheckLine:
    """One line of the dry-run checklist."""

    code: str
    status: CheckStatus
    message: str
    hint: str | None = None


#: Exactly these types (not subclasses: a StrEnum is a str) are JSON values already.
_PLAIN = frozenset((str, int, float, bool))


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums and datetimes → JSON-friendly values (``to_json()`` where defined)."""
    if value is None or type(value) in _PLAIN:  # most values of a document: as they are
        return value
    if hasattr(value, "to_json"):
        return to_jsonable(value.to_json())
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        # field by field (not asdict): a nested dataclass keeps its own to_json()
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):  # a plain value inline: no call per field of 10,000 items
        return {str(k): v if v is None or type(v) in _PLAIN else to_jsonable(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):  # hostprov's moments are UTC: say so, as the audit log does
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()
    return value


@dataclass(frozen=True)
class DatabaseStatus:
    """The dashboard card of one database."""

    name: str
    url: str  # masked
    backend: str
    reachable: bool
    latency_ms: float | None = None
    server_version: str | None = None
    database: str | None = None
    environment_ok: bool = True
    environment_verdict: str = ""
    schema_ok: bool = False
    schema_verdict: str = ""
    error: str | None = None
    hint: str | None = None
    missing: tuple[str, ...] = ()
    #: canvas only: "guid" | "tokens", the generation of its schema (None: not known)
    generation: str | None = None
    #: SQL Server only: the Python driver and its version (and the ODBC driver's, once connected)
    driver: str | None = None
    #: warnings on what the NOOR Canvas app cannot do here (services/readiness.py)
    readiness: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectivityReport:
    environment: str
    canvas: DatabaseStatus
    ksessions: DatabaseStatus
    shared_engine: bool

    @property
    def ok(self) -> bool:
        return all(
            d.reachable and d.schema_ok and d.environment_ok for d in (self.canvas, self.ksessions)
        )


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    name: str
    album: str | None
    category: str | None
    speaker: str | None
    date: datetime | None
    is_active: bool
    transcripts: int
    guid_status: GuidStatus = GuidStatus.NONE
    canvas_session_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The row for --json; the session's date is KSESSIONS' own, without a zone (it is a
        calendar date, not a moment hostprov recorded)."""
        doc = {f.name: getattr(self, f.name) for f in fields(self)}
        doc["date"] = self.date.isoformat() if self.date else None
        return doc


@dataclass(frozen=True)
class SearchPage:
    query: str
    offset: int
    limit: int
    rows: tuple[SessionRow, ...]
    has_more: bool


@dataclass(frozen=True)
class Plan:
    """The checks of docs/design.md for one target, and what issuing would do."""

    lines: tuple[CheckLine, ...]
    ksessions_id: int | None = None
    canvas_session_id: int | None = None
    host_session_id: int | None = None
    action: Literal["create", "rotate"] | None = None
    title: str | None = None
    creates_canvas_session: bool = False
    dry_run_verified: bool = False
    #: the generation of the canvas schema the plan was made for ("guid" | "tokens")
    generation: str | None = None
    #: tokens generation: the state of the session's run, read before writing
    run_state: RunState | None = None
    #: the credential in place still signs in, so issuing stops it; False when it no longer
    #: does (revoked, expired), so a "rotate" only renews it; None when the plan does not say
    replaces_working: bool | None = None
    #: tokens generation: the participants get a new link too (None in the guid generation)
    new_participant_link: bool | None = None

    @property
    def ok(self) -> bool:
        return all(line.status is not CheckStatus.FAIL for line in self.lines)

    @property
    def failures(self) -> tuple[CheckLine, ...]:
        return tuple(li for li in self.lines if li.status is CheckStatus.FAIL)


@dataclass(frozen=True)
class IssueResult:
    """The one moment a GUID exists in clear: show it once, never log it."""

    guid: str
    host_session_id: int
    canvas_session_id: int
    ksessions_id: int | None
    action: Literal["created", "rotated"]
    hash: str
    expires_at: datetime | None = None
    created_by: str = ""
    plan: Plan | None = field(default=None, repr=False)
    generation: ClassVar[str] = "guid"
    csv_columns: ClassVar[tuple[str, ...]] = GUID_CSV_COLUMNS

    def __repr__(self) -> str:  # the GUID never lands in a traceback or a log by accident
        return (
            f"IssueResult(guid=***, host_session_id={self.host_session_id}, "
            f"canvas_session_id={self.canvas_session_id}, action={self.action!r})"
        )

    @property
    def hash_prefix(self) -> str | None:
        return self.hash[:8] if self.hash else None

    def document(self) -> dict[str, Any]:
        """The ``issue --json`` document (it holds the GUID: stdout only)."""
        return {"guid": self.guid, "host_session_id": self.host_session_id,
                "canvas_session_id": self.canvas_session_id, "ksessions_id": self.ksessions_id,
                "action": self.action, "hash": self.hash, "generation": self.generation,
                "expires_at": self.expires_at,  # ISO with +00:00 (to_jsonable)
                "created_by": self.created_by}

    def csv_row(self) -> tuple[object, ...]:
        return (self.ksessions_id, self.canvas_session_id, self.host_session_id, self.action,
                self.guid)

    def secrets(self) -> tuple[str, ...]:
        """What must never reach a log: the GUID."""
        return (self.guid,)


@dataclass(frozen=True)
class TokenIssueResult:
    """The tokens generation's issuance: the host and participant tokens and their links.

    The app keeps tokens in plain text, so they can be shown again on request (audited); they
    never enter the audit file, a log or stderr.
    """

    host_token: str
    user_token: str
    host_url: str
    participant_url: str
    canvas_session_id: int
    ksessions_id: int | None
    action: Literal["created", "rotated"]
    expires_at: datetime | None
    created_by: str = ""
    new_user_token: bool = True
    plan: Plan | None = field(default=None, repr=False)
    #: the run state read before writing; a new run archived (path) what it removed
    run_state: RunState | None = None
    archive_path: str | None = None
    generation: ClassVar[str] = "tokens"
    csv_columns: ClassVar[tuple[str, ...]] = TOKENS_CSV_COLUMNS
    host_session_id: ClassVar[None] = None
    hash_prefix: ClassVar[None] = None

    def __repr__(self) -> str:  # the tokens never land in a traceback or a log by accident
        return (f"TokenIssueResult(host_token=***, user_token=***, "
                f"canvas_session_id={self.canvas_session_id}, action={self.action!r})")

    def document(self) -> dict[str, Any]:
        return {"generation": self.generation, "ksessions_id": self.ksessions_id,
                "canvas_session_id": self.canvas_session_id, "host_token": self.host_token,
                "user_token": self.user_token, "host_url": self.host_url,
                "participant_url": self.participant_url,
                "expires_at": self.expires_at,  # ISO with +00:00 (to_jsonable)
                "action": self.action}

    def csv_row(self) -> tuple[object, ...]:
        return (self.ksessions_id, self.host_token, self.user_token, self.host_url,
                self.participant_url, self.expires_at.isoformat() if self.expires_at else "")

    def secrets(self) -> tuple[str, ...]:
        return (self.host_token, self.user_token)


#: What an issuance returns, whatever the generation.
Issued = IssueResult | TokenIssueResult


@dataclass(frozen=True)
class SessionLinks:
    """A session's current links (tokens generation), shown again on an audited request."""

    ksessions_id: int
    canvas_session_id: int
    host_token: str
    user_token: str
    host_url: str
    participant_url: str
    expires_at: datetime | None
    valid: bool
    #: why they no longer sign in ("expired <when>", "the session's Status is 'Expired'")
    ended: str = ""

    def __repr__(self) -> str:
        return f"SessionLinks(ksessions_id={self.ksessions_id}, tokens=***)"


@dataclass(frozen=True)
class RevokeResult:
    host_session_id: int | None  # None in the tokens generation (the credential is on the row)
    canvas_session_id: int
    ksessions_id: int | None
    revoked_at: datetime
    revoked_by: str
    hash_prefix: str | None = None
    generation: str = "guid"
    #: what the revoke did, in a sentence (the generation's words)
    message: str = ""


@dataclass(frozen=True)
class VerifyResult:
    status: GuidStatus
    message: str
    host_session_id: int | None = None
    canvas_session_id: int | None = None
    ksessions_id: int | None = None
    title: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    #: tokens generation: "host" or "participant" (which column the token was found in)
    role: str | None = None
