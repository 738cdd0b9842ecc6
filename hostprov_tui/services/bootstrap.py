"""First run on the embedded default: create the SQLite files, the demo catalogue, the secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hostprov_tui.config.secrets import generate_secret_file, hash_secret
from hostprov_tui.config.settings import Settings
from hostprov_tui.db.engines import open_databases
from hostprov_tui.db.generation import to_create
from hostprov_tui.db.schema import init_databases
from hostprov_tui.db.urls import target_url

if TYPE_CHECKING:  # the demo catalogue loads only on the first run that builds it
    from hostprov_tui.db.demo import DemoResult


@dataclass(frozen=True)
class BootstrapResult:
    created_databases: bool
    created_secret: bool
    demo: DemoResult | None


def is_embedded(settings: Settings) -> bool:
    return all(
        target_url(t, n).is_embedded  # type: ignore[arg-type]
        for t, n in ((settings.canvas, "canvas"), (settings.ksessions, "ksessions"))
    )


def check_local_paths(settings: Settings) -> None:
    """Refuse (exit 2, one sentence and the fix) a data folder, database file, audit file or
    hash secret file that another user could read or swap (config/path_safety.py)."""
    from hostprov_tui.config.path_safety import check_trusted

    for target, name in ((settings.canvas, "canvas"), (settings.ksessions, "ksessions")):
        path = target_url(target, name).sqlite_path  # type: ignore[arg-type]
        if path is not None:
            check_trusted(path, f"{name} database file")
    check_trusted(settings.audit.path, "audit file")
    if settings.security.hash_secret_file is not None:
        check_trusted(settings.security.hash_secret_file, "hash secret file", secret=True)


def ensure_embedded(settings: Settings) -> BootstrapResult:
    """The first run of the embedded default, and only that: when NEITHER SQLite file exists
    (and ``[demo] auto_create`` is on) both are built, with the demo catalogue and, if none is
    configured, a hash secret. One file without the other is not a first run: it is reported
    by the checks (moved, deleted, wrong path), never rebuilt behind the operator's back — and
    a missing secret is never replaced next to existing hashes."""
    if not settings.demo.auto_create or not is_embedded(settings):
        return BootstrapResult(False, False, None)
    paths = [
        target_url(settings.canvas, "canvas").sqlite_path,
        target_url(settings.ksessions, "ksessions").sqlite_path,
    ]
    if any(p is None or p.exists() for p in paths):
        return BootstrapResult(False, False, None)
    created_secret = False
    if hash_secret(settings) is None and settings.security.hash_secret_file is not None:
        generate_secret_file(settings.security.hash_secret_file)
        created_secret = True
    dbs = open_databases(settings, create=True)
    try:
        ks_init, _canvas_init = init_databases(dbs, to_create(settings.canvas.generation))
        demo = None
        if not ks_init.already_present:
            from hostprov_tui.db.demo import fill_demo

            demo = fill_demo(dbs.ksessions, settings.demo.sessions, settings.demo.seed)
    finally:
        dbs.dispose()
    return BootstrapResult(True, created_secret, demo)
