"""The one object the CLI and the TUI talk to. Typed results in, typed errors out; no Textual."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from hostprov_tui.config.settings import Settings
from hostprov_tui.services import catalogue, connectivity, issuance, revocation, verification
from hostprov_tui.services.audit import AuditLog, AuditRecord
from hostprov_tui.services.bootstrap import BootstrapResult, ensure_embedded
from hostprov_tui.services.catalogue import Choice, SearchFilters
from hostprov_tui.services.context import ServiceContext
from hostprov_tui.services.inputs import Target, parse_expiry, parse_name, parse_reason
from hostprov_tui.services.issuance import IssueOptions
from hostprov_tui.services.results import (
    ConnectivityReport,
    IssueResult,
    Plan,
    RevokeResult,
    SearchPage,
    VerifyResult,
)


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
        return ensure_embedded(self.settings)

    def check(self, *, audit: bool = True) -> ConnectivityReport:
        return connectivity.check_connectivity(self.ctx, audit=audit)

    def search(
        self, query: str | None = "", *, offset: int = 0, limit: int = 50,
        filters: SearchFilters | None = None,
    ) -> SearchPage:
        return catalogue.search_sessions(
            self.ctx, query, offset=offset, limit=limit, filters=filters
        )

    def albums(self) -> list[Choice]:
        return catalogue.list_albums(self.ctx)

    def categories(self, album_id: int | None = None) -> list[Choice]:
        return catalogue.list_categories(self.ctx, album_id)

    def _options(
        self, created_by: str | None, expires: str | date | datetime | None, reason: str | None,
        allow_production: bool,
    ) -> IssueOptions:
        return IssueOptions(
            created_by=parse_name(created_by, "Created-by", self.operator),
            expires=parse_expiry(expires),
            reason=parse_reason(reason),
            allow_production=allow_production,
        )

    def dry_run(
        self, target: Target, *, created_by: str | None = None,
        expires: str | date | datetime | None = None, reason: str | None = None,
        allow_production: bool = False,
    ) -> Plan:
        opts = self._options(created_by, expires, reason, allow_production)
        return issuance.dry_run(self.ctx, target, opts)

    def issue(
        self, target: Target, *, created_by: str | None = None,
        expires: str | date | datetime | None = None, reason: str | None = None,
        allow_production: bool = False,
    ) -> IssueResult:
        opts = self._options(created_by, expires, reason, allow_production)
        return issuance.issue(self.ctx, target, opts)

    def revoke(
        self, target: Target, *, by: str | None = None, reason: str | None = None,
        allow_production: bool = False,
    ) -> RevokeResult:
        return revocation.revoke(
            self.ctx, target, revoked_by=parse_name(by, "Revoked-by", self.operator),
            reason=parse_reason(reason), allow_production=allow_production,
        )

    def verify(self, guid: str) -> VerifyResult:
        return verification.verify(self.ctx, guid)

    def audit_tail(self, count: int = 20) -> list[AuditRecord]:
        return self.audit.tail(count)

    def on_audit(self, callback: Callable[[AuditRecord], None]) -> int:
        return self.audit.add_listener(callback)

    def close(self) -> None:
        self.ctx.close()
