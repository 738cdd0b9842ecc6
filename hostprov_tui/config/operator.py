"""Who is at the keyboard, for CreatedBy/RevokedBy defaults and the audit trail (stdlib only: the
TUI's first frame shows it)."""

from __future__ import annotations

import getpass


def os_user() -> str:
    try:
        name = getpass.getuser()  # $LOGNAME / $USER first: whatever the environment says
    except (KeyError, OSError):  # no passwd entry (containers)
        return "operator"
    # A line break or an escape in it would forge audit lines or drive the terminal.
    return "".join(c if c.isprintable() else "?" for c in name) or "operator"
