"""The seam between the two generations of the canvas schema.

Issuance, bulk issuance, revocation, verification and the catalogue's status column are written
once, against :class:`Generation`; the object that does the generation-specific reads, checks and
writes is chosen once per canvas database (``ServiceContext.generation``) from what its tables
say (``db/generation.py``) and ``[canvas] generation``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from sqlalchemy import Connection

from hostprov_tui.db.generation import GenerationName
from hostprov_tui.errors import InputError
from hostprov_tui.services import checks, lookups
from hostprov_tui.services.locking import lock_ksessions_ids
from hostprov_tui.services.lookups import CanvasInfo, KSessionInfo
from hostprov_tui.services.results import CheckLine, CheckStatus, GuidStatus, Plan

if TYPE_CHECKING:
    from hostprov_tui.services.context import ServiceContext
    from hostprov_tui.services.inputs import Target
    from hostprov_tui.services.issuance import IssueOptions
    from hostprov_tui.services.results import Issued, RevokeResult, SessionLinks, VerifyResult


TITLE_MAX = 200  # canvas.Sessions.Title (guid generation)
_FAIL = CheckStatus.FAIL


@dataclass
class Decision:
    """What the checks said for one session: the lines, what was read, what issuing would do."""

    ksessions_id: int | None
    lines: list[CheckLine]
    ks: KSessionInfo | None = None
    canvas: CanvasInfo | None = None
    #: the generation's current credential: the active host rows (guid) or the row (tokens)
    current: Any = None
    host_session_id: int | None = None
    #: the canvas session does not exist yet and will be created
    creates_canvas: bool = False
    #: tokens generation: the state of the session's run (a RunState)
    run_state: Any = None
    #: see Plan.replaces_working and Plan.new_participant_link (set by the generation)
    replaces_working: bool | None = None
    new_participant_link: bool | None = None

    @property
    def ok(self) -> bool:
        # a list, not all(generator): half the time, asked twice per ID of a bulk run
        return _FAIL not in [li.status for li in self.lines]

    @property
    def rotates(self) -> bool:
        return bool(self.current)

    def plan(self, generation: GenerationName) -> Plan:
        return Plan(
            tuple(self.lines),
            ksessions_id=self.ksessions_id,
            canvas_session_id=self.canvas.session_id if self.canvas else None,
            host_session_id=self.host_session_id,
            action="rotate" if self.rotates else "create",
            title=self.ks.name[:TITLE_MAX] if self.ks else
            (self.canvas.title if self.canvas else None),
            creates_canvas_session=self.creates_canvas,
            generation=generation,
            run_state=self.run_state,
            replaces_working=self.replaces_working,
            new_participant_link=self.new_participant_link,
        )


def checked_and_locked(
    ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, ids: list[int],
    preamble: list[CheckLine],
) -> tuple[list[Decision], list[int]]:
    """The KSESSIONS checks every generation makes for a chunk (the session exists, it has
    transcripts), then the per-ID locks of the IDs found; the decisions and those IDs."""
    decisions = [Decision(i, list(preamble)) for i in ids]
    infos = lookups.ksessions(ks_conn, ids)
    found: list[int] = []
    for d, ks_id in zip(decisions, ids, strict=True):
        d.ks = infos.get(ks_id)
        d.lines.append(checks.session_line(ks_id, d.ks))
        if d.ks is not None:
            d.lines.extend(checks.transcript_lines(d.ks))
            found.append(ks_id)
    lock_ksessions_ids(canvas_conn, found, ctx.settings.database.statement_timeout_s)
    return decisions, found


class Generation(ABC):
    """The reads, checks and writes that differ between the guid and tokens generations."""

    name: ClassVar[GenerationName]
    #: what is issued, as a person calls it: "Host GUID", "host token"
    credential: ClassVar[str]
    #: what `verify` takes in this generation: a GUID or a token
    credential_kind: ClassVar[Literal["guid", "token"]]
    #: the columns of a bulk run's output file
    csv_columns: ClassVar[tuple[str, ...]]

    @abstractmethod
    def credential_line(self, ctx: ServiceContext, lines: list[CheckLine]) -> bool:
        """Append the line saying whether a credential can be made (the hash secret); False
        when it cannot."""

    def check_options(self, opts: IssueOptions) -> None:
        """Refuse (InputError) an option this generation has no use for."""
        return None

    @abstractmethod
    def evaluate(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, target: Target,
        opts: IssueOptions, now: datetime, lines: list[CheckLine],
    ) -> Decision | None:
        """The checks for one target, locking what will be written; None when it stops early."""

    @abstractmethod
    def decide(
        self, ctx: ServiceContext, canvas_conn: Connection, ks_conn: Connection, ids: list[int],
        preamble: list[CheckLine], opts: IssueOptions, now: datetime,
    ) -> list[Decision]:
        """The checks for many KSESSIONS IDs at once (a bulk chunk): a fixed number of queries."""

    @abstractmethod
    def write(
        self, ctx: ServiceContext, conn: Connection, decisions: list[Decision],
        opts: IssueOptions, now: datetime,
    ) -> list[Issued]:
        """The writes for every approved decision, in the caller's transaction."""

    @abstractmethod
    def revoke(
        self, ctx: ServiceContext, conn: Connection, target: Target, by: str, now: datetime
    ) -> RevokeResult:
        """Revoke the session's credential, in the caller's transaction (locked)."""

    @abstractmethod
    def verify(self, ctx: ServiceContext, conn: Connection, credential: str) -> VerifyResult:
        """Which session the credential opens, and whether it would sign in (read-only)."""

    def links(self, ctx: ServiceContext, conn: Connection, ksessions_id: int) -> SessionLinks:
        """A session's current links, to show them again; a generation whose credential is
        shown only once refuses (InputError)."""
        raise InputError(
            f"This canvas database holds {self.credential}s (the {self.name} generation): a "
            f"{self.credential} is shown once, when it is issued, and cannot be shown again.",
            hint="Issue again to rotate it and see the new one.",
        )

    @abstractmethod
    def statuses(
        self, conn: Connection, ids: list[int], now: datetime
    ) -> dict[int, tuple[GuidStatus, int | None]]:
        """The credential status and canvas session ID of each KSESSIONS ID (one query)."""
