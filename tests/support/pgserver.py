"""A throwaway PostgreSQL server for the test-suite.

Usage::

    with PostgresServer() as pg:
        url = pg.create_database("app")
        pg.execute("CREATE TABLE t (x int)", database="app")

The server lives in a private temporary directory (data dir, unix socket, log;
under /dev/shm when it has room, or ``$HOSTPROV_PG_TMPDIR``) and listens on a
free loopback port.  When the process runs as root, ``initdb``
and ``pg_ctl`` (which refuse to run as root) are run as the ``postgres`` user
via ``runuser``.  The binaries directory defaults to
``/usr/lib/postgresql/15/bin`` and can be overridden with ``HOSTPROV_PG_BIN``.

Missing binaries raise ``RuntimeError`` on purpose: the suite must fail, not
skip, when PostgreSQL is unavailable.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

PG_BIN_ENV = "HOSTPROV_PG_BIN"
TMPDIR_ENV = "HOSTPROV_PG_TMPDIR"
DEFAULT_PG_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"
HOST = "127.0.0.1"
_LOG_TAIL_LINES = 40
_START_ATTEMPTS = 3
_SHM_DIR = "/dev/shm"
_SHM_MIN_FREE = 512 * 1024 * 1024
_TEMPLATE_LOCK = threading.Lock()
# (bin_dir, euid) -> pristine data dir produced by initdb; removed at interpreter exit.
_TEMPLATES: dict[tuple[str, int], Path] = {}
# Unix socket paths are limited to ~107 bytes; keep the socket dir short.
_MAX_TMP_PREFIX = 60


def _remove_templates() -> None:
    for template in _TEMPLATES.values():
        shutil.rmtree(template.parent, ignore_errors=True)
    _TEMPLATES.clear()


atexit.register(_remove_templates)


def _tmp_root() -> str:
    """Where server dirs go: $HOSTPROV_PG_TMPDIR, else /dev/shm if roomy, else the temp dir.

    tmpfs makes initdb/copying several times faster than a disk-backed /tmp.
    """
    env = os.environ.get(TMPDIR_ENV)
    if env:
        return env
    try:
        st = os.statvfs(_SHM_DIR)
        if os.access(_SHM_DIR, os.W_OK | os.X_OK) and st.f_bavail * st.f_frsize >= _SHM_MIN_FREE:
            return _SHM_DIR
    except OSError:
        pass
    tmp_root = tempfile.gettempdir()
    return tmp_root if len(tmp_root) <= _MAX_TMP_PREFIX else "/tmp"


def find_pg_bin() -> Path:
    """Return the PostgreSQL binaries directory, or raise a clear RuntimeError."""
    env = os.environ.get(PG_BIN_ENV)
    if env:
        candidates = [Path(env)]
    else:
        candidates = [DEFAULT_PG_BIN]
        versions = sorted(
            glob.glob("/usr/lib/postgresql/*/bin"),
            key=lambda p: _version_key(Path(p).parent.name),
            reverse=True,
        )
        candidates += [Path(p) for p in versions if Path(p) != DEFAULT_PG_BIN]
    for cand in candidates:
        if all(os.access(cand / exe, os.X_OK) for exe in ("initdb", "pg_ctl")):
            return cand
    where = f"{PG_BIN_ENV}={env}" if env else f"{DEFAULT_PG_BIN} (or /usr/lib/postgresql/*/bin)"
    raise RuntimeError(
        f"PostgreSQL server binaries not found: no executable 'initdb' and 'pg_ctl' in "
        f"{where}. Install the PostgreSQL server (run scripts/setup-system.sh) or set "
        f"{PG_BIN_ENV} to the directory containing initdb/pg_ctl."
    )


def _version_key(name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (-1,)


def free_port(host: str = HOST) -> int:
    """Ask the kernel for a currently free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A private PostgreSQL cluster on a free loopback port; a context manager."""

    def __init__(
        self,
        bin_dir: str | os.PathLike[str] | None = None,
        *,
        synchronous_commit: bool = True,
        cache_initdb: bool = True,
    ) -> None:
        """Resolve the binaries (``RuntimeError`` if missing); nothing is started yet.

        ``synchronous_commit`` defaults to on: with ``fsync=off`` it costs only a
        ``write()`` per commit, whereas ``off`` lets an immediate stop (simulated
        crash) lose transactions that were already reported as committed.

        ``cache_initdb`` runs initdb once per process into a template directory and
        gives each server a copy of it (``cp -a``), which is several times faster.
        """
        self.cache_initdb: bool = cache_initdb
        self.synchronous_commit: bool = synchronous_commit
        if bin_dir is not None:
            path = Path(bin_dir)
            if not all(os.access(path / exe, os.X_OK) for exe in ("initdb", "pg_ctl")):
                raise RuntimeError(
                    f"PostgreSQL server binaries not found: no executable 'initdb' and "
                    f"'pg_ctl' in {path}. Install the PostgreSQL server (run "
                    f"scripts/setup-system.sh) or point {PG_BIN_ENV} at them."
                )
            self.bin_dir: Path = path
        else:
            self.bin_dir = find_pg_bin()
        self._as_root: bool = os.geteuid() == 0
        self._run_prefix: list[str] = []
        self._owner: tuple[int, int] | None = None
        if self._as_root:
            runuser = shutil.which("runuser") or (
                "/usr/sbin/runuser" if os.path.exists("/usr/sbin/runuser") else None
            )
            if runuser is None:
                raise RuntimeError(
                    "Running as root but 'runuser' is missing; PostgreSQL refuses to run "
                    "as root and needs runuser (util-linux) to switch to the postgres user."
                )
            try:
                entry = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise RuntimeError(
                    "Running as root but there is no 'postgres' system user to run the "
                    "server as; install the PostgreSQL server package."
                ) from None
            self._run_prefix = [runuser, "-u", SUPERUSER, "--"]
            self._owner = (entry.pw_uid, entry.pw_gid)
        self.host: str = HOST
        self.port: int = 0
        self.base_dir: Path | None = None
        self._started_once = False
        self._atexit_registered = False

    # -- paths -----------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base()

    @property
    def log_path(self) -> Path:
        return self._base() / "postgres.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("PostgresServer has not been started (no data directory yet)")
        return self.base_dir

    # -- context manager -------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Start the server; the first call creates the temp dir and runs initdb.

        Later calls restart the server on the same data dir and port.
        """
        if self.base_dir is not None and self.is_running:
            return
        try:
            if self.base_dir is None:
                self._create_cluster()
            if not self._started_once:
                self._first_start()
            else:
                self._pg_ctl_start()
        except BaseException:
            # __exit__ is not called when __enter__ fails: clean up here.
            if not self._started_once:
                self.close()
            raise

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (default: ``-m immediate``, like a crash); keep the data dir."""
        if self.base_dir is None or not self.data_dir.exists():
            return
        pid = self._postmaster_pid()
        if pid is None or not process_alive(pid):
            return
        with contextlib.suppress(RuntimeError):  # fall through to SIGKILL below
            self._pg_ctl("-m", mode, "-w", "-t", "30", "stop")
        # pg_ctl returns once postmaster.pid is gone, which is a moment before the
        # process has exited; wait for it so the port is free for a restart.
        if not _wait_dead(pid, timeout=10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_dead(pid, timeout=10)

    def restart(self, mode: str = "immediate") -> None:
        """``stop(mode)`` then ``start()``: same data dir, same port, same URLs."""
        self.stop(mode)
        self.start()

    def close(self) -> None:
        """Stop the server and delete its temporary directory. Idempotent."""
        try:
            self.stop()
        finally:
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
                self.base_dir = None
            self._started_once = False
            if self._atexit_registered:
                atexit.unregister(self.close)
                self._atexit_registered = False

    @property
    def is_running(self) -> bool:
        """True if the postmaster of this data dir is alive."""
        if self.base_dir is None:
            return False
        pid = self._postmaster_pid()
        return pid is not None and process_alive(pid)

    # -- client helpers --------------------------------------------------------

    def url(
        self,
        database: str = "postgres",
        user: str = SUPERUSER,
        password: str | None = None,
    ) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for ``database`` as ``user``."""
        self._require_port()
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{quote(database, safe='')}"

    def conninfo(
        self,
        database: str = "postgres",
        user: str = SUPERUSER,
        password: str | None = None,
    ) -> str:
        """libpq connection string for psycopg."""
        self._require_port()
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": database,
            "user": user,
            "connect_timeout": 10,
        }
        if password is not None:
            kwargs["password"] = password
        return make_conninfo(**kwargs)

    def connect(
        self,
        database: str = "postgres",
        user: str = SUPERUSER,
        password: str | None = None,
        autocommit: bool = True,
    ) -> psycopg.Connection[tuple[Any, ...]]:
        """A psycopg connection (autocommit by default); the caller closes it."""
        return psycopg.connect(self.conninfo(database, user, password), autocommit=autocommit)

    def execute(
        self,
        sql_text: str | sql.Composable,
        database: str = "postgres",
        params: Any = None,
        user: str = SUPERUSER,
    ) -> list[tuple[Any, ...]] | None:
        """Run SQL in autocommit mode as ``user``; return the rows, if it yields any.

        Without ``params`` several ``;``-separated statements may be sent at once.
        """
        with self.connect(database, user=user) as conn, conn.cursor() as cur:
            cur.execute(sql_text, params)  # type: ignore[arg-type]
            if cur.description is None:
                return None
            return cur.fetchall()

    def create_database(self, name: str, owner: str | None = None,
                        template: str | None = None) -> str:
        """Create database ``name`` (a copy of database ``template`` if given, which nobody may
        be connected to) and return its URL."""
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        if owner is not None:
            stmt = sql.SQL("{} OWNER {}").format(stmt, sql.Identifier(owner))
        self.execute(stmt)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its sessions."""
        self.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    def create_role(self, name: str, password: str | None = None, login: bool = True) -> None:
        """Create role ``name`` (LOGIN by default, optional password)."""
        parts: list[sql.Composable] = [
            sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)),
            sql.SQL("LOGIN" if login else "NOLOGIN"),
        ]
        if password is not None:
            parts.append(sql.SQL("PASSWORD {}").format(sql.Literal(password)))
        self.execute(sql.SQL(" ").join(parts))

    # -- internals -------------------------------------------------------------

    def _require_port(self) -> None:
        if not self.port:
            raise RuntimeError("PostgresServer has not been started (no port yet)")

    def _create_cluster(self) -> None:
        self.base_dir = self._make_private_dir("hostprov-pg-")
        if not self._atexit_registered:
            atexit.register(self.close)
            self._atexit_registered = True
        if self.cache_initdb:
            self._run(["cp", "-a", str(self._template()), str(self.data_dir)], timeout=120)
        else:
            self._initdb(self.data_dir)

    def _template(self) -> Path:
        """A pristine initdb'd data dir, made once per process and copied per server."""
        key = (str(self.bin_dir), os.geteuid())
        with _TEMPLATE_LOCK:
            template = _TEMPLATES.get(key)
            if template is None or not (template / "PG_VERSION").is_file():
                holder = self._make_private_dir("hostprov-pg-template-")
                template = holder / "data"
                try:
                    self._initdb(template)
                except BaseException:
                    shutil.rmtree(holder, ignore_errors=True)
                    raise
                _TEMPLATES[key] = template
            return template

    def _make_private_dir(self, prefix: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=_tmp_root()))
        os.chmod(path, 0o700)
        if self._owner is not None:
            os.chown(path, *self._owner)
        return path

    def _initdb(self, data_dir: Path) -> None:
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "--no-sync",
                "-A",
                "trust",
                "-U",
                SUPERUSER,
                "--locale=C.UTF-8",
                "-E",
                "UTF8",
                "--wal-segsize=1",  # 1 MB instead of 16 MB: faster initdb and copies
            ],
            timeout=120,
        )

    def _first_start(self) -> None:
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port = free_port(self.host)
            try:
                self._pg_ctl_start()
                break
            except RuntimeError:
                # Someone grabbed the port between probing and binding: retry.
                if attempt == _START_ATTEMPTS or "could not bind" not in self._log_tail():
                    raise
        self._started_once = True

    def _pg_ctl_start(self) -> None:
        sync = "on" if self.synchronous_commit else "off"
        opts = (
            f"-h {self.host} -p {self.port} -k {self.socket_dir} -F"
            f" -c fsync=off -c synchronous_commit={sync} -c full_page_writes=off"
        )
        self._pg_ctl("-l", str(self.log_path), "-w", "-t", "30", "start", "-o", opts)

    def _pg_ctl(self, *args: str) -> None:
        self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args], timeout=60)

    def _run(self, argv: list[str], timeout: float) -> None:
        cmd = [*self._run_prefix, *argv]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        try:
            proc = subprocess.run(
                cmd,
                cwd=self.base_dir or "/",
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(
                f"PostgreSQL command timed out after {timeout}s: {' '.join(cmd)}"
                f"{self._log_section()}"
            ) from err
        except OSError as err:
            raise RuntimeError(f"Could not run {' '.join(cmd)}: {err}") from err
        if proc.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                f"--- stdout ---\n{proc.stdout.strip()}\n--- stderr ---\n{proc.stderr.strip()}"
                f"{self._log_section()}"
            )

    def _log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, RuntimeError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _log_section(self) -> str:
        tail = self._log_tail()
        return f"\n--- server log (tail) ---\n{tail}" if tail else ""

    def _postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first.strip())
        except (OSError, ValueError, RuntimeError):
            return None

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<PostgresServer {self.host}:{self.port} {state} dir={self.base_dir}>"


def process_alive(pid: int) -> bool:
    """True if ``pid`` is a live (non-zombie) ``postgres`` process.

    The name check guards against a stale postmaster.pid whose pid was reused.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: trust kill(0)
    # Format: "pid (comm) state ..."; comm may contain spaces/parens.
    comm = stat[stat.find("(") + 1 : stat.rfind(")")]
    state = stat[stat.rfind(")") + 2 :].split(" ", 1)[0]
    return state not in ("Z", "X") and comm.startswith("postgres")


def _wait_dead(pid: int, timeout: float) -> bool:
    """Wait until ``pid`` has exited; return False on timeout."""
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True
