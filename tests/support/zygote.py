"""Real ``hostprov`` processes without paying the imports each time: a fork server.

A test that runs ``python -m hostprov_tui ARGS`` as a process pays some 0.5 s of CPU importing
SQLAlchemy, pydantic and the services before the command starts; a hundred such tests spend a
minute of the suite on imports. This module keeps one interpreter per test process that has
imported them once (nothing opened, no thread started, no command run) and forks it for each
command: the child is a separate process with its own pid, its own standard input, output and
error (pipes made by the test and passed over a Unix socket), its own environment, working
folder and umask, and it exits like a fresh interpreter (threads joined, ``atexit`` run, output
flushed, the exit status of ``sys.exit``). The test sees what ``subprocess.run`` gives.

What a fork cannot give falls back to a real ``subprocess.run``: no ``fork`` (Windows), an
environment that changes how an interpreter starts (``PYTHON*``, ``LANG``, ``LC_*``), or a
server that died. Tests about the start itself (what an import loads, how fast a command
starts, what ``ps`` shows) run fresh interpreters of their own and do not come here.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Variables read while an interpreter starts (its encodings, paths, modes): a child asking for
#: values other than the server's gets a fresh interpreter instead.
STARTUP_PREFIXES = ("PYTHON", "LANG", "LC_")
_MAX_MESSAGE = 1 << 20


def _startup_vars(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(STARTUP_PREFIXES)}


class _Server:
    """The client's end of one fork server (started on first use, ended with this process)."""

    def __init__(self, base_env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.base_startup = _startup_vars(base_env)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(theirs.fileno())], pass_fds=[theirs.fileno()],
            env=dict(base_env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[2],
        )
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        ready = self.sock.recv(_MAX_MESSAGE)
        if ready != b"ready":
            raise RuntimeError(f"the fork server did not start: {ready!r}")

    def close(self) -> None:
        self.sock.close()  # the server reads EOF and exits
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_server: _Server | None = None
_server_lock = threading.Lock()


def _get_server() -> _Server | None:
    global _server
    with _server_lock:
        if _server is not None and _server.proc.poll() is not None:
            _server = None  # it died: start another
        if _server is None:
            base = {k: v for k, v in os.environ.items() if not k.startswith("HOSTPROV_")}
            try:
                _server = _Server(base)
            except (OSError, RuntimeError):
                return None
            atexit.register(_server.close)
        return _server


def run(
    args: Sequence[str], env: Mapping[str, str], cwd: Path | str | None = None, *,
    stdin: str | None = None, timeout: float = 90.0, umask: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m hostprov_tui ARGS`` in ``cwd`` (default: ours) with exactly ``env``: a forked
    child of the pre-imported server when it can be, a fresh interpreter otherwise (the same
    result, slower). ``stdin`` is its whole standard input (default: empty)."""
    cwd = os.getcwd() if cwd is None else cwd
    argv = [sys.executable, "-m", "hostprov_tui", *args]
    server = _get_server() if hasattr(os, "fork") and hasattr(socket, "send_fds") else None
    if (server is None or _startup_vars(env) != server.base_startup
            or not server.lock.acquire(blocking=False)):
        return _fresh(argv, env, cwd, stdin, timeout, umask)
    try:
        return _forked(server, argv, env, cwd, stdin, timeout, umask)
    finally:
        server.lock.release()


def _fresh(argv: list[str], env: Mapping[str, str], cwd: Path | str, stdin: str | None,
           timeout: float, umask: int | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=dict(env), cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=timeout, check=False, umask=-1 if umask is None
                          else umask)


def _forked(server: _Server, argv: list[str], env: Mapping[str, str], cwd: Path | str,
            stdin: str | None, timeout: float,
            umask: int | None) -> subprocess.CompletedProcess[str]:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    request = {"args": list(argv[3:]), "env": dict(env), "cwd": str(cwd),
               "umask": 0o022 if umask is None else umask}
    if umask is None:  # a fresh child inherits ours: read it without changing it for long
        request["umask"] = os.umask(0o022)
        os.umask(request["umask"])
    try:
        socket.send_fds(server.sock, [json.dumps(request).encode()], [in_r, out_w, err_w])
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    pid = json.loads(server.sock.recv(_MAX_MESSAGE))["pid"]
    out, err, timed_out = _communicate(in_w, out_r, err_r, stdin, timeout)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    code = json.loads(server.sock.recv(_MAX_MESSAGE))["code"]
    if timed_out:
        raise subprocess.TimeoutExpired(argv, timeout, out, err)
    return subprocess.CompletedProcess(argv, code, out, err)


def _communicate(in_w: int, out_r: int, err_r: int, stdin: str | None,
                 timeout: float) -> tuple[str, str, bool]:
    """Feed ``stdin`` and read both outputs to their end, as ``Popen.communicate`` does."""
    import time

    data = (stdin or "").encode()
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    sel = selectors.DefaultSelector()
    os.set_blocking(in_w, False)
    if data:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
    for fd in chunks:
        sel.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            for key, _ in sel.select(left):
                fd = key.fd
                if fd == in_w:
                    try:
                        sent = os.write(in_w, data[:65536])
                    except BrokenPipeError:
                        sent = len(data)
                    data = data[sent:]
                    if not data:
                        sel.unregister(in_w)
                        os.close(in_w)
                    continue
                block = os.read(fd, 65536)
                if block:
                    chunks[fd].append(block)
                else:
                    sel.unregister(fd)
    finally:
        for key in list(sel.get_map().values()):
            sel.unregister(key.fd)
            os.close(key.fd)
        for fd in (out_r, err_r):
            with contextlib.suppress(OSError):
                os.close(fd)
        sel.close()

    def text(fd: int) -> str:
        # as subprocess.run(text=True) decodes: the locale's encoding, universal newlines
        import io

        raw = io.BytesIO(b"".join(chunks[fd]))
        return io.TextIOWrapper(raw).read()

    return text(out_r), text(err_r), timed_out


# ----------------------------------------------------------------------------- the server side


def preimport() -> None:
    """What a command loads lazily: the CLI, its operations and the services, the settings,
    SQLAlchemy's ORM, its SQLite and PostgreSQL dialects, psycopg. No SQL Server driver, no
    Textual, nothing opened."""
    import importlib
    import pkgutil

    import hostprov_tui

    for package in ("config", "db", "services", "cli"):
        base = importlib.import_module(f"hostprov_tui.{package}")
        for info in pkgutil.walk_packages(base.__path__, f"hostprov_tui.{package}."):
            with contextlib.suppress(ImportError):
                importlib.import_module(info.name)
    import loguru  # noqa: F401  # the audit's sinks
    import psycopg  # noqa: F401  # the PostgreSQL tests' driver; loads libpq, opens nothing
    import sqlalchemy.dialects.postgresql.psycopg
    import sqlalchemy.dialects.sqlite.pysqlite  # noqa: F401

    del hostprov_tui


def _serve(sock: socket.socket) -> None:
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(sock, _MAX_MESSAGE, 3)
        except OSError:
            return
        if not message:
            return
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(request, fds)
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        sock.send(json.dumps({"code": os.waitstatus_to_exitcode(status)}).encode())


def _child(request: dict[str, object], fds: list[int]) -> None:
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(str(request["cwd"]))
        os.umask(int(request["umask"]))  # type: ignore[call-overload]
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        import time

        time.tzset()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignores ^C
        code = _run_main([str(a) for a in request["args"]])  # type: ignore[attr-defined]
    finally:
        os._exit(code)


def _run_main(args: list[str]) -> int:
    """The command as ``python -m hostprov_tui`` runs it, then the interpreter's own exit."""
    import importlib.util
    import runpy
    import traceback

    spec = importlib.util.find_spec("hostprov_tui.__main__")
    sys.argv = [(spec.origin if spec else None) or "hostprov_tui/__main__.py", *args]
    code = 0
    try:
        runpy.run_module("hostprov_tui", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException:  # what an interpreter prints for an uncaught exception
        traceback.print_exc()
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]  # non-daemon threads, as at exit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            if code == 0:
                code = 120  # what CPython exits with when flushing stdout fails at exit
    return code


def _exit_code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


def _main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        preimport()
        sock.send(b"ready")
    except BaseException as exc:  # told to the client, which falls back
        sock.send(f"failed: {exc!r}".encode())
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C in the test's terminal ends the test
    _serve(sock)


if __name__ == "__main__":
    _main()
