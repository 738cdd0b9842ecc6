"""Where a tokens-generation session stands in its run (docs/design.md, "A session's runs"):
the typed state a Plan carries, and the sentence the dry run and the confirmations say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

RunStateName = Literal["none", "fresh", "live", "over", "revoked"]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class RunState:
    """Where a canvas session (tokens generation) stands in its run, read before writing.

    ``none``: no row; ``fresh``: not run yet; ``live``: tokens valid and run data (StartedAt,
    Status 'Active', participants or session data); ``over``: tokens no longer valid;
    ``revoked``: Status 'Expired'. ``new_run``: what issuing does (archive and remove the
    participants and session data, reset the row) rather than a rotation.
    """

    state: RunStateName
    participants: int = 0
    questions: int = 0
    session_data: int = 0
    started_at: datetime | None = None
    status: str | None = None
    new_run: bool = False
    #: where a new run's archive goes (a file name pattern in the data folder)
    archive: str | None = None
    #: a schedule was given: a live rotation writes it instead of keeping the run's own
    new_schedule: bool = False

    @property
    def removes(self) -> int:
        """Rows a new run archives and removes (participants and session data)."""
        return self.participants + self.session_data if self.new_run else 0

    def counts(self) -> str:
        return (f"{_count(self.participants, 'participant')} and "
                f"{_count(self.questions, 'question')} "
                f"({_count(self.session_data, 'row')} of session data)")

    @property
    def sentence(self) -> str:
        started = (f"started {self.started_at:%Y-%m-%d %H:%M} UTC" if self.started_at
                   else "never started")
        if self.state == "none":
            return "No canvas session yet: it will be created for a fresh run."
        if self.state == "fresh":
            return (f"The session has not run yet (Status '{self.status}'): a new host token is "
                    "written and nothing else changes.")
        if self.new_run:
            why = {"fresh": "a new run was asked for (the session has not run yet)",
                   "live": f"the session is live ({started}, Status '{self.status}') and a "
                           "new run was asked for",
                   "over": f"the session ran ({started}) and its tokens no longer sign in",
                   "revoked": f"the session was revoked (Status 'Expired'; {started})"}[
                       self.state]
            if not self.removes:
                return (f"{why[0].upper()}{why[1:]}: a new run resets it (Status 'Created', "
                        "new host and participant tokens); it has no participants or session "
                        "data to archive.")
            return (f"{why[0].upper()}{why[1:]}: a new run archives {self.counts()} to "
                    f"{self.archive} and removes them, then resets the session (Status "
                    "'Created', new host and participant tokens).")
        kept = ("the participant link and Status, and writes the schedule given"
                if self.new_schedule else "the participant link, Status and schedule")
        return (f"The session is live ({started}, Status '{self.status}'): the rotation keeps "
                f"its {self.counts()}, {kept}; only the host token changes (--new-run starts "
                "a new run instead).")
