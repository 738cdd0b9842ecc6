"""TUI start-up against its floors, measured from outside in tmux (benchmarks/tmux_probe.py).

One run alternates, ``runs`` times after one untimed round: the bare Textual app (Header, Static,
Footer), ``hostprov tui``, and the floor script (benchmarks/floor_query.py, whole process).

- first frame: spawn → the dashboard painted (its cards and footer) against the bare app's
  first frame (goal ≤ 1.2×);
- ready: spawn → both cards "● reachable" against the bare app's first frame plus the floor
  script, added (goal ≤ 1.3×).

Medians of each; the ratios are of the medians.

    python benchmarks/tui_startup.py [RUNS]     builds a small catalogue in a temporary folder
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
FIRST_GOAL, READY_GOAL = 1.2, 1.3


def _floor_script(python: str, db: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of the floor script, a whole process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([python, str(HERE / "floor_query.py"), str(db)], env=env, cwd=db.parent,
                   capture_output=True, check=True, timeout=120)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(hostprov: Sequence[str], config: Path, env: dict[str, str],
            runs: int) -> dict[str, list[float]]:
    """The samples (seconds, one per run): wall times ``bare``, ``first``, ``ready``,
    ``floor``, and the CPU seconds used by then, ``*_cpu`` (where /proc tells)."""
    from tmux_probe import Tmux

    samples: dict[str, list[float]] = {k: [] for k in (
        "bare", "first", "ready", "floor", "bare_cpu", "first_cpu", "ready_cpu", "floor_cpu")}
    python = sys.executable
    with Tmux(env) as tmux:
        for i in range(runs + 1):  # round 0 warms the page cache and the .pyc files
            bare = tmux.bare(python)
            ours = tmux.hostprov(hostprov, config)
            floor, floor_cpu = _floor_script(python, config.parent / "ksessions.db", env)
            if i == 0:
                continue
            samples["bare"].append(bare.first_frame_s)
            samples["first"].append(ours.first_frame_s)
            samples["ready"].append(ours.ready_s or 0.0)
            samples["floor"].append(floor)
            cpu = (bare.first_cpu_s, ours.first_cpu_s, ours.ready_cpu_s)
            if None not in cpu:
                for key, value in zip(("bare_cpu", "first_cpu", "ready_cpu"), cpu, strict=True):
                    samples[key].append(value or 0.0)
                samples["floor_cpu"].append(floor_cpu)
    return samples


def bench_tui_startup(add: Callable[..., Any], hostprov: Sequence[str], config: Path,
                      env: dict[str, str], runs: int) -> None:
    """Add the two figures (``add(name, value, unit, floor, floor_name, goal, ok)``); without
    tmux, one line saying so."""
    from tmux_probe import TmuxUnavailable

    try:
        s = measure(hostprov, config, env, runs)
    except TmuxUnavailable as exc:
        add(f"TUI start-up in tmux — not measured: {exc}", None, "s", None, "", "", None)
        return
    bare, first = statistics.median(s["bare"]), statistics.median(s["first"])
    ready, floor = statistics.median(s["ready"]), statistics.median(s["floor"])
    add(f"TUI first frame in tmux: spawn → dashboard painted (median of {runs})", first, "s",
        bare, "bare Textual app (Header, Static, Footer), first frame", f"≤ {FIRST_GOAL}×",
        first <= FIRST_GOAL * bare)
    add(f"TUI ready in tmux: spawn → both cards reachable (median of {runs})", ready, "s",
        bare + floor, "bare app first frame + floor_query.py", f"≤ {READY_GOAL}×",
        ready <= READY_GOAL * (bare + floor))
    if s["bare_cpu"]:  # the same moments in CPU seconds: what the load moves least
        med = {k: statistics.median(s[k]) for k in ("bare_cpu", "first_cpu", "ready_cpu",
                                                    "floor_cpu")}
        add(f"TUI first frame in tmux, CPU seconds used by then (median of {runs})",
            med["first_cpu"], "s", med["bare_cpu"], "bare app, CPU at its first frame",
            "(info)", None)
        add(f"TUI ready in tmux, CPU seconds used by then (median of {runs})",
            med["ready_cpu"], "s", med["bare_cpu"] + med["floor_cpu"],
            "bare app + floor_query.py, CPU", "(info)", None)


def main(argv: list[str]) -> int:
    import shutil
    import tempfile

    sys.path.insert(0, str(HERE))
    import bench

    runs = int(argv[0]) if argv else 7
    tmp = Path(tempfile.mkdtemp(prefix="hostprov-tui-bench-"))
    try:
        config, _, _ = bench.build_catalogue(tmp / "small", 400)

        def show(name: str, value: float | None, _unit: str, floor: float | None,
                 floor_name: str, goal: str, ok: bool | None) -> None:
            ratio = f"{value / floor:.2f}×" if value and floor else "–"
            verdict = "–" if ok is None else ("PASS" if ok else "MISS")
            value_s = f"{value:.3f} s" if value is not None else "n/a"
            floor_s = f"{floor:.3f} s" if floor is not None else ""
            print(f"{name}: {value_s} | {floor_s} ({floor_name}) | {ratio} | {goal} {verdict}")

        bench_tui_startup(show, bench.HOSTPROV, config, bench.cli_env(), runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
