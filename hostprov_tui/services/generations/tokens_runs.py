"""A session's runs (tokens generation): the state read before writing, and a new run's writes.

docs/design.md, "A session's runs": *fresh* (not run yet), *live* (tokens valid and run data:
StartedAt, Status 'Active', participants or session data), *over* (tokens no longer valid),
*revoked* (Status 'Expired'). A live session is rotated (only the host token changes) unless a
new run is asked for; an over or revoked one gets a new run: its Participants and SessionData
rows are archived (run_archive.py) and removed, and the row is reset.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, update

from hostprov_tui.db.tokens_models import STATUS_CREATED, STATUS_EXPIRED, TokenSession
from hostprov_tui.services import run_archive
from hostprov_tui.services.checks import FAIL, PASS, WARN, CheckLine
from hostprov_tui.services.generations.token_rows import RunCounts, TokenRow
from hostprov_tui.services.issuance_options import IssueOptions, Schedule
from hostprov_tui.services.lookups import KSessionInfo
from hostprov_tui.services.results import GuidStatus, RunState, RunStateName


def state_name(row: TokenRow | None, counts: RunCounts | None, now: datetime) -> RunStateName:
    if row is None:
        return "none"
    ran = row.has_run or (counts is not None and counts.any)
    if row.status == STATUS_EXPIRED:
        return "revoked"
    if not row.has_tokens:
        return "over" if ran else "fresh"
    if not row.signs_in(now):
        return "over"
    return "live" if ran else "fresh"


def run_state(
    row: TokenRow | None, counts: RunCounts | None, now: datetime, new_run_asked: bool,
    archive: str, *, schedule_given: bool = False,
) -> RunState:
    name = state_name(row, counts, now)
    c = counts or RunCounts()
    new_run = name in ("over", "revoked") or (name in ("live", "fresh") and new_run_asked
                                                and row is not None)
    return RunState(name, c.participants, c.questions, c.session_data,
                    row.started_at if row else None, row.status if row else None,
                    new_run, archive, new_schedule=schedule_given)


#: The catalogue's status column, by state.
STATUS_BY_STATE: dict[RunStateName, GuidStatus] = {
    "none": GuidStatus.NONE, "fresh": GuidStatus.FRESH, "live": GuidStatus.LIVE,
    "over": GuidStatus.OVER, "revoked": GuidStatus.REVOKED,
}


def run_line(state: RunState) -> CheckLine:
    return CheckLine("run", WARN if state.removes or state.state == "live" else PASS,
                     state.sentence)


def inactive_line(ks: KSessionInfo) -> CheckLine:
    return CheckLine(
        "inactive", FAIL,
        f"KSESSIONS session {ks.session_id} is inactive (IsActive false): the app's session "
        "opener lists active sessions only, so the host could not open it.",
        "Mark it active in KSESSIONS first, or pick another session.",
    )


def schedule_line(schedule: Schedule | None, state: RunState) -> CheckLine | None:
    if schedule is None:
        if state.new_run:
            return CheckLine("schedule", PASS, "No schedule given: the new run's schedule is "
                             "cleared, and the host sets it in the app's session opener.")
        return None
    when = " ".join(p for p in (schedule.scheduled_date, schedule.scheduled_time) if p)
    length = f" for {schedule.duration} minutes" if schedule.duration else ""
    return CheckLine(
        "schedule", PASS,
        f"The schedule is written as the session opener writes it: the waiting room counts "
        f"down to {when or 'no date'}{length}.",
    )


def schedule_values(schedule: Schedule | None) -> dict[str, Any]:
    if schedule is None:
        return {}
    return {"ScheduledDate": schedule.scheduled_date, "ScheduledTime": schedule.scheduled_time,
            "ScheduledDuration": schedule.duration}


def archive_new_runs(
    conn: Connection, audit_path: Path, ids: Sequence[int], now: datetime, run_tables: bool
) -> str | None:
    """Remove the Participants and SessionData rows of ``ids`` (locked by the caller) and
    archive exactly the rows removed: one DELETE … RETURNING per table for any number of
    sessions. Returns the archive's path (None when there was nothing to archive); its pending
    file is fsynced before this returns, so before the commit."""
    if not ids or not run_tables:
        return None
    folder = run_archive.archive_folder(audit_path)
    removed = run_archive.remove_rows(conn, ids)
    if not removed.rows:
        return None
    return str(run_archive.write(folder, ids, removed, now))


def reset_rows(
    conn: Connection, pairs: dict[int, tuple[str, str]], ids: Sequence[int],
    expires: datetime, now: datetime, schedule: Schedule | None,
) -> None:
    """One statement for every new run: both tokens new, Status 'Created', StartedAt and EndedAt
    cleared, the schedule cleared or set, ParticipantCount 0, a new ExpiresAt."""
    if not ids:
        return
    values = schedule_values(schedule) or {"ScheduledDate": None, "ScheduledTime": None,
                                           "ScheduledDuration": None}
    conn.execute(
        update(TokenSession).where(TokenSession.SessionId == bindparam("b_id"))
        .values(HostToken=bindparam("b_host"), UserToken=bindparam("b_user"),
                Status=STATUS_CREATED, StartedAt=None, EndedAt=None, ParticipantCount=0,
                ExpiresAt=expires, ModifiedAt=now, **values),
        [{"b_id": i, "b_host": pairs[i][0], "b_user": pairs[i][1]} for i in ids],
    )


def new_row(
    session_id: int, pair: tuple[str, str], now: datetime, expires: datetime, opts: IssueOptions
) -> dict[str, Any]:
    """A new canvas session: every NOT NULL column set (hostprov relies on no default); the
    schedule columns always present, so that every row of one insert has the same keys."""
    return {
        "SessionId": session_id, "AlbumId": uuid.uuid4(), "HostToken": pair[0],
        "UserToken": pair[1], "Status": STATUS_CREATED, "CreatedAt": now, "ModifiedAt": now,
        "ExpiresAt": expires, "ParticipantCount": 0,
        **(schedule_values(opts.schedule) or {
            "ScheduledDate": None, "ScheduledTime": None, "ScheduledDuration": None}),
    }


def host_url(base: str, token: str) -> str:
    return f"{base}/host/{token}"


def participant_url(base: str, token: str) -> str:
    return f"{base}/user/landing/{token}"
