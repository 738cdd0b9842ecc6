"""A secret the operator gives to a command (a Host GUID, a host token), kept off the command line.

Anything on the command line is visible to every user of the machine (``ps``, /proc/PID/cmdline)
and often lands in the shell history. So an option that takes a secret accepts:

* ``-``: the first line of standard input (``hostprov verify --guid - < file``, or a pipe);
* nothing: when standard input is a terminal, a prompt that does not echo what is typed;
* the value itself: still accepted, and visible to other users while the command runs.
"""

from __future__ import annotations

import getpass
import sys

from hostprov_tui.errors import InputError

#: The value that means "read it from standard input".
STDIN = "-"


def secret_value(value: str | None, *, label: str, option: str) -> str:
    """The secret from ``value`` | ``-`` (stdin) | a prompt without echo (stdin a terminal).

    ``label`` names it for people ("Host GUID"), ``option`` is the flag ("--guid"). Raises
    InputError (exit 2) when there is nothing to read.
    """
    if value is not None and value != STDIN:
        return value
    stream = sys.stdin
    if value == STDIN:
        try:
            text = stream.readline()
        except (OSError, UnicodeDecodeError):
            text = ""
        if not text.strip():
            raise InputError(f"{option} - reads the {label} from standard input, which was "
                             "empty.", hint=f"Pipe it in: echo … | hostprov … {option} -")
        return text.strip()
    if not _is_terminal(stream):
        raise InputError(
            f"No {label} was given: use {option} - to read it from standard input, or run in "
            "a terminal to be asked for it.",
            hint=f"{option} VALUE also works, but other users of this machine can see it (ps).",
        )
    try:
        text = getpass.getpass(f"{label}: ", stream=sys.stderr)
    except (EOFError, KeyboardInterrupt):
        text = ""
    if not text.strip():
        raise InputError(f"No {label} was typed; nothing was checked.")
    return text.strip()


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False
