"""Who issues, until when, and why: the parsed options of one issuance (or a bulk run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IssueOptions:
    created_by: str
    #: None: the generation's default (guid: never expires; tokens: now + [tokens] valid_hours)
    expires: datetime | None = None
    reason: str | None = None
    allow_production: bool = False
    #: tokens generation: give participants a new link as well when rotating
    new_user_token: bool = False
