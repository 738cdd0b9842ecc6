"""Who issues, until when, and why: the parsed options of one issuance (or a bulk run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Schedule:
    """What the app's session opener writes (tokens generation), in its own formats:
    ScheduledDate '2027-01-15', ScheduledTime '6:30 PM', ScheduledDuration '90' (minutes);
    a part left None is written as NULL."""

    scheduled_date: str | None
    scheduled_time: str | None
    duration: str | None


@dataclass(frozen=True)
class IssueOptions:
    created_by: str
    #: None: the generation's default (guid: never expires; tokens: now + [tokens] valid_hours)
    expires: datetime | None = None
    reason: str | None = None
    allow_production: bool = False
    #: tokens generation: give participants a new link as well when rotating
    new_user_token: bool = False
    #: tokens generation: start a new run even while the tokens still sign in
    new_run: bool = False
    #: tokens generation: the schedule the waiting room counts down to (None: as the run has it)
    schedule: Schedule | None = None
