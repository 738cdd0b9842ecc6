"""Start N ``hostprov`` processes that run one command at the same instant (a process barrier).

Run as a script: ``python forked_cli.py N GO_FILE OUT_DIR ARGS...``. It imports the CLI once,
forks N children (separate processes: own interpreter state, own engines and connections —
nothing is opened before the fork), writes OUT_DIR/ready, and each child waits for GO_FILE, then
runs the console entry point with ARGS plus ``--created-by pI``. Child I's stdout, stderr and
exit code land in OUT_DIR/I.out, I.err, I.code. Importing once keeps sixteen interpreters from
spending the test's time on imports. ARGS may hold several commands separated by ``--then--``:
child I runs command I modulo their number (a mix of operations racing each other).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

SEPARATOR = "--then--"


def _child(index: int, go: Path, out: Path, args: list[str]) -> None:
    for fd, name in ((1, f"{index}.out"), (2, f"{index}.err")):
        target = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    from hostprov_tui.cli.main import main  # already imported by the parent: a name lookup

    while not go.exists():
        time.sleep(0.002)
    commands = _commands(args)
    chosen = commands[index % len(commands)]
    extra = ["--by" if "revoke" in chosen else "--created-by", f"p{index}"]
    sys.argv = ["hostprov", *chosen, *extra]
    code = 1
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        (out / f"{index}.code").write_text(str(code), encoding="utf-8")
        os._exit(code)


def _commands(args: list[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for arg in args:
        if arg == SEPARATOR:
            commands.append([])
        else:
            commands[-1].append(arg)
    return commands


def run(count: int, go: Path, out: Path, args: list[str]) -> int:
    # imported before the fork, once: what the commands load lazily (the operations, the
    # services, the settings, SQLAlchemy's dialects, psycopg), as the tests' fork server does
    from zygote import preimport  # this script's folder is first on sys.path

    preimport()

    children = []
    for index in range(count):
        pid = os.fork()
        if pid == 0:
            _child(index, go, out, args)
        children.append(pid)
    (out / "ready").touch()
    failed = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) not in (0, 1, 2, 3, 4, 5)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]))
