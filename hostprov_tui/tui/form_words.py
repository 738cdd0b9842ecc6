"""The services word their hints for the command line ("e.g. --expires 2027-11-25"); the TUI
speaks of its form instead ("e.g. 2027-11-25 in the Expires field"). One table, applied to every
sentence of the services the TUI shows (check lines, their hints, error messages)."""

from __future__ import annotations

import re

#: The options of dry-run / issue / revoke / verify / links, by what the form calls them; the
#: ones given with a value read "VALUE in <field>".
FIELDS: dict[str, str] = {
    "--ksessions-id": "the Session field, as a KSESSIONS ID",
    "--canvas-session-id": "the Session field, as a Canvas session ID",
    "--created-by": "the Created by field",
    "--by": "the Created by field",
    "--expires": "the Expires field",
    "--reason": "the Reason field",
    "--new-user-token": "the “New participant link too” box",
    "--allow-production": "the typed confirmation",
    "--new-run": "the “New run” box",
    "--scheduled-date": "the Start date field",
    "--scheduled-time": "the Start time field",
    "--duration": "the Duration field",
}
#: Options of those commands that the form has no counterpart for (bulk files): a hint that
#: names them comes from the command line's own work, which the TUI never asks for.
CLI_ONLY = frozenset({"--from-file", "--output"})
TAKES_VALUE = frozenset({"--ksessions-id", "--canvas-session-id", "--created-by", "--by",
                         "--expires", "--reason", "--scheduled-date", "--scheduled-time",
                         "--duration"})
#: Commands the hints quote (with the words around them that only the command line needs).
PHRASES: dict[str, str] = {
    "with `hostprov sessions <words>` or on the Sessions screen": "on the Sessions screen (F3)",
    ": hostprov verify --token -": ", in the Verify box",
    ": hostprov verify --guid -": ", in the Verify box",
    "with `hostprov verify --token -`": "in the Verify box",
    "with `hostprov verify --guid -`": "in the Verify box",
    "with `hostprov verify`": "in the Verify box (Ctrl+E)",
    "(hostprov issue, or Provision in the TUI)": "(Issue, Ctrl+G)",
}

_OPTION = re.compile(r"(?P<option>--[a-z][a-z-]*)(?: (?P<value>[\w:+-]+))?")


def _field(match: re.Match[str]) -> str:
    option, value = match["option"], match["value"]
    field = FIELDS.get(option)
    if field is None:  # not a form field (a CLI-only command's option): left as it is
        return match[0]
    if value is None:
        return field
    if option in TAKES_VALUE:
        return f"{value} in {field}"
    return f"{field} {value}"


def for_the_form(text: str) -> str:
    """``text`` with the command line's options and commands named as the form names them."""
    for phrase, words in PHRASES.items():
        text = text.replace(phrase, words)
    return _OPTION.sub(_field, text)
