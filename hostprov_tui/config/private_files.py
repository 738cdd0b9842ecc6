"""Files only the operator may read: the data folder (0700), the embedded databases, the audit
log, the hash secret and GUID files (0600), and never written through a symbolic link.

Standard library only. POSIX calls have fallbacks: ``O_NOFOLLOW`` is looked up with getattr
(Windows has none: a link is then refused by a check just before opening), and modes are set
where the platform keeps them.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from hostprov_tui.errors import HostprovError

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: Opening refuses a symbolic link as the last component (0 where the platform has no flag).
O_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)


def link_target(path: Path) -> str | None:
    """Where ``path`` points when it is a symbolic link (dangling or not), else None."""
    try:
        return os.readlink(path) if path.is_symlink() else None
    except OSError:
        return "an unreadable target"


def link_sentence(path: Path, what: str) -> str | None:
    """One sentence naming the link and its target, or None when ``path`` is no link."""
    target = link_target(path)
    if target is None:
        return None
    return (f"The {what} {path} is a symbolic link to {target}; hostprov does not write "
            "through links, so nothing was done.")


def make_private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) if it is not there: the folder itself gets mode
    0700 (its parents the usual mode). An existing folder is left as it is."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    with contextlib.suppress(OSError):  # whatever the umask; some platforms keep no modes
        os.chmod(path, FOLDER_MODE)


def open_private(path: Path, flags: int, what: str, error: type[HostprovError]) -> int:
    """``os.open`` with mode 0600 for a new file, refusing a symbolic link at ``path``.

    ``error`` is raised with one sentence naming the link and its target (and for the rest of
    what can go wrong: OSError as is).
    """
    if not O_NOFOLLOW:  # no flag on this platform: check just before opening
        sentence = link_sentence(path, what)
        if sentence:
            raise error(sentence, hint=f"Point the {what} at a regular file.")
    try:
        fd = os.open(path, flags | O_NOFOLLOW, FILE_MODE)
    except OSError as exc:
        sentence = link_sentence(path, what) if exc.errno in (errno.ELOOP, errno.EMLINK) else None
        if sentence:
            raise error(sentence, hint=f"Point the {what} at a regular file.") from None
        raise
    return fd


def keep_private(path: Path) -> None:
    """Mode 0600 on an existing file of ours (guarded: some platforms keep no modes)."""
    with contextlib.suppress(OSError):
        if not path.is_symlink():
            os.chmod(path, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600 if none is there (never through a link)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
    keep_private(path)
