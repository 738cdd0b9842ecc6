"""Parsing what an operator types (no database): IDs, targets, dates, GUIDs, search, names."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from hostprov_tui.errors import InputError
from hostprov_tui.services.inputs import (
    BIGINT_MAX,
    INT_MAX,
    Target,
    parse_canvas_session_id,
    parse_expiry,
    parse_guid,
    parse_ksessions_id,
    parse_name,
    parse_reason,
    parse_search,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" 7 ", 7), ("+3", 3), (12, 12), (str(INT_MAX), INT_MAX), ("007", 7),
])
def test_good_ksessions_ids(text: object, expected: int) -> None:
    assert parse_ksessions_id(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("abc", "whole number such as 12"),
    ("-5", "positive whole number"),
    ("0", "positive whole number"),
    (0, "positive whole number"),
    (-1, "positive whole number"),
    ("", "is empty"),
    ("   ", "is empty"),
    ("1.5", "whole number such as 12"),
    ("1e3", "whole number such as 12"),
    ("12 13", "whole number such as 12"),
    ("0x10", "whole number such as 12"),
    (str(INT_MAX + 1), "too large"),
    ("99999999999999999999", "too large"),
    (True, "whole number"),
    ("1; DROP TABLE Sessions", "whole number such as 12"),
])
def test_bad_ksessions_ids_are_one_sentence(text: object, words: str) -> None:
    with pytest.raises(InputError) as info:
        parse_ksessions_id(text)
    err = info.value
    assert err.exit_code == 2 and words in err.message
    assert err.message.startswith("KSESSIONS session ID") and err.message.endswith(".")
    assert "\n" not in err.message


def test_canvas_session_ids_are_bigint() -> None:
    assert parse_canvas_session_id(str(INT_MAX + 1)) == INT_MAX + 1
    assert parse_canvas_session_id(str(BIGINT_MAX)) == BIGINT_MAX
    with pytest.raises(InputError, match="too large"):
        parse_canvas_session_id(str(BIGINT_MAX + 1))


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(InputError) as info:
        parse_ksessions_id("x" * 5000)
    assert len(info.value.message) < 200


def test_target_needs_exactly_one_id() -> None:
    assert Target.parse("12", None) == Target(ksessions_id=12)
    assert Target.parse(None, "9") == Target(canvas_session_id=9)
    assert Target.parse(ksessions_id=12).describe() == "KSESSIONS session 12"
    with pytest.raises(InputError, match="not both"):
        Target.parse("1", "2")
    with pytest.raises(InputError, match="exactly one"):
        Target.parse(None, None)
    with pytest.raises(InputError, match="exactly one"):
        Target()


def test_expiry_parsing() -> None:
    assert parse_expiry(None) is None and parse_expiry("  ") is None
    assert parse_expiry("2027-03-04") == datetime(2027, 3, 4, 23, 59, 59)
    assert parse_expiry(date(2027, 3, 4)) == datetime(2027, 3, 4, 23, 59, 59)
    assert parse_expiry("2027-03-04T10:20") == datetime(2027, 3, 4, 10, 20)
    assert parse_expiry("2027-03-04T10:20:30.123456") == datetime(2027, 3, 4, 10, 20, 30)
    assert parse_expiry("2027-03-04T10:20:00+03:00") == datetime(2027, 3, 4, 7, 20)
    assert parse_expiry("2027-03-04T10:20:00Z") == datetime(2027, 3, 4, 10, 20)
    for bad in ("2027-02-30", "04/03/2027", "next week", "2027-03-04T24:61"):
        with pytest.raises(InputError, match="is not a date"):
            parse_expiry(bad)


def test_guid_parsing() -> None:
    guid = uuid.uuid4()
    assert parse_guid(str(guid)) == guid
    assert parse_guid(f"  {str(guid).upper()}  ") == guid
    assert parse_guid("{" + str(guid) + "}") == guid
    for bad in ("", "   ", "zzzz", str(guid)[:-1], str(guid) + "0"):
        with pytest.raises(InputError, match="not a GUID") as info:
            parse_guid(bad)
        assert info.value.exit_code == 2


def test_search_text() -> None:
    assert parse_search(None) == "" and parse_search("  %_ ") == "%_"
    assert parse_search("x" * 200) == "x" * 200
    with pytest.raises(InputError, match="keep it under 201"):
        parse_search("x" * 201)
    with pytest.raises(InputError, match="NUL"):
        parse_search("a\x00b")


def test_names_and_reasons() -> None:
    assert parse_name(None, "Created-by", "root") == "root"
    assert parse_name("  alice ", "Created-by", "root") == "alice"
    with pytest.raises(InputError, match="at most 128"):
        parse_name("a" * 129, "Created-by", "root")
    with pytest.raises(InputError, match="NUL"):
        parse_name("a\x00", "Created-by", "root")
    assert parse_reason("  ") is None and parse_reason("why") == "why"
    with pytest.raises(InputError, match="keep it under 500"):
        parse_reason("r" * 501)
