"""The check lines of docs/design.md, each a sentence a person understands."""

from __future__ import annotations

from datetime import datetime, timedelta

from hostprov_tui.errors import (
    ConfigError,
    DatabaseUnavailable,
    GuardRefused,
    HostprovError,
    NotFound,
    SchemaMissing,
    ValidationRefused,
)
from hostprov_tui.services.lookups import CanvasInfo, HostInfo, KSessionInfo
from hostprov_tui.services.results import CheckLine, CheckStatus, Plan

PASS, WARN, FAIL = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL
FIND_HINT = "Find one with `hostprov sessions <words>` or on the Sessions screen."
TITLE_MAX, DESCRIPTION_MAX = 200, 1000

_ERROR_BY_CODE: dict[str, type[HostprovError]] = {
    "connectivity": DatabaseUnavailable,
    "schema": SchemaMissing,
    "environment": GuardRefused,
    "secret": GuardRefused,
    "config": ConfigError,
    "session": NotFound,
    "canvas_session": NotFound,
}


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def refusal(plan: Plan) -> HostprovError:
    """The error for the first failing line, carrying the whole plan."""
    first = plan.failures[0]
    cls = _ERROR_BY_CODE.get(first.code, ValidationRefused)
    return cls(first.message, hint=first.hint, plan=plan)


def session_line(ksessions_id: int, ks: KSessionInfo | None) -> CheckLine:
    if ks is None:
        return CheckLine(
            "session", FAIL, f"Session {ksessions_id} does not exist in KSESSIONS.", FIND_HINT
        )
    album = f" in album “{ks.album}”" if ks.album else ""
    return CheckLine(
        "session", PASS, f"KSESSIONS session {ksessions_id} exists: “{ks.name}”{album}."
    )


def transcript_lines(ks: KSessionInfo) -> list[CheckLine]:
    lines: list[CheckLine] = []
    if ks.transcripts == 0:
        lines.append(CheckLine(
            "transcripts", FAIL,
            f"KSESSIONS session {ks.session_id} has no transcripts, so a host would have "
            "nothing to present.",
            "Add a transcript to it in KSESSIONS first, or pick another session.",
        ))
    else:
        plural = "s" if ks.transcripts != 1 else ""
        lines.append(CheckLine("transcripts", PASS, f"It has {ks.transcripts} transcript{plural}."))
    if not ks.is_active:
        lines.append(CheckLine(
            "inactive", WARN,
            f"KSESSIONS session {ks.session_id} is marked inactive; issuing is still allowed.",
        ))
    return lines


def canvas_line(ks: KSessionInfo | None, canvas: CanvasInfo | None, ksessions_id: int) -> CheckLine:
    if canvas is not None:
        return CheckLine(
            "canvas_session", PASS, f"Canvas session {canvas.session_id} is linked to it."
        )
    title = (ks.name if ks else "")[:TITLE_MAX]
    return CheckLine(
        "canvas_session", PASS,
        f"A canvas session will be created: KSessionsId {ksessions_id}, title “{title}”, "
        "a new GroupId.",
    )


def host_lines(hosts: list[HostInfo], now: datetime) -> list[CheckLine]:
    if not hosts:
        return [CheckLine("host_session", PASS, "No active Host GUID: a new one will be created.")]
    current = hosts[0]
    expired = current.expires_at is not None and current.expires_at <= now
    state = "expired" if expired else "active"
    lines = [CheckLine(
        "host_session", WARN,
        f"Will rotate: the current Host GUID (host session {current.host_session_id}, {state}, "
        f"issued {stamp(current.created_at)} by {current.created_by or 'unknown'}) stops working.",
    )]
    if len(hosts) > 1:
        others = ", ".join(str(h.host_session_id) for h in hosts[1:])
        lines.append(CheckLine(
            "host_session_extra", WARN,
            f"{len(hosts) - 1} more active Host GUID(s) found (host sessions {others}); "
            "they will be revoked so that exactly one stays active.",
        ))
    return lines


def expiry_line(expires: datetime | None, now: datetime) -> CheckLine:
    if expires is None:
        return CheckLine(
            "expiry", PASS, "No expiry: the Host GUID works until it is rotated or revoked."
        )
    if expires <= now:
        return CheckLine(
            "expiry", FAIL, f"The expiry {stamp(expires)} is in the past.",
            "Give a future date, e.g. --expires "
            f"{(now + timedelta(days=365)).strftime('%Y-%m-%d')}.",
        )
    return CheckLine("expiry", PASS, f"The Host GUID will expire {stamp(expires)}.")
