"""`hostprov issue --from-file` beside its floor: whole processes, alternating, medians.

Each round issues for the same ID file into a fresh canvas database (``db init`` untimed) beside
the catalogue's KSESSIONS file, then runs the floor (bulk_floor.py, a whole process too: the same
rows, HMACs, fsyncs and commits in plain sqlite3) for the IDs hostprov issued, into its own fresh
canvas database. The last round's canvas is issued for once more (every ID rotated). The tokens
generation has no floor here; its runs are timed the same way.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BulkFigures:
    generation: str
    runs: int
    first_s: float  # median wall time of the first issuance (created)
    again_s: float  # the rotation of the last round
    floor_s: float | None  # median wall time of the floor (guid generation only)
    first: dict[str, Any]  # the --json document of one first issuance
    again: dict[str, Any]
    codes: tuple[int, int]


def _config(folder: Path, ksessions_db: Path, generation: str) -> Path:
    folder.mkdir(parents=True)
    path = folder / "config.toml"
    tokens = generation == "tokens"
    path.write_text(
        'environment = "development"\n'
        '[canvas]\nurl = "sqlite:///canvas.db"\n' + ('generation = "tokens"\n' if tokens else "")
        + f'[ksessions]\nurl = "sqlite:///{ksessions_db}"\n'
        '[audit]\npath = "audit.jsonl"\n'
        + ("" if tokens else '[security]\nhash_secret_file = "hash_secret"\n')
        + "[demo]\nauto_create = false\n",
        encoding="utf-8",
    )
    return path


def _run(argv: Sequence[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=900, check=False)


def _init(hostprov: Sequence[str], config: Path, env: dict[str, str], generation: str) -> None:
    extra = ["--generation", "tokens"] if generation == "tokens" else []
    proc = _run([*hostprov, "--config", str(config), "db", "init", *extra], env, config.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"db init exited {proc.returncode}: {proc.stderr[-500:]}")


def _issue(hostprov: Sequence[str], config: Path, env: dict[str, str], ids_file: Path,
           out: Path) -> tuple[float, dict[str, Any], int]:
    started = time.perf_counter()
    proc = _run([*hostprov, "--config", str(config), "-q", "--json", "issue", "--from-file",
                 str(ids_file), "--output", str(out)], env, config.parent)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 4):  # 4: the IDs without transcripts are refused
        raise RuntimeError(f"issue exited {proc.returncode}: {proc.stderr[-500:]}")
    return wall, json.loads(proc.stdout), proc.returncode


def measure(hostprov: Sequence[str], env: dict[str, str], ksessions_db: Path, folder: Path,
            count: int, generation: str, runs: int) -> BulkFigures:
    """``runs`` rounds of hostprov then its floor; IDs 1..count (about 8 % have no
    transcripts in the demo catalogue: refused, exit 4)."""
    folder.mkdir(parents=True, exist_ok=True)
    ids_file = folder / "ids.txt"
    ids_file.write_text("# bulk benchmark\n" + "\n".join(map(str, range(1, count + 1))) + "\n",
                        encoding="utf-8")
    ours: list[float] = []
    floors: list[float] = []
    doc: dict[str, Any] = {}
    code = 0
    config = folder
    for round_ in range(runs):
        if round_:
            shutil.rmtree(config.parent, ignore_errors=True)
        config = _config(folder / f"{generation}-{round_}", ksessions_db, generation)
        _init(hostprov, config, env, generation)
        wall, doc, code = _issue(hostprov, config, env, ids_file, config.parent / "first.csv")
        ours.append(wall)
        if generation == "guid":
            floors.append(_floor(hostprov, env, ksessions_db, folder / f"floor-{round_}", doc))
    again_s, again, again_code = _issue(hostprov, config, env, ids_file,
                                        config.parent / "again.csv")
    return BulkFigures(generation, runs, statistics.median(ours), again_s,
                       statistics.median(floors) if floors else None, doc, again,
                       (code, again_code))


def _floor(hostprov: Sequence[str], env: dict[str, str], ksessions_db: Path, folder: Path,
           doc: dict[str, Any]) -> float:
    config = _config(folder, ksessions_db, "guid")
    _init(hostprov, config, env, "guid")
    ok = [int(r["ksessions_id"]) for r in doc["results"] if r["status"] == "ok"]
    ids_json = folder / "ok.json"
    ids_json.write_text(json.dumps(ok), encoding="utf-8")
    started = time.perf_counter()
    proc = _run([sys.executable, str(HERE / "bulk_floor.py"), str(folder / "canvas.db"),
                 str(ksessions_db), str(ids_json), str(folder / "scratch")], env, folder)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"bulk_floor.py exited {proc.returncode}: {proc.stderr[-500:]}")
    shutil.rmtree(folder, ignore_errors=True)
    return wall
