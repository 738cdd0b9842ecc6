"""Reading passwords and the hash secret: only from the environment or secret files."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from pydantic import SecretStr

from hostprov_tui.config.private_file import O_NOFOLLOW, make_private_folder
from hostprov_tui.config.settings import DatabaseTarget, Settings
from hostprov_tui.errors import ConfigError

SECRET_FILE_MODE = 0o600


def read_secret_file(path: Path, what: str) -> SecretStr:
    """The first line of a secret file, stripped."""
    from hostprov_tui.config.size_limits import MAX_SECRET_FILE_BYTES, check_file_size

    check_file_size(path, f"{what} file", MAX_SECRET_FILE_BYTES)
    from hostprov_tui.config.path_safety import check_trusted

    if path.exists():
        check_trusted(path, f"{what} file", secret=True)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"The {what} file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The {what} file {path} is not UTF-8 text; write the secret into "
                          "it as one line of UTF-8 text.") from None
    except OSError as exc:
        raise ConfigError(f"The {what} file {path} cannot be read: {exc.strerror}.") from None
    value = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not value:
        raise ConfigError(f"The {what} file {path} is empty.")
    return SecretStr(value)


def database_password(target: DatabaseTarget, name: str) -> SecretStr | None:
    """The password for ``target``: ``…__PASSWORD`` wins over ``password_file``."""
    if target.password is not None and target.password.get_secret_value():
        return target.password
    if target.password_file is not None:
        return read_secret_file(target.password_file, f"{name} password")
    return None


def hash_secret(settings: Settings) -> SecretStr | None:
    """``HOSTPROV_SECURITY__HASH_SECRET`` wins over ``hash_secret_file``; None if neither."""
    sec = settings.security
    if sec.hash_secret is not None and sec.hash_secret.get_secret_value():
        return sec.hash_secret
    if sec.hash_secret_file is not None and sec.hash_secret_file.exists():
        return read_secret_file(sec.hash_secret_file, "hash secret")
    return None


def missing_secret_sentence(settings: Settings) -> str:
    """Why no hash secret could be loaded: the configured file is missing, or none is set."""
    path = settings.security.hash_secret_file
    if path is not None and not path.exists():
        return (f"The hash secret file {path} does not exist, so no Host GUID can be hashed.")
    return "No hash secret is configured, so no Host GUID can be hashed."


def generate_secret_file(path: Path) -> SecretStr:
    """Create a random hash secret readable by the owner only (mode 0600)."""
    make_private_folder(path.parent)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW, SECRET_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    with contextlib.suppress(OSError):  # some platforms keep no POSIX modes
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return SecretStr(value)
