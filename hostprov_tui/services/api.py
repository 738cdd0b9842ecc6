"""The one object the CLI and the TUI talk to. Typed results in, typed errors out; no Textual."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

from hostprov_tui.config.settings import Settings
from hostprov_tui.errors import InputError
from hostprov_tui.services import connectivity
from hostprov_tui.services.audit import AuditLog, AuditRecord
from hostprov_tui.services.bootstrap import BootstrapResult, check_local_paths, ensure_embedded
from hostprov_tui.services.context import ServiceContext

if TYPE_CHECKING:  # each operation's services load when first used: a check needs no search,
    # a search no issuance (tests/test_cli_startup.py)
    from hostprov_tui.services.catalogue import Choice, SearchFilters
    from hostprov_tui.services.inputs import Target
    from hostprov_tui.services.issuance import IssueOptions
    from hostprov_tui.services.issuance_options import Schedule
    from hostprov_tui.services.results import (
        ConnectivityReport,
        DatabaseStatus,
        Issued,
        Plan,
        RevokeResult,
        SearchPage,
        SessionLinks,
        SessionRow,
        VerifyResult,
    )

if TYPE_CHECKING:  # bulk issuance and drift load when first used (most commands need neither)
    from collections.abc import Sequence
    from pathlib import Path

    from hostprov_tui.services.bulk_items import BulkItem, BulkResult
    from hostprov_tui.services.bulk_journal import BulkJournal
    from hostprov_tui.services.bulk_status import BulkStatusReport
    from hostprov_tui.services.drift import DriftReport
    from hostprov_tui.services.results import GuidStatus


class Provisioner:
    """Host GUID operations for one configuration. Cheap to build: no I/O until first use."""

    def __init__(self, settings: Settings, operator: str | None = None) -> None:
        self.ctx = ServiceContext(settings) if operator is None else ServiceContext(
            settings, operator
        )

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    @property
    def operator(self) -> str:
        return self.ctx.operator

    @property
    def audit(self) -> AuditLog:
        return self.ctx.audit

    def bootstrap(self) -> BootstrapResult:
        check_local_paths(self.settings)  # before anything is created, read or written
        return ensure_embedded(self.settings)

    def check(self, *, audit: bool = True) -> ConnectivityReport:
        return connectivity.check_connectivity(self.ctx, audit=audit)

    def probe(self, name: str) -> DatabaseStatus:
        """One database's status (canvas or ksessions), not audited: see :meth:`record_check`."""
        return connectivity.probe_one(self.ctx, name)

    def record_check(self, canvas: DatabaseStatus, ksessions: DatabaseStatus) -> None:
        connectivity.record_check(self.ctx, canvas, ksessions)

    def search(
        self, query: str | None = "", *, offset: int = 0, limit: int = 50,
        filters: SearchFilters | None = None, statuses: bool = True,
    ) -> SearchPage:
        """A page of the catalogue; ``statuses=False``: KSESSIONS only, every credential
        status UNKNOWN until :meth:`session_statuses` tells (canvas may be slow to answer)."""
        from hostprov_tui.services import catalogue

        return catalogue.search_sessions(
            self.ctx, query, offset=offset, limit=limit, filters=filters, statuses=statuses
        )

    def session_statuses(self, ids: Sequence[int]) -> dict[int, tuple[GuidStatus, int | None]]:
        """The credential status (and canvas session) of each KSESSIONS ID, from canvas; raises
        a typed error when canvas does not answer."""
        from hostprov_tui.services.statuses import session_statuses

        return session_statuses(self.ctx, ids)

    def find_session(self, ksessions_id: object) -> SessionRow | None:
        """The catalogue row of one KSESSIONS session (None: there is none)."""
        from hostprov_tui.services import catalogue

        return catalogue.find_session(self.ctx, ksessions_id)

    def count_sessions(self, query: str | None = "", *,
                       filters: SearchFilters | None = None) -> int:
        """How many sessions :meth:`search` finds, all pages together."""
        from hostprov_tui.services import catalogue

        return catalogue.count_sessions(self.ctx, query, filters=filters)

    def albums(self) -> list[Choice]:
        from hostprov_tui.services import catalogue

        return catalogue.list_albums(self.ctx)

    def categories(self, album_id: int | None = None) -> list[Choice]:
        from hostprov_tui.services import catalogue

        return catalogue.list_categories(self.ctx, album_id)

    def target(
        self, action: str, ksessions_id: object = None, canvas_session_id: object = None
    ) -> Target:
        """Parse what the operator typed; bad input is refused (exit 2) and audited."""
        from hostprov_tui.services.inputs import Target

        typed = any(str(v).strip() for v in (ksessions_id, canvas_session_id) if v is not None)
        with self._refusals_audited(action, typed=typed):  # an empty form asked for nothing
            return Target.parse(ksessions_id, canvas_session_id)

    def options(
        self, created_by: str | None, expires: str | date | datetime | None, reason: str | None,
        allow_production: bool, action: str = "issue", new_user_token: bool = False,
        new_run: bool = False, schedule: Schedule | None = None,
    ) -> IssueOptions:
        """Parse who, until when and why; bad input is refused (exit 2) and audited."""
        from hostprov_tui.services.inputs import parse_expiry, parse_name, parse_reason
        from hostprov_tui.services.issuance_options import IssueOptions

        with self._refusals_audited(action):
            return IssueOptions(
                created_by=parse_name(created_by, "Created-by", self.operator),
                expires=parse_expiry(expires),
                reason=parse_reason(reason),
                allow_production=allow_production,
                new_user_token=new_user_token,
                new_run=new_run,
                schedule=schedule,
            )

    def schedule(
        self, scheduled_date: str | None, scheduled_time: str | None, duration: str | None,
        action: str = "issue",
    ) -> Schedule | None:
        """Parse a run's schedule as typed (local time of the app); bad input is refused
        (exit 2) and audited."""
        from hostprov_tui.services.schedule import parse_schedule

        with self._refusals_audited(action):
            return parse_schedule(scheduled_date, scheduled_time, duration, now=datetime.now())

    def generation(self) -> str:
        """"guid" or "tokens": the generation of the canvas schema (detected once)."""
        return self.ctx.generation().name

    def dry_run(
        self, target: Target, *, created_by: str | None = None,
        expires: str | date | datetime | None = None, reason: str | None = None,
        allow_production: bool = False, new_user_token: bool = False, new_run: bool = False,
        schedule: Schedule | None = None,
    ) -> Plan:
        opts = self.options(created_by, expires, reason, allow_production, "dry-run",
                            new_user_token, new_run, schedule)
        from hostprov_tui.services import issuance

        return issuance.dry_run(self.ctx, target, opts)

    def issue(
        self, target: Target, *, created_by: str | None = None,
        expires: str | date | datetime | None = None, reason: str | None = None,
        allow_production: bool = False, new_user_token: bool = False, new_run: bool = False,
        schedule: Schedule | None = None,
    ) -> Issued:
        opts = self.options(created_by, expires, reason, allow_production,
                            new_user_token=new_user_token, new_run=new_run, schedule=schedule)
        from hostprov_tui.services import issuance

        return issuance.issue(self.ctx, target, opts)

    def issue_many(
        self, ids: Iterable[int | str], *, created_by: str | None = None,
        expires: str | date | datetime | None = None, reason: str | None = None,
        allow_production: bool = False, progress: Callable[[int, int], None] | None = None,
        on_result: Callable[[list[BulkItem]], None] | None = None, new_user_token: bool = False,
        journal: BulkJournal | None = None, new_run: bool = False,
        schedule: Schedule | None = None,
    ) -> BulkResult:
        """Issue for many KSESSIONS IDs (or raw lines of an ID file); per-ID results, no stop.
        ``journal`` receives every chunk's GUIDs before its commit (the caller closes it)."""
        from hostprov_tui.services.bulk import issue_many

        opts = self.options(created_by, expires, reason, allow_production,
                            new_user_token=new_user_token, new_run=new_run, schedule=schedule)
        return issue_many(self.ctx, ids, opts, progress, on_result=on_result, journal=journal)

    def bulk_status(self, guid_file: Path, id_lines: list[str] | None = None) -> BulkStatusReport:
        """Which GUIDs of a bulk run's file are in force, asked of the database by hash (and,
        given the run's ID file, which of its lines have no GUID in force)."""
        from hostprov_tui.services.bulk_status import bulk_status

        return bulk_status(self.ctx, guid_file, id_lines)

    def revoke(
        self, target: Target, *, by: str | None = None, reason: str | None = None,
        allow_production: bool = False,
    ) -> RevokeResult:
        from hostprov_tui.services import revocation
        from hostprov_tui.services.inputs import parse_name, parse_reason

        with self._refusals_audited("revoke"):
            revoked_by, why = parse_name(by, "Revoked-by", self.operator), parse_reason(reason)
        return revocation.revoke(
            self.ctx, target, revoked_by=revoked_by, reason=why,
            allow_production=allow_production,
        )

    def verify(self, guid: str) -> VerifyResult:
        """What a Host GUID opens (guid generation)."""
        from hostprov_tui.services import verification

        return verification.verify(self.ctx, guid, "guid")

    def verify_token(self, token: str) -> VerifyResult:
        """What a host or participant token opens (tokens generation), by the app's rule."""
        from hostprov_tui.services import verification

        return verification.verify(self.ctx, token, "token")

    def verify_credential(self, text: str) -> VerifyResult:
        """A GUID or a token, whichever the canvas database's generation issues."""
        from hostprov_tui.services import verification

        return verification.verify(self.ctx, text, self.ctx.generation().credential_kind)

    def credential_kind(self) -> str:
        """"guid" or "token": what `verify` takes for this canvas database."""
        return self.ctx.generation().credential_kind

    def csv_columns(self) -> tuple[str, ...]:
        """The columns of a bulk run's output file for this canvas database."""
        return self.ctx.generation().csv_columns

    def links(self, target: Target, reason: str | None = None) -> SessionLinks:
        """Show a session's links again (tokens generation): an explicit, audited request."""
        from hostprov_tui.services.inputs import parse_reason
        from hostprov_tui.services.links import show_links

        with self._refusals_audited("show-links"):
            why = parse_reason(reason)
        return show_links(self.ctx, target, why)

    def drift(self) -> DriftReport | None:
        """Same databases as the NOOR Canvas app? None when ``[tui] app_settings`` is not set.

        Reads the app's settings file on every call (no database I/O); raises ConfigError when
        that file cannot be read.
        """
        from hostprov_tui.services.drift import configured_drift

        return configured_drift(self.settings)

    def not_shown(self, shown: Issued | SessionLinks, why: str) -> tuple[str, str]:
        """Its output could not be written (``why``): audit that the credential was not shown;
        the sentence and the hint naming the recovery (services/not_shown.py)."""
        from hostprov_tui.services.not_shown import issued_not_shown, links_not_shown
        from hostprov_tui.services.results import SessionLinks

        if isinstance(shown, SessionLinks):
            return links_not_shown(self.ctx, shown, why)
        return issued_not_shown(self.ctx, shown, why)

    def audit_tail(self, count: int = 20) -> list[AuditRecord]:
        return self.audit.tail(count)

    def on_audit(self, callback: Callable[[AuditRecord], None]) -> int:
        return self.audit.add_listener(callback)

    def close(self) -> None:
        self.ctx.close()

    @contextmanager
    def _refusals_audited(self, action: str, *, typed: bool = True) -> Iterator[None]:
        """Input the operator typed and the services refuse (exit 2) is audited, then raised
        (``typed=False``: nothing was typed, so nothing was asked and nothing is recorded)."""
        try:
            yield
        except InputError as exc:
            if typed:
                self.audit.failure(action, exc)
            raise
