"""Parsing what an operator types: IDs, dates, GUIDs, search text. Bad input → InputError."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from hostprov_tui.errors import InputError

INT_MAX = 2**31 - 1  # KSESSIONS SessionID is int
BIGINT_MAX = 2**63 - 1  # canvas SessionId is bigint
MAX_SEARCH_LENGTH = 200
MAX_NAME_LENGTH = 128  # CreatedBy / RevokedBy are nvarchar(128)
MAX_REASON_LENGTH = 500
_DIGITS = re.compile(r"^\+?[0-9]+$")  # ASCII only: ١٢ or １２ are not IDs
#: More digits than any ID column holds (bigint: 19): refused before int() is asked to read
#: them (Python refuses beyond 4300 digits with a ValueError).
MAX_ID_DIGITS = 19


def parse_id(value: object, what: str, maximum: int) -> int:
    """A positive whole number not above ``maximum``, with a sentence for anything else."""
    if isinstance(value, bool):
        raise InputError(f"{what} must be a whole number, got {value!r}.")
    if isinstance(value, int):
        number = value
        shown = str(value)
    else:
        shown = str(value).strip()
        if not shown:
            raise InputError(f"{what} is empty; give a whole number such as 12.")
        if shown.startswith("-") and _DIGITS.match(shown[1:]):
            raise InputError(f"{what} must be a positive whole number, got {_short(shown)}.")
        if not _DIGITS.match(shown):
            raise InputError(f"{what} must be a whole number such as 12 (the digits 0-9), "
                             f"got {_short(shown)}.")
        digits = shown.lstrip("+").lstrip("0")
        if len(digits) > MAX_ID_DIGITS:
            raise InputError(f"{what} has {len(digits)} digits, so it is too large; the "
                             f"largest possible is {maximum}.")
        number = int(shown)
    if number <= 0:
        raise InputError(f"{what} must be a positive whole number, got {_short(shown)}.")
    if number > maximum:
        raise InputError(f"{what} {_short(shown)} is too large; the largest possible is {maximum}.")
    return number


def parse_ksessions_id(value: object) -> int:
    return parse_id(value, "KSESSIONS session ID", INT_MAX)


def parse_canvas_session_id(value: object) -> int:
    return parse_id(value, "Canvas session ID", BIGINT_MAX)


@dataclass(frozen=True)
class Target:
    """Which session an operation is for: a KSESSIONS ID (usual) or a canvas session ID."""

    ksessions_id: int | None = None
    canvas_session_id: int | None = None

    def __post_init__(self) -> None:
        if (self.ksessions_id is None) == (self.canvas_session_id is None):
            raise InputError(
                "Give exactly one of a KSESSIONS session ID or a canvas session ID.",
                hint="e.g. --ksessions-id 12",
            )

    @classmethod
    def parse(cls, ksessions_id: object = None, canvas_session_id: object = None) -> Target:
        if ksessions_id is not None and canvas_session_id is not None:
            raise InputError("Give a KSESSIONS session ID or a canvas session ID, not both.")
        if ksessions_id is not None:
            return cls(ksessions_id=parse_ksessions_id(ksessions_id))
        if canvas_session_id is not None:
            return cls(canvas_session_id=parse_canvas_session_id(canvas_session_id))
        return cls()  # raises the "exactly one" sentence

    def describe(self) -> str:
        if self.ksessions_id is not None:
            return f"KSESSIONS session {self.ksessions_id}"
        return f"canvas session {self.canvas_session_id}"


def parse_expiry(value: str | date | datetime | None) -> datetime | None:
    """An expiry as naive UTC. Accepts ``2026-12-31`` (end of that day UTC) or ISO date-time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(23, 59, 59))
    else:
        text = value.strip()
        try:
            if len(text) == 10:
                parsed = datetime.combine(date.fromisoformat(text), time(23, 59, 59))
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"Expiry {_short(text)} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM "
                "(UTC unless an offset is given)."
            ) from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # e.g. 9999-12-31T23:00-12:00 is in the year 10000 in UTC
            raise InputError(
                f"Expiry {_short(str(value))} is outside the dates a database can hold "
                "(years 1 to 9999, UTC)."
            ) from None
    return parsed.replace(microsecond=0)


def parse_guid(value: str) -> uuid.UUID:
    """A Host GUID. The message for a value that is not one never quotes it: a mistyped GUID
    is still 31 of its 32 hex digits (it says only what kind of slip it is)."""
    text = (value or "").strip()
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InputError(_not_a_guid(text)) from None


def _not_a_guid(text: str) -> str:
    example = "a Host GUID has 32 hex digits in groups 8-4-4-4-12 " \
        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
    if not text:
        return f"An empty value is not a GUID; {example}."
    digits = sum(c in "0123456789abcdefABCDEF" for c in text)
    others = [c for c in text if c not in "0123456789abcdefABCDEF-{}"]
    slips = []
    if any(unicodedata_dash(c) for c in others):
        slips.append("a dash that is not a hyphen (e.g. an en dash)")
    if any(c.isspace() for c in others):
        slips.append("a space")
    if any(not c.isspace() and not unicodedata_dash(c) for c in others):
        slips.append("characters other than 0-9, a-f and hyphens")
    what = f" and holds {' and '.join(slips)}" if slips else ""
    return (f"The value given is not a GUID: it has {digits} hex digits{what}; {example}. "
            "(The value itself is not shown.)")


def unicodedata_dash(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) == "Pd" and char != "-"


def parse_token(value: str) -> str:
    """A host or participant token as the app writes it: 8 characters of its alphabet.

    Upper-cased first (the app's sign-in box does the same). The token itself never appears in
    a message: the audit log and stderr must not hold it.
    """
    from hostprov_tui.db.tokens_models import TOKEN_ALPHABET, TOKEN_LENGTH

    text = (value or "").strip().upper()
    if not text:
        raise InputError("An empty value is not a token; a token has 8 characters, like "
                         "K7XM3QPA.")
    if _not_text(text) or len(text) != TOKEN_LENGTH:
        raise InputError(
            f"A token has {TOKEN_LENGTH} characters; the value given has {len(text)}.",
            hint="Copy the whole token: the part after /host/ or /user/landing/ in the link.",
        )
    confusable = sorted({c for c in text if c in "O01"})
    if confusable:
        raise InputError(
            "Tokens never contain the letter O or the digits 0 and 1 (the app leaves them out "
            f"so they cannot be confused), but the value given has {', '.join(confusable)}.",
            hint="Check what you copied: a look-alike character slipped in.",
        )
    if any(c not in TOKEN_ALPHABET for c in text):
        raise InputError(
            "A token holds only the letters A–Z (without O) and the digits 2–9; the value "
            "given has other characters.",
        )
    return text


def _not_text(text: str) -> bool:
    """True when ``text`` holds lone surrogates: bytes that were not UTF-8 (e.g. in argv)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_bytes(text: str, what: str) -> None:
    if _not_text(text):
        raise InputError(
            f"{what} contains bytes that are not valid UTF-8 text; retype it, or check the "
            "terminal's character encoding."
        )


def parse_search(value: str | None) -> str:
    text = (value or "").strip()
    _refuse_bytes(text, "The search text")
    if "\x00" in text:
        raise InputError("The search text contains a NUL character; remove it and try again.")
    if len(text) > MAX_SEARCH_LENGTH:
        raise InputError(
            f"The search text is {len(text)} characters long; keep it under "
            f"{MAX_SEARCH_LENGTH + 1}."
        )
    return text


def parse_name(value: str | None, what: str, default: str) -> str:
    text = (value or "").strip() or default
    _refuse_bytes(text, what)
    refuse_control(text, what)
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"{what} is {len(text)} characters; at most {MAX_NAME_LENGTH} fit.")
    return text


def refuse_control(text: str, what: str) -> None:
    """A name is one line of plain text: a line break, an escape or another control character
    in it (it could forge an audit line or drive a terminal) is refused."""
    from hostprov_tui.services.display_text import control_names

    found = control_names(text)
    if found:
        raise InputError(f"{what} contains {' and '.join(found)}; a name is one line of plain "
                         "text, so nothing was done.")


def parse_reason(value: str | None) -> str | None:
    """Free text for the audit: kept as typed (shown escaped, see services/display_text.py)."""
    text = (value or "").strip()
    if not text:
        return None
    _refuse_bytes(text, "The reason")
    if len(text) > MAX_REASON_LENGTH:
        raise InputError(f"The reason is {len(text)} characters; keep it under 500.")
    return text.replace("\x00", "")


def _short(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown)


#: Where the token sits in the links hostprov gives out: {base_url}/host/{TOKEN} and
#: {base_url}/user/landing/{TOKEN}.
LINK_MARKERS = ("/host/", "/user/landing/")


def credential_from_link(value: str) -> str:
    """What to verify in what was pasted: the token of a host or participant link (with or
    without a query, a fragment or a trailing slash); any other text (a GUID, a bare token)
    stripped, as given. A link without a token is refused; the token is never quoted."""
    text = (value or "").strip()
    if "/" not in text:
        return text
    for marker in LINK_MARKERS:
        _head, found, tail = text.rpartition(marker)
        if found:
            token = re.split(r"[/?#]", tail, maxsplit=1)[0].strip()
            if not token:
                raise InputError(
                    "The link ends before its token.",
                    hint="Copy the whole link: the token is the part after /host/ or "
                    "/user/landing/.",
                )
            return token
    raise InputError(
        "This link is neither a host link (…/host/TOKEN) nor a participant link "
        "(…/user/landing/TOKEN).",
        hint="Paste the token itself, or the link hostprov gave out.",
    )


def __getattr__(name: str) -> Any:
    """The schedule of a run (tokens generation) lives in schedule.py; re-exported here, beside
    the other parsers of what an operator types, and loaded on first use (a search needs none
    of it)."""
    if name == "parse_schedule":
        from hostprov_tui.services.schedule import parse_schedule

        return parse_schedule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
