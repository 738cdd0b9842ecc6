"""hostprov at catalogue scale: every figure of the performance goals beside its floor.

    benchmarks/run            full sizes: 100,000-session demo, 10,000 bulk issues
    benchmarks/run --smoke    small sizes (2,000 sessions, 200 bulk issues), well under a minute

Floors are what the same work costs without hostprov around it: the same SQL statements on plain
sqlite3 connections to the same files, the same rows loaded by plain sqlite3, a bare Textual app
(Header, Static, Footer) in tmux. Databases are built under a temporary folder, never in the
repository's data/.
Nothing here is asserted: each figure is printed with its goal and PASS or MISS; the full run
also writes benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prompt import bench_prompt  # noqa: E402  (benchmarks/prompt.py)

from tests.support.statements import (  # noqa: E402  (the tests' statement capture)
    MAX_ISSUE_STATEMENTS,
    captured,
    selects,
)

SECRET = "benchmark-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
BIN = Path(sys.executable).parent
HOSTPROV = [str(BIN / "hostprov")] if (BIN / "hostprov").exists() else [
    sys.executable, "-m", "hostprov_tui"
]


@dataclass
class Sizes:
    sessions: int
    small_sessions: int
    bulk: int
    search_reps: int
    cli_runs: int
    tui_runs: int
    cli_queries: tuple[str, ...] = ("Taqwa", "42")
    warm: bool = True  # one untimed round first (page cache, .pyc files)
    bulk_runs: int = 7  # rounds of a bulk issuance and its floor (benchmarks/bulk_bench.py)
    audit_line_mb: tuple[int, ...] = (10, 40, 200)  # the over-long audit line of bench_audit


FULL = Sizes(sessions=100_000, small_sessions=400, bulk=10_000, search_reps=20, cli_runs=7,
             tui_runs=11)
SMOKE = Sizes(sessions=2_000, small_sessions=400, bulk=200, search_reps=3, cli_runs=2,
              tui_runs=3, cli_queries=("Taqwa",), warm=False, audit_line_mb=(10,), bulk_runs=1)


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""
    goal: str = ""
    ok: bool | None = None  # None: no goal (informative), or not measured
    note: str = ""

    def cells(self) -> list[str]:
        ratio = (
            f"{self.value / self.floor:.2f}×"
            if self.value is not None and self.floor else "–"
        )
        verdict = "–" if self.ok is None else ("PASS" if self.ok else "MISS")
        return [self.name, _fmt(self.value, self.unit),
                _fmt(self.floor, self.unit) + (f" ({self.floor_name})" if self.floor_name else ""),
                ratio, self.goal or "–", verdict]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "KiB":
        return f"{value:.0f} KiB"
    return f"{value:g} {unit}".strip()


@dataclass
class Report:
    sizes: Sizes
    figures: list[Figure] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, fig: Figure) -> None:
        self.figures.append(fig)
        print(f"  {fig.name}: {' | '.join(fig.cells()[1:])}", flush=True)


# ---------------------------------------------------------------------------- catalogue set-up


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        'environment = "development"\n'
        '[canvas]\nurl = "sqlite:///canvas.db"\n'
        '[ksessions]\nurl = "sqlite:///ksessions.db"\n'
        '[audit]\npath = "audit.jsonl"\n'
        '[security]\nhash_secret_file = "hash_secret"\n'
        "[demo]\nauto_create = false\n",
        encoding="utf-8",
    )
    return path


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
    env["HOSTPROV_SECURITY__HASH_SECRET"] = SECRET
    env["COLUMNS"] = "160"
    return env


def hostprov(config: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*HOSTPROV, "--config", str(config), *args], capture_output=True, text=True,
        env=cli_env(), cwd=config.parent, timeout=900,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"hostprov {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def build_catalogue(folder: Path, sessions: int) -> tuple[Path, float, dict[str, Any]]:
    """``hostprov db init`` + ``hostprov demo --sessions N``; the wall time of the demo step."""
    config = write_config(folder)
    hostprov(config, "db", "init")
    started = time.perf_counter()
    proc = hostprov(config, "--json", "demo", "--sessions", str(sessions))
    wall = time.perf_counter() - started
    return config, wall, json.loads(proc.stdout)


def raw_demo_floor(folder: Path, sessions: int) -> float:
    """The same rows loaded by plain sqlite3 (executemany, one transaction, no journal, no
    search index) into a file with the same tables: what Python + SQLite alone need."""
    from sqlalchemy import create_engine

    from hostprov_tui.db import demo
    from hostprov_tui.db.ksessions_models import KSessionsBase

    path = folder / "raw.db"
    engine = create_engine(f"sqlite:///{path}").execution_options(
        schema_translate_map={"dbo": None}
    )
    with engine.begin() as conn:
        KSessionsBase.metadata.create_all(conn)
    engine.dispose()
    started = time.perf_counter()
    rng = random.Random(7)
    plan = demo._Plan.build(rng, sessions)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")

    def load(table: str, cols: tuple[str, ...], rows: Any) -> None:
        conn.executemany(
            f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})',
            rows,
        )

    stamp = demo._sqlite_stamp
    for table, rows in (("Speakers", plan.speakers), ("Groups", plan.albums),
                        ("Categories", plan.categories)):
        load(table, tuple(rows[0]), demo._tuples(rows, stamp))
    load("Sessions", demo._SESSION_COLUMNS, plan.session_rows(rng, stamp))
    load("SessionTranscripts", demo._TRANSCRIPT_COLUMNS, plan.transcript_rows(rng, stamp))
    conn.execute("COMMIT")
    conn.close()
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds


# ---------------------------------------------------------------------------- search


QUERY_CLASSES: dict[str, list[str]] = {
    "ID": [],  # filled with real IDs
    "prefix": ["Meaning of", "Review of the word", "Tafseer of Surah", "Understanding",
               "Lessons from", "Fiqh of", "Fatima", "Stories illustrating"],
    "substring": ["aqw", "ikmah", "of the word T", "Ramadan", "Rizvi", "series 7", "Nawaw",
                  "zzqx", "Ihsan al-J", "closer look"],
    "short (1–2 chars)": ["Nu", "zq", "7", "Q", "e", "x"],
    "words (each must match)": ["concept taqwa", "fiqh salah", "Meaning word", "Rizvi of",
                                "taqwa zzqx", "of Nu", "Tafseer Surah 7", "al q"],
}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def open_provisioner(config: Path) -> Any:
    from hostprov_tui.config.settings import load_settings
    from hostprov_tui.services.api import Provisioner

    os.environ["HOSTPROV_SECURITY__HASH_SECRET"] = SECRET
    return Provisioner(load_settings(config, {}), operator="benchmark")


def _add_plans(report: Report, title: str, stmts: list[Any],
               raw: dict[str, sqlite3.Connection]) -> None:
    """EXPLAIN QUERY PLAN of each captured (database, statement, parameters), indented."""
    for db, stmt, params in stmts:
        rows = raw[db].execute("EXPLAIN QUERY PLAN " + stmt, params).fetchall()
        report.plans.append(f"-- {title}: {db}\n{_one_line(stmt)}\n" + "\n".join(
            f"   {'  ' * _depth(rows, r)}{r[3]}" for r in rows))


def bench_search(report: Report, config: Path, small_config: Path, sizes: Sizes) -> None:
    from hostprov_tui.services.catalogue import SearchFilters, page_statement

    prov = open_provisioner(config)
    folder = config.parent
    raw = {"ksessions": sqlite3.connect(folder / "ksessions.db"),
           "canvas": sqlite3.connect(folder / "canvas.db")}
    rng = random.Random(11)
    QUERY_CLASSES["ID"] = [str(rng.randint(1, sizes.sessions)) for _ in range(10)]
    prov.search("warm-up")
    for cls, queries in QUERY_CLASSES.items():
        ours: list[float] = []
        floor: list[float] = []
        for query in queries:
            with captured(prov, selects) as stmts:
                prov.search(query)
            if query == queries[0]:
                _add_plans(report, f"{cls} query {query!r}", stmts, raw)
            for _ in range(sizes.search_reps):
                started = time.perf_counter()
                prov.search(query)
                ours.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                for db, stmt, params in stmts:
                    raw[db].execute(stmt, params).fetchall()
                floor.append((time.perf_counter() - started) * 1000)
        value = p95(ours)
        report.add(Figure(
            f"search p95, {cls} queries ({len(queries)}×{sizes.search_reps})", value, "ms",
            p95(floor), "same SQL, plain sqlite3", "≤ 25 ms", value <= 25,
            note=", ".join(queries[:4]) + ("…" if len(queries) > 4 else ""),
        ))
    # the plain LIKE path (what PostgreSQL / SQL Server get), on the same SQLite file
    dbs = prov.ctx.databases()
    plain: list[float] = []
    for query in ("zzqx", "Ihsan al-J"):
        stmt = page_statement(query, SearchFilters(), 0, 50, indexed=False)
        for _ in range(max(1, sizes.search_reps // 2)):
            started = time.perf_counter()
            with dbs.ksessions.engine.connect() as conn:
                conn.execute(stmt).all()
            plain.append((time.perf_counter() - started) * 1000)
    report.add(Figure("rare substring without the search index (plain LIKE scan)", p95(plain),
                      "ms", goal="(info: why the index exists)"))
    with captured(prov, selects) as stmts, dbs.ksessions.engine.connect() as conn:
        conn.execute(page_statement("zzqx", SearchFilters(), 0, 50, indexed=False)).all()
    _add_plans(report, "without the index (PostgreSQL / SQL Server path), query 'zzqx'",
               stmts, raw)
    # statements per page: constant as the page grows
    counts = {}
    for limit in (10, 200):
        with captured(prov) as stmts:
            prov.search("of", limit=limit)
        counts[limit] = len(stmts)
    report.add(Figure("statements per search page (page size 10 → 200)", counts[200], "",
                      counts[10], "at page size 10", "constant", counts[200] == counts[10]))
    # memory: one page, whatever the catalogue
    peaks = {}
    small = open_provisioner(small_config)
    for label, p in (("big", prov), ("small", small)):
        p.search("of")
        tracemalloc.start()
        p.search("of", limit=50)
        peaks[label] = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    small.close()
    report.add(Figure(
        f"peak Python memory of one 50-row search ({sizes.sessions:,} sessions)", peaks["big"],
        "KiB", peaks["small"], f"{sizes.small_sessions} sessions", "≤ 1.3× (bounded)",
        peaks["big"] <= 1.3 * peaks["small"] + 16,
    ))
    for conn in raw.values():
        conn.close()
    prov.close()


def _one_line(sql: str) -> str:
    return " ".join(sql.split())


def _depth(rows: list[tuple[Any, ...]], row: tuple[Any, ...]) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth += 1
        parent = parents[parent]
    return depth


def bench_sessions_cli(report: Report, config: Path, small_config: Path, sizes: Sizes) -> None:
    """Whole-process wall time of ``hostprov sessions <query>``, big vs small catalogue."""
    for query in sizes.cli_queries:
        times: dict[str, list[float]] = {"big": [], "small": []}
        for cfg in (config, small_config) if sizes.warm else ():  # page cache, .pyc files
            hostprov(cfg, "-q", "sessions", query)
        for _ in range(sizes.cli_runs):
            for label, cfg in (("small", small_config), ("big", config)):
                started = time.perf_counter()
                hostprov(cfg, "-q", "sessions", query)
                times[label].append(time.perf_counter() - started)
        big, small = statistics.median(times["big"]), statistics.median(times["small"])
        report.add(Figure(
            f"`hostprov sessions {query}` wall time, {sizes.sessions:,} sessions "
            f"(median of {sizes.cli_runs})", big, "s", small,
            f"{sizes.small_sessions} sessions", "≤ 1.3×", big <= 1.3 * small,
        ))


def bench_statements(report: Report, config: Path) -> None:
    """SQL statements of one issuance (both databases), new and rotation."""
    from hostprov_tui.services.inputs import Target

    prov = open_provisioner(config)
    ids = [r.session_id for r in prov.search("Meaning", limit=200).rows  # what the tokens
           if r.transcripts and r.is_active]  # generation issues for: active, with transcripts
    prov.issue(Target(ksessions_id=ids[0]))  # warm-up: connections, dialect set-up
    counts = {}
    for label, ks_id in (("new", ids[1]), ("rotation", ids[1])):
        with captured(prov) as stmts:
            prov.issue(Target(ksessions_id=ks_id))
        counts[label] = len(stmts)
    for label, what in (("new", "new canvas + host session"), ("rotation", "rotation")):
        report.add(Figure(f"SQL statements per issuance, {what}", counts[label], "",
                          goal=f"≤ {MAX_ISSUE_STATEMENTS}",
                          ok=counts[label] <= MAX_ISSUE_STATEMENTS))
    prov.close()


# ---------------------------------------------------------------------------- bulk


def tokens_config(config: Path) -> Path:
    """A tokens-generation canvas beside the catalogue of ``config`` (its KSESSIONS file)."""
    folder = config.parent / "tokens"
    folder.mkdir()
    path = folder / "config.toml"
    path.write_text(
        'environment = "development"\n'
        '[canvas]\nurl = "sqlite:///canvas.db"\ngeneration = "tokens"\n'
        f'[ksessions]\nurl = "sqlite:///{config.parent / "ksessions.db"}"\n'
        '[audit]\npath = "audit.jsonl"\n'
        "[demo]\nauto_create = false\n",
        encoding="utf-8",
    )
    hostprov(path, "db", "init", "--generation", "tokens")
    return path


def bench_tokens(report: Report, config: Path, sizes: Sizes) -> None:
    """The tokens generation: bulk issuance and the statements of one issuance."""
    from hostprov_tui.services.inputs import Target

    tokens = tokens_config(config)
    bench_bulk(report, config, sizes, generation="tokens")  # its own canvases
    prov = open_provisioner(tokens)
    ids = [r.session_id for r in prov.search("Meaning", limit=200).rows  # what the tokens
           if r.transcripts and r.is_active]  # generation issues for: active, with transcripts
    prov.issue(Target(ksessions_id=ids[0]))  # warm-up: connections, generation detected
    for label, ks_id in (("new canvas session + tokens", ids[-1]), ("rotation", ids[-1])):
        with captured(prov) as stmts:
            prov.issue(Target(ksessions_id=ks_id))
        report.add(Figure(f"SQL statements per tokens issuance, {label}", len(stmts), "",
                          goal=f"≤ {MAX_ISSUE_STATEMENTS}",
                          ok=len(stmts) <= MAX_ISSUE_STATEMENTS))
    prov.close()


def bench_bulk(report: Report, config: Path, sizes: Sizes, generation: str = "guid") -> None:
    """`hostprov issue --from-file` beside its floor, alternating (benchmarks/bulk_bench.py)."""
    import bulk_bench

    got = bulk_bench.measure(HOSTPROV, cli_env(), config.parent / "ksessions.db",
                             config.parent / f"bulk-{generation}", sizes.bulk, generation,
                             sizes.bulk_runs)
    for label, wall, doc, code in (("created", got.first_s, got.first, got.codes[0]),
                                   ("rotated", got.again_s, got.again, got.codes[1])):
        summary = doc["summary"]
        floor = got.floor_s if label == "created" else None
        runs = f", median of {got.runs}" if label == "created" and got.runs > 1 else ""
        # the ratio is the goal at 10,000 IDs: at the smoke run's 200, start-up is all it shows
        ratio_goal = floor is not None and sizes.bulk >= 10_000
        ok = wall <= 15 and (not ratio_goal or wall <= 3 * floor)  # type: ignore[operator]
        report.add(Figure(
            f"`hostprov issue --from-file` ({generation}) {sizes.bulk:,} IDs, "
            f"{summary[label]:,} {label}, {summary['failed']} refused (exit {code}{runs})",
            wall, "s", floor, "same rows, HMACs, fsyncs, commits; plain sqlite3, whole process"
            if floor is not None else "", "≤ 3× floor, ≤ 15 s" if ratio_goal else "≤ 15 s", ok,
            note=f"in-process {summary['seconds']:.2f} s",
        ))


# ---------------------------------------------------------------------------- TUI start-up


def bench_startup(report: Report, config: Path, sizes: Sizes) -> None:
    """`hostprov tui` in tmux, read from outside, against a bare Textual app and the floor
    script, alternating (benchmarks/tui_startup.py)."""
    from tui_startup import bench_tui_startup

    bench_tui_startup(lambda *a: report.add(Figure(*a)), HOSTPROV, config, cli_env(),
                      sizes.tui_runs)


def bench_audit(report: Report, folder: Path, sizes: Sizes) -> None:
    """The audit follower with one over-long line in the file (benchmarks/audit_bench.py)."""
    import audit_bench

    folder.mkdir(parents=True, exist_ok=True)
    for mb in sizes.audit_line_mb:
        got = audit_bench.measure(folder, mb << 20)
        report.add(Figure(f"audit tail (200 records) over a {mb} MB line", got["tail_s"], "s",
                          None, "", "linear in the line", None))
        report.add(Figure(f"audit follow: the record behind a {mb} MB line arrives after",
                          got["follow_s"], "s", None, "", "linear; no poll interval waited",
                          None, note=f"{got['polls']} polls, at most {got['held']} bytes of "
                          "the line held"))


def bench_quit(report: Report, config: Path, sizes: Sizes) -> None:
    """Ctrl+Q to the end of the process, on a pseudo-terminal: idle, and after some use (the
    Sessions screen and a search). tests/support/pty_app.py drives it."""
    from tests.support.pty_app import F3, StillRunning, hostprov_quit_seconds

    for label, steps in (("idle", []), ("after Sessions and a search", [F3, b"taqwa"])):
        try:
            samples = [hostprov_quit_seconds(HOSTPROV, config, cli_env(), steps)
                       for _ in range(sizes.tui_runs)]
        except (StillRunning, OSError) as exc:
            report.add(Figure(f"TUI quit ({label}) — not measured: {exc}", None, "s"))
            continue
        report.add(Figure(f"TUI quit, {label}: Ctrl+Q → process ended (median of "
                          f"{len(samples)})", statistics.median(samples), "s", None, "",
                          "prompt (< 1 s)", statistics.median(samples) < 1.0,
                          note=f"max {max(samples):.2f} s"))


# ---------------------------------------------------------------------------- main


def render(report: Report, smoke: bool) -> str:
    head = ["Figure", "hostprov", "Floor", "Ratio", "Goal", "Result"]
    rows = [f.cells() for f in report.figures]
    lines = [
        f"## hostprov benchmark ({'smoke' if smoke else 'full'} run)",
        "",
        f"Catalogue {report.sizes.sessions:,} sessions (small: {report.sizes.small_sessions}), "
        f"bulk {report.sizes.bulk:,} IDs; embedded SQLite; {os.cpu_count()} CPU cores; "
        f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    notes = [f"- {f.name}: {f.note}" for f in report.figures if f.note]
    if notes or report.notes:
        lines += ["", *report.notes, *notes]
    lines += ["", "### Query plans (EXPLAIN QUERY PLAN)", "", "```", *report.plans, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes (CI)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown table here")
    parser.add_argument("--only", metavar="STEP,…",
                        help="run only these steps (search, sessions, prompt, tui, bulk, "
                        "statements, tokens; the catalogue is always built)")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    report = Report(sizes)
    tmp = Path(tempfile.mkdtemp(prefix="hostprov-bench-"))
    print(f"hostprov benchmark ({'smoke' if args.smoke else 'full'}), databases in {tmp}",
          flush=True)
    started = time.perf_counter()
    try:
        steps: list[tuple[str, Callable[[], None]]] = []
        big_dir, small_dir = tmp / "big", tmp / "small"
        state: dict[str, Any] = {}

        def demo() -> None:
            config, wall, doc = build_catalogue(big_dir, sizes.sessions)
            small_config, _, _ = build_catalogue(small_dir, sizes.small_sessions)
            state.update(config=config, small=small_config)
            floor = raw_demo_floor(tmp, sizes.sessions)
            report.add(Figure(
                f"`hostprov demo --sessions {sizes.sessions:,}` ({doc['transcripts']:,} "
                "transcripts), wall time", wall, "s", floor,
                "same rows, plain sqlite3 executemany", "< 60 s", wall < 60,
                note=f"in-process {doc['seconds']:.2f} s, of which the search index is part",
            ))

        steps = [
            ("demo catalogue", demo),
            ("search", lambda: bench_search(report, state["config"], state["small"], sizes)),
            ("sessions command", lambda: bench_sessions_cli(report, state["config"],
                                                             state["small"], sizes)),
            ("TUI start-up", lambda: bench_startup(report, state["small"], sizes)),
            ("TUI quit", lambda: bench_quit(report, state["small"], sizes)),
            ("bulk issuance", lambda: bench_bulk(report, state["config"], sizes)),
            ("statements", lambda: bench_statements(report, state["config"])),
            ("tokens generation", lambda: bench_tokens(report, state["config"], sizes)),
            ("audit follower", lambda: bench_audit(report, tmp / "audit", sizes)),
            ("prompt", lambda: bench_prompt(lambda *a: report.add(Figure(*a)), HOSTPROV,
                                            state["small"], cli_env(), sizes.cli_runs)),
        ]
        if args.only:
            wanted = set(args.only.split(","))
            steps = [s for s in steps
                     if s[0] == "demo catalogue" or s[0].split()[0].lower() in wanted]
        for title, step in steps:
            print(f"- {title}", flush=True)
            step()
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = render(report, args.smoke)
    print()
    print(text)
    print(f"(benchmark took {time.perf_counter() - started:.1f} s)")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    elif not args.smoke:
        Path(__file__).with_name("RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
