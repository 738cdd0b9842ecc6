"""``--json`` documents as text: exactly ``json.dumps(doc, ensure_ascii=False, indent=2)``, faster.

With ``indent`` the standard library encodes in Python, one generator step per key and value:
the document of a 10,000-ID bulk run took longer to print than its audit records took to write.
Here the nesting is walked once and every string goes through the C escaper; anything that is
not a dict, list, str, int, bool or None (a float, a subclass) is left to ``json.dumps``, so the
text is the same byte for byte (tests/test_json_text.py compares the two).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "


def dumps(doc: Any) -> str:
    """``json.dumps(doc, ensure_ascii=False, indent=2)``."""
    out: list[str] = []
    _write(doc, "\n", out)
    return "".join(out)


_CONSTANTS: dict[Any, str] = {None: "null", True: "true", False: "false"}


def _scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)  # type: ignore[no-any-return]
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _CONSTANTS[value]
    return None


_PLAIN = frozenset((str, int, float, bool, type(None)))
_FLAT_ENCODERS: dict[str, Any] = {}


def _flat(value: dict[str, Any], newline: str) -> str | None:
    """A dict of plain values on its lines, by the C encoder (its item separator carries the
    line break and the indent); None when a value is not plain."""
    if not all(type(item) in _PLAIN for item in value.values()):
        return None
    inner = newline + _INDENT
    encode = _FLAT_ENCODERS.get(inner)
    if encode is None:
        encode = _FLAT_ENCODERS[inner] = json.JSONEncoder(
            ensure_ascii=False, separators=("," + inner, ": ")).encode
    text: str = encode(value)  # {"a": 1,<inner>"b": 2}: strings hold no raw line break
    return "{" + inner + text[1:-1] + newline + "}"


def _write(value: Any, newline: str, out: list[str]) -> None:
    text = _scalar(value)
    if text is not None:
        out.append(text)
        return
    kind = type(value)
    if kind is dict and all(type(k) is str for k in value):
        if not value:
            out.append("{}")
            return
        flat = _flat(value, newline)
        if flat is not None:
            out.append(flat)
            return
        inner = newline + _INDENT
        sep = "{" + inner
        for key, item in value.items():
            out.append(sep)
            out.append(encode_basestring(key))
            out.append(": ")
            shown = _scalar(item)
            if shown is not None:
                out.append(shown)
            else:
                _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
        return
    if kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + _INDENT
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
        return
    # floats, subclasses, keys that are not strings: the standard library, re-indented
    lines = json.dumps(value, ensure_ascii=False, indent=2).split("\n")
    out.append(lines[0] + "".join(newline + line for line in lines[1:]))
