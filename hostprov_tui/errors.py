"""Typed errors shared by every layer.

Each error carries one sentence for a person (``message``), an optional ``hint`` saying what to do,
and the CLI exit code of docs/design.md. Nothing here imports a database driver or Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hostprov_tui.text_safety import one_line

if TYPE_CHECKING:
    from hostprov_tui.services.results import Plan

#: Exit codes of a refusal (bad input, a rule, the environment guard): the rest failed.
REFUSED_EXIT_CODES = frozenset({2, 4, 5})


class HostprovError(Exception):
    """Base of every expected failure: never shown with a traceback."""

    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "error"
    retryable: ClassVar[bool] = False

    def __init__(
        self, message: str, hint: str | None = None, *, plan: Plan | None = None
    ) -> None:
        message = one_line(message)  # never a raw control character of some input, anywhere
        super().__init__(message)
        self.message = message
        self.hint = one_line(hint) if hint else hint
        #: the checklist of a refused issuance or dry run (None for any other failure)
        self.plan = plan

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
            "retryable": self.retryable,
        }


class InputError(HostprovError):
    """The operator typed something that cannot be an ID, a date, a GUID or a search."""

    exit_code = 2
    code = "bad_input"


class ConfigError(HostprovError):
    """The configuration is unusable (bad URL, password in a file, missing secret)."""

    exit_code = 2
    code = "bad_config"


class DatabaseUnavailable(HostprovError):
    """A database did not answer, refused the login, or its driver is missing."""

    exit_code = 3
    code = "database_unreachable"
    retryable = True


class SchemaMissing(HostprovError):
    """A database answers but lacks tables or columns the tool needs."""

    exit_code = 3
    code = "schema_missing"


class ValidationRefused(HostprovError):
    """A rule of issuance said no: not found, no transcripts, past expiry, nothing to revoke."""

    exit_code = 4
    code = "refused"


class NotFound(ValidationRefused):
    code = "not_found"


class GuardRefused(HostprovError):
    """The environment guard refused (production target without confirmation, weak secret)."""

    exit_code = 5
    code = "environment_guard"


class ConcurrentChange(HostprovError):
    """Another operator changed the same session at the same moment; trying again is safe."""

    exit_code = 1
    code = "concurrent_change"
    retryable = True


class AuditUnavailable(HostprovError):
    """The audit record could not be written, so the operation was rolled back (fail closed)."""

    exit_code = 1
    code = "audit_unavailable"


class PermissionRefused(DatabaseUnavailable):
    """The database refused a statement for want of a permission (e.g. ALTER for
    IDENTITY_INSERT): nothing was saved."""

    code = "permission_refused"
    retryable = False


class DatabaseBusy(HostprovError):
    """Another process kept a lock this change needs past the statement timeout; nothing was
    saved. Not retried at once: the wait already used the whole timeout."""

    exit_code = 1
    code = "database_busy"
    retryable = True


class OutputUnavailable(HostprovError):
    """The file that must hold new GUIDs before their commit cannot be written (fail closed)."""

    exit_code = 1
    code = "output_unavailable"
