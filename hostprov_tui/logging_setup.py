"""Loguru's default stderr handler would echo every audit record: remove just that one."""

from __future__ import annotations

import contextlib

from loguru import logger


def quiet_default_logging() -> None:
    with contextlib.suppress(ValueError):  # already removed
        logger.remove(0)  # the handler loguru installs at import; ours are added later
