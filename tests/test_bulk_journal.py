"""The GUID file of a bulk run, chunk by chunk: a chunk's rows are written as "pending" in one
write, and marked "applied" or "dropped" in place in one write, the rest of each row unchanged."""

from __future__ import annotations

import uuid
from pathlib import Path

from hostprov_tui.services.bulk_items import BulkItem
from hostprov_tui.services.bulk_journal import BulkJournal, read_journal
from hostprov_tui.services.results import IssueResult


def _items(first: int, count: int) -> list[BulkItem]:
    items = []
    for ks in range(first, first + count):
        guid = str(uuid.UUID(int=ks))
        result = IssueResult(guid, 100 + ks, 200 + ks, ks, "created", f"hash{ks}")
        items.append(BulkItem(ks + 1, str(ks), ks, "ok", action="created",
                              canvas_session_id=200 + ks, host_session_id=100 + ks,
                              issued=result))
    return items


def test_rows_are_staged_then_marked_in_place(tmp_path: Path) -> None:
    path = tmp_path / "guids.csv"
    journal = BulkJournal(path)
    try:
        first = journal.stage(_items(1, 3))
        second = journal.stage(_items(4, 2))
        staged_text = path.read_text(encoding="utf-8")
        assert staged_text.count("pending,") == 5 and journal.pending == 5
        journal.settle(first, committed=True)
        journal.settle(second, committed=False)
        journal.settle(journal.stage([]), committed=True)  # an empty chunk changes nothing
        assert (journal.applied, journal.pending, journal.staged_total) == (3, 0, 5)
    finally:
        journal.close()
    text = path.read_text(encoding="utf-8")
    head, *lines = text.splitlines()
    assert head == "state,ksessions_id,canvas_session_id,host_session_id,action,guid,line"
    assert [line.split(",", 1)[0] for line in lines] == ["applied"] * 3 + ["dropped"] * 2
    # only the states changed: the rest of every row is as staged
    assert [line.split(",", 1)[1] for line in lines] == [
        line.split(",", 1)[1] for line in staged_text.splitlines()[1:]]
    rows, torn = read_journal(path)
    assert torn == 0 and [r.ksessions_id for r in rows] == [1, 2, 3, 4, 5]
    assert [r.guid for r in rows] == [str(uuid.UUID(int=ks)) for ks in range(1, 6)]
