"""Fast at the prompt: whole processes of hostprov beside their floors, alternating, medians.

- `hostprov --help`, `hostprov verify --help`, `hostprov --version` against `python -c pass`
  (goal ≤ 10×: they load only click and the command table);
- `hostprov -q check` and `hostprov -q sessions Taqwa` (embedded SQLite) against
  floor_query.py: pydantic-settings, SQLAlchemy and click imported, one query on the same file
  (goal ≤ 1.3×).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _wall(argv: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    took = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return took


def alternate(ours: Sequence[str], floor: Sequence[str], runs: int, env: dict[str, str],
              cwd: Path) -> tuple[float, float]:
    """Median wall time of ``ours`` and of ``floor``, run in turn ``runs`` times (after one
    untimed round of each: page cache, .pyc files)."""
    _wall(floor, env, cwd)
    _wall(ours, env, cwd)
    mine: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        base.append(_wall(floor, env, cwd))
        mine.append(_wall(ours, env, cwd))
    return statistics.median(mine), statistics.median(base)


def bench_prompt(add: Callable[..., Any], hostprov: Sequence[str], config: Path,
                 env: dict[str, str], runs: int) -> None:
    """Add one figure per command (``add(name, value, unit, floor, floor_name, goal, ok)``)."""
    cwd = config.parent
    bare = [sys.executable, "-c", "pass"]
    for args in (("--help",), ("verify", "--help"), ("--version",)):
        ours, floor = alternate([*hostprov, *args], bare, runs, env, cwd)
        add(f"`hostprov {' '.join(args)}` wall time (median of {runs})", ours, "s", floor,
            "python -c pass", "≤ 10×", ours <= 10 * floor)
    db_floor = [sys.executable, str(HERE / "floor_query.py"), str(cwd / "ksessions.db")]
    for args in (("-q", "check"), ("-q", "sessions", "Taqwa"), ("-q", "sessions", "42")):
        ours, floor = alternate([*hostprov, "--config", str(config), *args], db_floor, runs,
                                env, cwd)
        add(f"`hostprov {' '.join(args)}` wall time, embedded (median of {runs})", ours, "s",
            floor, "pydantic-settings + SQLAlchemy + click, one query", "≤ 1.3×",
            ours <= 1.3 * floor)
