"""The schedule of a run as an operator types it, written in the session opener's formats
(services/schedule.py, re-exported by services/inputs.py for the TUI's form)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hostprov_tui.errors import InputError
from hostprov_tui.services.inputs import parse_schedule
from hostprov_tui.services.issuance_options import Schedule

NOW = datetime(2027, 1, 15, 17, 45)


@pytest.mark.parametrize(("typed", "written"), [
    ("18:30", "6:30 PM"), ("6:30 PM", "6:30 PM"), ("6:30 pm", "6:30 PM"), ("6:30PM", "6:30 PM"),
    ("00:00", "12:00 AM"), ("12:00", "12:00 PM"), ("12:05 AM", "12:05 AM"), ("23:59", "11:59 PM"),
    ("9:05 a.m.", "9:05 AM"),
])
def test_times_are_written_as_the_opener_writes_them(typed: str, written: str) -> None:
    got = parse_schedule("2027-01-16", typed, "90", now=NOW)
    assert got == Schedule("2027-01-16", written, "90")


def test_empty_is_no_schedule_and_parts_may_be_left_out() -> None:
    assert parse_schedule(None, None, None, now=NOW) is None
    assert parse_schedule(" ", "", "  ", now=NOW) is None
    assert parse_schedule("2027-01-15", None, None, now=NOW) == Schedule("2027-01-15", None, None)
    assert parse_schedule(None, None, "045", now=NOW) == Schedule(None, None, "45")
    assert parse_schedule("2027-01-15", "18:00", None, now=NOW) == \
        Schedule("2027-01-15", "6:00 PM", None)  # later today


@pytest.mark.parametrize(("day", "at", "minutes", "words"), [
    ("2027-01-14", None, None, "in the past"),
    ("2027-01-15", "17:00", None, "in the past"),
    ("2027-1-15", None, None, "YYYY-MM-DD"),
    ("2027-02-30", None, None, "not a date"),
    ("tomorrow", None, None, "not a date"),
    ("2027-01-16", "25:00", None, "not a time"),
    ("2027-01-16", "13:00 PM", None, "not a time"),
    ("2027-01-16", "6.30", None, "not a time"),
    (None, "18:30", None, "needs a scheduled date"),
    ("2027-01-16", None, "0", "1 to 480"),
    ("2027-01-16", None, "481", "1 to 480"),
    ("2027-01-16", None, "1.5", "1 to 480"),
    ("2027-01-16", None, "-5", "1 to 480"),
])
def test_bad_or_past_schedules_are_refused_with_a_sentence(
    day: str | None, at: str | None, minutes: str | None, words: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_schedule(day, at, minutes, now=NOW)
    assert words in caught.value.message
    assert caught.value.exit_code == 2
