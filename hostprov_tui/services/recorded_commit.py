"""Commit a change whose "pending" audit records are on disk, then record what became of it.

Before: the caller wrote a pending record per change (``AuditLog.pending``, required — no record,
no commit) and made it durable. Here: COMMIT, then the outcome of each record —

* ``ok`` once the commit returned: the database holds the change;
* ``failed`` when the database answered that it rolled the transaction back (a constraint
  checked at commit, a serialisation failure);
* ``unknown`` when the answer never came (the connection broke during the commit): only the
  database can tell, and the record says so instead of guessing.

A kill between the commit and the outcome leaves the pending record alone, which ``audit`` reads
back as "unknown — check the database". An outcome that cannot be written after a commit does
not undo it (nothing can): the pending record stays and says the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Transaction
from sqlalchemy.exc import DBAPIError, IntegrityError

from hostprov_tui.db.errors import sqlstate
from hostprov_tui.services.audit import UNKNOWN, AuditLog, AuditRecord

#: SQLSTATE classes that mean the connection failed, not that the server refused the commit.
_NO_ANSWER_CLASSES = ("08", "57P", "XX")
#: SQLite's answers to a COMMIT it refused (the transaction is then rolled back).
_SQLITE_REFUSALS = ("constraint", "database is locked", "database table is locked",
                    "database or disk is full")


def commit_recorded(tx: Transaction, audit: AuditLog, pending: Sequence[AuditRecord]) -> None:
    """COMMIT ``tx``, then settle every ``pending`` record; re-raises a failed commit."""
    try:
        tx.commit()
    except DBAPIError as exc:
        if refused_cleanly(exc):
            full = "disk is full" in str(getattr(exc, "orig", exc)).lower()
            settle_all(audit, pending, "failed", "commit_refused",
                       "the disk is full: the database refused the commit, nothing was saved"
                       if full else "the database refused the commit and rolled the change back")
        else:
            settle_all(audit, pending, UNKNOWN, "commit_unanswered",
                       "the connection broke during the commit: check the database")
        raise
    except BaseException:  # interrupted while waiting for the answer
        settle_all(audit, pending, UNKNOWN, "commit_unanswered",
                   "interrupted during the commit: check the database")
        raise
    settle_all(audit, pending, "ok")


def refused_cleanly(exc: DBAPIError) -> bool:
    """Did the database answer that the transaction was rolled back (not: no answer)?

    A server that answers COMMIT with an error has rolled back; an error that is the connection
    itself (SQLSTATE class 08, a shutdown, an invalidated connection) is no answer. SQLite
    refuses a commit with a constraint or lock error and keeps the transaction to roll back; an
    I/O error during its commit is no answer either.
    """
    if exc.connection_invalidated:
        return False
    state = sqlstate(exc)
    if state:
        return not state.startswith(_NO_ANSWER_CLASSES)
    if isinstance(exc, IntegrityError):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return any(word in text for word in _SQLITE_REFUSALS)


def settle_all(
    audit: AuditLog, pending: Sequence[AuditRecord], outcome: str, reason: str | None = None,
    message: str | None = None,
) -> None:
    """The outcome of each pending record (best effort: the change is already decided),
    ``message`` added to each record's own; written together."""
    audit.settle_many(pending, outcome, reason=reason, note=message)
