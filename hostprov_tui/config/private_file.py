"""Writing a file only its owner can read (mode 0600), in one step, never through a symlink."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from hostprov_tui.errors import ConfigError

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
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
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
