"""Writing a command's output, and what happens when standard output cannot take it.

A closed standard output (``>&-``) is refused before the command does anything: a credential
shown on it would be lost. Output that fails later — ``/dev/full``, a full disk, a reader that
closed the pipe — ends the command with one sentence on stderr and exit 1
(:data:`OUTPUT_FAILED_EXIT`); when the output held a credential the command's ``not_shown``
says where it is or how to recover it, and audits it (services/not_shown.py). Standard output is
then pointed at the null device, so the interpreter's last flush does not fail again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from hostprov_tui.errors import InputError

#: The exit code when the output could not be written (the change itself may have been made).
OUTPUT_FAILED_EXIT = 1


def refuse_closed_stdout() -> None:
    """InputError (exit 2) when standard output is closed: nothing printed could be read."""
    if _stdout_closed():
        raise InputError(
            "Standard output is closed, so nothing hostprov prints — a Host GUID, a token, a "
            "JSON document — could be read; nothing was done.",
            hint="Run it with standard output open: a terminal, a file or a pipe.",
        )


def _stdout_closed() -> bool:
    if sys.stdout is None:  # Python found file descriptor 1 closed at start-up
        return True
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a file (a test's capture): usable
        return False
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def write_output(write: Callable[[], None],
                 not_shown: Callable[[str], tuple[str, str]] | None) -> tuple[str, str] | None:
    """Run ``write`` and flush standard output; None when it worked, else (sentence, hint)."""
    try:
        write()
        if sys.stdout is not None:
            sys.stdout.flush()
        return None
    except (OSError, ValueError) as exc:  # ValueError: a stream closed under us
        silence_stdout()
        why = _why(exc)
    if not_shown is not None:
        return not_shown(why)
    return (f"The output could not be written to standard output ({why}).",
            "What the command did is in the audit log (`hostprov audit`).")


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return str(exc) or type(exc).__name__


def silence_stdout() -> None:
    """Point file descriptor 1 at the null device (what is still buffered goes nowhere)."""
    stream: Any = sys.stdout
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
