"""The TUI's handle on the services: one Provisioner, built and bootstrapped lazily in a worker.

Nothing here runs before the first frame: the first worker that needs the database calls
:meth:`Backend.bootstrapped`, which imports the services, runs ``bootstrap()`` once and wires the
live audit listener. Every call happens on a worker thread; the lock makes the first one win.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hostprov_tui.config.operator import os_user

if TYPE_CHECKING:
    from hostprov_tui.config.settings import Settings
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.audit import AuditRecord


#: How long closing waits for a worker that holds the backend (see :meth:`Backend.close`).
CLOSE_WAIT_S = 0.5


class Backend:
    """Lazily built Provisioner shared by every screen (thread-safe)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        load: Callable[[], Settings] | None = None,
        provisioner: Provisioner | None = None,
        on_audit: Callable[[AuditRecord], None] | None = None,
    ) -> None:
        if settings is None and load is None:
            raise ValueError("Backend needs settings or a way to load them")
        self.settings = settings
        self._load = load
        self._prov = provisioner
        self._owned = provisioner is None
        self.operator = provisioner.operator if provisioner is not None else os_user()
        self._on_audit = on_audit
        self._ready = False
        self._listener: int | None = None
        self._lock = threading.RLock()

    def load_settings(self) -> Settings:
        """The settings, loaded on first use (call from a worker; may raise ConfigError)."""
        with self._lock:
            if self.settings is None:
                assert self._load is not None
                self.settings = self._load()
            return self.settings

    def without_bootstrap(self) -> Provisioner:
        """The Provisioner, NOT bootstrapped: for calls that read files only (``drift``), so
        they still answer when the databases do not (call from a worker thread)."""
        with self._lock:
            self.load_settings()
            assert self.settings is not None
            if self._prov is None:
                from hostprov_tui.services.api import Provisioner

                self._prov = Provisioner(self.settings, operator=self.operator)
            return self._prov

    def bootstrapped(self) -> Provisioner:
        """The Provisioner, bootstrapped on the first call (the first run creates the embedded
        databases); call from a worker thread; may raise HostprovError."""
        with self._lock:
            self.without_bootstrap()
            assert self._prov is not None
            if not self._ready:
                self._prov.audit  # noqa: B018 - a refused audit path stops it before any write
                self._prov.bootstrap()
                if self._on_audit is not None:
                    self._listener = self._prov.on_audit(self._on_audit)
                self._ready = True
            return self._prov

    def close(self) -> None:
        # A worker still inside bootstrapped() (a server that does not answer) holds the lock:
        # the app is ending, so its pools are left to the end of the process, not waited for.
        if not self._lock.acquire(timeout=CLOSE_WAIT_S):
            return
        try:
            if self._prov is not None:
                if self._listener is not None:
                    self._prov.audit.remove(self._listener)
                    self._listener = None
                self._ready = False
                if self._owned:
                    self._prov.close()
                    self._prov = None
        finally:
            self._lock.release()


def describe_error(exc: BaseException) -> tuple[str, Any]:
    """(message, hint) of any exception: typed errors speak for themselves."""
    from hostprov_tui.errors import HostprovError

    if isinstance(exc, HostprovError):
        return exc.message, exc.hint
    return f"Unexpected error: {type(exc).__name__}: {exc}", None
