"""Text a person typed, made safe to show: it can neither start a new line nor drive a terminal.

``printable`` is for free text shown on one line (audit lines on stderr, ``hostprov audit``, the
TUI's audit panel): control characters (C0, DEL, C1), line and paragraph separators and the
bidirectional overrides become visible escapes such as ``\\x1b`` or ``\\u202e``. ``control_names``
says which of them a name holds, so a name can be refused instead (exit 2).

This module imports nothing of hostprov: errors.py and every layer may use it (services and the
TUI reach it as services/display_text.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, is_dataclass, replace
from functools import cache
from typing import Any, TypeVar

#: Bidirectional embeddings, overrides and isolates: they reorder what follows on the line.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL",
          "\x1b": "an escape (ESC)", "\x7f": "a DEL", "\u2028": "a line separator",
          "\u2029": "a paragraph separator", "\x85": "a next-line (NEL)"}

T = TypeVar("T")
#: Every character :func:`is_unsafe` names, and the lone surrogates: the category Cc is
#: U+0000–U+001F and U+007F–U+009F by Unicode's stability policy, Zl is U+2028 alone and Zp
#: U+2029 alone (tests/test_text_safety.py checks it against unicodedata). One search for it is
#: what decides that a text needs no escaping: a C loop, not a Python one per character.
#: Compiled at first use (1–7 ms at import, on the TUI's path to its first frame).
_UNSAFE_CHARS = "\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI))


@cache
def _unsafe() -> re.Pattern[str]:
    return re.compile(f"[{_UNSAFE_CHARS}]")


@cache
def _unsafe_or_surrogate() -> re.Pattern[str]:
    return re.compile(f"[{_UNSAFE_CHARS}\ud800-\udfff]")


def is_unsafe(char: str) -> bool:
    """A character that moves the cursor, starts a line, drives the terminal or reorders text."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI


def printable(text: str) -> str:
    """``text`` with every unsafe character shown as an escape (``\\n``, ``\\x1b``, ``\\u202e``);
    lone surrogates (bytes that were not UTF-8) too."""
    if _unsafe_or_surrogate().search(text) is None:
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif is_unsafe(char) or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def one_line(text: str) -> str:
    """A sentence on one line: line breaks and tabs become spaces, other unsafe characters
    escapes (for error messages, which may hold a driver's multi-line text)."""
    if _unsafe().search(text) is None:
        return text
    flat = " ".join(text.replace("\r\n", "\n").replace("\t", " ").split("\n"))
    return printable(flat)


def control_names(text: str) -> list[str]:
    """What unsafe characters ``text`` holds, named for a sentence (``a line break``, …)."""
    found: dict[str, None] = {}
    for char in text:
        if is_unsafe(char):
            found[_NAMES.get(char, f"a control character (U+{ord(char):04X})")] = None
    return list(found)


def printable_record(record: T) -> T:
    """A copy of a dataclass record (an audit record) with every text field :func:`printable`."""
    if not is_dataclass(record) or isinstance(record, type):
        return record
    changes: dict[str, Any] = {}
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str):
            shown = printable(value)
            if shown != value:
                changes[field.name] = shown
    return replace(record, **changes) if changes else record
