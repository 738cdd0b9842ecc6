"""cli/json_text.dumps is json.dumps(doc, ensure_ascii=False, indent=2), byte for byte."""

from __future__ import annotations

import json
from collections import Counter
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st

from hostprov_tui.cli.json_text import dumps


class Colour(StrEnum):
    RED = "red"


def _same(doc: object) -> None:
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2)


SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.sampled_from([Colour.RED, "\u2028", "\x1b[2J", "\ud800", "é \"q\" \\"]))
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=5) | st.integers() | st.none(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(DOCS)
def test_any_document_reads_the_same(doc: object) -> None:
    _same(doc)


def test_a_bulk_document_and_odd_corners() -> None:
    item = {"line": 3, "text": "3", "ksessions_id": 3, "status": "ok", "action": "created",
            "error_code": None, "ok": True, "expires_at": "2026-01-01T00:00:00+00:00"}
    _same({"ok": False, "exit_code": 4, "summary": {"total": 2, "seconds": 1.25},
           "output": None, "results": [item, dict(item, status="failed"), {}, [], ()]})
    _same({"nested": [[{"a": [1, 2.5, {"b": {}}]}]], 1: "int key", None: "none key"})
    _same(Counter({"created": 2}))
    _same([float("nan"), float("inf"), -0.0, 10**30, True, False])
