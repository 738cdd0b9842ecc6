"""Every URL that is shown or logged goes through here first."""

from __future__ import annotations

import re

from sqlalchemy.engine import URL

_MASK = "***"
_PWD_IN_TEXT = re.compile(r"(?i)\b(password|pwd)\s*=\s*(\"[^\"]*\"|'[^']*'|\{[^}]*\}|[^;]*)")
_PWD_IN_URL = re.compile(r"(//[^:/@\s]+:)([^@\s]*)(@)")


def mask_url(url: URL) -> str:
    """The URL as text with its password (and any ``odbc_connect`` password) replaced."""
    odbc = url.query.get("odbc_connect")
    if isinstance(odbc, str):  # rendered URL-encoded, where the Password= pattern cannot see it
        url = url.update_query_dict({"odbc_connect": mask_text(odbc)})
    text = url.render_as_string(hide_password=True)
    return mask_text(text)


def mask_text(text: str) -> str:
    """Mask ``Password=…``/``PWD=…`` pairs and ``user:password@`` in free text."""
    text = _PWD_IN_TEXT.sub(lambda m: f"{m.group(1)}={_MASK}", text)
    return _PWD_IN_URL.sub(lambda m: f"{m.group(1)}{_MASK}{m.group(3)}", text)
