"""What the audit trail never holds: anything shaped like a GUID, or close to one.

Free text of a record (its message and reason) goes through :func:`scrub` before it is written.
"""

from __future__ import annotations

import re

_GUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)


#: The example the input sentences give (services/inputs.py): public, so it stays readable.
EXAMPLE_GUID = "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"
#: The example alone (not part of a longer run of letters and digits, which may be a GUID typed).
_EXAMPLE = re.compile(rf"(?<![0-9A-Za-z]){re.escape(EXAMPLE_GUID)}(?![0-9A-Za-z])",
                      re.IGNORECASE)


def scrub(text: str | None) -> str | None:
    """Replace anything shaped like a GUID with a marker — and anything close to one: a GUID
    with a character dropped or changed, en dashes or spaces for its hyphens, still gives away
    most of its digits (see :func:`_near_guids`). The documented example GUID stays readable."""
    if not text or text in _CLEAN:
        return text
    parts = _EXAMPLE.split(text)
    scrubbed = EXAMPLE_GUID.join(_near_guids(_GUID.sub("[guid]", part)) for part in parts)
    if scrubbed == text and len(text) <= _CLEAN_MAX_CHARS:  # nothing GUID-like: remembered
        if len(_CLEAN) >= _CLEAN_MAX:
            _CLEAN.clear()
        _CLEAN.add(text)
    return scrubbed


#: Texts scrub() left as they were (a bulk run's records repeat the same few): only those, so
#: nothing GUID-like is kept; bounded in number and length.
_CLEAN: set[str] = set()
_CLEAN_MAX, _CLEAN_MAX_CHARS = 256, 1000


_HEX = frozenset("0123456789abcdefABCDEF")
#: Words joined by at most two separators a GUID may be typed with (hyphen-likes, spaces, _).
_RUN = re.compile(r"[0-9A-Za-z]+(?:[\s\-\u2010-\u2015\u2212_{}]{1,2}[0-9A-Za-z]+)*")
_WORD = re.compile(r"[0-9A-Za-z]+")
#: A near-GUID: consecutive mostly-hex words holding this many hex digits, some of them digits.
_NEAR_HEX_DIGITS = 16
_NEAR_DECIMALS = 4


def _near_guids(text: str) -> str:
    return _RUN.sub(_scrub_run, text)


def _mostly_hex(word: str) -> bool:
    return sum(c in _HEX for c in word) * 4 >= len(word) * 3


def _scrub_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if sum(c in _HEX for c in run) < _NEAR_HEX_DIGITS:
        return run
    words = list(_WORD.finditer(run))
    spans: list[tuple[int, int]] = []
    group: list[re.Match[str]] = []
    for word in [*words, None]:
        if word is not None and _mostly_hex(word.group(0)):
            group.append(word)
            continue
        joined = "".join(w.group(0) for w in group)
        if sum(c in _HEX for c in joined) >= _NEAR_HEX_DIGITS and \
                sum(c.isdigit() for c in joined) >= _NEAR_DECIMALS and \
                any(c in "abcdefABCDEF" for c in joined):  # a long ID is a number, no GUID
            spans.append((group[0].start(), group[-1].end()))
        group = []
    for start, end in reversed(spans):
        run = run[:start] + "[guid]" + run[end:]
    return run
