"""Files only the operator may read, never written through a symbolic link: the data folder
(0700), the embedded databases, the hash secret, the audit log and GUID files (0600), and config
files written in one step (mode 0600). POSIX calls have fallbacks (``O_NOFOLLOW`` via getattr,
modes set where the platform keeps them)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from hostprov_tui.errors import ConfigError, HostprovError

PRIVATE_MODE = stat.S_IRUSR | stat.S_IWUSR  # 0600
FOLDER_MODE = 0o700


def check_writable_target(path: Path, *, replace: bool, flag: str = "--force") -> None:
    """Refuse a symbolic link (always) and an existing file (unless ``replace``)."""
    if path.is_symlink():
        raise ConfigError(
            f"{path} is a symbolic link; hostprov does not write through one, so nothing was "
            "changed.",
            hint="Remove the link, or name the real file with --config.",
        )
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path} exists and is not a file; nothing was changed.")
    if path.exists() and not replace:
        raise ConfigError(f"{path} already exists; nothing was changed.",
                          hint=f"Add {flag} to replace it.")


def write_private_file(path: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` to ``path`` with mode 0600: a temporary file in the same folder, flushed
    to disk, then moved into place, so an interrupted write never leaves half a file. Without
    ``replace`` an existing file (or one that appears meanwhile) is kept and refused."""
    check_writable_target(path, replace=replace)
    folder = path.parent
    from hostprov_tui.config.path_safety import check_trusted

    check_trusted(folder, "folder")  # another user who may write there could swap the file
    try:
        make_private_folder(folder)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ConfigError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":  # mkstemp already made it 0600; Windows has no such bits
            os.chmod(tmp, PRIVATE_MODE)
        if replace:
            os.replace(tmp, path)  # replaces a link itself, never writes through it
        else:
            _move_without_clobbering(tmp, path)
        _sync_folder(folder)
    except OSError as exc:
        raise ConfigError(f"{path} cannot be written: {exc.strerror or exc}.") from None
    finally:
        tmp.unlink(missing_ok=True)


def _move_without_clobbering(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)  # fails if anything (a file, a link) took the name meanwhile
    except FileExistsError:
        check_writable_target(path, replace=False)
        raise
    except (OSError, NotImplementedError):  # a file system without hard links
        check_writable_target(path, replace=False)
        os.replace(tmp, path)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (POSIX; Windows cannot open a folder)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: Opening refuses a symbolic link as the last component (0 where the platform has no flag:
#: there a link is refused by a check just before opening).
O_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
FILE_MODE = PRIVATE_MODE


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
    """Create ``path`` (and missing parents) if it is not there, each with mode 0700. An
    existing folder is left as it is."""
    if path.is_dir():
        return
    from hostprov_tui.config.path_safety import make_folders

    make_folders(path, FOLDER_MODE)  # parents too: 0700 whatever the umask (even 000)


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
