"""The form's fields of a session's runs (tokens generation): the "New run" box and the schedule
(Start date, Start time, Duration), as the services take them, and the sentences the services
say about them put back under the field they are about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hostprov_tui.errors import InputError
from hostprov_tui.tui.provision_state import FieldError, FormValues

if TYPE_CHECKING:
    from hostprov_tui.services.api import Provisioner
    from hostprov_tui.services.results import RunState

#: The Host statuses of a session whose credential still signs in: the guid generation's
#: "active", and the tokens generation's run states "fresh" and "live" (services/results.py).
SIGNS_IN = frozenset({"active", "fresh", "live"})
#: ...and of one whose credential is in place but no longer signs in.
DEAD = frozenset({"expired", "revoked", "over"})
#: What a revoke can still act on (as `hostprov revoke` does): a run that is over keeps its tokens
#: in the row, and the app's control-panel lookups ignore ExpiresAt, so a revoke (Status
#: 'Expired') still locks it out; a Host GUID past its expiry is still IsActive, and a revoke
#: ends it for good (a later change of its expiry cannot bring it back).
REVOCABLE = SIGNS_IN | {"over", "expired"}
SCHEDULE = ("scheduled_date", "scheduled_time", "duration")
#: How the services' sentences about a schedule begin, and the field each is about.
_OPENINGS = {"Scheduled date": "scheduled_date", "The scheduled start": "scheduled_date",
             "A scheduled time needs a scheduled date": "scheduled_date",
             "Scheduled time": "scheduled_time", "Duration": "duration"}


def service_options(p: Provisioner, opts: dict[str, Any], action: str = "issue"
                    ) -> dict[str, Any]:
    """``opts`` (FormValues.options) with the schedule's three texts parsed into the
    services' Schedule (on the worker: a refusal is audited like the command line's)."""
    out = dict(opts)
    if SCHEDULE[0] in out:
        texts = [out.pop(name, None) for name in SCHEDULE]
        out["schedule"] = p.schedule(*texts, action=action)
    return out


def field_error(exc: Exception) -> FieldError | None:
    """The field a refusal of what was typed is about (None: not one of the form's)."""
    if not isinstance(exc, InputError):
        return None
    for opening, name in sorted(_OPENINGS.items(), key=lambda kv: -len(kv[0])):
        if exc.message.startswith(opening):
            return FieldError(name, exc.message, exc.hint)
    labels = {spec.label: name for name, spec in FormValues.specs() if spec.kind == "text"}
    for label, name in labels.items():
        if exc.message.startswith(label):
            return FieldError(name, exc.message, exc.hint)
    return None


def revoke_words(run: RunState | None) -> str | None:
    """What a revoke does to the session's run, from the last dry run's state (None: unknown)."""
    if run is None or run.state in ("none", "revoked"):
        return None
    return (f"Nothing is deleted: its {run.counts()} stay. Both tokens are replaced and never "
            "shown; issuing afterwards starts a new run (it archives them).")
