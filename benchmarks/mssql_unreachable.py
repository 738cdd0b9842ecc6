"""`hostprov check` against a SQL Server that is not there, as a whole process, per driver.

    .venv/bin/python benchmarks/mssql_unreachable.py [--runs 3] [--timeout 2]

For each driver (mssql-python; pyodbc loading Microsoft's libmsodbcsql-18 from the
mssql-python-odbc wheel by path) and each case (a closed port, a listener on loopback that
accepts and never answers), it runs `hostprov check` in its own process and prints the wall time
beside the goal (connect_timeout_s + 1 s), the process's CPU time, the exit code (3 expected) and
the machine's load. Nothing is asserted (tests/test_mssql_check_process.py checks the exit code
and the sentence); on a loaded machine the wall time is mostly waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_mssql_real_driver import LIBRARY  # noqa: E402  (the wheel's ODBC library)

SECRET = "benchmark-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def silent_listener() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                held.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    return sock, int(sock.getsockname()[1])


def config(folder: Path, driver: str, port: int, timeout_s: float) -> Path:
    if driver == "mssql-python":
        url = f"mssql+mssqlpython://sa@127.0.0.1:{port}/KSESSIONS_DEV"
    else:
        url = f"mssql+pyodbc://sa@127.0.0.1:{port}/KSESSIONS_DEV?driver={LIBRARY}"
    path = folder / f"{driver}-{port}.toml"
    path.write_text(f'[canvas]\nurl = "{url}"\n[ksessions]\nurl = "{url}"\n'
                    f'[audit]\npath = "{folder / "audit.jsonl"}"\n'
                    f"[database]\nconnect_timeout_s = {timeout_s}\n", encoding="utf-8")
    return path


def run_check(path: Path) -> tuple[int, float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
    env.update(HOSTPROV_SECURITY__HASH_SECRET=SECRET, HOSTPROV_CANVAS__PASSWORD="x",
               HOSTPROV_KSESSIONS__PASSWORD="x")
    hostprov = Path(sys.executable).parent / "hostprov"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([str(hostprov), "check", "-q", "--config", str(path)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    goal = args.timeout + 1
    drivers = ["mssql-python"] + (["pyodbc"] if LIBRARY is not None else [])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"goal: exit 3 within connect_timeout_s + 1 = {goal:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        listener, silent_port = silent_listener()
        try:
            for driver in drivers:
                for case, port in (("refused", closed_port()), ("silent", silent_port)):
                    path = config(folder, driver, port, args.timeout)
                    for _ in range(args.runs):
                        code, wall, cpu = run_check(path)
                        verdict = "PASS" if code == 3 and wall <= goal else "MISS"
                        print(f"{driver:<13} {case:<8} exit {code}  wall {wall:5.2f} s  "
                              f"cpu {cpu:4.2f} s  {verdict}")
        finally:
            listener.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
