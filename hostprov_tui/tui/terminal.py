"""The full-screen app needs a terminal on both ends: say so instead of hanging."""

from __future__ import annotations

import sys

from hostprov_tui.errors import InputError


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def refuse_json() -> None:
    """``tui --json``: the app has no JSON to print (exit 2)."""
    raise InputError(
        "The full-screen app has no JSON output.",
        hint="Use a subcommand with --json (hostprov --help lists them).",
    )


def refuse_without_terminal() -> None:
    """Raise :class:`InputError` (exit 2) when standard input or output is not a terminal (a
    pipe, a file, a cron job): the full-screen app would wait there for keys forever."""
    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if not _is_terminal(stream)]
    if missing:
        raise InputError(
            f"The full-screen app needs a terminal, and standard {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not one.",
            hint="Run hostprov in a terminal, or use a subcommand (hostprov --help lists them).",
        )
