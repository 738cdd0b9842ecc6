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


def refuse_without_terminal(json_asked: bool) -> None:
    """Raise :class:`InputError` (exit 2) when the TUI cannot run: ``--json`` asked for, or
    standard input or output is not a terminal (a pipe, a file, a cron job)."""
    if json_asked:
        raise InputError(
            "The full-screen app has no JSON output.",
            hint="Use a subcommand with --json (hostprov --help lists them).",
        )
    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if not _is_terminal(stream)]
    if missing:
        raise InputError(
            f"The full-screen app needs a terminal, and standard {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not one.",
            hint="Run hostprov in a terminal, or use a subcommand (hostprov --help lists them).",
        )
