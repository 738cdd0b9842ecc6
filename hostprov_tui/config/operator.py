"""Who is at the keyboard, for CreatedBy/RevokedBy defaults and the audit trail (stdlib only: the
TUI's first frame shows it)."""

from __future__ import annotations

import getpass


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "operator"
