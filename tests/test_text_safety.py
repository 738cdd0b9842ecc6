"""text_safety's one-search fast path names exactly the characters ``is_unsafe`` names."""

from __future__ import annotations

import sys

from hostprov_tui.text_safety import (
    _unsafe,
    _unsafe_or_surrogate,
    is_unsafe,
    one_line,
    printable,
)


def test_the_fast_path_agrees_with_unicodedata_on_every_code_point() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert (_unsafe().search(char) is not None) == is_unsafe(char), hex(code)
        surrogate = 0xD800 <= code <= 0xDFFF
        assert (_unsafe_or_surrogate().search(char) is not None) == (
            is_unsafe(char) or surrogate), hex(code)


def test_printable_escapes_inside_long_safe_text() -> None:
    safe = "issue ok ksessions=12 canvas=3 — Tafsīr of Sūrah al-Fātiḥah " * 20
    assert printable(safe) is safe
    assert one_line(safe) is safe
    for bad, shown in (("\x1b[2J", "\\x1b[2J"), ("\u202e", "\\u202e"), ("\n", "\\n"),
                       ("\ud800", "\\ud800"), ("\x85", "\\x85")):
        assert printable(safe + bad + safe) == safe + shown + safe
    assert one_line("a\r\nb\tc\x1b") == "a b c\\x1b"
    assert one_line("lone \udcff") == "lone \udcff"  # one_line leaves surrogates to printable
