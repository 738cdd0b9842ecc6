"""Folders and files hostprov trusts, checked the way OpenSSH checks a private key.

A hash secret, a database or an audit log is only as safe as every folder above it: another user
who may write in one of them can swap what it holds (the data folder for a link to a folder of
theirs, with their own hash secret). So before hostprov reads a secret or writes in its folders:

* every folder from the file up to ``/`` belongs to this user or root, and no other user may write
  in it — unless it is sticky and root's (``/tmp``: there nobody renames another's entries);
* the secret file belongs to this user (or root) and only its owner may read or write it (0600);
  a database or audit file may not be writable by others;
* links are followed and the folder or file they lead to is judged (a link to another user's
  folder is refused by its owner).

Folders hostprov creates get mode 0700 explicitly, whatever the umask (even 000).

POSIX only: on Windows (no uid, no mode bits) the checks are skipped and folders are created as
the platform does.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from hostprov_tui.errors import ConfigError, HostprovError

FOLDER_MODE = 0o700


def _posix() -> bool:
    return os.name == "posix" and hasattr(os, "getuid")


def make_folders(path: Path, mode: int = FOLDER_MODE) -> None:
    """Create ``path`` and every missing parent with ``mode`` (chmod after mkdir: the umask
    cannot widen it). Existing folders are left as they are."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:
            continue
        with contextlib.suppress(OSError):  # some platforms keep no modes
            os.chmod(folder, mode)


def unsafe_reason(path: Path, *, secret: bool = False) -> tuple[str, str] | None:
    """Why ``path`` (a file or a folder, existing or not) cannot be trusted — a sentence part and
    the fix — or None. A path that does not exist yet is judged by the folders above it."""
    if not _posix():
        return None
    uid = os.getuid()
    real = Path(os.path.realpath(path))
    if real.exists():
        found = _own_entry(real, uid, secret=secret)
        if found:
            return found
        folder = real if real.is_dir() else real.parent
    else:
        folder = real.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
    for current in (folder, *folder.parents):
        found = _folder_reason(current, uid)
        if found:
            return found
    return None


def _own_entry(real: Path, uid: int, *, secret: bool) -> tuple[str, str] | None:
    try:
        st = os.stat(real)
    except OSError:
        return None
    if st.st_uid not in (uid, 0):
        return (f"{real} belongs to another user (uid {st.st_uid})",
                "use a file and folder of your own")
    mode = stat.S_IMODE(st.st_mode)
    if not stat.S_ISREG(st.st_mode):
        return None  # a folder is judged with the folders; a device (/dev/null) holds nothing
    if secret and mode & 0o077:
        return (f"its permissions {mode:04o} are too open: other users may read or change it",
                f"chmod 600 {real}")
    if mode & 0o022:
        return (f"its permissions {mode:04o} let other users change it", f"chmod go-w {real}")
    return None


def _folder_reason(folder: Path, uid: int) -> tuple[str, str] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid not in (uid, 0):
        return (f"the folder {folder} on its path belongs to another user (uid {st.st_uid}), "
                "who could swap what it holds", "keep hostprov's files in folders of your own")
    if mode & 0o022 and not (mode & stat.S_ISVTX and st.st_uid == 0):
        return (f"the folder {folder} on its path is writable by other users (mode "
                f"{mode:04o}), so they could swap what it holds", f"chmod go-w {folder}")
    return None


def check_trusted(path: Path, what: str, *, secret: bool = False,
                  error: type[HostprovError] = ConfigError) -> None:
    """Refuse ``path`` (one sentence naming it, the reason and the fix) unless it is safe."""
    found = unsafe_reason(path, secret=secret)
    if found is None:
        return
    reason, fix = found
    raise error(f"The {what} {path} is not safe to use: {reason}; hostprov refuses it, as "
                f"OpenSSH refuses an unprotected key. Fix: {fix}.")
