"""What a bulk issue answers: one item per input line (or ID) and the run's result, with its
exit code and summary (services/bulk.py produces them; the CLI and the TUI show them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from hostprov_tui.errors import REFUSED_EXIT_CODES
from hostprov_tui.services.results import Issued

#: Exit codes from most to least severe: unreachable/schema, anything else, guard, refused, input.
SEVERITY = (3, 1, 5, 4, 2)

Status = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class BulkItem:
    """The outcome for one line of input (or one ID)."""

    line: int  # 1-based position in the input
    text: str  # the input as given
    ksessions_id: int | None
    status: Status
    action: Literal["created", "rotated"] | None = None
    canvas_session_id: int | None = None
    host_session_id: int | None = None
    #: the credential issued (GUID or tokens): only in the caller's output, never logged
    issued: Issued | None = field(default=None, repr=False)
    error_code: str | None = None
    message: str | None = None
    hint: str | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def outcome(self) -> str:
        """created | rotated | refused | failed | skipped."""
        if self.ok:
            return self.action or "issued"
        if self.status == "skipped":
            return "skipped"
        return "refused" if self.exit_code in REFUSED_EXIT_CODES else "failed"

    def to_json(self) -> dict[str, object]:
        """The item for ``--json``: its fields, with the credential's own (GUID or tokens)."""
        data = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "issued"}
        if self.issued is not None:
            data.update({k: v for k, v in self.issued.document().items() if k not in data})
        else:
            data["guid"] = None
        return data

    @property
    def guid(self) -> str | None:
        """The Host GUID issued (guid generation), else None."""
        return getattr(self.issued, "guid", None)

    def csv_row(self) -> tuple[object, ...]:
        """This item's row of the bulk CSV (the columns of its result's generation)."""
        assert self.issued is not None
        return self.issued.csv_row()


@dataclass(frozen=True)
class BulkResult:
    items: tuple[BulkItem, ...]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(1 for i in self.items if i.status == status)

    def outcomes(self) -> Counter[str]:
        """How many items were created, rotated, refused, failed, skipped."""
        return Counter(i.outcome for i in self.items)

    @property
    def ok(self) -> bool:
        return all(i.status != "failed" for i in self.items)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, else the code of the most severe failure class."""
        codes = {i.exit_code for i in self.items if i.status == "failed"}
        if not codes:
            return 0
        return min(codes, key=SEVERITY.index)  # every HostprovError code is in SEVERITY

    def summary(self) -> str:
        outcomes = self.outcomes()
        created, rotated = outcomes["created"], outcomes["rotated"]
        failed = [i for i in self.items if i.status == "failed"]
        text = (
            f"Issued {created + rotated} of {len(self.items)} (created {created}, rotated "
            f"{rotated}); {len(failed)} failed"
        )
        if failed:
            by_code: dict[str, int] = {}
            for item in failed:
                by_code[item.error_code or "error"] = by_code.get(item.error_code or "error", 0) + 1
            text += " (" + ", ".join(f"{n} {code}" for code, n in sorted(by_code.items())) + ")"
        skipped = self.count("skipped")
        if skipped:
            text += f"; {skipped} duplicate line{'' if skipped == 1 else 's'} skipped"
        return text + f"; {self.seconds:.1f} s."
