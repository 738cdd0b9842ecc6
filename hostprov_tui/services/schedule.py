"""The schedule of a run (tokens generation): what the app's session opener writes, parsed from
what an operator types, written in the opener's own formats.

The opener writes ScheduledDate '2027-01-15', ScheduledTime '6:30 PM' and ScheduledDuration
'90' (minutes, as text); the waiting room (SessionWaiting.razor) parses date and time together
and counts down to them, in the app's local time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from hostprov_tui.errors import InputError
from hostprov_tui.services.issuance_options import Schedule

#: The opener's duration field: minutes, 1 to 480 (eight hours).
DURATION_MAX = 480
_TIME_24 = re.compile(r"^(\d{1,2}):(\d{2})$")
_TIME_12 = re.compile(r"^(\d{1,2}):(\d{2})\s*([AaPp])\.?[Mm]\.?$")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 24 else text[:24] + "…")


def parse_date(text: str) -> date:
    value = text.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"Scheduled date {_shown(text)} is not a date; use YYYY-MM-DD, e.g. 2027-01-15."
        ) from None


def parse_time(text: str) -> time:
    """``18:30`` (24-hour) or ``6:30 PM``."""
    value = text.strip()
    m24, m12 = _TIME_24.match(value), _TIME_12.match(value)
    try:
        if m24:
            return time(int(m24[1]), int(m24[2]))
        if m12 and 1 <= int(m12[1]) <= 12:
            hour = int(m12[1]) % 12 + (12 if m12[3].lower() == "p" else 0)
            return time(hour, int(m12[2]))
    except ValueError:
        pass
    raise InputError(
        f"Scheduled time {_shown(text)} is not a time of day; use HH:MM (24-hour, e.g. 18:30) "
        "or the opener's 6:30 PM."
    )


def opener_time(moment: time) -> str:
    """The opener's own format: '6:30 PM', '12:05 AM'."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}"


def parse_duration(text: str) -> str:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= DURATION_MAX:
        raise InputError(
            f"Duration {_shown(text)} is not a number of minutes from 1 to {DURATION_MAX}."
        )
    return str(int(value))


def parse_schedule(
    date_text: str | None, time_text: str | None, duration_text: str | None, *, now: datetime
) -> Schedule | None:
    """The schedule typed by an operator, or None when all three are empty.

    ``now`` is the app's local time (the waiting room counts down in it): a date before today,
    or today at a time already past, is refused; so is a time without a date (the waiting room
    counts down only to both).
    """
    if _blank(date_text) and _blank(time_text) and _blank(duration_text):
        return None
    day = None if _blank(date_text) else parse_date(date_text)  # type: ignore[arg-type]
    moment = None if _blank(time_text) else parse_time(time_text)  # type: ignore[arg-type]
    duration = None if _blank(duration_text) else parse_duration(duration_text)  # type: ignore[arg-type]
    if moment is not None and day is None:
        raise InputError(
            "A scheduled time needs a scheduled date: the waiting room counts down only to both.",
            hint="Add --scheduled-date YYYY-MM-DD.",
        )
    if day is not None and (day < now.date() or (day == now.date() and moment is not None
                            and moment < now.time().replace(second=0, microsecond=0))):
        when = day.isoformat() + (f" {opener_time(moment)}" if moment else "")
        raise InputError(
            f"The scheduled start {when} is in the past; the waiting room would count down "
            "to a moment that has gone.",
            hint="Give today or a later date (and a later time of day).",
        )
    return Schedule(day.isoformat() if day else None,
                    opener_time(moment) if moment else None, duration)
