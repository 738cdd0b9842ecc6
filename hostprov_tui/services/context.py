"""What every service needs: settings, the two databases, the audit trail, the hasher."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hostprov_tui.config.operator import os_user
from hostprov_tui.config.secrets import hash_secret, missing_secret_sentence
from hostprov_tui.config.settings import Settings
from hostprov_tui.db.engines import Databases, open_databases
from hostprov_tui.errors import ConfigError
from hostprov_tui.services.audit import AuditLog
from hostprov_tui.services.hashing import GuidHasher

if TYPE_CHECKING:
    from hostprov_tui.services.generations.base import Generation


@dataclass
class ServiceContext:
    """Lazily opens databases (no I/O in the constructor); safe to share between threads."""

    settings: Settings
    operator: str = field(default_factory=os_user)
    _dbs: Databases | None = field(default=None, init=False, repr=False)
    _audit: AuditLog | None = field(default=None, init=False, repr=False)
    _generation: Generation | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def databases(self) -> Databases:
        with self._lock:
            if self._dbs is None:
                self._dbs = open_databases(self.settings)
            return self._dbs

    @property
    def audit(self) -> AuditLog:
        with self._lock:
            if self._audit is None:
                self._audit = AuditLog(
                    self.settings.audit.path, self.operator, self.settings.environment
                )
            return self._audit

    def generation(self) -> Generation:
        """The generation of the canvas schema, detected once from its tables (and checked
        against ``[canvas] generation``); SchemaMissing when it is neither or contradicts it."""
        if self._generation is None:
            from hostprov_tui.services.generations import generation_of

            found = generation_of(self.databases().canvas, self.settings.canvas.generation)
            with self._lock:
                self._generation = found
        return self._generation

    def hasher(self) -> GuidHasher:
        secret = hash_secret(self.settings)
        if secret is None:
            raise ConfigError(
                missing_secret_sentence(self.settings),
                hint="Set HOSTPROV_SECURITY__HASH_SECRET, or [security] hash_secret_file to a "
                "file holding the NOOR Canvas secret.",
            )
        return GuidHasher(secret)

    def close(self) -> None:
        with self._lock:
            if self._dbs is not None:
                self._dbs.dispose()
                self._dbs = None
            self._generation = None
            if self._audit is not None:
                self._audit.close()
                self._audit = None
